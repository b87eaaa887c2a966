#include "auth/token_cache.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace onboardd::auth {
namespace {

Identity Who(std::string sub) { return Identity{std::move(sub), "", "", 2000}; }

TEST(TokenCache, HitUntilValidUntil) {
  TokenCache cache(100);
  const auto digest = Sha256("token-a");
  EXPECT_FALSE(cache.Find(digest, 1000));
  cache.Insert(digest, Who("a"), 2000);
  ASSERT_TRUE(cache.Find(digest, 1999));
  EXPECT_EQ(cache.Find(digest, 1999)->user_id, "a");
  EXPECT_FALSE(cache.Find(digest, 2000));
  EXPECT_EQ(cache.size(), 0u);  // the expired entry was dropped
}

TEST(TokenCache, DistinctTokensDistinctEntries) {
  TokenCache cache(100);
  cache.Insert(Sha256("token-a"), Who("a"), 2000);
  EXPECT_FALSE(cache.Find(Sha256("token-b"), 1000));
}

TEST(TokenCache, BoundedByCapacity) {
  TokenCache cache(64);
  for (int i = 0; i < 10'000; ++i) {
    cache.Insert(Sha256("token-" + std::to_string(i)), Who("u"), 2000);
  }
  EXPECT_LE(cache.size(), 64u);
  // The newest entry survives eviction.
  EXPECT_TRUE(cache.Find(Sha256("token-9999"), 1000));
}

TEST(TokenCache, ZeroCapacityDisables) {
  TokenCache cache(0);
  cache.Insert(Sha256("t"), Who("a"), 2000);
  EXPECT_FALSE(cache.Find(Sha256("t"), 1000));
}

TEST(TokenCache, ConcurrentUse) {
  TokenCache cache(1000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        const auto digest = Sha256("t" + std::to_string((i * 7 + t) % 1500));
        if (!cache.Find(digest, 1000)) cache.Insert(digest, Who("u"), 2000);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(cache.size(), 1008u);
}

}  // namespace
}  // namespace onboardd::auth
