// The route table: (method, pattern) → handler, with path parameters ("/session/{id}"),
// per-route body limits, 404 and 405 (with Allow). Dispatch turns a Request into a Response
// without any socket, so handlers are tested directly. Routes are added before the server
// starts; afterwards the router is read-only and shared by all I/O threads.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "http/request.hpp"

namespace onboardd::observability {
class Counter;
class Histogram;
}  // namespace onboardd::observability

namespace onboardd::http {

// A handler's failure is an Error value; the router renders it in the envelope. Exceptions
// escaping a handler are bugs: they become 500 INTERNAL_ERROR and are logged.
using Handler = std::function<boost::asio::awaitable<core::Result<Response>>(Request)>;

struct RouteOptions {
  // Largest body this route accepts; 0 means the server default (MAX_BODY_BYTES).
  std::size_t max_body_bytes = 0;
  // The handler runs only for a verified caller (Request::principal is set); otherwise 401.
  bool authenticated = false;
  // The caller is verified when it presents credentials, but the handler runs either way
  // (Request::principal set or not) and decides: for a route that also accepts another
  // credential (GET /analytics: the operator's OPS_TOKEN).
  bool authentication_optional = false;
  // Unless `authenticated`, each request counts against the caller's address by the public
  // rate limit (SetPublicRateLimit). False for operational routes (health, readiness,
  // metrics), which probes and scrapers call often from one address.
  bool public_rate_limit = true;
  // Asked first, on the request's I/O thread (Request::worker) with its deadline, before the
  // public rate limit, authentication and the handler: an error is the answer, and nothing
  // else runs. For routes whose work waits for the database, overload is cheapest refused
  // here (db::Pool::Screen): a 503 then costs no verification, no parsing, no coroutine of
  // the handler's. Empty: nothing is asked.
  std::function<core::Status(int worker, core::Deadline deadline)> screen;
};

// Verifies the caller from the Authorization and Cookie headers (either may be empty);
// kUnauthenticated when it cannot.
using Authenticate = std::function<boost::asio::awaitable<core::Result<Principal>>(
    std::string authorization, std::string cookie)>;

// What a rate limit says about one request (the X-RateLimit-* headers).
struct RateLimitVerdict {
  bool allowed = true;
  std::int64_t limit = 0;                // X-RateLimit-Limit
  std::int64_t remaining = 0;            // X-RateLimit-Remaining, after this request
  std::int64_t reset_epoch_seconds = 0;  // X-RateLimit-Reset: when the window ends
  std::int64_t retry_after_seconds = 0;  // Retry-After when refused (at least 1)
};

// Counts one request from `client` on I/O thread `worker`; nullopt when no limit applies
// (the answer then carries no X-RateLimit-* headers). Runs on that worker's thread.
using PublicRateLimit = std::function<boost::asio::awaitable<std::optional<RateLimitVerdict>>(
    int worker, boost::asio::ip::address client)>;

class Router {
 public:
  struct Route;  // defined in router.cpp

  // What a (method, path) resolves to: a route, or the error to answer with.
  struct Match {
    const Route* route = nullptr;
    std::vector<std::pair<std::string, std::string>> params;
    std::optional<core::Error> error;  // kNotFound or kMethodNotAllowed
    std::string allow;                 // "GET, POST" for 405
    std::size_t max_body_bytes = 0;    // of the route, 0 for the default
    std::string_view pattern;          // the route's pattern, or "unmatched"
  };

  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Pattern segments are literals or "{name}". Adding the same (method, pattern) twice is a
  // bug (throws std::logic_error).
  void Add(beast_http::verb method, std::string pattern, Handler handler,
           RouteOptions options = {});

  // Used for routes with `authenticated`; without one, those routes answer 401.
  void SetAuthenticate(Authenticate authenticate);

  // Asked before authentication and the handler of every route that is neither
  // `authenticated` nor opted out (RouteOptions::public_rate_limit), with Request::worker
  // and Request::client_address. Refused: 429 RATE_LIMITED in the envelope with Retry-After
  // and the X-RateLimit-* headers, the handler not run. Allowed: the answer, whatever it is,
  // carries X-RateLimit-Limit, -Remaining and -Reset. Without one, nothing is limited.
  void SetPublicRateLimit(PublicRateLimit limit);

  Match Resolve(beast_http::verb method, std::string_view path) const;

  // Resolves, runs the handler and renders errors. Sets params on the request. Never throws.
  boost::asio::awaitable<Response> Dispatch(Request request) const;
  boost::asio::awaitable<Response> Dispatch(Request request, Match match) const;

  // Every route registered, in registration order (for /openapi.json).
  struct RouteInfo {
    std::string method;   // "GET"
    std::string pattern;  // "/api/onboarding/session/{id}"
    RouteOptions options;
  };
  std::vector<RouteInfo> Routes() const;

 private:
  std::vector<std::unique_ptr<Route>> routes_;
  Authenticate authenticate_;
  PublicRateLimit public_rate_limit_;
};

}  // namespace onboardd::http
