// The API's table of contents: every route the server answers, registered in one place.
#pragma once

#include "app/system_routes.hpp"
#include "http/router.hpp"

namespace onboardd::app {

struct Services {
  ReadinessCheck database_ready;
};

void RegisterRoutes(http::Router& router, const Services& services);

}  // namespace onboardd::app
