// The older session API (SPEC §4.3), exactly as its existing clients call it: the field
// names, defaults, shapes and headers of LEGACY_API.md §2. Thin handlers: decoding here,
// decisions and texts in session_logic.hpp, SQL in session_store.hpp.
//
// Sessions are answered in snake_case with their version as a strong ETag; writes honour
// If-Match (412 when stale); another user's (or a malformed) path or query session id is
// 404, never 403; a write to a session that is not in progress is 400.
#pragma once

#include <boost/json/object.hpp>

#include "http/router.hpp"
#include "onboarding/route_support.hpp"

namespace onboardd::onboarding {

// Registers, all authenticated:
//   POST/GET /api/onboarding/start     resume the in-progress session (or start; `restart`)
//   PUT/GET  /api/onboarding/progress  per-step upsert with validation / session + its rows
//   GET/PATCH/DELETE /api/onboarding/session/{id}   read with metrics / update / abandon
//   GET  /api/onboarding/complete?session_id=        the completed session's summary
// POST /start honours Idempotency-Key. The session form of POST /complete shares its route
// with the wizard's (onboarding_routes.hpp), which hands it to CompleteSessionRoute.
void RegisterSessionRoutes(http::Router& router, const Dependencies& dependencies);

// POST /complete with a session_id (LEGACY_API §2): `body` is the request's parsed body.
Reply CompleteSessionRoute(Dependencies dependencies, http::Request request,
                           boost::json::object body);

}  // namespace onboardd::onboarding
