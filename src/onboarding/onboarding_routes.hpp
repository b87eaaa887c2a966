// The onboarding API (SPEC §4.1, §4.2, §4.4): thin handlers that decode the request, call
// the pure logic (step_validation, onboarding_logic) and the store (one round trip each,
// except a completion that must read the draft first), and encode the answer. The older
// session API (SPEC §4.3) is in session_routes.hpp.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "core/result.hpp"
#include "http/router.hpp"
#include "onboarding/route_support.hpp"

namespace onboardd::onboarding {

// Largest body of the wizard's POST routes: a 2 MB logo as base64 inside JSON.
inline constexpr std::size_t kWizardMaxBodyBytes = 4u << 20;

// Registers:
//   POST /api/onboarding/step          (authenticated)  save one step as the draft
//   GET  /api/onboarding/status        (authenticated)  detection and redirect, read-only
//   GET  /api/onboarding/draft/image/{step}/{field}  (authenticated)  a draft's inline image,
//                                      which status names instead of carrying (ETag, 304)
//   POST /api/onboarding/complete      (authenticated)  the atomic completion; with a
//                                      session_id, the session API's form (session_routes)
//   POST /api/onboarding/organization  (authenticated)  201 a new organization, caller owner
//   GET  /api/onboarding/organization  (authenticated)  the caller's organizations
//   GET  /api/onboarding/industries    (public, cacheable, ETag/304, Vary: Accept-Language)
//   GET  /api/onboarding/config        (public, cacheable, ETag/304)
// Status and the organization routes honour X-Organization-Id (an organization the caller
// is not a member of: 404). Every POST honours Idempotency-Key (idempotency.hpp).
void RegisterRoutes(http::Router& router, const Dependencies& dependencies);

// GET /status's body (SPEC §4.2, serialized) for the verified caller of `request`
// (Request::principal must be set), exactly as that route answers it: through the status cache
// unless X-Organization-Id names an organization. kNotFound for an organization the caller is not a
// member of; kUnavailable when the database is. What GET / (app/web_routes.hpp) asks.
boost::asio::awaitable<core::Result<std::string>> ReadCallerStatus(Dependencies deps,
                                                                   http::Request request);

}  // namespace onboardd::onboarding
