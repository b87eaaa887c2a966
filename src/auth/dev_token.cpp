// SignDevToken: claims to JSON, base64url, HMAC.
#include "auth/dev_token.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "auth/authenticator.hpp"
#include "auth/base64url.hpp"
#include "auth/jwt_verifier.hpp"

namespace onboardd::auth {

std::string SignDevToken(std::string_view secret, const DevClaims& claims) {
  boost::json::object header{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", kDevKeyId}};
  const std::int64_t iat = claims.issued_at != 0
                               ? claims.issued_at
                               : std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
  boost::json::object payload{{"sub", claims.sub}, {"iat", iat}, {"exp", iat + claims.ttl_seconds}};
  if (!claims.email.empty()) payload["email"] = claims.email;
  if (!claims.name.empty()) payload["name"] = claims.name;
  if (!claims.issuer.empty()) payload["iss"] = claims.issuer;
  if (claims.audiences.size() == 1) {
    payload["aud"] = claims.audiences.front();
  } else if (!claims.audiences.empty()) {
    boost::json::array audiences;
    for (const auto& audience : claims.audiences) audiences.emplace_back(audience);
    payload["aud"] = std::move(audiences);
  }
  std::string token = Base64UrlEncode(boost::json::serialize(header));
  token += '.';
  token += Base64UrlEncode(boost::json::serialize(payload));
  const std::string mac = HmacSha256(secret, token);
  token += '.';
  token += Base64UrlEncode(mac);
  return token;
}

}  // namespace onboardd::auth
