// GET /api/onboarding/analytics?from=&to= (SPEC §4.6): the onboarding funnel of one
// organization for its admins (X-Organization-Id, else the caller's primary organization),
// or for the operator (Authorization: Bearer OPS_TOKEN) every organization's, or any one's.
// Anyone else — a member who is not admin, a stranger, an unknown organization — gets 404,
// never 403; no credentials at all, 401; a bad date, 400 naming `from` or `to`.
#pragma once

#include <memory>
#include <string>

#include "catalog/catalog.hpp"
#include "db/pg_pool.hpp"
#include "http/router.hpp"

namespace onboardd::analytics {

// Made once at start-up; thread-safe or constant.
struct Dependencies {
  std::shared_ptr<const catalog::Catalog> catalog;  // step and industry names; not null
  std::shared_ptr<const db::Pools> pools;           // not null
  std::string ops_token;                            // OPS_TOKEN; empty: no operator
};

void RegisterAnalyticsRoutes(http::Router& router, Dependencies dependencies);

}  // namespace onboardd::analytics
