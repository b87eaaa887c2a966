// The periodic database jobs of a serving process, run on I/O thread 0 with its pool (each is
// one small bounded transaction, so they never hold a connection long nor lock much):
//   - session expiry, every 60 s: in-progress sessions past expires_at become expired, each
//     with its audit row (onboarding::ExpireStaleSessions);
//   - idempotency keys, every 60 s: keys past their TTL are deleted
//     (onboarding::PurgeIdempotencyKeys);
//   - analytics, every 10 s: the rollup's deltas are folded (analytics::CompactAnalytics),
//     so the operator's report reads few of them.
// A run that hit its bound goes again at once (up to 10 rounds), so a backlog drains without
// waiting for the next interval. With several instances every one runs them: each job is
// safe to run concurrently (skip locked rows, an advisory lock, idempotent deletes).
#pragma once

#include <boost/asio/io_context.hpp>

#include "db/pg_pool.hpp"

namespace onboardd::app {

// Starts the jobs on `io` (the thread that owns `pool`); they end when `io` stops.
void SpawnMaintenance(boost::asio::io_context& io, db::Pool& pool);

}  // namespace onboardd::app
