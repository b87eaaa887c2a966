#include "db/key_turns.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
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
                            std::vector<std::string>& log) {
  const core::Deadline deadline = core::SteadyClock::now() + 60s;
  auto turn = co_await turns.Wait(key, deadline);
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

}  // namespace
}  // namespace onboardd::db
