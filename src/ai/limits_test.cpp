// The response cache and the quota counter: TTLs, bounds, keys and windows, on fake clocks.
#include "ai/quota_counter.hpp"
#include "ai/response_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace onboardd::ai {
namespace {

using namespace std::chrono_literals;

TEST(ResponseCache, ExpiresAfterItsTtl) {
  auto now = core::SteadyClock::now();
  InProcessResponseCache cache(10, 1024, [&] { return now; });
  cache.Store("k", "v", 60s);
  EXPECT_EQ(cache.Find("k"), "v");
  now += 59s;
  EXPECT_EQ(cache.Find("k"), "v");
  now += 1s;
  EXPECT_EQ(cache.Find("k"), std::nullopt);
  EXPECT_EQ(cache.size(), 0u);
  cache.Store("k", "v", 0s);
  EXPECT_EQ(cache.Find("k"), std::nullopt) << "a zero TTL stores nothing";
}

TEST(ResponseCache, BoundedLeastRecentlyUsedFirst) {
  InProcessResponseCache cache(2, 8);
  cache.Store("a", "1", 60s);
  cache.Store("b", "2", 60s);
  EXPECT_EQ(cache.Find("a"), "1");  // a is now the most recently used
  cache.Store("c", "3", 60s);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.Find("b"), std::nullopt);
  EXPECT_EQ(cache.Find("a"), "1");
  EXPECT_EQ(cache.Find("c"), "3");
  cache.Store("d", "123456789", 60s);  // over the value cap
  EXPECT_EQ(cache.Find("d"), std::nullopt);
  cache.Store("a", "new", 60s);
  EXPECT_EQ(cache.Find("a"), "new");
}

TEST(CacheKey, EveryPartCountsAndPartsCannotBleed) {
  const std::string key = CacheKey("openai", "gpt-4o-mini", "2.0.0", R"({"a":1})");
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key, CacheKey("openai", "gpt-4o-mini", "2.0.0", R"({"a":1})"));
  EXPECT_NE(key, CacheKey("rules", "gpt-4o-mini", "2.0.0", R"({"a":1})"));
  EXPECT_NE(key, CacheKey("openai", "gpt-4o", "2.0.0", R"({"a":1})"));
  EXPECT_NE(key, CacheKey("openai", "gpt-4o-mini", "2.0.1", R"({"a":1})"));
  EXPECT_NE(key, CacheKey("openai", "gpt-4o-mini", "2.0.0", R"({"a":2})"));
  EXPECT_NE(CacheKey("ab", "c", "", ""), CacheKey("a", "bc", "", ""));
  // SHA-256 of "0:0:0:0:" (four empty parts, length-prefixed).
  EXPECT_EQ(CacheKey("", "", "", ""),
            "8538098a725acce2a400276987f134753b5125003e70c7d36420d4e1e50a036c");
}

TEST(Quota, CountsUpToTheLimitThenRefusesUntilTheWindowEnds) {
  std::int64_t now = 1'000'000;
  InProcessQuotaCounter quotas(100, [&] { return now; });
  for (int i = 0; i < 3; ++i) {
    Quota q = quotas.TakeNow("u", "ai.suggest", 3, 3600s);
    EXPECT_TRUE(q.allowed) << i;
    EXPECT_EQ(q.remaining, 2 - i);
    EXPECT_EQ(q.reset_epoch, 1'003'600);
  }
  now += 600;
  Quota refused = quotas.TakeNow("u", "ai.suggest", 3, 3600s);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retry_after_seconds, 3000);
  EXPECT_EQ(refused.reset_epoch, 1'003'600);
  // Other users and other features have their own windows.
  EXPECT_TRUE(quotas.TakeNow("v", "ai.suggest", 3, 3600s).allowed);
  EXPECT_TRUE(quotas.TakeNow("u", "ai.validate", 3, 3600s).allowed);
  now = 1'003'600;
  Quota fresh = quotas.TakeNow("u", "ai.suggest", 3, 3600s);
  EXPECT_TRUE(fresh.allowed);
  EXPECT_EQ(fresh.remaining, 2);
  EXPECT_EQ(fresh.reset_epoch, 1'007'200);
}

TEST(Quota, PeekDoesNotCount) {
  std::int64_t now = 50;
  InProcessQuotaCounter quotas(100, [&] { return now; });
  Quota before = quotas.PeekNow("u", "ai.complete", 15, 3600s);
  EXPECT_TRUE(before.allowed);
  EXPECT_EQ(before.remaining, 15);
  EXPECT_EQ(quotas.size(), 0u);
  quotas.TakeNow("u", "ai.complete", 15, 3600s);
  EXPECT_EQ(quotas.PeekNow("u", "ai.complete", 15, 3600s).remaining, 14);
  EXPECT_EQ(quotas.PeekNow("u", "ai.complete", 15, 3600s).remaining, 14);
}

TEST(Quota, BoundedByKeys) {
  std::int64_t now = 0;
  InProcessQuotaCounter quotas(3, [&] { return now; });
  for (int i = 0; i < 10; ++i) {
    now = i;
    quotas.TakeNow("user" + std::to_string(i), "ai.suggest", 5, 3600s);
  }
  EXPECT_EQ(quotas.size(), 3u);
  // The windows that end last are kept.
  EXPECT_EQ(quotas.PeekNow("user9", "ai.suggest", 5, 3600s).remaining, 4);
  EXPECT_EQ(quotas.PeekNow("user0", "ai.suggest", 5, 3600s).remaining, 5);
}

TEST(Quota, ExactAcrossThreads) {
  InProcessQuotaCounter quotas;
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i)
        allowed += quotas.TakeNow("u", "ai.suggest", 500, 3600s).allowed;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 500);
}

}  // namespace
}  // namespace onboardd::ai
