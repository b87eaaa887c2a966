// The wizard page's routes: files from memory (web_assets.hpp) with their security headers,
// and the redirect of GET /. The page's behaviour lives in web/onboarding/app.js.
#include "app/web_routes.hpp"

#include <algorithm>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <string_view>

#include "app/web_assets.hpp"
#include "http/etag.hpp"
#include "onboarding/onboarding_routes.hpp"

namespace onboardd::app {

namespace json = boost::json;
using http::Request;
using http::Response;
using verb = http::beast_http::verb;

namespace {

// No inline script or style anywhere (the page has none), nothing from another origin;
// images may be data: and blob: URLs (the logo's preview before and after it is saved).
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

constexpr std::string_view kIndex = "index.html";

Response AssetResponse(const Request& request, const WebAsset& asset) {
  Response response = http::CacheableResponse(request, std::string(asset.bytes),
                                              std::string(asset.etag), "no-cache", false);
  response.content_type = std::string(asset.content_type);
  WithPageSecurityHeaders(response);
  return response;
}

Response Redirect(http::beast_http::status status, std::string location) {
  Response response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.With("Location", std::move(location)).With("Cache-Control", "no-store");
  WithPageSecurityHeaders(response);
  return response;
}

bool IsStepOfDefaultFlow(const onboarding::Dependencies& deps, std::string_view name) {
  auto snapshot = deps.catalog->Current();
  const auto& steps = snapshot->default_flow().steps;
  return std::any_of(steps.begin(), steps.end(),
                     [&](const catalog::StepDef& step) { return step.id == name; });
}

}  // namespace

const WebAsset* FindWebAsset(std::string_view name) {
  for (const WebAsset& asset : WebAssets()) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

void WithPageSecurityHeaders(Response& response) {
  response.With("Content-Security-Policy", std::string(kContentSecurityPolicy))
      .With("X-Content-Type-Options", "nosniff")
      .With("Referrer-Policy", "no-referrer")
      .With("X-Frame-Options", "DENY")
      .With("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
      .With("Cross-Origin-Opener-Policy", "same-origin")
      .With("Cross-Origin-Resource-Policy", "same-origin");
}

std::string HomeRedirect(const std::optional<json::object>& status) {
  if (!status) return "/onboarding/";
  const json::value* to = status->if_contains("redirectTo");
  if (to != nullptr && to->is_string()) {
    std::string_view path = to->as_string();
    // Only a path of the page: the status is ours, but a Location is no place to trust it.
    if (path.starts_with("/onboarding/") && path.find("//") == std::string_view::npos) {
      return std::string(path);
    }
  }
  return "/onboarding/complete";
}

void RegisterWebRoutes(http::Router& router, const onboarding::Dependencies& deps) {
  const http::RouteOptions page{.public_rate_limit = false};
  // GET / reads the caller's status (the database, or the cache) when a cookie signs them in.
  const http::RouteOptions home{.authentication_optional = true};

  router.Add(
      verb::get, "/",
      [deps](Request request) -> boost::asio::awaitable<core::Result<Response>> {
        std::optional<json::object> status;
        if (request.principal) {
          auto read = co_await onboarding::ReadCallerStatus(deps, std::move(request));
          // Anything wrong (the database down): the page, which shows what is wrong.
          if (read) {
            boost::system::error_code ec;
            json::value parsed = json::parse(*read, ec);
            if (!ec && parsed.is_object()) status = std::move(parsed.as_object());
          }
        }
        Response response = Redirect(http::beast_http::status::found, HomeRedirect(status));
        response.With("Vary", "Cookie");
        co_return response;
      },
      home);
  router.Add(
      verb::get, "/onboarding",
      [](Request) -> boost::asio::awaitable<core::Result<Response>> {
        co_return Redirect(http::beast_http::status::moved_permanently, "/onboarding/");
      },
      page);
  router.Add(
      verb::get, "/onboarding/",
      [](Request request) -> boost::asio::awaitable<core::Result<Response>> {
        co_return AssetResponse(request, *FindWebAsset(kIndex));
      },
      page);
  router.Add(
      verb::get, "/onboarding/{name}",
      [deps](Request request) -> boost::asio::awaitable<core::Result<Response>> {
        const std::string_view name = request.Param("name");
        const WebAsset* asset = FindWebAsset(name);
        if (asset == nullptr && IsStepOfDefaultFlow(deps, name)) asset = FindWebAsset(kIndex);
        if (asset == nullptr) co_return core::MakeError(core::ErrorCode::kNotFound);
        co_return AssetResponse(request, *asset);
      },
      page);
}

}  // namespace onboardd::app
