// The one question the HTTP layer asks: who sent this request? Takes the Authorization and
// Cookie headers, finds the token, and answers with a verified Identity or
// kUnauthenticated — never another code, never which check failed (the reason is logged at
// debug level only). Tokens are verified against the JWKS (ES256, RS256, EdDSA) or, when a
// dev secret is configured, as HS256 dev tokens; verified tokens are cached until `exp`.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "auth/claims.hpp"
#include "auth/identity.hpp"
#include "auth/jwks.hpp"
#include "auth/token_cache.hpp"
#include "core/result.hpp"

namespace onboardd::auth {

// The auth_* settings, plus the JWKS cache policy.
struct AuthOptions {
  std::string issuer;                  // AUTH_ISSUER; empty: not checked
  std::vector<std::string> audiences;  // AUTH_AUDIENCE; empty: not checked
  bool allow_anonymous_audience = false;
  std::string cookie_name = "stack-access";
  // AUTH_DEV_SECRET: enables HS256 tokens. Empty: HS256 is always refused.
  std::string dev_secret;
  int leeway_seconds = 30;
  std::size_t token_cache_size = 10'000;  // 0 disables the verified-token cache
  JwksCacheOptions jwks;
};

// The `kid` dev tokens carry; HS256 tokens with any other kid are refused, so a kid that
// names a JWKS key can never be verified as a MAC (algorithm confusion).
inline constexpr std::string_view kDevKeyId = "onboardd-dev";

class Authenticator {
 public:
  // `fetcher` loads the JWKS document (MakeHttpJwksFetcher in production, a function in unit
  // tests); an empty fetcher means no JWKS (dev tokens only).
  Authenticator(AuthOptions options, JwksFetcher fetcher);
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // The identity of the token in `authorization` ("Bearer <token>") or, when that header is
  // empty, in the cookie named options.cookie_name of `cookie` (the raw Cookie header).
  // kUnauthenticated when there is no token or it does not verify (see Verify).
  // Thread-safe; may fetch the JWKS (see JwksCache::Find for the executor requirement).
  boost::asio::awaitable<core::Result<Identity>> Authenticate(std::string authorization,
                                                              std::string cookie);

  // Verifies one compact JWS. kUnauthenticated when it is over 8 KiB or malformed
  // (ParseToken), its `alg` is "none", unsupported or not the algorithm of the key its
  // `kid` names, its `kid` is unknown even after a JWKS refresh, the signature does not
  // verify, it is HS256 without a dev secret or with a kid other than kDevKeyId, or its
  // claims fail ValidateClaims. Thread-safe.
  boost::asio::awaitable<core::Result<Identity>> Verify(std::string token);

  // Loads the JWKS now (at start-up, so that the first request does not wait for it).
  // True when a key set is available afterwards; a failure is logged and retried on demand.
  boost::asio::awaitable<bool> Prefetch();

  JwksCache& jwks() { return jwks_; }
  const TokenCache& token_cache() const { return cache_; }

 private:
  // nullptr when the signature verifies, else why not (for the debug log). Takes a reference
  // although a coroutine: only Verify calls it, awaiting at once, and its frame owns `token`.
  boost::asio::awaitable<const char*> CheckSignature(const ParsedToken& token);

  // Constant after construction.
  const AuthOptions options_;
  const ClaimRules rules_;

  // Thread-safe members.
  JwksCache jwks_;
  TokenCache cache_;
};

}  // namespace onboardd::auth
