// GET /status's rows, cached per user (SPEC §6): the frontend's middleware asks for the
// status on every authenticated navigation, and it changes only when that user writes.
//
// What is cached is the store's read (the latest session as the status shows it, the
// primary profile's existence and the active organization), not the answer: the answer's
// texts depend on the catalog in use and the request's language, and its metadata on the
// moment, so BuildStatus runs on every request over rows from the cache or the database.
// Only reads without X-Organization-Id are cached (key: the user id): a header names an
// organization whose membership SQL must check, so those reads go to the database.
//
// Freshness: every write route of the onboarding feature calls Invalidate(user) after its
// transaction and before it answers (cache::Cache then guarantees that no instance serves
// the old rows, or says how long one might: cache/cache.hpp). The one change no request
// makes, an in-progress session reaching its expires_at, is caught on the way out: a cached
// session past its expiry is reloaded, never shown as in progress.
//
// Thread-safety: Read and Invalidate on the request's I/O thread (Request::worker).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cache/cache.hpp"
#include "core/result.hpp"
#include "db/pg_pool.hpp"
#include "db/tenant_transaction.hpp"

namespace onboardd::onboarding {

// The rows of one status answer, as cached.
struct StatusRows {
  std::optional<boost::json::object> session;  // the store's camelCase session JSON
  bool has_profile = false;
  std::optional<boost::json::object> organization;
};

// The cached form ({"session": ..., "hasProfile": ..., "organization": ...}) and back;
// nullopt for text that is not such a document.
std::string EncodeStatusRows(const StatusRows& rows);
std::optional<StatusRows> DecodeStatusRows(std::string_view text);

// Whether `session` (the store's JSON) is in progress with its expiresAt at or before
// `now_unix_ms`; a missing or unreadable expiresAt counts as expired (reload to be safe).
bool InProgressPastExpiry(const boost::json::object& session, std::int64_t now_unix_ms);

// An ISO-8601 timestamp as PostgreSQL's JSON writes a timestamptz
// ("2026-12-03T12:00:00.123456+00:00", "...Z", any offset) to Unix milliseconds.
std::optional<std::int64_t> ParseTimestampMs(std::string_view text);

class ReplicaReads;  // replica_reads.hpp

class StatusCache {
 public:
  // `cache` must outlive this object.
  // With `replica_reads`, loads read through it (a replica when fresh enough for the user).
  StatusCache(cache::Cache& cache, cache::Keyspace space, std::chrono::milliseconds load_timeout,
              std::shared_ptr<ReplicaReads> replica_reads = nullptr);

  struct Read {
    StatusRows rows;
    bool from_cache = false;
  };
  // The caller's status rows (context.org_id must be empty), from the cache when it holds
  // them, else from the database through `pools` on `worker` (then cached).
  boost::asio::awaitable<core::Result<Read>> Get(int worker, std::shared_ptr<const db::Pools> pools,
                                                 db::TenantContext context);

  // After a write of `user_id`'s onboarding data: no one is served the old rows.
  boost::asio::awaitable<void> Invalidate(int worker, std::string user_id);

 private:
  cache::Cache& cache_;
  const cache::Keyspace space_;
  const std::chrono::milliseconds load_timeout_;
  const std::shared_ptr<ReplicaReads> replica_reads_;
};

}  // namespace onboardd::onboarding
