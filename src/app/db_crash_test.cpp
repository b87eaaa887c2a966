// SPEC §7, the database crashing under a real `onboardd serve`: clients walk the wizard
// (steps 1..3, complete) while PostgreSQL is stopped with `pg_ctl -m immediate` (a crash:
// no checkpoint, no goodbye to clients) and started again. Every answer is 200 or 503
// UNAVAILABLE within the request deadline; from 2 s after the database is back every request
// succeeds; every step and completion answered 200 is in the database; no organization
// exists without its owner membership and profile. Runs alone (RUN_SERIAL): it restarts the
// shared test cluster (ONBOARDD_PG_BIN, ONBOARDD_PGDATA).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/ids.hpp"
#include "support/db_harness.hpp"
#include "support/serve_process.hpp"
#include "support/wizard_http.hpp"

namespace {

using namespace std::chrono_literals;
using onboardd::testing::ServeProcess;
using onboardd::testing::WalkLoad;

const std::string kDevSecret = "crash-secret-" + onboardd::core::NewRequestId();
constexpr auto kDeadline = 2000ms;  // REQUEST_DEADLINE_MS of the server under test
constexpr auto kSlack = 500ms;      // scheduling on a loaded 2-core machine

int PgCtl(const std::string& args) {
  const std::string pg_ctl = onboardd::testing::RequireEnv("ONBOARDD_PG_BIN") + "/pg_ctl";
  const std::string data = onboardd::testing::RequireEnv("ONBOARDD_PGDATA");
  const std::string as_postgres = ::geteuid() == 0 ? "runuser -u postgres -- " : "";
  return std::system((as_postgres + pg_ctl + " -D " + data + " " + args + " >/dev/null").c_str());
}

TEST(DatabaseCrash, WizardWalksLoseNoAcknowledgedWriteAndServeWithinTwoSeconds) {
  ServeProcess serve(ONBOARDD_BIN,
                     {"REQUEST_DEADLINE_MS=" + std::to_string(kDeadline.count()),
                      "DB_CONNECT_TIMEOUT_MS=500", "AUTH_DEV_SECRET=" + kDevSecret,
                      "AUTH_JWKS_URL=", "EDGE_CONFIG=", "REDIS_URL=", "ACCESS_LOG=false"},
                     "crash");
  const std::string prefix = "crash-" + onboardd::core::NewRequestId().substr(0, 8) + "-";
  WalkLoad load(serve.port(), kDevSecret, prefix, 6, kDeadline * 3);

  std::this_thread::sleep_for(600ms);
  ASSERT_EQ(PgCtl("-m immediate -w stop"), 0);
  const auto down = WalkLoad::Clock::now();
  std::this_thread::sleep_for(700ms);
  ASSERT_EQ(PgCtl("-w start"), 0);
  const auto back = WalkLoad::Clock::now();
  const auto outage = std::chrono::duration_cast<std::chrono::milliseconds>(back - down);
  std::this_thread::sleep_for(2500ms);
  load.Stop();

  int before = 0, unavailable = 0, after = 0, late_failures = 0;
  std::chrono::milliseconds first_late{0};
  auto first_ok_after_back = WalkLoad::Clock::time_point::max();
  for (const auto& a : load.answers()) {
    SCOPED_TRACE("stage " + std::to_string(a.stage) + ": " + a.body);
    EXPECT_LE(a.answered - a.sent, kDeadline + kSlack)
        << "answered past the deadline, after "
        << std::chrono::duration_cast<std::chrono::milliseconds>(a.answered - a.sent).count()
        << " ms";
    EXPECT_FALSE(a.partial) << "a truncated response";
    if (a.status == 200) {
      if (a.sent >= back) first_ok_after_back = std::min(first_ok_after_back, a.answered);
      (a.sent < back ? before : after)++;
      continue;
    }
    EXPECT_EQ(a.status, 503);
    EXPECT_EQ(a.code, "UNAVAILABLE");
    ++unavailable;
    if (a.sent >= back + 2s && late_failures++ == 0) {
      first_late = std::chrono::duration_cast<std::chrono::milliseconds>(a.sent - back);
    }
  }
  EXPECT_EQ(late_failures, 0) << "requests failed more than 2 s after the database was back, "
                              << "the first sent " << first_late.count() << " ms after";
  EXPECT_GT(before, 0);
  EXPECT_GT(after, 0);
  const auto recovery =
      std::chrono::duration_cast<std::chrono::milliseconds>(first_ok_after_back - back);
  EXPECT_LE(recovery, 2s) << "first success " << recovery.count() << " ms after";
  RecordProperty("answers_ok", before + after);
  RecordProperty("answers_unavailable", unavailable);
  RecordProperty("recovery_ms", static_cast<int>(recovery.count()));
  std::printf(
      "database down %lld ms (crash recovery included); answers: %d ok, %d unavailable; "
      "first success %lld ms after it was back\n",
      static_cast<long long>(outage.count()), before + after, unavailable,
      static_cast<long long>(recovery.count()));

  onboardd::testing::ExpectLoadStored(load, prefix);
  EXPECT_EQ(serve.Stop(), 0);
}

}  // namespace
