#include "db/key_turns.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace onboardd::db {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A write of `key` that records when it starts and ends, yielding in between so that others
// get to run (and would overlap, were they not taking turns).
asio::awaitable<void> Write(KeyTurns& turns, std::string key, std::string name,
                            std::vector<std::string>& log, bool may_wait = true) {
  const core::Deadline deadline = core::SteadyClock::now() + 60s;
  auto turn = co_await turns.Wait(key, deadline, may_wait);
  if (!turn) {
    log.push_back(name + " refused");
    co_return;
  }
  log.push_back(name + " start");
  for (int i = 0; i < 3; ++i) {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  }
  log.push_back(name + " end");
}

TEST(KeyTurns, WritersOfOneKeyGoOneAtATimeInArrivalOrder) {
  asio::io_context io;
  KeyTurns turns;
  std::vector<std::string> log;
  for (const char* name : {"a", "b", "c"}) {
    asio::co_spawn(io, Write(turns, "user-1", name, log), asio::detached);
  }
  io.run();
  EXPECT_EQ(log,
            (std::vector<std::string>{"a start", "a end", "b start", "b end", "c start", "c end"}));
  EXPECT_EQ(turns.keys(), 0u) << "a key nobody holds is forgotten";
}

TEST(KeyTurns, OtherKeysDoNotWait) {
  asio::io_context io;
  KeyTurns turns;
  std::vector<std::string> log;
  asio::co_spawn(io, Write(turns, "user-1", "a", log), asio::detached);
  asio::co_spawn(io, Write(turns, "user-2", "b", log), asio::detached);
  io.run();
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0], "a start");
  EXPECT_EQ(log[1], "b start");
}

// What Pool::TakeTurn asks while its queue stands: a free key is taken, a held one refused
// at once rather than waited for.
TEST(KeyTurns, WithoutWaitingAHeldKeyIsRefusedAtOnce) {
  asio::io_context io;
  KeyTurns turns;
  std::vector<std::string> log;
  asio::co_spawn(io, Write(turns, "user-1", "a", log, false), asio::detached);
  asio::co_spawn(io, Write(turns, "user-1", "b", log, false), asio::detached);
  asio::co_spawn(io, Write(turns, "user-2", "c", log, false), asio::detached);
  asio::co_spawn(io, Write(turns, "user-1", "d", log), asio::detached);
  io.run();
  EXPECT_EQ(log, (std::vector<std::string>{"a start", "b refused", "c start", "a end", "c end",
                                           "d start", "d end"}));
  EXPECT_EQ(turns.waiting(), 0u);
}

TEST(KeyTurns, AWaiterWhoseDeadlinePassesIsUnavailableAndLeavesTheLine) {
  asio::io_context io;
  KeyTurns turns;
  KeyTurns::Turn held;
  std::optional<core::Result<KeyTurns::Turn>> late;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto first = co_await turns.Wait("user-1", core::SteadyClock::now() + 60s);
        EXPECT_TRUE(first.has_value());
        held = std::move(*first);
        const core::Deadline past = core::SteadyClock::now() - 1ms;
        late = co_await turns.Wait("user-1", past);
      },
      asio::detached);
  io.run();
  ASSERT_TRUE(late.has_value());
  ASSERT_TRUE(late->has_error());
  EXPECT_EQ(late->error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(late->error().retry_after_seconds, 1);
  EXPECT_EQ(turns.keys(), 1u);
  held.Release();
  EXPECT_EQ(turns.keys(), 0u);
}

TEST(KeyTurns, ShutdownWakesWaitersAndTurnsMayOutliveIt) {
  asio::io_context io;
  auto turns = std::make_unique<KeyTurns>();
  KeyTurns::Turn held;
  std::vector<std::string> log;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto first = co_await turns->Wait("user-1", core::SteadyClock::now() + 60s);
        held = std::move(*first);
      },
      asio::detached);
  io.run();
  io.restart();
  asio::co_spawn(io, Write(*turns, "user-1", "b", log), asio::detached);
  io.poll();  // b waits behind the held turn
  turns->Shutdown();
  io.run();
  EXPECT_EQ(log, (std::vector<std::string>{"b refused"}));
  turns.reset();
  held.Release();  // harmless after its KeyTurns is gone
}

TEST(KeyTurns, TheLinesShareOneLengthBound) {
  asio::io_context io;
  AdmissionOptions admission;
  admission.max_waiters = 2;
  KeyTurns turns(admission);
  std::vector<std::string> log;
  // u1 and u2 each held; then three writers wait behind them: the third is refused at once.
  for (const char* name : {"a1", "a2", "b1", "b2", "c1"}) {
    const std::string key = std::string("user-") + name[1];
    asio::co_spawn(io, Write(turns, key, name, log), asio::detached);
  }
  io.poll_one();
  io.poll_one();
  io.poll_one();
  io.poll_one();
  io.poll_one();
  EXPECT_EQ(turns.waiting(), 2u);
  EXPECT_NE(std::find(log.begin(), log.end(), "c1 refused"), log.end());
  io.run();
  EXPECT_EQ(std::count_if(log.begin(), log.end(),
                          [](const std::string& l) { return l.ends_with(" end"); }),
            4);
  EXPECT_EQ(turns.waiting(), 0u);
}

// Three times more writes than the lines can serve, for 600 ms, over 10 users: with the gate,
// the excess is refused at once and no admitted write waits long; without its bounds (the
// same run, interval and standing wait an hour), the lines grow until writes wait most of
// their deadline or miss it. The bounds here are loose (a loaded machine's timers are late); the
// two runs differ by far more.
struct OverloadRun {
  int admitted = 0;
  int refused_at_once = 0;  // answered within half the deadline
  int timed_out = 0;
  std::chrono::milliseconds longest_admitted_wait{0};
};

// `bound`: the gate's interval and standing wait (an hour: never standing, never bounded).
OverloadRun RunOverload(std::chrono::milliseconds bound) {
  constexpr auto kDeadline = 1200ms;
  constexpr auto kHold = 30ms;  // each key: an arrival every 10 ms, a write every 30 ms
  asio::io_context io;
  AdmissionOptions admission;
  admission.target = 10ms;
  admission.interval = bound;
  admission.standing_wait = bound;
  KeyTurns turns(admission);
  OverloadRun run;
  auto write = [&](std::string key) -> asio::awaitable<void> {
    const auto asked = core::SteadyClock::now();
    auto turn = co_await turns.Wait(key, asked + kDeadline);
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(core::SteadyClock::now() - asked);
    if (!turn) {
      (waited < kDeadline / 2 ? run.refused_at_once : run.timed_out) += 1;
      co_return;
    }
    ++run.admitted;
    run.longest_admitted_wait = std::max(run.longest_admitted_wait, waited);
    asio::steady_timer hold(co_await asio::this_coro::executor, kHold);
    co_await hold.async_wait(asio::use_awaitable);
  };
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer tick(co_await asio::this_coro::executor);
        const auto start = core::SteadyClock::now();
        for (int i = 0; core::SteadyClock::now() - start < 600ms; ++i) {
          asio::co_spawn(io, write("user-" + std::to_string(i % 10)), asio::detached);
          tick.expires_at(start + (i + 1) * 1ms);
          co_await tick.async_wait(asio::use_awaitable);
        }
      },
      asio::detached);
  io.run();
  return run;
}

TEST(KeyTurns, AStandingQueueOfTurnsShedsAtOnceAndBoundsTheWait) {
  const OverloadRun gated = RunOverload(50ms);
  EXPECT_GT(gated.refused_at_once, 0);
  EXPECT_EQ(gated.timed_out, 0);
  EXPECT_GT(gated.admitted, 50);
  EXPECT_LT(gated.longest_admitted_wait, 600ms);

  const OverloadRun unbounded = RunOverload(1h);
  for (const auto& [name, r] : {std::pair{"gated", gated}, std::pair{"unbounded", unbounded}}) {
    std::printf(
        "[ measure  ] %s: %d admitted (longest wait %lld ms), %d refused at once, "
        "%d past their deadline\n",
        name, r.admitted, static_cast<long long>(r.longest_admitted_wait.count()),
        r.refused_at_once, r.timed_out);
  }
  EXPECT_TRUE(unbounded.longest_admitted_wait >= 600ms || unbounded.timed_out > 0)
      << "without the bound the same load must wait long: the check above can fail";
}

}  // namespace
}  // namespace onboardd::db
