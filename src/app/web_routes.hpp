// The reference wizard page (issue 16): GET /onboarding/ and its files, embedded in the binary
// (web_assets.hpp), with a strict Content-Security-Policy and the other security headers; and
// GET /, which sends a browser where SPEC §4.2's status says it belongs. The page itself is
// plain HTML/CSS/JS talking to the API of SPEC §4 (web/onboarding/app.js); nothing here is
// dev-only: in `onboardd dev` the page signs in with the dev token it is handed in its URL's
// fragment (never sent to the server), in production with Stack's cookie.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "http/request.hpp"
#include "http/router.hpp"
#include "onboarding/route_support.hpp"

namespace onboardd::app {

// The headers every answer of the page's routes carries: CSP (no inline script or style,
// nothing from another origin, no framing), X-Content-Type-Options, Referrer-Policy,
// X-Frame-Options, Permissions-Policy, Cross-Origin-Opener-Policy.
void WithPageSecurityHeaders(http::Response& response);

// Where GET / sends the browser: the caller's status (nullopt: not signed in) decides.
//   not signed in            -> "/onboarding/" (the page says how to sign in)
//   status.redirectTo set    -> it (a path under /onboarding/: the step to resume)
//   otherwise (completed)    -> "/onboarding/complete" (the page shows the organization)
// Pure.
std::string HomeRedirect(const std::optional<boost::json::object>& status);

// Registers (none authenticated, none rate limited but GET /, which may read the database):
//   GET /                      302 to HomeRedirect; signed in by the cookie when present
//   GET /onboarding            301 to /onboarding/
//   GET /onboarding/           the page (index.html)
//   GET /onboarding/{name}     a file of the page, or the page itself when `name` is a step id
//                              of the catalog's default flow (/onboarding/company), else 404
// Files: ETag (strong, per file), 304 on If-None-Match, Cache-Control: no-cache (the names
// carry no version, so every use revalidates), the right Content-Type.
void RegisterWebRoutes(http::Router& router, const onboarding::Dependencies& dependencies);

}  // namespace onboardd::app
