#include "cache/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace onboardd::cache {
namespace {

using std::chrono::seconds;

TEST(FixedWindowMath, AlignedToTheEpoch) {
  EXPECT_EQ(WindowAt(3'600'000, seconds(3600)).start_ms, 3'600'000);
  EXPECT_EQ(WindowAt(3'600'000, seconds(3600)).end_ms, 7'200'000);
  EXPECT_EQ(WindowAt(7'199'999, seconds(3600)).start_ms, 3'600'000);
  EXPECT_EQ(WindowAt(1'700'000'123'456, seconds(60)).start_ms, 1'700'000'100'000);
  EXPECT_EQ(WindowAt(-1, seconds(10)).start_ms, -10'000);  // floor, not truncation
  EXPECT_EQ(WindowAt(5'000, seconds(0)).end_ms - WindowAt(5'000, seconds(0)).start_ms, 1'000);
}

TEST(FixedWindowMath, DecideCountsThisRequest) {
  const FixedWindow window{3'600'000, 7'200'000};
  auto first = Decide(1, 20, window, 3'600'500);
  EXPECT_TRUE(first.allowed);
  EXPECT_EQ(first.remaining, 19);
  EXPECT_EQ(first.reset_epoch_seconds, 7200);
  EXPECT_EQ(first.retry_after_seconds, 0);

  auto last = Decide(20, 20, window, 3'600'500);
  EXPECT_TRUE(last.allowed);
  EXPECT_EQ(last.remaining, 0);

  auto over = Decide(21, 20, window, 7'000'000);
  EXPECT_FALSE(over.allowed);
  EXPECT_EQ(over.remaining, 0);
  EXPECT_EQ(over.retry_after_seconds, 200);
  // Never "retry after 0" while limited, even in the window's last millisecond.
  EXPECT_EQ(Decide(21, 20, window, 7'199'999).retry_after_seconds, 1);
  EXPECT_FALSE(Decide(1, 0, window, 3'600'000).allowed);
}

RateDecision AllowSync(RateLimiter& limiter, std::string key, int limit, seconds window) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, limiter.Allow(0, std::move(key), limit, window),
                                      boost::asio::use_future);
  io.run();
  return future.get();
}

TEST(RateLimiterLocal, CountsPerKeyAndResetsWithTheWindow) {
  std::int64_t now = 10'000'000;
  RateLimiter limiter(RateLimiterOptions{"p:", 1000, [&now] { return now; }}, 1);
  for (int i = 1; i <= 3; ++i) {
    auto d = AllowSync(limiter, "user-a", 3, seconds(60));
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.remaining, 3 - i);
    EXPECT_FALSE(d.shared);
  }
  EXPECT_FALSE(AllowSync(limiter, "user-a", 3, seconds(60)).allowed);
  EXPECT_TRUE(AllowSync(limiter, "user-b", 3, seconds(60)).allowed);  // other key
  now += 60'000;                                                      // next window
  auto next = AllowSync(limiter, "user-a", 3, seconds(60));
  EXPECT_TRUE(next.allowed);
  EXPECT_EQ(next.remaining, 2);
}

RateDecision PeekSync(RateLimiter& limiter, std::string key, int limit, seconds window) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, limiter.Peek(0, std::move(key), limit, window),
                                      boost::asio::use_future);
  io.run();
  return future.get();
}

TEST(FixedWindowMath, DecideNextDoesNotCountTheNextRequest) {
  const FixedWindow window{3'600'000, 7'200'000};
  auto fresh = DecideNext(0, 20, window, 3'600'500);
  EXPECT_TRUE(fresh.allowed);
  EXPECT_EQ(fresh.remaining, 20);
  EXPECT_EQ(fresh.reset_epoch_seconds, 7200);
  auto full = DecideNext(20, 20, window, 7'000'000);
  EXPECT_FALSE(full.allowed);
  EXPECT_EQ(full.remaining, 0);
  EXPECT_EQ(full.retry_after_seconds, 200);
  EXPECT_EQ(DecideNext(25, 20, window, 7'000'000).remaining, 0);  // refused ones were counted
}

TEST(RateLimiterLocal, PeekReadsTheCounterWithoutCounting) {
  std::int64_t now = 10'000'000;
  RateLimiter limiter(RateLimiterOptions{"p:", 1000, [&now] { return now; }}, 1);
  auto untouched = PeekSync(limiter, "user-a", 3, seconds(60));
  EXPECT_TRUE(untouched.allowed);
  EXPECT_EQ(untouched.remaining, 3);
  EXPECT_FALSE(untouched.shared);
  EXPECT_EQ(limiter.local_keys(), 0u);  // a peek creates no counter
  AllowSync(limiter, "user-a", 3, seconds(60));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(PeekSync(limiter, "user-a", 3, seconds(60)).remaining, 2);
  // Five peeks did not use the calls up: the second and third are still allowed.
  EXPECT_TRUE(AllowSync(limiter, "user-a", 3, seconds(60)).allowed);
  EXPECT_TRUE(AllowSync(limiter, "user-a", 3, seconds(60)).allowed);
  auto spent = PeekSync(limiter, "user-a", 3, seconds(60));
  EXPECT_FALSE(spent.allowed);
  EXPECT_EQ(spent.remaining, 0);
  EXPECT_GT(spent.retry_after_seconds, 0);
  now += 60'000;  // next window: the old count no longer applies
  EXPECT_EQ(PeekSync(limiter, "user-a", 3, seconds(60)).remaining, 3);
}

TEST(RateLimiterLocal, BoundedNumberOfKeys) {
  std::int64_t now = 10'000'000;
  RateLimiter limiter(RateLimiterOptions{"p:", 32, [&now] { return now; }}, 1);
  for (int i = 0; i < 1000; ++i) AllowSync(limiter, "ip-" + std::to_string(i), 1, seconds(60));
  // The table keeps at most 32 live counters (2 per shard): an old key may be forgotten
  // (its next request allowed again), but memory stays bounded.
  EXPECT_LE(limiter.local_keys(), 32u);
  EXPECT_FALSE(AllowSync(limiter, "ip-999", 1, seconds(60)).allowed);  // the newest is kept
}

}  // namespace
}  // namespace onboardd::cache
