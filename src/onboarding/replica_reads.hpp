// GET /status from a PostgreSQL streaming replica (DATABASE_REPLICA_URL) without ever
// answering staler than the caller's own last write, on any instance (read-your-writes).
//
// After every write route of a user (BindWrite, route_support.hpp), before the answer leaves,
// RememberWrite takes the primary's WAL position — at or past that write's commit record,
// since it is read after the commit: in the write's own round trip, a Sync after the write's
// statements (db::TenantContext::commit_lsn), or in a round trip of its own for a write that
// did not read it — and keeps the highest one per user in Redis
// (`<REDIS_PREFIX>lsn:<user>`, kept for kLsnTtl), where every instance finds it. ReadStatus
// then reads the replica when this thread last saw it replayed at least that far, in one
// round trip whose statement also checks `pg_last_wal_replay_lsn() >= that position`; if the
// replica had not, or Redis cannot say, it reads the primary (one round trip). When this
// thread's view of the replica is older than kProbeAfter it asks the replica anyway, and
// only when that answer says "not replayed yet" is the primary read after it: the one case
// of two round trips (at most one per kProbeAfter and thread while the replica is behind).
//
// A replica read that fails (down, slower than kReplicaBudget) is answered from the primary,
// and the thread leaves the replica alone for kRestAfterFailure.
//
// Without Redis there is no shared record of writes: in process it would hold for one
// instance only, so every status read goes to the primary (ReadStatus is then never built:
// `onboardd serve` logs replica_reads_need_redis). A user whose last write is older than
// kLsnTtl reads the replica unconditionally: kLsnTtl must exceed any replica lag worth
// serving from (the replica must not be an hour behind). A write whose position could not be
// stored (Redis failed just then) is counted in onboardd_replica_lsn_unrecorded_total.
//
// Metrics: onboardd_status_reads_total{source="replica"|"primary"|"replica_behind"}.
// Thread-safety: RememberWrite and ReadStatus on the request's I/O thread (`worker`).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/cache_system.hpp"
#include "core/result.hpp"
#include "db/pg_pool.hpp"
#include "db/tenant_transaction.hpp"
#include "onboarding/onboarding_store.hpp"

namespace onboardd::onboarding {

// A PostgreSQL LSN as text ("16/B374D848") to a number; nullopt for anything else.
std::optional<std::uint64_t> ParseLsn(std::string_view text);
std::string FormatLsn(std::uint64_t lsn);

class ReplicaReads {
 public:
  static constexpr std::chrono::hours kLsnTtl{1};
  static constexpr std::chrono::milliseconds kProbeAfter{100};
  // The most a read waits for the replica (its pool included) before asking the primary,
  // and how long a thread then leaves the replica alone after it failed.
  static constexpr std::chrono::milliseconds kReplicaBudget{500};
  static constexpr std::chrono::seconds kRestAfterFailure{1};

  // `replicas`: one pool per I/O thread to the replica. `caches` (with Redis configured)
  // must outlive this object.
  ReplicaReads(std::shared_ptr<const db::Pools> replicas, cache::CacheSystem& caches, int workers);

  // After a write of `user` committed on `primary`; `commit_lsn`: the position the write read
  // after its commit, or empty (then it is read here). Never fails the request: a position
  // that cannot be read or stored is counted (above).
  boost::asio::awaitable<void> RememberWrite(int worker, db::Pool& primary, std::string user,
                                             core::Deadline deadline, std::string commit_lsn = {});

  // The status rows for `context` (its user's), from the replica when it is fresh enough
  // for that user, else from `primary`. Errors as ReadStatus.
  boost::asio::awaitable<core::Result<StatusRead>> ReadStatus(int worker, db::Pool& primary,
                                                              db::TenantContext context);

 private:
  std::string KeyOf(std::string_view user) const;

  // Constant after construction.
  const std::shared_ptr<const db::Pools> replicas_;
  cache::CacheSystem& caches_;
  // Per I/O thread, touched only on its thread: the replica's replay position last seen.
  struct alignas(64) Seen {
    std::uint64_t replay_lsn = 0;
    core::Deadline at{};          // when it was seen
    core::Deadline rest_until{};  // after a failed replica read: the primary until then
  };
  std::vector<Seen> seen_;
};

}  // namespace onboardd::onboarding
