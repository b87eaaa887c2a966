// What the onboarding feature's two route files (onboarding_routes.cpp, session_routes.cpp)
// share: the dependencies handed to them at registration, and the small decoders every
// handler uses. Internal to src/onboarding.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/catalog.hpp"
#include "core/result.hpp"
#include "db/pg_pool.hpp"
#include "db/tenant_transaction.hpp"
#include "http/request.hpp"
#include "http/router.hpp"
#include "onboarding/replica_reads.hpp"
#include "onboarding/status_cache.hpp"

namespace onboardd::onboarding {

// What the onboarding routes need, made once at start-up: the live catalog (read once per
// request), the per-worker database pools, the session lifetime (SESSION_TTL_HOURS) and the
// status cache. Everything here is thread-safe or constant.
struct Dependencies {
  std::shared_ptr<const catalog::Catalog> catalog;  // must not be null
  std::shared_ptr<const db::Pools> pools;           // must not be null
  std::chrono::hours session_ttl{168};
  std::shared_ptr<StatusCache> status_cache;  // null: every status read goes to the database
  // Status reads from a streaming replica, read-your-writes (replica_reads.hpp); null: the
  // primary only.
  std::shared_ptr<ReplicaReads> replica_reads;
};

using Reply = boost::asio::awaitable<core::Result<http::Response>>;

// A route handler `Handler(dependencies, request)` with its dependencies bound, as the Router
// takes it.
template <Reply (*Handler)(Dependencies, http::Request)>
std::function<Reply(http::Request)> Bind(const Dependencies& dependencies) {
  return
      [dependencies](http::Request request) { return Handler(dependencies, std::move(request)); };
}

// A route that writes the caller's onboarding data. It runs in the caller's turn
// (db::Pool::TakeTurn, keyed by user): concurrent writes of one user on this I/O thread go
// one at a time before taking a connection, instead of each holding one while it waits for
// the same row lock. The route is registered with WriteOptions: before anything else the
// pool's gate may refuse it at once (db::Pool::Screen); a write that waited for its turn is
// not refused by that gate afterwards (db::Admission). Once the handler has answered (an
// error too: PUT /progress stores invalid data, and a failure may follow a commit), the
// caller's cached status is invalidated, before the answer leaves (with a replica, after the
// write's WAL position was recorded for the caller).
template <Reply (*Handler)(Dependencies, http::Request)>
Reply InvalidatingStatus(Dependencies dependencies, http::Request request) {
  const int worker = request.worker;
  std::string user = request.principal ? request.principal->user_id : std::string();
  db::KeyTurns::Turn turn;
  // With a replica, the write's own round trip reads the WAL position after its commit.
  std::shared_ptr<std::string> commit_lsn;
  if (dependencies.replica_reads && !user.empty()) {
    commit_lsn = std::make_shared<std::string>();
    request.commit_lsn = commit_lsn;
  }
  if (auto pool = dependencies.pools->For(worker); pool && !user.empty()) {
    std::string key = user;
    auto taken = co_await (*pool)->TakeTurn(std::move(key), request.deadline);
    if (!taken) co_return taken.error();
    turn = std::move(*taken);
    request.admitted_to_database = turn.waited();
  }
  const core::Deadline deadline = request.deadline;
  auto reply = co_await Handler(dependencies, std::move(request));
  turn.Release();
  // Before the invalidation: a status load it triggers anywhere must find this write's
  // WAL position (replica_reads.hpp).
  if (dependencies.replica_reads && !user.empty()) {
    if (auto pool = dependencies.pools->For(worker); pool) {
      co_await dependencies.replica_reads->RememberWrite(worker, **pool, user, deadline,
                                                         std::move(*commit_lsn));
    }
  }
  if (dependencies.status_cache && !user.empty()) {
    co_await dependencies.status_cache->Invalidate(worker, std::move(user));
  }
  co_return reply;
}

// The options of such a route: `options` with the pool's screen (http::RouteOptions::screen),
// so that overload is judged once, as soon as the request is read — refused then, before its
// caller is verified, its body parsed and its turn waited for, or admitted to all of them.
http::RouteOptions WriteOptions(const Dependencies& dependencies, http::RouteOptions options);

// Bind for such a route.
template <Reply (*Handler)(Dependencies, http::Request)>
std::function<Reply(http::Request)> BindWrite(const Dependencies& dependencies) {
  return Bind<&InvalidatingStatus<Handler>>(dependencies);
}

// The caller's identity for SQL: the verified user, the request id and deadline, and the
// active organization X-Organization-Id names (a hint that reaches SQL as app.org_id; the
// policies check membership). A header that is present but not a uuid names no organization
// the caller could be in: `org_header_invalid` is set and the route answers 404.
struct CallerContext {
  db::TenantContext tenant;
  bool org_header_invalid = false;
};
CallerContext ContextOf(const http::Request& request);

// A kValidation error with one detail.
core::Error FieldError(std::string path, std::string es, std::string en);

// The request body as a JSON object; kValidation otherwise.
core::Result<boost::json::object> BodyObject(const http::Request& request);
// The same, where an empty body means {}.
core::Result<boost::json::object> OptionalBody(const http::Request& request);

// A whole number (5 or 5.0) in [1, 50], else nullopt.
std::optional<int> StepNumber(const boost::json::value* v);

// An optional body member spelled snake_case or camelCase (snake_case wins).
const boost::json::value* Member(const boost::json::object& body, std::string_view snake,
                                 std::string_view camel);

// An optional boolean member: `fallback` when absent or null, kValidation naming `path` when
// it is not a boolean.
core::Result<bool> OptionalBool(const boost::json::object& body, std::string_view snake,
                                std::string_view camel, bool fallback);

// A path or query session id: a uuid, else it names no session of anyone (404, not 400, so
// probing with odd ids learns nothing).
core::Result<std::string> SessionId(std::string_view id);

// A catalog message in the request's language (the key itself if the catalog lacks it).
std::string Message(const catalog::Snapshot& snapshot, std::string_view key, bool english);

}  // namespace onboardd::onboarding
