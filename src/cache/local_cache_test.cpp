#include "cache/local_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace onboardd::cache {
namespace {

using namespace std::chrono_literals;
using Clock = core::SteadyClock;

LocalCacheOptions Options(int workers, std::size_t entries = 100, std::size_t bytes = 1 << 20) {
  LocalCacheOptions o;
  o.workers = workers;
  o.max_entries_per_worker = entries;
  o.max_bytes_per_worker = bytes;
  return o;
}

bool Put(LocalCache& cache, int worker, const std::string& key, const std::string& value,
         Clock::time_point now, std::chrono::milliseconds ttl = 1000ms) {
  return cache.Insert(worker, key, value, cache.Snapshot(key), now + ttl, now + ttl);
}

TEST(LocalCache, HitUntilExpiry) {
  LocalCache cache(Options(1));
  const auto t0 = Clock::now();
  ASSERT_TRUE(Put(cache, 0, "k", "v", t0, 100ms));
  auto* hit = cache.Find(0, "k", t0 + 99ms);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->value, "v");
  EXPECT_FALSE(cache.Find(0, "k", t0 + 100ms));
  EXPECT_EQ(cache.size(0), 0u);  // the expired entry was dropped
}

TEST(LocalCache, WorkersHaveTheirOwnEntries) {
  LocalCache cache(Options(2));
  const auto now = Clock::now();
  Put(cache, 0, "k", "zero", now);
  EXPECT_FALSE(cache.Find(1, "k", now));
  Put(cache, 1, "k", "one", now);
  EXPECT_EQ(cache.Find(0, "k", now)->value, "zero");
  EXPECT_EQ(cache.Find(1, "k", now)->value, "one");
}

TEST(LocalCache, BoundedByEntriesLeastRecentlyUsedFirst) {
  LocalCache cache(Options(1, 3));
  const auto now = Clock::now();
  Put(cache, 0, "a", "1", now);
  Put(cache, 0, "b", "2", now);
  Put(cache, 0, "c", "3", now);
  ASSERT_TRUE(cache.Find(0, "a", now));  // a is now the most recently used
  Put(cache, 0, "d", "4", now);
  EXPECT_EQ(cache.size(0), 3u);
  EXPECT_FALSE(cache.Find(0, "b", now));
  EXPECT_TRUE(cache.Find(0, "a", now));
  EXPECT_TRUE(cache.Find(0, "c", now));
  EXPECT_TRUE(cache.Find(0, "d", now));
}

TEST(LocalCache, BoundedByBytes) {
  LocalCache cache(Options(1, 1000, 4096));
  const auto now = Clock::now();
  const std::string big(1000, 'x');
  for (int i = 0; i < 20; ++i) Put(cache, 0, "k" + std::to_string(i), big, now);
  EXPECT_LE(cache.bytes(0), 4096u);
  EXPECT_GE(cache.size(0), 3u);
  EXPECT_TRUE(cache.Find(0, "k19", now));
  EXPECT_FALSE(Put(cache, 0, "huge", std::string(5000, 'y'), now));  // never fits
  EXPECT_FALSE(cache.Find(0, "huge", now));
}

TEST(LocalCache, ReplacingAKeyKeepsOneEntry) {
  LocalCache cache(Options(1));
  const auto now = Clock::now();
  Put(cache, 0, "k", "old", now);
  Put(cache, 0, "k", "new", now);
  EXPECT_EQ(cache.size(0), 1u);
  EXPECT_EQ(cache.Find(0, "k", now)->value, "new");
}

TEST(LocalCache, InvalidateMissesOnEveryWorkerAndSparesOtherKeys) {
  LocalCacheOptions options = Options(3);
  options.generation_slots = 1 << 16;
  LocalCache cache(options);
  const auto now = Clock::now();
  for (int w = 0; w < 3; ++w) {
    Put(cache, w, "user:1", "old", now);
    Put(cache, w, "user:2", "other", now);
  }
  cache.Invalidate("user:1");
  for (int w = 0; w < 3; ++w) {
    EXPECT_FALSE(cache.Find(w, "user:1", now)) << w;
    EXPECT_TRUE(cache.Find(w, "user:2", now)) << w;  // (different slot with 64K slots)
  }
  // A value stored after the invalidation is served again.
  Put(cache, 0, "user:1", "new", now);
  EXPECT_EQ(cache.Find(0, "user:1", now)->value, "new");
}

TEST(LocalCache, ALoadThatBeganBeforeAnInvalidationIsNeverServed) {
  LocalCache cache(Options(1));
  const auto now = Clock::now();
  const auto stamp = cache.Snapshot("k");  // the load begins, reads old data...
  cache.Invalidate("k");                   // ... a write commits and invalidates ...
  EXPECT_FALSE(cache.IsCurrent(stamp));
  EXPECT_FALSE(cache.Insert(0, "k", "old", stamp, now + 1s, now + 1s));  // ... refused
  EXPECT_FALSE(cache.Find(0, "k", now));
}

TEST(LocalCache, InvalidateAllBumpsTheEpoch) {
  LocalCache cache(Options(2));
  const auto now = Clock::now();
  Put(cache, 0, "a", "1", now);
  Put(cache, 1, "b", "2", now);
  const auto stamp = cache.Snapshot("c");
  cache.InvalidateAll();
  EXPECT_FALSE(cache.Find(0, "a", now));
  EXPECT_FALSE(cache.Find(1, "b", now));
  EXPECT_FALSE(cache.Insert(0, "c", "3", stamp, now + 1s, now + 1s));
  EXPECT_TRUE(Put(cache, 0, "a", "1", now));
  EXPECT_TRUE(cache.Find(0, "a", now));
}

// An invalidation on one thread is seen by the very next read on another. The writer
// commits version N, invalidates, then announces "N is invalidated"; a reader that has seen
// that announcement before its Find must never get a value older than N.
TEST(LocalCache, InvalidationIsVisibleAcrossThreads) {
  constexpr int kReaders = 2;
  constexpr int kRounds = 20'000;
  LocalCache cache(Options(kReaders));
  std::atomic<int> committed{0};
  std::atomic<int> invalidated{0};
  std::atomic<bool> stop{false};
  std::atomic<int> stale{0};
  std::atomic<long> hits{0};
  std::vector<std::thread> readers;
  for (int w = 0; w < kReaders; ++w) {
    readers.emplace_back([&, w] {
      while (!stop.load()) {
        const auto now = Clock::now();
        const int must_see = invalidated.load(std::memory_order_acquire);
        if (auto* hit = cache.Find(w, "key", now)) {
          hits.fetch_add(1);
          if (std::stoi(hit->value) < must_see) stale.fetch_add(1);
        } else {
          // A load: stamp first, then read the "database".
          const auto stamp = cache.Snapshot("key");
          const int value = committed.load(std::memory_order_acquire);
          cache.Insert(w, "key", std::to_string(value), stamp, now + 10s, now + 10s);
        }
      }
    });
  }
  // Bounded in time too: the machine's cores are shared with the readers. Every 64 rounds
  // the writer pauses until a reader has hit again (or 20 ms pass), so that on a loaded
  // machine (CI runs this under ASan beside other builds) the readers are not starved of
  // hits by a writer that never stops invalidating.
  const auto give_up = Clock::now() + 300ms;
  const auto hard_stop = Clock::now() + 5s;
  for (int round = 1; Clock::now() < hard_stop; ++round) {
    const bool enough = round > kRounds || Clock::now() >= give_up;
    if (enough && hits.load() > 0) break;
    committed.store(round, std::memory_order_release);
    cache.Invalidate("key");
    invalidated.store(round, std::memory_order_release);
    if (round % 64 == 0) {
      const long seen = hits.load();
      const auto pause_until = Clock::now() + 20ms;
      while (hits.load() == seen && Clock::now() < pause_until) std::this_thread::yield();
    } else if (round % 16 == 0) {
      std::this_thread::yield();
    }
  }
  stop.store(true);
  for (auto& t : readers) t.join();
  EXPECT_EQ(stale.load(), 0);
  EXPECT_GT(hits.load(), 0);  // the readers did hit, so the check was exercised
}

TEST(LocalCache, ReadCost) {
  LocalCache cache(Options(1, 10'000));
  const auto now = Clock::now();
  for (int i = 0; i < 1000; ++i)
    Put(cache, 0, "status:user-" + std::to_string(i), std::string(800, 'j'), now, 60s);
  std::vector<std::string> keys;
  for (int i = 0; i < 1000; ++i) keys.push_back("status:user-" + std::to_string(i));
  constexpr int kReads = 1'000'000;
  const auto start = Clock::now();
  std::size_t found = 0;
  for (int i = 0; i < kReads; ++i) found += cache.Find(0, keys[i % 1000], now) != nullptr;
  const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count() / kReads;
  EXPECT_EQ(found, static_cast<std::size_t>(kReads));
  std::printf("[ measure  ] local cache Find (hit, 1000 keys): %.0f ns\n", ns);
}

}  // namespace
}  // namespace onboardd::cache
