// The API's table of contents: every route the server answers, registered in one place.
#pragma once

#include <memory>

#include "app/system_routes.hpp"
#include "catalog/catalog.hpp"
#include "config/settings.hpp"
#include "http/router.hpp"

namespace onboardd::app {

// What the features need from the process, made once at start-up. Everything here is
// thread-safe or constant; the database is reached through db::Pool::Current() on each
// I/O thread.
struct Services {
  const config::Settings* settings = nullptr;
  std::shared_ptr<catalog::Catalog> catalog;
  ReadinessCheck database_ready;
};

void RegisterRoutes(http::Router& router, const Services& services);

}  // namespace onboardd::app
