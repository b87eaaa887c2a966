// ParseToken: structure and JSON only; signatures are checked in jwt_verifier.cpp.
#include "auth/jwt_token.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "auth/base64url.hpp"

namespace onboardd::auth {
namespace {

core::Error Refuse() { return core::MakeError(core::ErrorCode::kUnauthenticated); }

std::optional<boost::json::object> DecodeJsonObject(std::string_view segment) {
  auto bytes = Base64UrlDecode(segment);
  if (!bytes) return std::nullopt;
  boost::json::parse_options options;
  options.max_depth = 16;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(*bytes, ec, {}, options);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

}  // namespace

std::optional<Algorithm> AlgorithmFromName(std::string_view name) {
  if (name == "ES256") return Algorithm::kEs256;
  if (name == "RS256") return Algorithm::kRs256;
  if (name == "EdDSA") return Algorithm::kEdDsa;
  if (name == "HS256") return Algorithm::kHs256;
  return std::nullopt;
}

std::string_view AlgorithmName(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kEs256:
      return "ES256";
    case Algorithm::kRs256:
      return "RS256";
    case Algorithm::kEdDsa:
      return "EdDSA";
    case Algorithm::kHs256:
      return "HS256";
  }
  return "";
}

core::Result<ParsedToken> ParseToken(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenBytes) return Refuse();
  const auto first_dot = token.find('.');
  if (first_dot == std::string_view::npos) return Refuse();
  const auto second_dot = token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos) return Refuse();
  if (token.find('.', second_dot + 1) != std::string_view::npos) return Refuse();

  const std::string_view header_segment = token.substr(0, first_dot);
  const std::string_view payload_segment = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const std::string_view signature_segment = token.substr(second_dot + 1);

  auto header = DecodeJsonObject(header_segment);
  if (!header) return Refuse();
  if (header->contains("crit")) return Refuse();
  const boost::json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string()) return Refuse();
  auto algorithm = AlgorithmFromName(alg->get_string());
  if (!algorithm) return Refuse();

  ParsedToken parsed;
  parsed.algorithm = *algorithm;
  if (const boost::json::value* kid = header->if_contains("kid")) {
    if (!kid->is_string()) return Refuse();
    parsed.kid = kid->get_string();
  }
  auto claims = DecodeJsonObject(payload_segment);
  if (!claims) return Refuse();
  parsed.claims = std::move(*claims);
  auto signature = Base64UrlDecode(signature_segment);
  if (!signature || signature->empty()) return Refuse();
  parsed.signature = std::move(*signature);
  parsed.signing_input = std::string(token.substr(0, second_dot));
  return parsed;
}

}  // namespace onboardd::auth
