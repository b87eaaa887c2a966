// Idempotency-Key on POST routes (SPEC §4.1): a client that retries a POST with the same key
// gets the first attempt's answer instead of a second effect. State lives in PostgreSQL
// (table idempotency_keys, the caller's own rows under RLS), so it holds across instances.
#pragma once

#include <memory>
#include <string>

#include "db/pg_pool.hpp"
#include "http/router.hpp"

namespace onboardd::onboarding {

// Wraps an authenticated route's handler. Without an Idempotency-Key header the handler runs
// as is (no extra round trip). With one (1–255 visible ASCII characters, else 400):
//   - the first request claims (caller, key) in one round trip, runs the handler, and stores
//     its status and body in another (answers ≥ 500 are not stored: the key is released so
//     the client may retry);
//   - a repeat with the same route and body replays the stored answer (header
//     `Idempotent-Replayed: true`) without running the handler;
//   - the same key with another route or body → 400 VALIDATION_ERROR on `Idempotency-Key`;
//   - a repeat while the first is still running → 409 CONFLICT.
// Claims left by a crashed request are reclaimable after 60 s; keys expire after 24 h. The
// claim and the stored answer use the request's worker's pool in `pools`.
http::Handler WithIdempotency(std::shared_ptr<const db::Pools> pools, std::string route,
                              http::Handler handler);

}  // namespace onboardd::onboarding
