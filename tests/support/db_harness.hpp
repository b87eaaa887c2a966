// Runs a db::Pool on its own I/O thread for tests, and awaits coroutines from the test
// thread. Reads the URLs scripts/test exports (from `onboardd dev --services-only`).
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/request_context.hpp"
#include "db/pg_pool.hpp"
#include "db/tenant_transaction.hpp"

namespace onboardd::testing {

inline std::string RequireEnv(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) {
    ADD_FAILURE() << name << " is not set: run the db tests through scripts/test";
    return "";
  }
  return value;
}

// Named prepared statements for the tests' app-role pools, as `serve` reads them: off with
// DB_PREPARED_STATEMENTS=false (`scripts/cluster itest` runs the integration tests through
// pgbouncer in transaction mode, where they would break).
inline bool PreparedStatementsFromEnv() {
  const char* value = std::getenv("DB_PREPARED_STATEMENTS");
  return !(value && (std::string(value) == "false" || std::string(value) == "0"));
}

class PoolHarness {
 public:
  explicit PoolHarness(db::PoolOptions options)
      : guard_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {
    pool_ = std::make_unique<db::Pool>(io_, std::move(options));
    started_ = Await(pool_->Start());
  }
  ~PoolHarness() {
    boost::asio::post(io_, [this] { pool_->Shutdown(); });
    guard_.reset();
    io_.stop();
    thread_.join();
    pool_.reset();
  }

  template <class T>
  T Await(boost::asio::awaitable<T> work) {
    return boost::asio::co_spawn(io_, std::move(work), boost::asio::use_future).get();
  }

  // Commits a transaction built by the caller, on the pool's thread.
  core::Result<std::vector<db::Rows>> Commit(db::TenantTransaction tx,
                                             std::string* sqlstate = nullptr) {
    return Await(CommitOn(*pool_, std::move(tx), sqlstate));
  }

  // The same, as the server runs a request's work: on a RequestExecutor carrying `context`.
  core::Result<std::vector<db::Rows>> CommitInRequest(
      db::TenantTransaction tx, std::shared_ptr<const core::RequestContext> context) {
    return boost::asio::co_spawn(core::BindRequestContext(io_.get_executor(), std::move(context)),
                                 CommitOn(*pool_, std::move(tx), nullptr), boost::asio::use_future)
        .get();
  }

  // Keeps committing `statement` (as an anonymous read) until one succeeds or `within`
  // passes; every failure meanwhile must be UNAVAILABLE. True when one succeeded.
  bool ServesAgainWithin(const db::Statement& statement, std::chrono::milliseconds within) {
    auto start = core::SteadyClock::now();
    while (core::SteadyClock::now() - start < within) {
      db::TenantContext context;
      context.request_id = "test-request";
      context.deadline = core::SteadyClock::now() + std::chrono::milliseconds(500);
      db::TenantTransaction tx(std::move(context));
      tx.Add(statement);
      auto result = Commit(std::move(tx));
      if (result) return true;
      EXPECT_EQ(result.error().code, core::ErrorCode::kUnavailable);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  db::Pool& pool() { return *pool_; }
  boost::asio::io_context& io() { return io_; }
  int started() const { return started_; }

 private:
  static boost::asio::awaitable<core::Result<std::vector<db::Rows>>> CommitOn(
      db::Pool& pool, db::TenantTransaction tx, std::string* sqlstate) {
    co_return co_await tx.Commit(pool, sqlstate);
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
  std::unique_ptr<db::Pool> pool_;
  int started_ = 0;
};

inline db::TenantContext Context(std::string user, bool read_only = true,
                                 std::chrono::milliseconds budget = std::chrono::seconds(5)) {
  db::TenantContext c;
  c.user_id = std::move(user);
  c.request_id = "test-request";
  c.deadline = core::SteadyClock::now() + budget;
  c.read_only = read_only;
  return c;
}

// The first cell of `sql` run through `db` (a superuser's harness, typically: facts behind
// RLS's back); $1, when the SQL has it, is `arg`. "" for no row or NULL; a failure fails the
// test and answers "".
inline std::string Scalar(PoolHarness& db, const std::string& sql, std::string arg = "") {
  db::TenantTransaction tx(Context("", /*read_only=*/false, std::chrono::seconds(10)));
  std::vector<db::Param> params;
  if (sql.find("$1") != std::string::npos) params.emplace_back(std::move(arg));
  tx.Add(db::Statement{"test_scalar", sql}, std::move(params));
  auto rows = db.Commit(std::move(tx));
  if (!rows) {
    ADD_FAILURE() << "query failed: " << sql << ": " << rows.error().message.en;
    return "";
  }
  if ((*rows)[0].empty() || (*rows)[0].IsNull(0, 0)) return "";
  return std::string((*rows)[0].Get(0, 0));
}

}  // namespace onboardd::testing
