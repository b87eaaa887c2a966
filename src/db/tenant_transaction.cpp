// See the header: why the identity is set here, transaction-locally, and nowhere else.
#include "db/tenant_transaction.hpp"

#include <algorithm>

#include "db/error_mapping.hpp"

namespace onboardd::db {

namespace {

// How much earlier than the request's deadline the server's statement_timeout fires (at most
// a tenth of the remaining budget).
constexpr std::chrono::milliseconds kServerMargin{100};

constexpr Statement kSetReadContext{
    "onboardd_context_ro",
    "select set_config('app.user_id', $1, true), set_config('app.org_id', $2, true), "
    "set_config('app.request_id', $3, true), set_config('statement_timeout', $4, true), "
    "set_config('transaction_read_only', 'on', true)"};
constexpr Statement kSetWriteContext{
    "onboardd_context_rw",
    "select set_config('app.user_id', $1, true), set_config('app.org_id', $2, true), "
    "set_config('app.request_id', $3, true), set_config('statement_timeout', $4, true)"};

// The same, for the operator (TenantContext::operator_scope).
constexpr Statement kSetOperatorReadContext{
    "onboardd_context_ops_ro",
    "select set_config('app.user_id', $1, true), set_config('app.org_id', $2, true), "
    "set_config('app.request_id', $3, true), set_config('statement_timeout', $4, true), "
    "set_config('transaction_read_only', 'on', true), set_config('app.ops', 'on', true)"};
constexpr Statement kSetOperatorWriteContext{
    "onboardd_context_ops_rw",
    "select set_config('app.user_id', $1, true), set_config('app.org_id', $2, true), "
    "set_config('app.request_id', $3, true), set_config('statement_timeout', $4, true), "
    "set_config('app.ops', 'on', true)"};

// After the commit (a Sync before it): at or past the commit record.
constexpr Statement kCommitLsn{"onboardd_commit_lsn", "select pg_current_wal_lsn()::text"};

const Statement& ContextStatement(const TenantContext& context) {
  if (context.operator_scope) {
    return context.read_only ? kSetOperatorReadContext : kSetOperatorWriteContext;
  }
  return context.read_only ? kSetReadContext : kSetWriteContext;
}

}  // namespace

TenantTransaction::TenantTransaction(TenantContext context) : context_(std::move(context)) {
  steps_.push_back({ContextStatement(context_), {}});
}

std::size_t TenantTransaction::Add(const Statement& statement, std::vector<Param> params) {
  steps_.push_back({statement, std::move(params)});
  return steps_.size() - 2;
}

boost::asio::awaitable<core::Result<std::vector<Rows>>> TenantTransaction::Commit(
    Pool& pool, std::string* failed_sqlstate) {
  if (failed_sqlstate) failed_sqlstate->clear();
  for (int attempt = 0;; ++attempt) {
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        context_.deadline - core::SteadyClock::now());
    if (remaining.count() <= 0) {
      core::Error error = core::MakeError(core::ErrorCode::kUnavailable);
      error.retry_after_seconds = 1;
      co_return error;
    }
    // The server gives up a little before the pool does (at the deadline), so that a slow
    // statement ends with its error on a connection that stays usable.
    const auto statement_timeout =
        std::max(remaining - std::min(remaining / 10, kServerMargin), std::chrono::milliseconds(1));
    steps_[0].params = {Param(context_.user_id), Param(context_.org_id), Param(context_.request_id),
                        Param(std::to_string(statement_timeout.count()) + "ms")};
    const bool read_lsn = context_.commit_lsn && !context_.read_only;
    std::vector<PipelineStep> steps = steps_;
    if (read_lsn) steps.push_back({kCommitLsn, {}, true});
    auto outcome = co_await pool.Run(std::move(steps), context_.deadline, context_.admission);
    if (!outcome) co_return outcome.error();
    if (!outcome->failure) {
      if (read_lsn) {
        // (Were this select to fail, the pipeline fails as a whole, as when a connection breaks
        // after a commit: the write may have committed; the answer is an error.)
        if (outcome->rows.back().size() == 1) {
          *context_.commit_lsn = std::string(outcome->rows.back().Get(0, 0));
        }
        outcome->rows.pop_back();
      }
      outcome->rows.erase(outcome->rows.begin());  // the settings' row
      co_return std::move(outcome->rows);
    }
    if (attempt == 0 && IsRetryable(*outcome->failure)) {
      CountRetry(outcome->failure->sqlstate);
      continue;
    }
    if (failed_sqlstate) *failed_sqlstate = outcome->failure->sqlstate;
    co_return MapFailure(*outcome->failure, context_.request_id);
  }
}

}  // namespace onboardd::db
