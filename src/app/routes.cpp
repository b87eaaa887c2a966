// Read this file to know what onboardd serves. Each feature registers its own routes; this
// is the only list of features.
#include "app/routes.hpp"

#include "app/openapi.hpp"
#include "onboarding/onboarding_routes.hpp"

namespace onboardd::app {

void RegisterRoutes(http::Router& router, const Services& services) {
  // GET /healthz, GET /readyz, GET /metrics
  RegisterSystemRoutes(router, services.database_ready);
  // /api/onboarding/{step,status,complete,organization,industries,config}, and the session
  // API: /api/onboarding/{start,progress,session/{id}}
  onboarding::RegisterRoutes(router, services.catalog);
  // GET /openapi.json, describing everything above (so: last)
  RegisterOpenApiRoute(router);
}

}  // namespace onboardd::app
