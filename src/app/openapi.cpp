// Paths, methods, path parameters, request bodies, authentication and the error envelope
// come from the route table; the one-line summaries below are the only hand-kept part (a
// route without one is still described).
#include "app/openapi.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <memory>

namespace onboardd::app {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

const std::map<std::string, std::string, std::less<>>& Summaries() {
  static const std::map<std::string, std::string, std::less<>> summaries = {
      {"GET /healthz", "Process alive"},
      {"GET /readyz", "Database reachable and migrations current"},
      {"GET /metrics", "Prometheus metrics"},
      {"GET /openapi.json", "This document"},
      {"POST /api/onboarding/step", "Validate and save one wizard step as the user's draft"},
      {"GET /api/onboarding/status", "Whether the user still needs onboarding, and where to go"},
      {"GET /api/onboarding/draft/image/{step}/{field}",
       "An image the user's draft holds (status names it by this path)"},
      {"POST /api/onboarding/complete", "Turn the wizard into the organization's records"},
      {"GET /api/onboarding/complete", "Completion state of a session"},
      {"GET /api/onboarding/industries", "Industry catalog (public, cacheable)"},
      {"GET /api/onboarding/config", "Flows, enums, feature flags and messages (public)"},
      {"POST /api/onboarding/organization", "Create an organization owned by the caller"},
      {"GET /api/onboarding/organization", "The caller's organizations"},
      {"POST /api/onboarding/start", "Resume or start an onboarding session"},
      {"GET /api/onboarding/start", "The caller's current session"},
      {"PUT /api/onboarding/progress", "Save one step of a session"},
      {"GET /api/onboarding/progress", "A session's progress"},
      {"GET /api/onboarding/session/{id}", "One of the caller's sessions"},
      {"PATCH /api/onboarding/session/{id}", "Update a session (If-Match)"},
      {"DELETE /api/onboarding/session/{id}", "Abandon a session (If-Match)"},
      {"GET /api/onboarding/analytics",
       "Onboarding funnel of the caller's organization (admins), or of all (OPS_TOKEN)"},
      {"POST /api/onboarding/ai/suggest", "AI industry analysis of a company, with OKR ideas"},
      {"GET /api/onboarding/ai/suggest", "AI status and the caller's suggest quota"},
      {"POST /api/onboarding/ai/validate", "AI review of one step of a session"},
      {"GET /api/onboarding/ai/validate", "The validations ai/validate applies to a step"},
      {"POST /api/onboarding/ai/complete", "AI smart fill, suggestions or full analysis"},
      {"GET /api/onboarding/ai/complete", "ai/complete's capabilities and the caller's quota"},
      {"POST /api/ai/suggestions/{id}/decision", "Accept, decline or modify an AI suggestion"},
      {"GET /api/ai/preferences", "The caller's AI preferences"},
      {"PUT /api/ai/preferences", "Switch AI on or off, or set its assistance level"},
      {"GET /", "Redirect a browser to the wizard step its status names"},
      {"GET /onboarding", "Redirect to /onboarding/"},
      {"GET /onboarding/", "The reference wizard page"},
      {"GET /onboarding/{name}", "A file of the wizard page, or the page at a step's path"},
  };
  return summaries;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

json::object Envelope() {
  json::object string{{"type", "string"}};
  return {
      {"type", "object"},
      {"required", json::array{"success", "error", "code", "message", "request_id", "timestamp"}},
      {"properties",
       json::object{
           {"success", json::object{{"type", "boolean"}, {"const", false}}},
           {"error", string},
           {"code", string},
           {"message", string},
           {"details", json::object{{"type", "array"},
                                    {"items", json::object{{"type", "object"},
                                                           {"properties",
                                                            json::object{{"path", string},
                                                                         {"message", string}}}}}}},
           {"request_id", string},
           {"timestamp", json::object{{"type", "string"}, {"format", "date-time"}}}}}};
}

json::object Operation(const http::Router::RouteInfo& route) {
  json::object op;
  std::string key = route.method + " " + route.pattern;
  if (auto it = Summaries().find(key); it != Summaries().end()) op["summary"] = it->second;
  std::string id = Lower(route.method);
  for (char c : route.pattern) id.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  op["operationId"] = id;
  json::array parameters;
  for (std::size_t at = route.pattern.find('{'); at != std::string::npos;
       at = route.pattern.find('{', at + 1)) {
    std::string name = route.pattern.substr(at + 1, route.pattern.find('}', at) - at - 1);
    parameters.push_back(json::object{{"name", name},
                                      {"in", "path"},
                                      {"required", true},
                                      {"schema", json::object{{"type", "string"}}}});
  }
  if (!parameters.empty()) op["parameters"] = std::move(parameters);
  if (route.method == "POST" || route.method == "PUT" || route.method == "PATCH") {
    op["requestBody"] = json::object{
        {"content", json::object{{"application/json",
                                  json::object{{"schema", json::object{{"type", "object"}}}}}}}};
  }
  if (route.options.authenticated || route.options.authentication_optional) {
    op["security"] = json::array{json::object{{"bearer", json::array{}}},
                                 json::object{{"stackCookie", json::array{}}}};
  }
  json::object error{
      {"description", "The error envelope"},
      {"content",
       json::object{
           {"application/json",
            json::object{{"schema", json::object{{"$ref", "#/components/schemas/Error"}}}}}}}};
  op["responses"] = json::object{
      {"2XX", json::object{{"description", "Success"}}}, {"4XX", error}, {"5XX", error}};
  return op;
}

}  // namespace

std::string OpenApiDocument(const http::Router& router) {
  json::object paths;
  for (const auto& route : router.Routes()) {
    json::value& path = paths[route.pattern];
    if (!path.is_object()) path = json::object{};
    path.as_object()[Lower(route.method)] = Operation(route);
  }
  json::object document{
      {"openapi", "3.1.0"},
      {"info", json::object{{"title", "onboardd"},
                            {"version", ONBOARDD_VERSION},
                            {"description", "Organization onboarding backend of Stratix"}}},
      {"paths", std::move(paths)},
      {"components",
       json::object{
           {"schemas", json::object{{"Error", Envelope()}}},
           {"securitySchemes",
            json::object{
                {"bearer",
                 json::object{{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT"}}},
                {"stackCookie",
                 json::object{{"type", "apiKey"}, {"in", "cookie"}, {"name", "stack-access"}}}}}}}};
  return json::serialize(document);
}

void RegisterOpenApiRoute(http::Router& router) {
  auto document = std::make_shared<std::string>();
  router.Add(http::beast_http::verb::get, "/openapi.json",
             [document](http::Request) -> asio::awaitable<core::Result<http::Response>> {
               http::Response response;
               response.body = *document;
               response.With("Cache-Control", "public, max-age=3600");
               co_return response;
             });
  *document = OpenApiDocument(router);  // after Add, so it describes itself too
}

}  // namespace onboardd::app
