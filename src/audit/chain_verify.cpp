// The query runs through db's pool and TenantTransaction (libpq stays in src/db) on a private
// io_context that this thread runs until the answer is in.
#include "audit/chain_verify.hpp"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "db/pg_pool.hpp"
#include "db/tenant_transaction.hpp"

namespace onboardd::audit {

namespace asio = boost::asio;

namespace {

// $1 the chain key or NULL for all.
constexpr db::Statement kVerify{"audit_verify_chains",
                                "select chain_key, row_count, first_bad_seq, first_bad_id, problem "
                                "from onboardd_private.audit_verify_chains($1)"};

std::string Why(const std::string& problem) {
  if (problem == "hash") return "its hash does not match its contents (the row was changed)";
  if (problem == "prev_hash") return "its prev_hash is not the previous row's hash";
  if (problem == "sequence") return "its chain_seq does not follow the previous row's";
  if (problem == "missing_tail")
    return "rows are missing after the last one (the chain's head is ahead)";
  if (problem == "head_mismatch") return "the chain's head does not match its last row";
  if (problem == "step_saves")
    return "the draft's step saves it sealed (onboarding_step_saves) were changed or deleted";
  return problem;
}

std::optional<long long> Number(const db::Rows& rows, int row, int column) {
  if (rows.IsNull(row, column)) return std::nullopt;
  return std::stoll(std::string(rows.Get(row, column)));
}

asio::awaitable<core::Result<std::vector<ChainState>>> Query(db::Pool& pool, std::string chain,
                                                             core::Deadline deadline) {
  if (co_await pool.Start() == 0) {
    pool.Shutdown();  // or its reconnect loop keeps the io_context running
    co_return core::MakeError(
        core::ErrorCode::kUnavailable,
        {"no se pudo conectar como propietario", "cannot connect as the owner"});
  }
  db::TenantContext context;
  context.request_id = "audit-verify";
  context.deadline = deadline;
  db::TenantTransaction tx(std::move(context));
  std::size_t index = tx.Add(kVerify, {chain.empty() ? db::Param() : db::Param(chain)});
  std::string sqlstate;
  auto rows = co_await tx.Commit(pool, &sqlstate);
  pool.Shutdown();
  if (!rows) {
    core::Error error = rows.error();
    if (!sqlstate.empty()) {
      error.message = {"la base de datos lo rechazó (SQLSTATE " + sqlstate + ")",
                       "the database refused (SQLSTATE " + sqlstate +
                           "): run it with DATABASE_OWNER_URL on a migrated database"};
    }
    co_return error;
  }
  const db::Rows& r = (*rows)[index];
  std::vector<ChainState> chains;
  for (int i = 0; i < r.size(); ++i) {
    ChainState chain_state;
    chain_state.chain_key = std::string(r.Get(i, 0));
    chain_state.rows = *Number(r, i, 1);
    chain_state.first_bad_seq = Number(r, i, 2);
    chain_state.first_bad_id = Number(r, i, 3);
    if (!r.IsNull(i, 4)) chain_state.problem = std::string(r.Get(i, 4));
    chains.push_back(std::move(chain_state));
  }
  co_return chains;
}

}  // namespace

std::string FormatChainLine(const ChainState& chain) {
  std::string line =
      fmt::format("{}  {} row{}  ", chain.chain_key, chain.rows, chain.rows == 1 ? "" : "s");
  if (chain.intact()) return line + "ok";
  line += fmt::format("BROKEN at seq {}", *chain.first_bad_seq);
  if (chain.first_bad_id) line += fmt::format(" (audit_log.id {})", *chain.first_bad_id);
  return line + ": " + Why(chain.problem);
}

core::Result<std::vector<ChainState>> VerifyChains(const std::string& owner_url,
                                                   const std::string& organization_id,
                                                   std::chrono::seconds timeout) {
  asio::io_context io;
  db::PoolOptions options;
  options.conninfo = owner_url;
  options.connections = 1;
  options.use_prepared = false;
  db::Pool pool(io, options);
  const std::string chain = organization_id.empty() ? "" : "org:" + organization_id;
  auto answer =
      asio::co_spawn(io, Query(pool, chain, core::SteadyClock::now() + timeout), asio::use_future);
  io.run();
  return answer.get();
}

}  // namespace onboardd::audit
