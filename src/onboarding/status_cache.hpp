// GET /status's rows, cached per user (SPEC §6): the frontend's middleware asks for the
// status on every authenticated navigation, and it changes only when that user writes.
//
// What is cached is the store's read (the latest session as the status shows it, the
// primary profile's existence and the active organization, as the JSON text SQL built), not
// the answer: the answer's texts depend on the catalog in use and the request's language,
// and its metadata on the moment, so RenderStatus runs on every request over rows from the
// cache or the database (copying the JSON texts in, parsing only the session's fields).
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
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cache/cache.hpp"
#include "catalog/snapshot.hpp"
#include "core/result.hpp"
#include "db/pg_pool.hpp"
#include "db/tenant_transaction.hpp"
#include "onboarding/onboarding_logic.hpp"

namespace onboardd::onboarding {

// The rows of one status answer, as cached: the store's read (onboarding_store.hpp,
// StatusRead) without the membership check's flag.
struct StatusRows {
  std::string session;                    // the store's camelCase session JSON text; empty: none
  std::int64_t in_progress_until_ms = 0;  // the in-progress session's expires_at, else 0
  bool has_profile = false;
  std::string organization;  // the active organization's JSON text; empty: none
};

// The cached form ("1 <until> <session length> <0|1>\n<session><organization>") and back;
// nullopt for text that is not such a record.
std::string EncodeStatusRows(const StatusRows& rows);
std::optional<StatusRows> DecodeStatusRows(std::string_view text);

// GET /status's body for `rows` (RenderStatus): the session is parsed once, into a buffer on
// the stack, for the fields the body derives from it; both JSON texts are copied into the
// body as they are. kInternal when either text is not a JSON object (a damaged cache entry).
core::Result<std::string> RenderStatusRows(const StatusRows& rows,
                                           const catalog::Snapshot& snapshot, bool english,
                                           const StatusMetadata& metadata);

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
