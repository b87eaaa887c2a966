// Authenticator: extract → cache → parse → key → signature → claims → cache.
#include "auth/authenticator.hpp"

#include <chrono>

#include "auth/jwt_token.hpp"
#include "auth/jwt_verifier.hpp"
#include "auth/token_extraction.hpp"
#include "observability/log.hpp"

namespace onboardd::auth {
namespace {

core::Error Refuse(std::string_view reason) {
  if (observability::Enabled(observability::Level::kDebug)) {
    observability::Log(observability::Level::kDebug, "auth_refused", {{"reason", reason}});
  }
  return core::MakeError(core::ErrorCode::kUnauthenticated);
}

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ClaimRules RulesFrom(const AuthOptions& options) {
  return ClaimRules{.issuer = options.issuer,
                    .audiences = options.audiences,
                    .allow_anonymous = options.allow_anonymous_audience,
                    .leeway_seconds = options.leeway_seconds};
}

}  // namespace

Authenticator::Authenticator(AuthOptions options, JwksFetcher fetcher)
    : options_(std::move(options)),
      rules_(RulesFrom(options_)),
      jwks_(std::move(fetcher), options_.jwks),
      cache_(options_.token_cache_size) {}

Authenticator::~Authenticator() = default;

boost::asio::awaitable<core::Result<Identity>> Authenticator::Authenticate(
    std::string authorization, std::string cookie) {
  auto token = ExtractToken(authorization, cookie, options_.cookie_name);
  if (!token) co_return Refuse("no token");
  co_return co_await Verify(std::move(*token));
}

boost::asio::awaitable<bool> Authenticator::Prefetch() {
  // No kid is empty, so this looks up nothing but fetches when there is no set yet.
  co_await jwks_.Find("");
  co_return jwks_.Current()->size() > 0;
}

boost::asio::awaitable<core::Result<Identity>> Authenticator::Verify(std::string token) {
  if (token.empty() || token.size() > kMaxTokenBytes) co_return Refuse("size");
  const std::int64_t now = UnixNow();
  const Sha256Digest digest = Sha256(token);
  if (auto cached = cache_.Find(digest, now)) co_return std::move(*cached);

  auto parsed = ParseToken(token);
  if (!parsed) co_return Refuse("malformed");
  if (const char* refusal = co_await CheckSignature(*parsed)) co_return Refuse(refusal);
  auto identity = ValidateClaims(parsed->claims, rules_, now);
  if (!identity) co_return Refuse("claims");
  cache_.Insert(digest, *identity, identity->expires_at + options_.leeway_seconds);
  co_return identity;
}

boost::asio::awaitable<const char*> Authenticator::CheckSignature(const ParsedToken& token) {
  if (token.algorithm == Algorithm::kHs256) {
    if (options_.dev_secret.empty()) co_return "HS256 without dev secret";
    if (!token.kid.empty() && token.kid != kDevKeyId) co_return "HS256 with a key id";
    if (!VerifyHs256(options_.dev_secret, token.signing_input, token.signature)) {
      co_return "signature";
    }
    co_return nullptr;
  }
  if (token.kid.empty()) co_return "no kid";
  auto key = co_await jwks_.Find(token.kid);
  if (!key) co_return "unknown kid";
  if (key->algorithm() != token.algorithm) co_return "alg does not match key";
  if (!key->Verify(token.algorithm, token.signing_input, token.signature)) co_return "signature";
  co_return nullptr;
}

}  // namespace onboardd::auth
