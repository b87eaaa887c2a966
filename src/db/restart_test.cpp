// SPEC §7: the database restarts under the server. Requests during the outage fail fast
// with UNAVAILABLE; within 2 s of the database being back, requests succeed again, without
// restarting anything. Runs alone (RUN_SERIAL): it restarts the shared test cluster.
#include <gtest/gtest.h>

#include <cstdlib>
#include <future>

#include "support/db_harness.hpp"

namespace onboardd::db {
namespace {

using namespace std::chrono_literals;
using testing::Context;
using testing::PoolHarness;
using testing::RequireEnv;

constexpr Statement kPing{"test_ping", "select current_setting('app.user_id', true)"};

TEST(DatabaseRestart, ServesAgainWithinTwoSecondsOfTheDatabaseBeingBack) {
  PoolOptions options;
  options.conninfo = RequireEnv("DATABASE_URL");
  options.connections = 2;
  PoolHarness h(options);
  ASSERT_EQ(h.started(), 2);
  std::string pg_ctl = RequireEnv("ONBOARDD_PG_BIN") + "/pg_ctl";
  std::string data = RequireEnv("ONBOARDD_PGDATA");
  std::string as_postgres = geteuid() == 0 ? "runuser -u postgres -- " : "";

  ASSERT_EQ(
      std::system((as_postgres + pg_ctl + " -D " + data + " -m fast -w stop >/dev/null").c_str()),
      0);
  // Down: every request fails fast, with UNAVAILABLE.
  for (int i = 0; i < 5; ++i) {
    TenantTransaction tx(Context("u", true, 500ms));
    tx.Add(kPing);
    auto start = core::SteadyClock::now();
    auto result = h.Commit(std::move(tx));
    ASSERT_TRUE(result.has_error());
    EXPECT_EQ(result.error().code, core::ErrorCode::kUnavailable);
    EXPECT_LT(core::SteadyClock::now() - start, 600ms);
  }
  ASSERT_EQ(std::system((as_postgres + pg_ctl + " -D " + data + " -w start >/dev/null").c_str()),
            0);
  EXPECT_TRUE(h.ServesAgainWithin(kPing, 2s)) << "not serving 2 s after the database came back";
  // And the whole pool recovered, not just one connection.
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(h.Await([](Pool& p) -> boost::asio::awaitable<int> {
    co_return p.healthy_connections();
  }(h.pool())),
            2);
}

}  // namespace
}  // namespace onboardd::db
