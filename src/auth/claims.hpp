// The registered claims a verified signature does not vouch for by itself: lifetime,
// issuer, audience, subject. Pure: the caller passes the time.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/identity.hpp"
#include "core/result.hpp"

namespace onboardd::auth {

struct ClaimRules {
  std::string issuer;                  // empty: `iss` is not checked
  std::vector<std::string> audiences;  // empty: `aud` is not checked (except for ":anon")
  // Stack Auth issues anonymous users tokens whose audience is "<project>:anon", which carry
  // "is_anonymous": true and whose issuer is StackAnonymousIssuer(issuer). Refused unless
  // this is set.
  bool allow_anonymous = false;
  std::int64_t leeway_seconds = 30;  // callers keep it small (0 … a few minutes)
};

// The identity, or kUnauthenticated when: `exp` is missing, not a number (or beyond
// ±10^12 s), or at/before `now - leeway`; `nbf` is present and after `now + leeway` (or not a
// number); the token is anonymous (an audience ends in ":anon", or `is_anonymous` is true)
// while anonymous users are not allowed; `iss` differs from rules.issuer (when set) — or, for
// an allowed anonymous token, from both it and StackAnonymousIssuer(rules.issuer); `aud` (a
// string or an array of strings) contains none of rules.audiences (or, when anonymous users
// are allowed, "<audience>:anon") when set; `sub` is missing, not a string or empty. `name` and
// `email` are copied when they are strings and ignored otherwise.
// Stack Auth's issuer for anonymous users of the project whose issuer is `issuer`:
// ".../api/v1/projects/<id>" → ".../api/v1/projects-anonymous-users/<id>"; other issuers are
// returned unchanged.
std::string StackAnonymousIssuer(std::string_view issuer);

core::Result<Identity> ValidateClaims(const boost::json::object& claims, const ClaimRules& rules,
                                      std::int64_t now);

}  // namespace onboardd::auth
