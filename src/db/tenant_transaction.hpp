// TenantTransaction: the only way request code reaches the database, and the only code that
// sets the request's identity for Row Level Security. One request = one transaction = one
// pipeline = one network round trip:
//
//   select set_config('app.user_id', $1, true), set_config('app.org_id', $2, true),
//          set_config('app.request_id', $3, true), set_config('statement_timeout', $4, true)
//          [, set_config('transaction_read_only', 'on', true)]
//          [, set_config('app.ops', 'on', true)]
//   <the request's statements>
//   Sync
//
// Without BEGIN/COMMIT the pipeline is one implicit transaction: the server commits at the
// Sync, or rolls everything back when any statement fails. The identity settings are
// transaction-local (is_local = true): they vanish at the Sync, so a pooled connection —
// or a pgbouncer in transaction mode — never carries one user's identity into another's
// transaction. The policies read them through helpers that treat a missing setting as
// "nobody", so a statement sent outside a TenantTransaction sees no tenant data at all.
// The remaining request budget (less a small margin) becomes the statement_timeout; the pool
// gives the connection up at the deadline itself.
//
// Not thread-safe; use on the I/O thread whose Pool runs it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "db/pg_connection.hpp"
#include "db/pg_pool.hpp"

namespace onboardd::db {

struct TenantContext {
  std::string user_id;     // the verified JWT subject; empty for anonymous work
  std::string org_id;      // the active organization (a uuid) or empty
  std::string request_id;  // for the audit log and the server's log lines
  core::Deadline deadline{};
  bool read_only = true;
  // The caller proved the operator's OPS_TOKEN (compared by the route, in constant time):
  // app.ops = 'on', which only onboardd_private.onboarding_analytics() reads (every
  // organization's aggregates; migration "operations", sql/README.md). Never set it from
  // anything a client merely claims.
  bool operator_scope = false;
  // When set, a committed write leaves here the primary's WAL position read right after its
  // commit, in the same round trip (replica reads: onboarding/replica_reads.hpp).
  std::shared_ptr<std::string> commit_lsn;
  // kAlreadyAdmitted: the request already waited in an earlier queue (its write's turn), so
  // the pool's standing-queue test does not refuse it late (admission.hpp).
  Admission admission = Admission::kGated;
};

class TenantTransaction {
 public:
  explicit TenantTransaction(TenantContext context);

  // Queues a statement; returns the index of its Rows in Commit's result.
  std::size_t Add(const Statement& statement, std::vector<Param> params = {});

  // Runs settings + statements as one pipeline. Retries once on a serialization failure or
  // deadlock. Errors per MapFailure (error_mapping.hpp); kUnavailable at once when the
  // deadline has already passed. `failed_sqlstate`, when given, receives the SQLSTATE of a
  // failing statement (empty otherwise) for callers that map a specific one themselves.
  boost::asio::awaitable<core::Result<std::vector<Rows>>> Commit(
      Pool& pool, std::string* failed_sqlstate = nullptr);

  // What Commit will send: the identity settings (their parameters are filled in by Commit),
  // then the queued statements. For bench/db_bench, which replays it through pgbench.
  const std::vector<PipelineStep>& Steps() const { return steps_; }

 private:
  TenantContext context_;
  std::vector<PipelineStep> steps_;
};

}  // namespace onboardd::db
