// Health, readiness and metrics. /healthz never touches a dependency: it answers as long as
// an I/O thread runs. /readyz asks the database (reachable, migrations current).
#include "app/system_routes.hpp"

#include <boost/json/object.hpp>

#include "observability/metrics.hpp"

namespace onboardd::app {

namespace asio = boost::asio;
using http::Request;
using http::Response;

void RegisterSystemRoutes(http::Router& router, ReadinessCheck database_ready) {
  // Probes and scrapers call these often from one address: never rate limited.
  const http::RouteOptions operational{.public_rate_limit = false};
  observability::Metrics()
      .GetGauge("onboardd_build_info", "The running build.",
                {{"version", ONBOARDD_VERSION}, {"compiler", __VERSION__}})
      .Set(1);
  router.Add(
      http::beast_http::verb::get, "/healthz",
      [](Request) -> asio::awaitable<core::Result<Response>> {
        co_return http::JsonResponse(boost::json::object{{"status", "ok"}});
      },
      operational);

  router.Add(
      http::beast_http::verb::get, "/readyz",
      [database_ready](Request request) -> asio::awaitable<core::Result<Response>> {
        // Not a conditional expression: GCC 12 mishandles co_await inside ?: .
        core::Status database =
            core::MakeError(core::ErrorCode::kUnavailable,
                            {"base de datos no configurada", "database not configured"});
        if (database_ready) database = co_await database_ready(request.worker);
        boost::json::object checks;
        checks["database"] = database ? "ok" : database.error().message.In(request.english);
        boost::json::object body{{"status", database ? "ready" : "unavailable"},
                                 {"checks", std::move(checks)}};
        co_return http::JsonResponse(body, database
                                               ? http::beast_http::status::ok
                                               : http::beast_http::status::service_unavailable);
      },
      operational);

  router.Add(
      http::beast_http::verb::get, "/metrics",
      [](Request) -> asio::awaitable<core::Result<Response>> {
        Response response;
        response.content_type = "text/plain; version=0.0.4; charset=utf-8";
        response.body = observability::Metrics().Render();
        co_return response;
      },
      operational);
}

}  // namespace onboardd::app
