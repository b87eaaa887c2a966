// Read this file to know what onboardd serves. Each feature registers its own routes; this
// is the only list of features.
#include "app/routes.hpp"

#include "ai/ai_routes.hpp"
#include "analytics/analytics_routes.hpp"
#include "app/openapi.hpp"
#include "app/web_routes.hpp"
#include "onboarding/onboarding_routes.hpp"
#include "onboarding/session_routes.hpp"

namespace onboardd::app {

void RegisterRoutes(http::Router& router, const Services& services) {
  // GET /healthz, GET /readyz, GET /metrics
  RegisterSystemRoutes(router, services.database_ready);
  const onboarding::Dependencies onboarding{
      services.catalog, services.pools, std::chrono::hours(services.settings->session_ttl_hours),
      services.status_cache, services.replica_reads};
  // /api/onboarding/{step,status,complete,organization,industries,config}
  onboarding::RegisterRoutes(router, onboarding);
  // The older session API: /api/onboarding/{start,progress,session/{id},complete?session_id=}
  onboarding::RegisterSessionRoutes(router, onboarding);
  // GET /api/onboarding/analytics (organization admins; OPS_TOKEN for every organization)
  analytics::RegisterAnalyticsRoutes(
      router, {services.catalog, services.pools, services.settings->ops_token});
  // The AI overlay: /api/onboarding/ai/{suggest,validate,complete}, /api/ai/suggestions/{id}/
  // decision, /api/ai/preferences
  ai::Dependencies ai{services.catalog, services.pools, services.assistant, services.ai_quotas};
  if (!ai.assistant) ai.assistant = std::make_shared<ai::Assistant>(nullptr, nullptr);
  if (!ai.quotas) ai.quotas = std::make_shared<ai::InProcessQuotaCounter>();
  ai::RegisterAiRoutes(router, ai);
  // The reference wizard page: GET /, /onboarding/ and its files (web/onboarding/)
  RegisterWebRoutes(router, onboarding);
  // GET /openapi.json, describing everything above (so: last)
  RegisterOpenApiRoute(router);
}

}  // namespace onboardd::app
