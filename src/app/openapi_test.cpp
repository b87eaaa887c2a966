#include "app/openapi.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>
#include <stdexcept>
#include <string>

#include "app/routes.hpp"

namespace onboardd::app {
namespace {

namespace json = boost::json;
using http::beast_http::verb;

http::Handler Nothing() {
  return [](http::Request) -> boost::asio::awaitable<core::Result<http::Response>> {
    co_return http::Response{};
  };
}

TEST(OpenApi, DescribesMethodsParametersBodiesAndAuthentication) {
  http::Router router;
  router.Add(verb::get, "/public", Nothing());
  router.Add(verb::patch, "/api/onboarding/session/{id}", Nothing(), {.authenticated = true});
  json::value doc = json::parse(OpenApiDocument(router));
  EXPECT_EQ(doc.at("openapi"), "3.1.0");
  const auto& paths = doc.at("paths").as_object();
  ASSERT_EQ(paths.size(), 2u);
  const auto& pub = paths.at("/public").at("get").as_object();
  EXPECT_FALSE(pub.contains("security"));
  EXPECT_FALSE(pub.contains("requestBody"));
  const auto& patch = paths.at("/api/onboarding/session/{id}").at("patch").as_object();
  EXPECT_EQ(patch.at("summary"), "Update a session (If-Match)");
  EXPECT_EQ(patch.at("parameters").at(0).at("name"), "id");
  EXPECT_EQ(patch.at("parameters").at(0).at("in"), "path");
  EXPECT_TRUE(patch.contains("requestBody"));
  EXPECT_EQ(patch.at("security").as_array().size(), 2u);
  EXPECT_EQ(
      patch.at("responses").at("4XX").at("content").at("application/json").at("schema").at("$ref"),
      "#/components/schemas/Error");
  EXPECT_TRUE(
      doc.at("components").at("schemas").at("Error").at("properties").as_object().contains("code"));
}

// The service's whole route table, as `onboardd serve` registers it (no database opened).
struct ServiceRoutes {
  ServiceRoutes() {
    auto snapshot = catalog::LoadBundled();
    if (!snapshot) throw std::runtime_error("the bundled catalog does not load");
    services.settings = &settings;
    services.catalog = std::make_shared<catalog::Catalog>(std::move(*snapshot));
    services.pools = std::make_shared<db::Pools>(1);
    RegisterRoutes(router, services);
  }
  const config::Settings settings;
  Services services;
  http::Router router;
};

TEST(OpenApi, EveryRouteOfTheServiceIsDescribed) {
  ServiceRoutes service;
  const http::Router& router = service.router;
  auto routes = router.Routes();
  ASSERT_GT(routes.size(), 15u);
  json::value doc = json::parse(OpenApiDocument(router));
  int authenticated = 0;
  for (const auto& route : routes) {
    std::string method(route.method);
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    const json::value* path = doc.at("paths").as_object().if_contains(route.pattern);
    ASSERT_NE(path, nullptr) << route.pattern;
    const json::value* op = path->as_object().if_contains(method);
    ASSERT_NE(op, nullptr) << route.method << " " << route.pattern;
    EXPECT_TRUE(op->as_object().contains("summary")) << route.method << " " << route.pattern;
    EXPECT_EQ(op->as_object().contains("security"),
              route.options.authenticated || route.options.authentication_optional)
        << route.pattern;
    authenticated += route.options.authenticated;
  }
  EXPECT_GT(authenticated, 5);
  EXPECT_TRUE(doc.at("paths").as_object().contains("/openapi.json"));
}

// The routes whose work queues for the database's writes are screened for overload first
// (onboarding::WriteOptions): refused before their caller is verified, when the pool would
// refuse them anyway. Reads are not: a read is cheap to parse and served from caches.
TEST(OpenApi, TheWizardAndSessionWritesAreScreenedForOverload) {
  ServiceRoutes service;
  const http::Router& router = service.router;
  std::set<std::string> screened;
  for (const auto& route : router.Routes()) {
    if (route.options.screen) screened.insert(route.method + " " + route.pattern);
  }
  EXPECT_EQ(screened, (std::set<std::string>{
                          "POST /api/onboarding/step",
                          "POST /api/onboarding/complete",
                          "POST /api/onboarding/organization",
                          "POST /api/onboarding/start",
                          "PUT /api/onboarding/progress",
                          "PATCH /api/onboarding/session/{id}",
                          "DELETE /api/onboarding/session/{id}",
                      }));
}

}  // namespace
}  // namespace onboardd::app
