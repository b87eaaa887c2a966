// Read this file to know what onboardd serves. Each feature registers its own routes; this
// is the only list of features.
#include "app/routes.hpp"

namespace onboardd::app {

void RegisterRoutes(http::Router& router, const Services& services) {
  // GET /healthz, GET /readyz, GET /metrics
  RegisterSystemRoutes(router, services.database_ready);
}

}  // namespace onboardd::app
