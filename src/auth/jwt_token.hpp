// The JWS compact serialization taken apart, before any cryptography: three base64url
// segments, a JSON object header with a supported `alg` and no `crit`, a JSON object
// payload. Pure and allocation-bounded (tokens over 8 KiB are refused before decoding), so
// it is what the fuzzer drives.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace onboardd::auth {

inline constexpr std::size_t kMaxTokenBytes = 8 * 1024;

enum class Algorithm { kEs256, kRs256, kEdDsa, kHs256 };

// "ES256", "RS256", "EdDSA", "HS256" (exact case); anything else — "none" included — is
// nullopt.
std::optional<Algorithm> AlgorithmFromName(std::string_view name);
std::string_view AlgorithmName(Algorithm algorithm);

struct ParsedToken {
  Algorithm algorithm = Algorithm::kEs256;
  std::string kid;             // "" when the header has none
  boost::json::object claims;  // the payload, unvalidated
  std::string signing_input;   // "<header>.<payload>" exactly as received
  std::string signature;       // decoded bytes
};

// kUnauthenticated when the token is empty or over kMaxTokenBytes, has other than three
// segments, a segment that is not canonical base64url, a header or payload that is not a
// JSON object, a header whose `alg` is missing, not a string or unsupported (including
// "none"), a `kid` that is not a string, a `crit` member, or an empty signature.
core::Result<ParsedToken> ParseToken(std::string_view token);

}  // namespace onboardd::auth
