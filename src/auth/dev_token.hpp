// HS256 dev tokens: what `onboardd token` prints and what tests sign with. Accepted only by
// an Authenticator configured with the same dev secret.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onboardd::auth {

struct DevClaims {
  std::string sub;                     // required by verifiers
  std::string email;                   // omitted when empty
  std::string name;                    // omitted when empty
  std::string issuer;                  // `iss`, omitted when empty
  std::vector<std::string> audiences;  // `aud`: omitted when empty, a string when one
  std::int64_t issued_at = 0;          // `iat`; 0: now
  std::int64_t ttl_seconds = 3600;     // `exp` = iat + ttl
};

// A compact JWS `{"alg":"HS256","typ":"JWT","kid":"onboardd-dev"}.{claims}.{mac}`.
// Pure apart from reading the clock when issued_at is 0. Thread-safe.
std::string SignDevToken(std::string_view secret, const DevClaims& claims);

}  // namespace onboardd::auth
