// Decode (who, which days, which organization), one store call, encode. Who may see what is
// decided in SQL (onboarding_analytics); this file only recognizes the operator's token.
#include "analytics/analytics_routes.hpp"

#include "analytics/analytics_logic.hpp"
#include "analytics/analytics_store.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"

namespace onboardd::analytics {

namespace asio = boost::asio;
using http::Request;
using http::Response;

namespace {

Date Today() { return *ParseDate(core::NowIso8601().substr(0, 10)); }

asio::awaitable<core::Result<Response>> AnalyticsRoute(std::shared_ptr<const Dependencies> deps,
                                                       Request request) {
  const bool operator_call = IsOpsToken(request.Header("Authorization"), deps->ops_token);
  if (!operator_call && !request.principal) {
    co_return core::MakeError(core::ErrorCode::kUnauthenticated);
  }
  auto range = ParseRange(request.Query("from"), request.Query("to"), Today());
  if (!range) co_return range.error();
  AnalyticsQuery query{.organization_id = {}, .range = *range};
  if (std::string_view org = request.Header("X-Organization-Id"); !org.empty()) {
    if (!core::IsUuid(org)) co_return core::MakeError(core::ErrorCode::kNotFound);
    query.organization_id = std::string(org);
  }
  db::TenantContext context;
  context.user_id = request.principal && !operator_call ? request.principal->user_id : "";
  context.org_id = query.organization_id;
  context.request_id = request.request_id;
  context.deadline = request.deadline;
  context.operator_scope = operator_call;
  auto pool = deps->pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto read = co_await ReadAnalytics(**pool, std::move(context), std::move(query));
  if (!read) co_return read.error();
  if (!*read) co_return core::MakeError(core::ErrorCode::kNotFound);
  auto snapshot = deps->catalog->Current();
  Response response = http::JsonResponse(BuildAnalyticsBody(
      std::move((*read)->report), (*read)->scope, *range, *snapshot, request.english));
  response.With("Cache-Control", "private, no-store")
      .With("Vary", "Authorization, Cookie, X-Organization-Id");
  co_return response;
}

}  // namespace

void RegisterAnalyticsRoutes(http::Router& router, Dependencies dependencies) {
  auto deps = std::make_shared<const Dependencies>(std::move(dependencies));
  router.Add(
      http::beast_http::verb::get, "/api/onboarding/analytics",
      [deps](Request request) { return AnalyticsRoute(deps, std::move(request)); },
      http::RouteOptions{.authentication_optional = true});
}

}  // namespace onboardd::analytics
