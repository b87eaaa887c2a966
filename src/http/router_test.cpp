#include "http/router.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

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
  EXPECT_EQ(boost::json::parse(r.body).at("code"), "METHOD_NOT_ALLOWED");
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
