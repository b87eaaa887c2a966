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
//     its status, body and significant headers in another (answers ≥ 500 are not stored: the
//     key is released so the client may retry). The body stored is Response::replay_body when
//     the handler set one — POST /step sets it to its answer with each inline image replaced
//     by the path that serves it, so a 2 MB logo is not stored again (the draft has it);
//   - a repeat with the same route and body replays the stored answer — status, body, and the
//     headers ETag, x-session-id, x-step-number, x-validation-status, x-organization-id,
//     x-onboarding-completed, Location, Retry-After as first sent — with
//     `Idempotent-Replayed: true`, without running the handler;
//   - the same key with another route or body → 400 VALIDATION_ERROR on `Idempotency-Key`;
//   - a repeat while the first is still running → 409 CONFLICT.
// Claims left by a crashed request are reclaimable after 60 s; keys expire after 24 h and
// are deleted by PurgeIdempotencyKeys. The claim and the stored answer use the request's
// worker's pool in `pools`.
http::Handler WithIdempotency(std::shared_ptr<const db::Pools> pools, std::string route,
                              http::Handler handler);

// The periodic purge (no identity needed): deletes at most `max_rows` keys past their
// expiry, of every user, oldest first, through onboardd_private.purge_idempotency_keys;
// returns how many. Run every minute or so from one thread; a backlog drains over runs.
boost::asio::awaitable<core::Result<int>> PurgeIdempotencyKeys(db::Pool& pool,
                                                               core::Deadline deadline,
                                                               int max_rows = 1000);

}  // namespace onboardd::onboarding
