// TenantTransaction, Pool and PgConnection against the real PostgreSQL of scripts/test, as
// the app role under RLS.
#include "db/tenant_transaction.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <thread>

#include "core/ids.hpp"
#include "observability/metrics.hpp"
#include "support/db_harness.hpp"

namespace onboardd::db {
namespace {

using namespace std::chrono_literals;
using testing::Context;
using testing::PoolHarness;
using testing::RequireEnv;

constexpr Statement kWhoAmI{"test_whoami",
                            "select current_setting('app.user_id', true), "
                            "current_setting('app.request_id', true), "
                            "current_setting('statement_timeout'), "
                            "current_setting('transaction_read_only')"};
constexpr Statement kUpsertPreference{
    "test_upsert_pref",
    "insert into public.ai_preferences (user_id, enabled, assistance_level) "
    "values (onboardd_private.current_user_id(), $1::boolean, $2) "
    "on conflict (user_id) do update set enabled = excluded.enabled, "
    "assistance_level = excluded.assistance_level"};
constexpr Statement kReadPreference{
    "test_read_pref", "select user_id, enabled, assistance_level from public.ai_preferences"};
constexpr Statement kUpdateAllPreferences{"test_update_prefs",
                                          "update public.ai_preferences set enabled = false"};
constexpr Statement kDivideByZero{"test_div0", "select 1 / 0"};
constexpr Statement kSleep{"test_sleep", "select pg_sleep($1::float8)"};

PoolOptions Options(int connections = 2, bool prepared = true) {
  PoolOptions o;
  o.conninfo = RequireEnv("DATABASE_URL");
  o.connections = connections;
  o.use_prepared = prepared;
  return o;
}

std::string NewUser() { return "user-" + core::NewUuid(); }

class TenantTransactionTest : public ::testing::TestWithParam<bool> {};

TEST_P(TenantTransactionTest, IdentityIsSetForTheTransactionOnly) {
  PoolHarness h(Options(1, GetParam()));
  ASSERT_EQ(h.started(), 1);
  TenantTransaction tx(Context("alice"));
  tx.Add(kWhoAmI);
  auto rows = h.Commit(std::move(tx));
  ASSERT_TRUE(rows.has_value()) << rows.error().message.en;
  EXPECT_EQ((*rows)[0].Get(0, 0), "alice");
  EXPECT_EQ((*rows)[0].Get(0, 1), "test-request");
  EXPECT_NE((*rows)[0].Get(0, 2), "0");  // the deadline's remainder, e.g. "4999ms"
  EXPECT_EQ((*rows)[0].Get(0, 3), "on");

  // Same (only) connection, next transaction without identity: nothing carried over.
  TenantTransaction anonymous(Context("", /*read_only=*/false));
  anonymous.Add(kWhoAmI);
  auto after = h.Commit(std::move(anonymous));
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ((*after)[0].Get(0, 0), "");
  EXPECT_EQ((*after)[0].Get(0, 3), "off");
}

constexpr Statement kWalLsn{"test_wal_lsn", "select pg_current_wal_lsn()::text"};
constexpr Statement kLsnAfter{"test_lsn_after", "select $1::pg_lsn > $2::pg_lsn"};

// With commit_lsn set, the WAL position is read after the commit (a Sync between), in the
// same round trip: past the position read inside the transaction, before its commit record.
TEST_P(TenantTransactionTest, TheWalPositionAfterTheCommitComesInTheSameRoundTrip) {
  PoolHarness h(Options(1, GetParam()));
  ASSERT_EQ(h.started(), 1);
  auto& round_trips = observability::Metrics().GetCounter(
      "onboardd_db_round_trips_total",
      "Pipelines sent to PostgreSQL (one network round trip each).");
  TenantContext context = Context(NewUser(), /*read_only=*/false);
  context.commit_lsn = std::make_shared<std::string>();
  TenantTransaction tx(context);
  tx.Add(kUpsertPreference, {Param("true"), Param("minimal")});
  const std::size_t inside = tx.Add(kWalLsn);
  const std::uint64_t before = round_trips.Value();
  auto rows = h.Commit(std::move(tx));
  ASSERT_TRUE(rows.has_value()) << rows.error().message.en;
  EXPECT_EQ(round_trips.Value() - before, 1u);
  ASSERT_EQ(rows->size(), 2u) << "the caller's statements only";
  const std::string inside_lsn(rows->at(inside).Get(0, 0));
  ASSERT_FALSE(context.commit_lsn->empty());
  TenantTransaction compare(Context("", false));
  compare.Add(kLsnAfter, {Param(*context.commit_lsn), Param(inside_lsn)});
  auto after = h.Commit(std::move(compare));
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ((*after)[0].Get(0, 0), "t") << *context.commit_lsn << " vs " << inside_lsn;

  // A transaction that fails leaves no position.
  TenantContext failing = Context(NewUser(), false);
  failing.commit_lsn = std::make_shared<std::string>();
  TenantTransaction broken(failing);
  broken.Add(kDivideByZero);
  EXPECT_FALSE(h.Commit(std::move(broken)).has_value());
  EXPECT_TRUE(failing.commit_lsn->empty());
  // And the connection is in step for the next one.
  TenantTransaction next(Context("bob"));
  next.Add(kWhoAmI);
  auto who = h.Commit(std::move(next));
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ((*who)[0].Get(0, 0), "bob");
}

INSTANTIATE_TEST_SUITE_P(PreparedOnAndOff, TenantTransactionTest, ::testing::Bool());

TEST(TenantTransaction, OneRoundTripPerTransaction) {
  PoolHarness h(Options(2));
  auto& round_trips = observability::Metrics().GetCounter(
      "onboardd_db_round_trips_total",
      "Pipelines sent to PostgreSQL (one network round trip each).");
  std::string user = NewUser();
  std::uint64_t before = round_trips.Value();
  for (int i = 0; i < 5; ++i) {
    TenantTransaction tx(Context(user, false));
    tx.Add(kUpsertPreference, {Param("true"), Param("minimal")});
    tx.Add(kReadPreference);
    tx.Add(kWhoAmI);
    ASSERT_TRUE(h.Commit(std::move(tx)).has_value());
  }
  EXPECT_EQ(round_trips.Value() - before, 5u);
}

// What a request sends and what runs outside any (periodic jobs, background refreshes) are
// told apart, so that round trips per request can be counted while the jobs run.
TEST(TenantTransaction, RoundTripsOutsideARequestAreCountedAsBackground) {
  PoolHarness h(Options(2));
  auto& total = observability::Metrics().GetCounter(
      "onboardd_db_round_trips_total",
      "Pipelines sent to PostgreSQL (one network round trip each).");
  auto& background = observability::Metrics().GetCounter(
      "onboardd_db_background_round_trips_total",
      "Of onboardd_db_round_trips_total, those sent outside any request (periodic jobs, "
      "background refreshes).");
  const std::string user = NewUser();
  auto request = std::make_shared<core::RequestContext>();
  request->request_id = "round-trip-test";

  std::uint64_t total_before = total.Value(), background_before = background.Value();
  TenantTransaction in_request(Context(user));
  in_request.Add(kWhoAmI);
  ASSERT_TRUE(h.CommitInRequest(std::move(in_request), request).has_value());
  EXPECT_EQ(total.Value() - total_before, 1u);
  EXPECT_EQ(background.Value() - background_before, 0u);

  total_before = total.Value();
  background_before = background.Value();
  TenantTransaction outside(Context(user));
  outside.Add(kWhoAmI);
  ASSERT_TRUE(h.Commit(std::move(outside)).has_value());
  EXPECT_EQ(total.Value() - total_before, 1u);
  EXPECT_EQ(background.Value() - background_before, 1u);
}

TEST(TenantTransaction, AFailureRollsBackItsWholeTransactionAndNothingElse) {
  PoolHarness h(Options(2));
  std::string failing_user = NewUser(), other_user = NewUser();

  TenantTransaction failing(Context(failing_user, false));
  failing.Add(kUpsertPreference, {Param("true"), Param("extensive")});
  failing.Add(kDivideByZero);
  TenantTransaction other(Context(other_user, false));
  other.Add(kUpsertPreference, {Param("false"), Param("minimal")});

  auto f1 = boost::asio::co_spawn(h.io(), failing.Commit(h.pool()), boost::asio::use_future);
  auto f2 = boost::asio::co_spawn(h.io(), other.Commit(h.pool()), boost::asio::use_future);
  auto r1 = f1.get();
  auto r2 = f2.get();
  ASSERT_TRUE(r1.has_error());
  EXPECT_EQ(r1.error().code, core::ErrorCode::kValidation);  // 22012 division_by_zero
  ASSERT_TRUE(r2.has_value()) << r2.error().message.en;

  TenantTransaction read_failing(Context(failing_user));
  read_failing.Add(kReadPreference);
  EXPECT_EQ((*h.Commit(std::move(read_failing)))[0].size(), 0) << "the insert was rolled back";
  TenantTransaction read_other(Context(other_user));
  read_other.Add(kReadPreference);
  auto rows = h.Commit(std::move(read_other));
  ASSERT_EQ((*rows)[0].size(), 1);
  EXPECT_EQ((*rows)[0].Get(0, 2), "minimal");
}

TEST(TenantTransaction, RowLevelSecurityHidesOtherUsersRows) {
  PoolHarness h(Options(1));
  std::string owner = NewUser(), intruder = NewUser();
  TenantTransaction write(Context(owner, false));
  write.Add(kUpsertPreference, {Param("true"), Param("moderate")});
  ASSERT_TRUE(h.Commit(std::move(write)).has_value());

  TenantTransaction read(Context(intruder));
  read.Add(kReadPreference);
  EXPECT_EQ((*h.Commit(std::move(read)))[0].size(), 0);

  TenantTransaction nobody(Context(""));
  nobody.Add(kReadPreference);
  EXPECT_EQ((*h.Commit(std::move(nobody)))[0].size(), 0);

  TenantTransaction update(Context(intruder, false));
  update.Add(kUpdateAllPreferences);
  auto updated = h.Commit(std::move(update));
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ((*updated)[0].affected(), 0);

  TenantTransaction read_only_write(Context(owner, true));
  read_only_write.Add(kUpdateAllPreferences);
  std::string sqlstate;
  auto refused = h.Commit(std::move(read_only_write), &sqlstate);
  ASSERT_TRUE(refused.has_error());
  EXPECT_EQ(sqlstate, "25006");  // read-only transaction
}

TEST(TenantTransaction, DeadlineBecomesTheStatementTimeout) {
  PoolHarness h(Options(1));
  // A 1 s deadline: the server's statement_timeout fires kServerMargin (100 ms) before the
  // pool gives the connection up. (With a 200 ms deadline the margin is a tenth, 20 ms: under
  // CI's load the give-up won that race once, the connection was reopened, and the next
  // transaction found none.)
  TenantTransaction slow(Context("u", true, 1s));
  slow.Add(kSleep, {Param("5")});
  auto start = core::SteadyClock::now();
  std::string sqlstate;
  auto result = h.Commit(std::move(slow), &sqlstate);
  auto took = core::SteadyClock::now() - start;
  ASSERT_TRUE(result.has_error());
  EXPECT_EQ(result.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(result.error().retry_after_seconds, 1);
  EXPECT_EQ(sqlstate, "57014") << "ended by the server's statement_timeout (query_canceled)";
  EXPECT_LT(took, 2s);
  TenantTransaction next(Context("u"));
  next.Add(kWhoAmI);
  EXPECT_TRUE(h.Commit(std::move(next)).has_value()) << "the connection is usable afterwards";

  TenantTransaction expired(Context("u", true, -1ms));
  expired.Add(kWhoAmI);
  auto late = h.Commit(std::move(expired));
  ASSERT_TRUE(late.has_error());
  EXPECT_EQ(late.error().code, core::ErrorCode::kUnavailable);
}

TEST(Pool, AWaitForAConnectionLastsUpToTheRequestsDeadline) {
  PoolHarness h(Options(1));
  TenantTransaction busy(Context("u", true, 3s));
  busy.Add(kSleep, {Param("0.3")});
  auto holder = boost::asio::co_spawn(h.io(), busy.Commit(h.pool()), boost::asio::use_future);
  std::this_thread::sleep_for(50ms);
  // Longer than any fixed acquire timeout, within its own deadline: served.
  TenantTransaction patient(Context("u"));
  patient.Add(kWhoAmI);
  auto served = h.Commit(std::move(patient));
  EXPECT_TRUE(served.has_value()) << served.error().message.en;
  EXPECT_TRUE(holder.get().has_value());
}

TEST(Pool, AWaitPastTheDeadlineIsUnavailable) {
  PoolHarness h(Options(1));
  TenantTransaction busy(Context("u", true, 3s));
  busy.Add(kSleep, {Param("0.5")});
  auto holder = boost::asio::co_spawn(h.io(), busy.Commit(h.pool()), boost::asio::use_future);
  std::this_thread::sleep_for(50ms);
  TenantTransaction hurried(Context("u", true, 100ms));
  hurried.Add(kWhoAmI);
  auto refused = h.Commit(std::move(hurried));
  ASSERT_TRUE(refused.has_error());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(refused.error().retry_after_seconds, 1);
  EXPECT_TRUE(holder.get().has_value());
}

TEST(Pool, AFullQueueRefusesAtOnce) {
  PoolOptions options = Options(1);
  options.admission.max_waiters = 0;
  PoolHarness h(options);
  TenantTransaction busy(Context("u", true, 3s));
  busy.Add(kSleep, {Param("0.5")});
  auto holder = boost::asio::co_spawn(h.io(), busy.Commit(h.pool()), boost::asio::use_future);
  std::this_thread::sleep_for(50ms);
  TenantTransaction waiting(Context("u"));
  waiting.Add(kWhoAmI);
  auto refused = h.Commit(std::move(waiting));
  ASSERT_TRUE(refused.has_error());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(refused.error().retry_after_seconds, 1);
  EXPECT_TRUE(holder.get().has_value());
}

// A write that already waited for its turn (db::KeyTurns) was admitted once: refused by the
// pool's gate on arrival, its 503 would come after that wait. Only a request that meets the
// pool first is refused on arrival by a standing queue. While the queue stands, a waiter that
// reaches its head after more than twice the standing wait is refused there, however it came
// in.
// Pool::Screen answers what Run would on arrival, before the request's work.
TEST(Pool, AStandingQueueRefusesOnArrivalOnlyWhatItAdmitsFirst) {
  PoolOptions options = Options(1);
  options.admission.target = 1ms;
  options.admission.interval = 50ms;
  options.admission.standing_wait = 100ms;
  PoolHarness h(options);
  Pool* pool = &h.pool();
  // Pool::Screen, on the pool's thread: what Run would refuse at once, asked before the work.
  auto screen = [&] {
    return boost::asio::co_spawn(
               h.io(),
               [pool]() -> boost::asio::awaitable<core::Status> {
                 co_return pool->Screen(core::SteadyClock::now() + 5s);
               },
               boost::asio::use_future)
        .get();
  };
  EXPECT_TRUE(screen().has_value()) << "a quiet pool screens nothing out";
  auto& episodes = observability::Metrics().GetCounter("onboardd_db_pool_standing_episodes_total",
                                                       "Times a pool's queue began to stand.");
  const auto episodes_before = episodes.Value();
  using Clock = std::chrono::steady_clock;
  // Arrivals at about six times what the one connection serves (three 20 ms statements every
  // 10 ms), all admitted earlier: the queue grows, and stands after an interval. (At twice,
  // the 400 ms below count 40 arrivals for 20 served, within what the gate leaves to chance.)
  struct Counts {
    std::atomic<int> spawned{0}, ended{0}, served{0}, refused{0};
    std::atomic<long> shortest_refused_wait_ms{1'000'000};
  };
  auto counts = std::make_shared<Counts>();
  std::atomic<bool> stop{false};
  std::thread arrivals([&] {
    for (int n = 0; !stop; ++n) {
      ++counts->spawned;
      boost::asio::co_spawn(
          h.io(),
          [pool, counts]() -> boost::asio::awaitable<void> {
            const auto start = Clock::now();
            TenantContext context = Context("u", true, 10s);
            context.admission = Admission::kAlreadyAdmitted;
            TenantTransaction tx(std::move(context));
            tx.Add(kSleep, {Param("0.02")});
            auto done = co_await tx.Commit(*pool);
            if (done.has_value()) {
              ++counts->served;
            } else {
              ++counts->refused;
              const long waited = static_cast<long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start)
                      .count());
              long shortest = counts->shortest_refused_wait_ms.load();
              while (waited < shortest &&
                     !counts->shortest_refused_wait_ms.compare_exchange_weak(shortest, waited)) {
              }
            }
            ++counts->ended;
          },
          boost::asio::detached);
      if (n % 3 == 2) std::this_thread::sleep_for(10ms);
    }
  });
  std::this_thread::sleep_for(400ms);
  // Both would be served within about half a second (their deadline is 5 s): only the gate
  // can refuse.
  TenantTransaction first_here(Context("u"));
  first_here.Add(kWhoAmI);
  auto refused = h.Commit(std::move(first_here));
  auto screened = screen();
  TenantContext context = Context("u");
  context.admission = Admission::kAlreadyAdmitted;
  TenantTransaction admitted_before(std::move(context));
  admitted_before.Add(kWhoAmI);
  const auto asked = Clock::now();
  auto second = h.Commit(std::move(admitted_before));
  const auto second_waited = Clock::now() - asked;
  stop = true;
  arrivals.join();
  for (int i = 0; i < 1000 && counts->ended.load() < counts->spawned.load(); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(refused.has_error())
      << "not refused on arrival: the queue never stood, or the gate read its arrivals as "
         "within chance (no cap); either way the test exercised nothing";
  EXPECT_GT(episodes.Value(), episodes_before) << "stood, but no episode was counted";
  EXPECT_EQ(refused.error().code, core::ErrorCode::kUnavailable);
  ASSERT_FALSE(screened.has_value()) << "Screen admits what Run refuses on arrival";
  EXPECT_EQ(screened.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(screened.error().retry_after_seconds, 1);
  EXPECT_TRUE(second.has_value() || second_waited > 200ms)
      << "admitted on arrival: served, or refused at the head after twice the standing wait";
  EXPECT_EQ(counts->ended.load(), counts->spawned.load());
  EXPECT_GT(counts->served.load(), 0);
  EXPECT_GT(counts->refused.load(), 0) << "none reached the head of the standing queue late";
  EXPECT_GE(counts->shortest_refused_wait_ms.load(), 200) << "none is refused on arrival";
}

TEST(Pool, ConnectionsKilledByTheServerAreReopened) {
  // Only this pool's connections are killed: they carry their own application_name, so
  // tests running in parallel on the same server are not disturbed.
  std::string application = "kill-test-" + core::NewUuid().substr(0, 8);
  PoolOptions options = Options(2);
  options.conninfo += (options.conninfo.find('?') == std::string::npos ? "?" : "&") +
                      std::string("application_name=") + application;
  PoolHarness h(options);
  PoolOptions admin_options;
  admin_options.conninfo = RequireEnv("DATABASE_SUPERUSER_URL");
  admin_options.connections = 1;
  PoolHarness admin(admin_options);
  constexpr Statement kKill{
      "test_kill_app",
      "select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = $1"};
  TenantTransaction kill(Context(""));
  kill.Add(kKill, {Param(application)});
  auto killed = admin.Commit(std::move(kill));
  ASSERT_TRUE(killed.has_value());
  EXPECT_EQ((*killed)[0].Get(0, 0), "2");

  EXPECT_TRUE(h.ServesAgainWithin(kWhoAmI, 2s)) << "no success within 2 s of the kill";
}

}  // namespace
}  // namespace onboardd::db
