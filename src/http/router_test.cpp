#include "http/router.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <map>
#include <string>
#include <vector>

namespace onboardd::http {
namespace {

namespace asio = boost::asio;
using beast_http::verb;

Response DispatchOnce(const Router& router, verb method, std::string path, std::string body = {}) {
  asio::io_context ioc;
  Request request;
  request.message.method(method);
  request.message.target(path);
  request.message.body() = std::move(body);
  request.path = std::move(path);
  request.request_id = "req-1";
  auto future = asio::co_spawn(ioc, router.Dispatch(std::move(request)), asio::use_future);
  ioc.run();
  return future.get();
}

Handler Echo(std::string name) {
  return [name](Request r) -> asio::awaitable<core::Result<Response>> {
    boost::json::object body{{"handler", name}};
    for (auto& [k, v] : r.params) body[k] = v;
    co_return JsonResponse(body);
  };
}

TEST(Router, MatchesLiteralsAndParameters) {
  Router router;
  router.Add(verb::get, "/api/onboarding/status", Echo("status"));
  router.Add(verb::get, "/api/onboarding/session/{id}", Echo("session"));
  router.Add(verb::post, "/api/ai/suggestions/{id}/decision", Echo("decision"));

  auto r1 = DispatchOnce(router, verb::get, "/api/onboarding/status");
  EXPECT_EQ(r1.status, beast_http::status::ok);
  EXPECT_EQ(boost::json::parse(r1.body).at("handler"), "status");

  auto r2 = DispatchOnce(router, verb::get, "/api/onboarding/session/abc-123");
  EXPECT_EQ(boost::json::parse(r2.body).at("id"), "abc-123");

  auto r3 = DispatchOnce(router, verb::post, "/api/ai/suggestions/s1/decision");
  EXPECT_EQ(boost::json::parse(r3.body).at("id"), "s1");
}

TEST(Router, UnknownPathIs404InTheEnvelope) {
  Router router;
  router.Add(verb::get, "/a", Echo("a"));
  for (std::string path : {"/b", "/a/b", "/", "/api/onboarding/session/"}) {
    auto r = DispatchOnce(router, verb::get, path);
    EXPECT_EQ(r.status, beast_http::status::not_found) << path;
    auto body = boost::json::parse(r.body);
    EXPECT_EQ(body.at("code"), "NOT_FOUND");
    EXPECT_EQ(body.at("success"), false);
    EXPECT_EQ(body.at("request_id"), "req-1");
  }
}

TEST(Router, WrongMethodIs405WithAllow) {
  Router router;
  router.Add(verb::get, "/api/onboarding/progress", Echo("get"));
  router.Add(verb::put, "/api/onboarding/progress", Echo("put"));
  auto r = DispatchOnce(router, verb::delete_, "/api/onboarding/progress");
  EXPECT_EQ(r.status, beast_http::status::method_not_allowed);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  EXPECT_EQ(r.headers[0].second, "GET, PUT");
  EXPECT_EQ(boost::json::parse(r.body).at("code"), "VALIDATION_ERROR");  // SPEC's closed list
}

TEST(Router, HeadIsServedByGet) {
  Router router;
  router.Add(verb::get, "/healthz", Echo("health"));
  EXPECT_EQ(DispatchOnce(router, verb::head, "/healthz").status, beast_http::status::ok);
}

TEST(Router, HandlerErrorsAndExceptionsBecomeEnvelopes) {
  Router router;
  router.Add(verb::post, "/fail", [](Request) -> asio::awaitable<core::Result<Response>> {
    co_return core::ValidationError({{"company.name", {"obligatorio", "required"}}});
  });
  router.Add(verb::post, "/throw", [](Request) -> asio::awaitable<core::Result<Response>> {
    throw std::runtime_error("bug");
    co_return Response{};
  });
  auto fail = DispatchOnce(router, verb::post, "/fail");
  EXPECT_EQ(fail.status, beast_http::status::bad_request);
  auto body = boost::json::parse(fail.body);
  EXPECT_EQ(body.at("details").at(0).at("path"), "company.name");
  EXPECT_EQ(body.at("details").at(0).at("message"), "obligatorio");

  auto thrown = DispatchOnce(router, verb::post, "/throw");
  EXPECT_EQ(thrown.status, beast_http::status::internal_server_error);
  EXPECT_EQ(boost::json::parse(thrown.body).at("code"), "INTERNAL_ERROR");
}

TEST(Router, DuplicateRouteIsABug) {
  Router router;
  router.Add(verb::get, "/a", Echo("a"));
  EXPECT_THROW(router.Add(verb::get, "/a", Echo("b")), std::logic_error);
}

TEST(Router, PerRouteBodyLimitIsReported) {
  Router router;
  router.Add(verb::post, "/big", Echo("big"), {.max_body_bytes = 4 << 20});
  router.Add(verb::post, "/small", Echo("small"));
  EXPECT_EQ(router.Resolve(verb::post, "/big").max_body_bytes, 4u << 20);
  EXPECT_EQ(router.Resolve(verb::post, "/small").max_body_bytes, 0u);
}

TEST(Router, AuthenticatedRoutesNeedAVerifiedCaller) {
  Router router;
  router.Add(verb::get, "/me",
             [](Request r) -> asio::awaitable<core::Result<Response>> {
               co_return JsonResponse(boost::json::object{{"user", r.principal->user_id}});
             },
             {.authenticated = true});
  // No authenticator configured: 401, never the handler.
  auto none = DispatchOnce(router, verb::get, "/me");
  EXPECT_EQ(none.status, beast_http::status::unauthorized);

  router.SetAuthenticate(
      [](std::string authorization, std::string) -> asio::awaitable<core::Result<Principal>> {
        if (authorization == "Bearer good") co_return Principal{"user-1", "", ""};
        co_return core::MakeError(core::ErrorCode::kUnauthenticated);
      });
  auto refused = DispatchOnce(router, verb::get, "/me");
  EXPECT_EQ(refused.status, beast_http::status::unauthorized);
  EXPECT_EQ(boost::json::parse(refused.body).at("code"), "UNAUTHENTICATED");
  EXPECT_TRUE(refused.user_hash.empty());

  asio::io_context ioc;
  Request request;
  request.message.method(verb::get);
  request.message.set("Authorization", "Bearer good");
  request.path = "/me";
  auto future = asio::co_spawn(ioc, router.Dispatch(std::move(request)), asio::use_future);
  ioc.run();
  Response ok = future.get();
  EXPECT_EQ(ok.status, beast_http::status::ok);
  EXPECT_EQ(boost::json::parse(ok.body).at("user"), "user-1");
  EXPECT_EQ(ok.user_hash.size(), 16u);
}

TEST(Router, AScreenThatRefusesAnswersBeforeAuthenticationAndTheHandler) {
  Router router;
  int handled = 0;
  int verified = 0;
  bool refuse = true;
  std::vector<int> workers;
  RouteOptions options{.authenticated = true};
  options.screen = [&](int worker, core::Deadline) -> core::Status {
    workers.push_back(worker);
    if (!refuse) return {};
    core::Error error = core::MakeError(core::ErrorCode::kUnavailable);
    error.retry_after_seconds = 1;
    return error;
  };
  router.Add(
      verb::post, "/write",
      [&](Request) -> asio::awaitable<core::Result<Response>> {
        ++handled;
        co_return JsonResponse(boost::json::object{{"ok", true}});
      },
      options);
  router.SetAuthenticate([&](std::string, std::string) -> asio::awaitable<core::Result<Principal>> {
    ++verified;
    co_return Principal{"user-1", "", ""};
  });
  auto refused = DispatchOnce(router, verb::post, "/write");
  EXPECT_EQ(refused.status, beast_http::status::service_unavailable);
  EXPECT_EQ(boost::json::parse(refused.body).at("code"), "UNAVAILABLE");
  EXPECT_EQ(handled, 0);
  EXPECT_EQ(verified, 0) << "refused before the caller is verified";
  refuse = false;
  auto served = DispatchOnce(router, verb::post, "/write");
  EXPECT_EQ(served.status, beast_http::status::ok);
  EXPECT_EQ(handled, 1);
  EXPECT_EQ(verified, 1);
  EXPECT_EQ(workers, (std::vector<int>{0, 0})) << "asked once per request, with its worker";
}

TEST(Router, OptionalAuthenticationLetsTheHandlerDecide) {
  Router router;
  router.Add(verb::get, "/either",
             [](Request r) -> asio::awaitable<core::Result<Response>> {
               co_return JsonResponse(boost::json::object{
                   {"user", r.principal ? r.principal->user_id : std::string("none")}});
             },
             {.authentication_optional = true});
  int calls = 0;
  router.SetAuthenticate(
      [&calls](std::string authorization, std::string) -> asio::awaitable<core::Result<Principal>> {
        ++calls;
        if (authorization == "Bearer good") co_return Principal{"user-1", "", ""};
        co_return core::MakeError(core::ErrorCode::kUnauthenticated);
      });
  auto dispatch = [&](std::string authorization) {
    asio::io_context ioc;
    Request request;
    request.message.method(verb::get);
    if (!authorization.empty()) request.message.set("Authorization", authorization);
    request.path = "/either";
    auto future = asio::co_spawn(ioc, router.Dispatch(std::move(request)), asio::use_future);
    ioc.run();
    return future.get();
  };
  Response anonymous = dispatch("");
  EXPECT_EQ(anonymous.status, beast_http::status::ok);
  EXPECT_EQ(boost::json::parse(anonymous.body).at("user"), "none");
  EXPECT_EQ(calls, 0) << "no credentials: nothing to verify";
  EXPECT_EQ(boost::json::parse(dispatch("Bearer good").body).at("user"), "user-1");
  Response other = dispatch("Bearer something-else");
  EXPECT_EQ(other.status, beast_http::status::ok) << "the handler decides what it means";
  EXPECT_EQ(boost::json::parse(other.body).at("user"), "none");
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace onboardd::http

namespace onboardd::http {
namespace {

// A limit of `limit` requests per client address, counted here; records whom it was asked
// about.
struct CountingLimit {
  int limit = 2;
  std::map<std::string, int> counts;
  std::vector<std::string> asked;

  PublicRateLimit Hook() {
    return [this](int, boost::asio::ip::address client)
               -> asio::awaitable<std::optional<RateLimitVerdict>> {
      asked.push_back(client.to_string());
      int& count = counts[client.to_string()];
      ++count;
      RateLimitVerdict verdict;
      verdict.allowed = count <= limit;
      verdict.limit = limit;
      verdict.remaining = std::max(0, limit - count);
      verdict.reset_epoch_seconds = 1'900'000'000;
      verdict.retry_after_seconds = verdict.allowed ? 0 : 42;
      co_return verdict;
    };
  }
};

Response DispatchFrom(const Router& router, std::string path, std::string client,
                      std::string authorization = "") {
  asio::io_context ioc;
  Request request;
  request.message.method(verb::get);
  request.message.target(path);
  if (!authorization.empty()) request.message.set("Authorization", authorization);
  request.path = std::move(path);
  request.request_id = "req-rl";
  request.english = true;
  request.client_address = boost::asio::ip::make_address(client);
  auto future = asio::co_spawn(ioc, router.Dispatch(std::move(request)), asio::use_future);
  ioc.run();
  return future.get();
}

std::string HeaderOf(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(RouterPublicRateLimit, RefusesPastTheLimitWith429InTheEnvelope) {
  CountingLimit limit;
  Router router;
  int handled = 0;
  router.Add(verb::get, "/public", [&handled](Request) -> asio::awaitable<core::Result<Response>> {
    ++handled;
    co_return JsonResponse(boost::json::object{{"ok", true}});
  });
  router.SetPublicRateLimit(limit.Hook());

  auto first = DispatchFrom(router, "/public", "203.0.113.7");
  EXPECT_EQ(first.status, beast_http::status::ok);
  EXPECT_EQ(HeaderOf(first, "X-RateLimit-Limit"), "2");
  EXPECT_EQ(HeaderOf(first, "X-RateLimit-Remaining"), "1");
  EXPECT_EQ(HeaderOf(first, "X-RateLimit-Reset"), "1900000000");
  EXPECT_EQ(HeaderOf(first, "Retry-After"), "");
  EXPECT_EQ(HeaderOf(DispatchFrom(router, "/public", "203.0.113.7"), "X-RateLimit-Remaining"), "0");

  auto refused = DispatchFrom(router, "/public", "203.0.113.7");
  EXPECT_EQ(refused.status, beast_http::status::too_many_requests);
  EXPECT_EQ(HeaderOf(refused, "Retry-After"), "42");
  EXPECT_EQ(HeaderOf(refused, "X-RateLimit-Remaining"), "0");
  EXPECT_EQ(HeaderOf(refused, "X-RateLimit-Reset"), "1900000000");
  auto body = boost::json::parse(refused.body);
  EXPECT_EQ(body.at("success"), false);
  EXPECT_EQ(body.at("code"), "RATE_LIMITED");
  EXPECT_EQ(body.at("request_id"), "req-rl");
  EXPECT_NE(std::string(body.at("message").as_string()).find("42 s"), std::string::npos);
  EXPECT_EQ(handled, 2);  // the refused request never reached the handler

  // Another address has its own count.
  EXPECT_EQ(DispatchFrom(router, "/public", "203.0.113.8").status, beast_http::status::ok);
}

TEST(RouterPublicRateLimit, AuthenticatedAndOptedOutRoutesAreNotCounted) {
  CountingLimit limit;
  Router router;
  router.Add(verb::get, "/me", Echo("me"), {.authenticated = true});
  router.Add(verb::get, "/healthz", Echo("health"), {.public_rate_limit = false});
  router.Add(verb::get, "/either", Echo("either"), {.authentication_optional = true});
  router.SetAuthenticate(
      [](std::string authorization, std::string) -> asio::awaitable<core::Result<Principal>> {
        if (authorization == "Bearer good") co_return Principal{"user-1", "", ""};
        co_return core::MakeError(core::ErrorCode::kUnauthenticated);
      });
  router.SetPublicRateLimit(limit.Hook());

  for (int i = 0; i < 5; ++i) {
    auto me = DispatchFrom(router, "/me", "203.0.113.7", "Bearer good");
    EXPECT_EQ(me.status, beast_http::status::ok);
    EXPECT_EQ(HeaderOf(me, "X-RateLimit-Remaining"), "");
    auto health = DispatchFrom(router, "/healthz", "203.0.113.7");
    EXPECT_EQ(health.status, beast_http::status::ok);
    EXPECT_EQ(HeaderOf(health, "X-RateLimit-Remaining"), "");
  }
  EXPECT_TRUE(limit.asked.empty());
  // A route that runs without a verified caller is public, token or not.
  EXPECT_EQ(DispatchFrom(router, "/either", "203.0.113.7").status, beast_http::status::ok);
  EXPECT_EQ(DispatchFrom(router, "/either", "203.0.113.7", "Bearer good").status,
            beast_http::status::ok);
  EXPECT_EQ(DispatchFrom(router, "/either", "203.0.113.7").status,
            beast_http::status::too_many_requests);
}

TEST(RouterPublicRateLimit, ErrorsOfTheHandlerCarryTheHeadersAndNoLimitMeansNoHeaders) {
  CountingLimit limit;
  Router router;
  router.Add(verb::get, "/fails", [](Request) -> asio::awaitable<core::Result<Response>> {
    co_return core::MakeError(core::ErrorCode::kValidation);
  });
  router.SetPublicRateLimit(limit.Hook());
  auto failed = DispatchFrom(router, "/fails", "203.0.113.7");
  EXPECT_EQ(failed.status, beast_http::status::bad_request);
  EXPECT_EQ(HeaderOf(failed, "X-RateLimit-Remaining"), "1");
  // Unmatched paths are not counted.
  EXPECT_EQ(DispatchFrom(router, "/nothing", "203.0.113.7").status, beast_http::status::not_found);
  EXPECT_EQ(limit.asked.size(), 1u);

  Router unlimited;
  unlimited.Add(verb::get, "/public", Echo("public"));
  unlimited.SetPublicRateLimit(
      [](int, boost::asio::ip::address) -> asio::awaitable<std::optional<RateLimitVerdict>> {
        co_return std::nullopt;
      });
  auto answer = DispatchFrom(unlimited, "/public", "203.0.113.7");
  EXPECT_EQ(answer.status, beast_http::status::ok);
  EXPECT_EQ(HeaderOf(answer, "X-RateLimit-Remaining"), "");
}

}  // namespace
}  // namespace onboardd::http
