// ValidateClaims: RFC 7519 §4.1 checks with a leeway, plus Stack Auth's anonymous audience.
#include "auth/claims.hpp"

#include <boost/json/value.hpp>
#include <cmath>
#include <optional>
#include <string_view>

namespace onboardd::auth {
namespace {

core::Error Refuse() { return core::MakeError(core::ErrorCode::kUnauthenticated); }

// NumericDate: an integer or a finite real, truncated to whole seconds. Values beyond
// ±10^12 s (tens of thousands of years) are refused, which also keeps `exp + leeway` and
// `nbf - leeway` far from overflowing.
std::optional<std::int64_t> NumericDate(const boost::json::value& value) {
  constexpr std::int64_t kLimit = 1'000'000'000'000;
  if (value.is_int64()) {
    const std::int64_t v = value.get_int64();
    if (v > kLimit || v < -kLimit) return std::nullopt;
    return v;
  }
  if (value.is_uint64()) return std::nullopt;  // above INT64_MAX: far beyond the limit
  if (value.is_double()) {
    const double d = value.get_double();
    if (!std::isfinite(d) || std::fabs(d) > static_cast<double>(kLimit)) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

bool IsAnonymousAudience(std::string_view audience) {
  constexpr std::string_view kSuffix = ":anon";
  return audience.size() >= kSuffix.size() &&
         audience.substr(audience.size() - kSuffix.size()) == kSuffix;
}

}  // namespace

std::string StackAnonymousIssuer(std::string_view issuer) {
  constexpr std::string_view kProjects = "/api/v1/projects/";
  const auto at = issuer.find(kProjects);
  if (at == std::string_view::npos) return std::string(issuer);
  std::string out(issuer.substr(0, at));
  out += "/api/v1/projects-anonymous-users/";
  out += issuer.substr(at + kProjects.size());
  return out;
}

core::Result<Identity> ValidateClaims(const boost::json::object& claims, const ClaimRules& rules,
                                      std::int64_t now) {
  const boost::json::value* exp = claims.if_contains("exp");
  if (exp == nullptr) return Refuse();
  auto expires_at = NumericDate(*exp);
  if (!expires_at || *expires_at + rules.leeway_seconds <= now) return Refuse();

  if (const boost::json::value* nbf = claims.if_contains("nbf")) {
    auto not_before = NumericDate(*nbf);
    if (!not_before || *not_before - rules.leeway_seconds > now) return Refuse();
  }

  std::vector<std::string_view> audiences;
  if (const boost::json::value* aud = claims.if_contains("aud")) {
    if (aud->is_string()) {
      audiences.push_back(aud->get_string());
    } else if (aud->is_array()) {
      for (const auto& item : aud->get_array()) {
        if (!item.is_string()) return Refuse();
        audiences.push_back(item.get_string());
      }
    } else {
      return Refuse();
    }
  }
  bool anonymous = false;
  for (auto audience : audiences) anonymous = anonymous || IsAnonymousAudience(audience);
  if (const boost::json::value* is_anonymous = claims.if_contains("is_anonymous")) {
    if (!is_anonymous->is_bool()) return Refuse();
    anonymous = anonymous || is_anonymous->get_bool();
  }
  if (anonymous && !rules.allow_anonymous) return Refuse();

  if (!rules.issuer.empty()) {
    const boost::json::value* iss = claims.if_contains("iss");
    if (iss == nullptr || !iss->is_string()) return Refuse();
    const bool issuer_matches =
        iss->get_string() == rules.issuer ||
        (anonymous && iss->get_string() == StackAnonymousIssuer(rules.issuer));
    if (!issuer_matches) return Refuse();
  }
  if (!rules.audiences.empty()) {
    bool matched = false;
    for (auto audience : audiences) {
      for (const auto& allowed : rules.audiences) {
        if (audience == allowed || (rules.allow_anonymous && audience == allowed + ":anon")) {
          matched = true;
        }
      }
    }
    if (!matched) return Refuse();
  }

  const boost::json::value* sub = claims.if_contains("sub");
  if (sub == nullptr || !sub->is_string() || sub->get_string().empty()) return Refuse();

  Identity identity;
  identity.user_id = sub->get_string();
  identity.expires_at = *expires_at;
  if (const boost::json::value* email = claims.if_contains("email"); email && email->is_string()) {
    identity.email = email->get_string();
  }
  if (const boost::json::value* name = claims.if_contains("name"); name && name->is_string()) {
    identity.name = name->get_string();
  }
  return identity;
}

}  // namespace onboardd::auth
