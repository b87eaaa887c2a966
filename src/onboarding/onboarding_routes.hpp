// The onboarding API (SPEC §4.1–§4.4): thin handlers that decode the request, call
// the pure logic (step_validation, onboarding_logic) and the store (one round trip each,
// except a completion that must read the draft first), and encode the answer.
#pragma once

#include <memory>

#include "catalog/catalog.hpp"
#include "http/router.hpp"

namespace onboardd::onboarding {

// Largest body of the wizard's POST routes: a 2 MB logo as base64 inside JSON.
inline constexpr std::size_t kWizardMaxBodyBytes = 4u << 20;

// Registers:
//   POST /api/onboarding/step          (authenticated)  save one step as the draft
//   GET  /api/onboarding/status        (authenticated)  detection and redirect, read-only
//   POST /api/onboarding/complete      (authenticated)  the atomic completion
//   POST /api/onboarding/organization  (authenticated)  201 a new organization, caller owner
//   GET  /api/onboarding/organization  (authenticated)  the caller's organizations
//   GET  /api/onboarding/industries    (public, cacheable, ETag/304, Vary: Accept-Language)
//   GET  /api/onboarding/config        (public, cacheable, ETag/304)
// and the older session API (SPEC §4.3), all authenticated, sessions answered with their
// version as ETag, writes honouring If-Match (412 when stale), other users' or malformed
// session ids answered 404:
//   POST/GET /api/onboarding/start     resume the in-progress session (or start; `restart`)
//   PUT/GET  /api/onboarding/progress  per-step upsert with validation / session + steps
//   GET/PATCH/DELETE /api/onboarding/session/{id}   read / current_step, context / abandon
//   GET  /api/onboarding/complete?session_id=        whether that session completed
// Every POST honours Idempotency-Key (idempotency.hpp).
// Handlers reach the database through db::Pool::Current() (kUnavailable without one) and
// read `catalog` once per request. `catalog` must not be null.
void RegisterRoutes(http::Router& router, std::shared_ptr<const catalog::Catalog> catalog);

}  // namespace onboardd::onboarding
