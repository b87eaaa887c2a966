// The shared response cache and quota counter against a real redis-server (one private
// server per test): two "instances" (each its own I/O threads and CacheSystem) on one Redis,
// Redis stopped and started under them.
#include "ai/shared_response_cache.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <thread>

#include "ai/shared_quota_counter.hpp"
#include "support/io_workers.hpp"
#include "support/redis_server.hpp"

namespace onboardd::ai {
namespace {

using namespace std::chrono_literals;
using test::IoWorkers;
using test::RedisServerProcess;

template <class Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds within) {
  const auto give_up = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < give_up) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

// One onboardd instance: its I/O threads, its CacheSystem (wired like the server does), and
// the AI cache and quotas MakeResponseCache / MakeQuotaCounter give it.
class Instance {
 public:
  explicit Instance(std::string redis_url, int workers = 2) : io_(workers) {
    cache::CacheSystemOptions options;
    options.redis_url = std::move(redis_url);
    options.prefix = "t:";
    options.redis.command_timeout = 200ms;
    options.redis.connect_timeout = 300ms;
    options.redis.backoff_min = 10ms;
    options.redis.backoff_max = 100ms;
    auto created = cache::CacheSystem::Create(std::move(options), workers);
    if (!created) throw std::runtime_error(created.error().message.en);
    system_ = std::move(*created);
    for (int w = 0; w < workers; ++w) {
      io_.Run(w, [&, w] { system_->StartWorker(w, io_.io(w)); });
    }
    SharedResponseCacheOptions cache_options;
    cache_options.local_ttl = 600s;
    cache_options.max_value_bytes = 1024;
    responses_ = MakeResponseCache(system_.get(), cache_options);
    quotas_ = MakeQuotaCounter(system_.get());
  }
  ~Instance() {
    for (int w = 0; w < io_.size(); ++w) io_.Run(w, [&, w] { system_->StopWorker(w); });
    EXPECT_TRUE(io_.Join(2s)) << "a coroutine outlived StopWorker";
  }

  std::optional<std::string> Get(int w, const std::string& key) {
    return io_.Await(w, responses_->Get(w, key));
  }
  void Put(int w, const std::string& key, const std::string& value, std::chrono::seconds ttl) {
    io_.Await(w, responses_->Put(w, key, value, ttl));
  }
  Quota Take(int w, const std::string& user, int limit) {
    return io_.Await(w, quotas_->Take(w, user, "ai_suggest", limit, 3600s));
  }
  Quota Peek(int w, const std::string& user, int limit) {
    return io_.Await(w, quotas_->Peek(w, user, "ai_suggest", limit, 3600s));
  }
  // True once worker w's Redis connection is up (asked on its thread).
  bool Connected(int w) {
    bool up = false;
    io_.Run(w, [&] { up = system_->connection(w) && system_->connection(w)->connected(); });
    return up;
  }
  bool WaitConnected(std::chrono::milliseconds within = 5s) {
    return WaitFor([&] { return Connected(0) && Connected(1); }, within);
  }
  bool WaitDisconnected(std::chrono::milliseconds within = 5s) {
    return WaitFor([&] { return !Connected(0) && !Connected(1); }, within);
  }

  ResponseCache& responses() { return *responses_; }
  QuotaCounter& quotas() { return *quotas_; }

 private:
  IoWorkers io_;
  std::unique_ptr<cache::CacheSystem> system_;
  std::shared_ptr<ResponseCache> responses_;
  std::shared_ptr<QuotaCounter> quotas_;
};

// Put sends its SET without waiting: wait until another connection sees it.
bool WaitStored(const RedisServerProcess& server, const std::string& redis_key) {
  return WaitFor([&] { return server.Cli({"EXISTS", redis_key}) == "1"; }, 2s);
}

TEST(SharedResponseCache, FactoryPicksRedisOnlyWhenConfigured) {
  RedisServerProcess server;
  Instance shared(server.Url());
  Instance alone("");
  EXPECT_NE(dynamic_cast<SharedResponseCache*>(&shared.responses()), nullptr);
  EXPECT_NE(dynamic_cast<InProcessResponseCache*>(&alone.responses()), nullptr);
  EXPECT_NE(dynamic_cast<InProcessResponseCache*>(MakeResponseCache(nullptr).get()), nullptr);
  EXPECT_NE(dynamic_cast<SharedQuotaCounter*>(&shared.quotas()), nullptr);
  EXPECT_NE(dynamic_cast<InProcessQuotaCounter*>(&alone.quotas()), nullptr);
  EXPECT_NE(dynamic_cast<InProcessQuotaCounter*>(MakeQuotaCounter(nullptr).get()), nullptr);
  // Without Redis the in-process cache answers as before.
  alone.Put(0, "k", "v", 60s);
  EXPECT_EQ(alone.Get(1, "k"), "v");
}

TEST(SharedResponseCache, ValuesAreSharedBetweenInstances) {
  RedisServerProcess server;
  Instance a(server.Url()), b(server.Url());
  ASSERT_TRUE(a.WaitConnected());
  ASSERT_TRUE(b.WaitConnected());
  const std::string key = CacheKey("openai", "m", "v1", "industry=tech");
  EXPECT_EQ(b.Get(0, key), std::nullopt);
  a.Put(0, key, R"({"answer":1})", 3600s);
  ASSERT_TRUE(WaitStored(server, "t:ai:" + key));
  EXPECT_EQ(server.Cli({"GET", "t:ai:" + key}), R"({"answer":1})");
  // Redis keeps it for the Put's TTL (not the local one).
  const long long pttl = std::stoll(server.Cli({"PTTL", "t:ai:" + key}));
  EXPECT_GT(pttl, 3'500'000);
  EXPECT_LE(pttl, 3'600'000);
  // The other instance never saw it locally: Redis answers, on either of its workers.
  EXPECT_EQ(b.Get(1, key), R"({"answer":1})");
  EXPECT_EQ(b.Get(0, key), R"({"answer":1})");
  // ... and copies it into its local layer: it still answers with the Redis entry gone.
  ASSERT_EQ(server.Cli({"DEL", "t:ai:" + key}), "1");
  EXPECT_EQ(b.Get(0, key), R"({"answer":1})");
}

TEST(SharedResponseCache, OversizedValuesAndNonPositiveTtlsAreNotStored) {
  RedisServerProcess server;
  Instance a(server.Url()), b(server.Url());
  ASSERT_TRUE(a.WaitConnected());
  ASSERT_TRUE(b.WaitConnected());
  const std::string big(1025, 'x');  // the instances' cap is 1024 bytes
  a.Put(0, "big", big, 60s);
  a.Put(0, "no-ttl", "v", 0s);
  a.Put(0, "fits", std::string(1024, 'y'), 60s);
  ASSERT_TRUE(WaitStored(server, "t:ai:fits"));  // sent after the others, on one connection
  EXPECT_EQ(server.Cli({"EXISTS", "t:ai:big"}), "0");
  EXPECT_EQ(server.Cli({"EXISTS", "t:ai:no-ttl"}), "0");
  EXPECT_EQ(a.Get(0, "big"), std::nullopt);
  EXPECT_EQ(a.Get(0, "no-ttl"), std::nullopt);
  // A value over the cap found in Redis (written by someone else) is a miss too.
  ASSERT_EQ(server.Cli({"SET", "t:ai:foreign", big}), "OK");
  EXPECT_EQ(b.Get(0, "foreign"), std::nullopt);
  EXPECT_EQ(b.Get(0, "fits"), std::string(1024, 'y'));
}

TEST(SharedResponseCache, RedisDownAnswersLocallyThenSharedAgain) {
  RedisServerProcess server;
  Instance a(server.Url()), b(server.Url());
  ASSERT_TRUE(a.WaitConnected());
  ASSERT_TRUE(b.WaitConnected());
  a.Put(0, "before", "1", 3600s);
  ASSERT_TRUE(WaitStored(server, "t:ai:before"));

  server.Stop();
  ASSERT_TRUE(a.WaitDisconnected());
  ASSERT_TRUE(b.WaitDisconnected());
  // Local copies still answer; what only Redis had is a miss, not an error.
  EXPECT_EQ(a.Get(0, "before"), "1");
  EXPECT_EQ(b.Get(0, "before"), std::nullopt);
  // Stored while down: kept locally (every worker of the instance shares it), not shared.
  a.Put(0, "during", "2", 3600s);
  EXPECT_EQ(a.Get(1, "during"), "2");
  EXPECT_EQ(b.Get(0, "during"), std::nullopt);

  server.Start();  // empty: the server was not persisting
  ASSERT_TRUE(a.WaitConnected());
  ASSERT_TRUE(b.WaitConnected());
  a.Put(1, "after", "3", 3600s);
  ASSERT_TRUE(WaitStored(server, "t:ai:after"));
  EXPECT_EQ(b.Get(1, "after"), "3");
  EXPECT_EQ(server.Cli({"EXISTS", "t:ai:during"}), "0");  // no replay of what was missed
}

TEST(SharedResponseCache, StalledRedisIsAMiss) {
  RedisServerProcess server;
  Instance a(server.Url());
  ASSERT_TRUE(a.WaitConnected());
  a.Put(0, "local", "1", 3600s);
  server.Pause();
  // The lookup gives up at the command timeout; the local layer is not affected.
  EXPECT_EQ(a.Get(0, "not-there"), std::nullopt);
  EXPECT_EQ(a.Get(0, "local"), "1");
  server.Resume();
}

TEST(SharedQuotaCounter, SharedAcrossInstances) {
  RedisServerProcess server;
  Instance a(server.Url()), b(server.Url());
  ASSERT_TRUE(a.WaitConnected());
  ASSERT_TRUE(b.WaitConnected());
  int allowed = 0;
  Quota last;
  for (int i = 0; i < 7; ++i) {
    last = (i % 2 ? b : a).Take(i % 2, "user-1", 5);
    allowed += last.allowed;
    EXPECT_EQ(last.limit, 5);
    if (i < 5) {
      EXPECT_TRUE(last.allowed) << i;
      EXPECT_EQ(last.remaining, 4 - i);
      EXPECT_EQ(last.retry_after_seconds, 0);
    }
  }
  EXPECT_EQ(allowed, 5);  // five across both instances, not five each
  EXPECT_FALSE(last.allowed);
  EXPECT_EQ(last.remaining, 0);
  EXPECT_GE(last.retry_after_seconds, 1);
  EXPECT_LE(last.retry_after_seconds, 3600);
  EXPECT_EQ(last.reset_epoch % 3600, 0);  // epoch-aligned windows
  const std::string counter =
      "t:rl:ai:ai_suggest:user-1:" + std::to_string(last.reset_epoch - 3600);
  EXPECT_EQ(server.Cli({"GET", counter}), "7");  // refused calls are counted (documented)
  // Another user has a quota of their own.
  EXPECT_TRUE(b.Take(0, "user-2", 5).allowed);
}

TEST(SharedQuotaCounter, PeekDoesNotCount) {
  RedisServerProcess server;
  Instance a(server.Url()), b(server.Url());
  ASSERT_TRUE(a.WaitConnected());
  ASSERT_TRUE(b.WaitConnected());
  const Quota fresh = b.Peek(0, "user-1", 3);
  EXPECT_TRUE(fresh.allowed);
  EXPECT_EQ(fresh.remaining, 3);
  EXPECT_EQ(fresh.limit, 3);
  EXPECT_EQ(fresh.reset_epoch % 3600, 0);
  EXPECT_EQ(server.Cli({"KEYS", "t:rl:*"}), "");  // a peek creates no counter

  EXPECT_EQ(a.Take(0, "user-1", 3).remaining, 2);
  for (int i = 0; i < 10; ++i) {
    const Quota seen = (i % 2 ? a : b).Peek(i % 2, "user-1", 3);
    EXPECT_TRUE(seen.allowed);
    EXPECT_EQ(seen.remaining, 2);  // the other instance sees a's call, and peeks add nothing
  }
  EXPECT_TRUE(b.Take(1, "user-1", 3).allowed);
  EXPECT_TRUE(a.Take(1, "user-1", 3).allowed);
  const Quota spent = b.Peek(0, "user-1", 3);
  EXPECT_FALSE(spent.allowed);
  EXPECT_EQ(spent.remaining, 0);
  EXPECT_GE(spent.retry_after_seconds, 1);
}

TEST(SharedQuotaCounter, RedisDownCountsLocallyThenSharedAgain) {
  RedisServerProcess server;
  Instance a(server.Url()), b(server.Url());
  ASSERT_TRUE(a.WaitConnected());
  ASSERT_TRUE(b.WaitConnected());
  EXPECT_EQ(a.Take(0, "user-1", 2).remaining, 1);

  server.Stop();
  ASSERT_TRUE(a.WaitDisconnected());
  ASSERT_TRUE(b.WaitDisconnected());
  // Each instance counts on its own (its workers together): still answers, still limits.
  for (Instance* instance : {&a, &b}) {
    EXPECT_EQ(instance->Peek(0, "user-3", 2).remaining, 2);
    EXPECT_TRUE(instance->Take(0, "user-3", 2).allowed);
    EXPECT_EQ(instance->Peek(1, "user-3", 2).remaining, 1);  // the other worker sees it
    EXPECT_TRUE(instance->Take(1, "user-3", 2).allowed);
    const Quota third = instance->Take(0, "user-3", 2);
    EXPECT_FALSE(third.allowed);
    EXPECT_GE(third.retry_after_seconds, 1);
    EXPECT_FALSE(instance->Peek(1, "user-3", 2).allowed);
  }

  server.Start();  // empty
  ASSERT_TRUE(a.WaitConnected());
  ASSERT_TRUE(b.WaitConnected());
  // Shared again: Redis counts from zero, and b sees a's call.
  EXPECT_EQ(a.Take(0, "user-4", 2).remaining, 1);
  EXPECT_EQ(b.Peek(1, "user-4", 2).remaining, 1);
  EXPECT_EQ(b.Take(1, "user-4", 2).remaining, 0);
  EXPECT_FALSE(a.Take(1, "user-4", 2).allowed);
  EXPECT_FALSE(b.Peek(0, "user-4", 2).allowed);
}

}  // namespace
}  // namespace onboardd::ai
