// The wizard as a client speaks it to a real `onboardd serve` (tests/support/serve_process):
// dev tokens, step bodies, timed calls and the error envelope's code. Shared by the fault,
// crash and SIGTERM tests, which walk the wizard under load and then check that every
// acknowledged write is in the database. Test code only; every function is thread-safe.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <string>

#include "auth/dev_token.hpp"
#include "support/serve_process.hpp"

namespace onboardd::testing {

// "Authorization: Bearer <a dev token for `user`>\r\n".
inline std::string DevBearer(const std::string& secret, const std::string& user) {
  auth::DevClaims claims;
  claims.sub = user;
  claims.email = user + "@example.com";
  claims.name = "Persona " + user;
  return "Authorization: Bearer " + auth::SignDevToken(secret, claims) + "\r\n";
}

inline boost::json::object WelcomeData() {
  return {{"role", "ceo"}, {"experienceLevel", "intermediate"}, {"hasSeenWelcome", true}};
}
inline boost::json::object CompanyData(std::string name) {
  return {{"name", std::move(name)}, {"industry", "technology"}, {"size", "startup"}};
}
inline boost::json::object OrganizationData() {
  return {{"teamSize", 12},
          {"structure", "flat"},
          {"methodology", "okrs"},
          {"collaborationStyle", "hybrid"},
          {"departments", boost::json::array{"Ventas", "Producto"}}};
}
inline std::string StepBody(int step, boost::json::object data) {
  return boost::json::serialize(boost::json::object{{"step", step}, {"data", std::move(data)}});
}

struct TimedReply {
  HttpReply reply;
  std::chrono::milliseconds took{0};
};

inline TimedReply TimedCall(unsigned short port, const std::string& method,
                            const std::string& path, const std::string& body,
                            const std::string& headers,
                            std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto start = std::chrono::steady_clock::now();
  TimedReply out;
  out.reply = CallHttp(port, method, path, body, headers, timeout);
  out.took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  return out;
}

// The envelope's "code" ("" when the body is not an error envelope).
inline std::string ErrorCodeOf(const HttpReply& reply) {
  if (!reply.json.is_object()) return "";
  const auto* code = reply.json.as_object().if_contains("code");
  return code && code->is_string() ? std::string(code->as_string()) : "";
}

}  // namespace onboardd::testing
