// The cryptography of JWS, and the only file that includes OpenSSL in auth: public keys
// built from JWKs (EC P-256, RSA ≥ 2048 bits, Ed25519), signature checks for ES256 (raw
// r‖s, RFC 7518 §3.4 — DER is refused), RS256 (PKCS#1 v1.5), EdDSA (Ed25519), HS256 for
// dev tokens, and SHA-256 for the verified-token cache key.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "auth/jwt_token.hpp"
#include "core/result.hpp"

namespace onboardd::auth {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest Sha256(std::string_view data);
// HMAC-SHA-256 of `data` under `key`: 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// A public key from a JWKS, bound to the one algorithm it may verify. Immutable after
// construction; safe to use from any number of threads at once.
class VerificationKey {
 public:
  struct Impl;
  explicit VerificationKey(std::unique_ptr<Impl> impl);
  ~VerificationKey();
  VerificationKey(const VerificationKey&) = delete;
  VerificationKey& operator=(const VerificationKey&) = delete;

  const std::string& kid() const;
  Algorithm algorithm() const;

  // True only when `algorithm` is this key's algorithm and `signature` (decoded bytes) is a
  // valid signature of `signing_input`. HS256 is never true here: asymmetric keys do not
  // verify MACs, whatever the token claims.
  bool Verify(Algorithm algorithm, std::string_view signing_input,
              std::string_view signature) const;

 private:
  std::unique_ptr<Impl> impl_;
};

// Builds a key from one JWK object. kInternal (an unusable key, to be skipped) when `kid` is
// missing or empty; `use` is present and not "sig"; `kty`/`crv` is not EC P-256, RSA or OKP
// Ed25519; `alg` is present and does not match the key type (ES256, RS256, EdDSA); a
// parameter is missing, not canonical base64url, of the wrong length or not a valid point;
// or an RSA modulus is under 2048 or over 8192 bits.
core::Result<std::shared_ptr<const VerificationKey>> KeyFromJwk(const boost::json::object& jwk);

// True when `signature` is HMAC-SHA-256(secret, signing_input). Constant-time; false for
// an empty secret.
bool VerifyHs256(std::string_view secret, std::string_view signing_input,
                 std::string_view signature);

}  // namespace onboardd::auth
