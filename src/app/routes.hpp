// The API's table of contents: every route the server answers, registered in one place.
#pragma once

#include <memory>

#include "ai/assistant.hpp"
#include "ai/quota_counter.hpp"
#include "app/system_routes.hpp"
#include "catalog/catalog.hpp"
#include "config/settings.hpp"
#include "db/pg_pool.hpp"
#include "http/router.hpp"
#include "onboarding/replica_reads.hpp"
#include "onboarding/status_cache.hpp"

namespace onboardd::app {

// What the features need from the process, made once at start-up and handed to them when
// their routes are registered. Everything here is thread-safe or constant; `pools` holds one
// database pool per I/O thread, each used only on its own thread (Request::worker).
struct Services {
  const config::Settings* settings = nullptr;  // must not be null
  std::shared_ptr<catalog::Catalog> catalog;
  std::shared_ptr<db::Pools> pools;
  ReadinessCheck database_ready;
  // The AI overlay: the Assistant (provider from AI_* settings, response cache) and the
  // per-user quotas. Null: rules only, and quotas counted in this process.
  std::shared_ptr<ai::Assistant> assistant;
  std::shared_ptr<ai::QuotaCounter> ai_quotas;
  // GET /status's rows per user (Redis and in process); null: every read from the database.
  std::shared_ptr<onboarding::StatusCache> status_cache;
  // Status reads from DATABASE_REPLICA_URL (read-your-writes); null: the primary only.
  std::shared_ptr<onboarding::ReplicaReads> replica_reads;
};

void RegisterRoutes(http::Router& router, const Services& services);

}  // namespace onboardd::app
