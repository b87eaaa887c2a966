// libFuzzer target for everything auth does with attacker-controlled bytes before any
// cryptography: header/cookie extraction, the compact-JWS parser, base64url, and the claim
// checks. Crashes, sanitizer reports and broken invariants (__builtin_trap) are findings.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/base64url.hpp"
#include "auth/claims.hpp"
#include "auth/jwt_token.hpp"
#include "auth/token_extraction.hpp"

namespace {

void Check(bool invariant) {
  if (!invariant) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onboardd::auth;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // Base64url: whatever decodes re-encodes to exactly the input (one encoding per value).
  if (auto decoded = Base64UrlDecode(input)) Check(Base64UrlEncode(*decoded) == input);

  // The input as a token, as an Authorization header and as a Cookie header.
  const auto newline = input.find('\n');
  const std::string_view first = input.substr(0, newline);
  const std::string_view rest =
      newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
  if (auto token = ExtractToken(first, rest, "stack-access")) Check(!token->empty());
  if (auto token = ExtractToken("", input, "stack-access")) Check(!token->empty());
  (void)TokenFromCookieValue(input);

  auto parsed = ParseToken(input);
  if (!parsed) return 0;
  Check(input.size() <= kMaxTokenBytes);
  Check(!parsed->signature.empty());
  Check(AlgorithmFromName(AlgorithmName(parsed->algorithm)) == parsed->algorithm);
  Check(input.substr(0, parsed->signing_input.size()) == parsed->signing_input);

  for (bool allow_anonymous : {false, true}) {
    const ClaimRules rules{.issuer = "https://issuer.test",
                           .audiences = {"proj-1"},
                           .allow_anonymous = allow_anonymous,
                           .leeway_seconds = 30};
    auto identity = ValidateClaims(parsed->claims, rules, 1'800'000'000);
    if (identity) Check(!identity->user_id.empty() && identity->expires_at + 30 > 1'800'000'000);
  }
  (void)ValidateClaims(parsed->claims, ClaimRules{}, 0);
  return 0;
}
