#include "cache/cache.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdio>

#include "cache/cache_system.hpp"
#include "observability/metrics.hpp"
#include "support/io_workers.hpp"
#include "support/redis_server.hpp"

namespace onboardd::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = core::SteadyClock;
using test::IoWorkers;
using test::RedisServerOptions;
using test::RedisServerProcess;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Timeouts of every instance in these tests: short, so that failures are quick, yet loose
// enough for a machine whose two cores are shared with other builds.
constexpr auto kCommandTimeout = 200ms;
constexpr auto kHeartbeat = 200ms;
// What a lookup may cost while Redis misbehaves: at most one command timeout, plus slack.
constexpr double kBoundedMs = 200 + 300;
// Below one command timeout: the call did not wait for the server (slack for a busy machine).
constexpr double kNoWaitMs = 150;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

template <class Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds within) {
  const auto give_up = Clock::now() + within;
  while (Clock::now() < give_up) {
    if (pred()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return pred();
}

// Write-backs are fire-and-forget: wait until one is visible to another connection.
bool WaitStored(const RedisServerProcess& server, const std::string& key) {
  return WaitFor([&] { return server.Cli({"EXISTS", key}) == "1"; }, 2s);
}

std::uint64_t CounterValue(std::string_view name, const observability::Labels& labels = {}) {
  return observability::Metrics().GetCounter(name, "", labels).Value();
}

// The "database": a version that writes bump; loads read it when they begin. One load
// (by number) can be held until released, to play a slow reader.
struct FakeDb {
  std::atomic<int> version{1};
  std::atomic<int> loads{0};
  std::atomic<int> hold{0};  // the load with this number waits while `held` is true
  std::atomic<bool> held{false};
  std::chrono::milliseconds delay{0};

  Loader For(std::string key) {
    return [this, key]() -> asio::awaitable<core::Result<std::string>> {
      const int number = ++loads;
      const int seen = version.load();
      asio::steady_timer timer(co_await asio::this_coro::executor);
      if (delay.count() > 0) {
        timer.expires_after(delay);
        co_await timer.async_wait(kTuple);
      }
      while (number == hold.load() && held.load()) {
        timer.expires_after(1ms);
        co_await timer.async_wait(kTuple);
      }
      co_return key + "@v" + std::to_string(seen);
    };
  }
  void Write() { ++version; }
};

// One onboardd instance: its I/O threads and its CacheSystem, wired like the server does.
class Instance {
 public:
  explicit Instance(std::string redis_url, int workers = 1,
                    std::function<void(CacheSystemOptions&)> tweak = {})
      : io_(workers) {
    CacheSystemOptions options;
    options.redis_url = std::move(redis_url);
    options.prefix = "t:";
    options.redis.command_timeout = kCommandTimeout;
    options.redis.connect_timeout = 300ms;
    options.redis.backoff_min = 10ms;
    options.redis.backoff_max = 100ms;
    options.redis.heartbeat_interval = kHeartbeat;
    options.redis.heartbeat_timeout = kHeartbeat;
    options.cache.replay_backoff_min = 10ms;
    options.cache.replay_backoff_max = 100ms;
    if (tweak) tweak(options);
    auto created = CacheSystem::Create(std::move(options), workers);
    if (!created) throw std::runtime_error(created.error().message.en);
    system_ = std::move(*created);
    for (int w = 0; w < workers; ++w) {
      io_.Run(w, [&, w] { system_->StartWorker(w, io_.io(w)); });
    }
  }
  ~Instance() {
    for (int w = 0; w < io_.size(); ++w) io_.Run(w, [&, w] { system_->StopWorker(w); });
    EXPECT_TRUE(io_.Join(2s)) << "a coroutine outlived StopWorker";
  }

  Cache& cache() { return system_->cache(); }
  IoWorkers& io() { return io_; }

  Loaded Get(int w, const Keyspace& space, const std::string& key, Loader loader) {
    const auto start = Clock::now();
    auto result = io_.Await(w, cache().GetOrLoad(w, space, key, std::move(loader)));
    last_ms = MsSince(start);
    EXPECT_TRUE(result) << key;
    return result ? *result : Loaded{"<error>", Layer::kLoader};
  }
  Cache::Invalidation Invalidate(int w, const Keyspace& space, const std::string& key) {
    const auto start = Clock::now();
    auto outcome = io_.Await(w, cache().Invalidate(w, space, key));
    last_ms = MsSince(start);
    return outcome;
  }
  RateDecision Allow(int w, const std::string& key, int limit, std::chrono::seconds window) {
    return io_.Await(w, system_->rate_limiter().Allow(w, key, limit, window));
  }
  bool WaitReady(std::chrono::milliseconds within = 5s) {
    return WaitFor([&] { return cache().shared_ready(); }, within);
  }

  double last_ms = 0;

 private:
  IoWorkers io_;
  std::unique_ptr<CacheSystem> system_;
};

Keyspace Space(std::string name, std::chrono::milliseconds local_ttl = 5s,
               std::chrono::milliseconds ttl = 60s, double refresh_ahead = 0.8) {
  return Keyspace(std::move(name), Keyspace::Policy{ttl, local_ttl, refresh_ahead});
}

TEST(Cache, AnswersFromEachLayerInTurn) {
  RedisServerProcess server;
  Instance a(server.Url()), b(server.Url());
  ASSERT_TRUE(a.WaitReady());
  ASSERT_TRUE(b.WaitReady());
  FakeDb db;
  const auto space = Space("layers", 300ms);
  const auto local_hits = [] {
    return CounterValue("onboardd_cache_requests_total",
                        {{"cache", "layers"}, {"layer", "local"}, {"result", "hit"}});
  };
  const auto hits_before = local_hits();

  auto first = a.Get(0, space, "u1", db.For("u1"));
  EXPECT_EQ(first.value, "u1@v1");
  EXPECT_EQ(first.layer, Layer::kLoader);
  EXPECT_EQ(a.Get(0, space, "u1", db.For("u1")).layer, Layer::kLocal);
  ASSERT_TRUE(WaitStored(server, "t:v:layers:u1"));  // the write-back does not delay answers
  // Another instance: Redis has it (written back by a), no second load.
  auto shared = b.Get(0, space, "u1", db.For("u1"));
  EXPECT_EQ(shared.value, "u1@v1");
  EXPECT_EQ(shared.layer, Layer::kRedis);
  EXPECT_EQ(b.Get(0, space, "u1", db.For("u1")).layer, Layer::kLocal);
  EXPECT_EQ(db.loads.load(), 1);
  EXPECT_EQ(local_hits(), hits_before + 2);
  // What Redis holds is the tagged envelope.
  EXPECT_NE(server.Cli({"GET", "t:v:layers:u1"}).find("|u1@v1"), std::string::npos);
  // The local copy expires first; Redis answers again.
  std::this_thread::sleep_for(350ms);
  EXPECT_EQ(a.Get(0, space, "u1", db.For("u1")).layer, Layer::kRedis);
  EXPECT_EQ(db.loads.load(), 1);
}

constexpr std::size_t kRequests = 20;

TEST(Cache, ConcurrentMissesOnAWorkerShareOneLoad) {
  RedisServerProcess server;
  Instance a(server.Url());
  ASSERT_TRUE(a.WaitReady());
  FakeDb db;
  db.delay = 100ms;
  const auto space = Space("flight");
  const auto joins_before =
      CounterValue("onboardd_cache_singleflight_joins_total", {{"cache", "flight"}});
  Cache& cache = a.cache();
  auto values = a.io().Await(0, [&]() -> asio::awaitable<std::vector<std::string>> {
    auto executor = co_await asio::this_coro::executor;
    std::vector<std::string> out;
    asio::steady_timer all_done(executor, Clock::time_point::max());
    for (std::size_t i = 0; i < kRequests; ++i) {
      asio::co_spawn(
          executor,
          [](Cache& cache, Keyspace space, Loader loader, std::vector<std::string>& out,
             asio::steady_timer& all_done) -> asio::awaitable<void> {
            auto result = co_await cache.GetOrLoad(0, space, "hot", loader);
            out.push_back(result ? result->value : "<error>");
            if (out.size() == kRequests) all_done.cancel();
          }(cache, space, db.For("hot"), out, all_done),
          asio::detached);
    }
    co_await all_done.async_wait(kTuple);
    co_return out;
  }());
  ASSERT_EQ(values.size(), kRequests);
  for (const auto& v : values) EXPECT_EQ(v, "hot@v1");
  EXPECT_EQ(db.loads.load(), 1);
  EXPECT_EQ(CounterValue("onboardd_cache_singleflight_joins_total", {{"cache", "flight"}}),
            joins_before + kRequests - 1);
}

TEST(Cache, InvalidationReachesAnotherInstance) {
  RedisServerProcess server;
  Instance a(server.Url()), b(server.Url());
  ASSERT_TRUE(a.WaitReady());
  ASSERT_TRUE(b.WaitReady());
  FakeDb db;
  const auto with_local = Space("inv_local", 5s);
  const auto redis_only = Space("inv_redis", 0ms);
  for (const auto* space : {&with_local, &redis_only}) {
    EXPECT_EQ(a.Get(0, *space, "u1", db.For("u1")).value, "u1@v1");
    EXPECT_EQ(b.Get(0, *space, "u1", db.For("u1")).value, "u1@v1");
  }
  const auto received_before =
      CounterValue("onboardd_cache_invalidations_total", {{"source", "remote"}});
  db.Write();
  EXPECT_EQ(b.Invalidate(0, with_local, "u1"), Cache::Invalidation::kPropagated);
  EXPECT_EQ(b.Invalidate(0, redis_only, "u1"), Cache::Invalidation::kPropagated);
  // The writer's instance: at once.
  EXPECT_EQ(b.Get(0, with_local, "u1", db.For("u1")).value, "u1@v2");
  // Another instance through Redis: at once too — the generation decides, not the message.
  EXPECT_EQ(a.Get(0, redis_only, "u1", db.For("u1")).value, "u1@v2");
  // Another instance's local copy: as soon as the message arrives.
  const auto start = Clock::now();
  std::string seen;
  ASSERT_TRUE(WaitFor(
      [&] { return (seen = a.Get(0, with_local, "u1", db.For("u1")).value) == "u1@v2"; }, 1s))
      << seen;
  std::printf("[ measure  ] another instance's local copy invalidated after %.2f ms\n",
              MsSince(start));
  EXPECT_GE(CounterValue("onboardd_cache_invalidations_total", {{"source", "remote"}}),
            received_before + 2);
}

// Another instance's invalidation that reached this one's subscribed socket, unread because
// the subscriber's thread is busy: the local copy on another thread is not served meanwhile.
TEST(Cache, ALocalCopyIsNotServedWhileAnInvalidationWaitsUnread) {
  RedisServerProcess server;
  Instance a(server.Url(), 2), b(server.Url());
  ASSERT_TRUE(a.WaitReady());
  ASSERT_TRUE(b.WaitReady());
  FakeDb db;
  const auto space = Space("unread", 5s);
  EXPECT_EQ(a.Get(1, space, "u1", db.For("u1")).value, "u1@v1");
  ASSERT_EQ(a.Get(1, space, "u1", db.For("u1")).layer, Layer::kLocal);
  // Worker 0 (the subscriber's) busy until released.
  std::atomic<bool> busy{false}, release{false};
  asio::post(a.io().io(0), [&] {
    busy.store(true);
    while (!release.load()) std::this_thread::sleep_for(1ms);
  });
  ASSERT_TRUE(WaitFor([&] { return busy.load(); }, 1s));
  db.Write();
  EXPECT_EQ(b.Invalidate(0, space, "u1"), Cache::Invalidation::kPropagated);
  std::this_thread::sleep_for(100ms);  // the message is on a's socket by now
  const Loaded during = a.Get(1, space, "u1", db.For("u1"));
  release.store(true);
  EXPECT_EQ(during.value, "u1@v2");
  EXPECT_NE(during.layer, Layer::kLocal);
}

// A slow reader that read the database before a write must neither hand its old value to
// requests that arrive after the invalidation, nor leave it servable in either layer.
TEST(Cache, SlowLoaderCannotOutliveAnInvalidation) {
  RedisServerProcess server;
  Instance a(server.Url()), b(server.Url()), c(server.Url());
  ASSERT_TRUE(a.WaitReady());
  ASSERT_TRUE(b.WaitReady());
  ASSERT_TRUE(c.WaitReady());
  FakeDb db;
  db.hold = 1;
  db.held = true;
  const auto space = Space("slow");
  const auto received_before =
      CounterValue("onboardd_cache_invalidations_total", {{"source", "remote"}});
  auto slow = asio::co_spawn(a.io().io(0), a.cache().GetOrLoad(0, space, "u1", db.For("u1")),
                             asio::use_future);
  ASSERT_TRUE(WaitFor([&] { return db.loads.load() == 1; }, 2s));  // it has read v1
  db.Write();
  EXPECT_EQ(b.Invalidate(0, space, "u1"), Cache::Invalidation::kPropagated);
  // The message reaches a (and c); a request arriving on a from now on must not join the
  // old load.
  ASSERT_TRUE(WaitFor(
      [&] {
        return CounterValue("onboardd_cache_invalidations_total", {{"source", "remote"}}) >=
               received_before + 2;
      },
      1s));
  auto fresh = asio::co_spawn(a.io().io(0), a.cache().GetOrLoad(0, space, "u1", db.For("u1")),
                              asio::use_future);
  const bool answered = fresh.wait_for(2s) == std::future_status::ready;
  db.held = false;  // (a request that joined the old load would have waited for this)
  ASSERT_TRUE(answered) << "a request after the invalidation joined the load begun before it";
  auto fresh_value = fresh.get();
  ASSERT_TRUE(fresh_value);
  EXPECT_EQ(fresh_value->value, "u1@v2");
  auto late = slow.get();
  ASSERT_TRUE(late);
  EXPECT_EQ(late->value, "u1@v1");  // its own request began before the write: allowed
  // Its write-back (tagged with the old generation) lands over the fresh one, and its local
  // insert carries a stale stamp: neither may be served.
  ASSERT_TRUE(WaitFor(
      [&] {
        return server.Cli({"GET", "t:v:slow:u1"}).find("|u1@v1") != std::string::npos;
      },
      2s));
  EXPECT_EQ(a.Get(0, space, "u1", db.For("u1")).value, "u1@v2");
  EXPECT_EQ(b.Get(0, space, "u1", db.For("u1")).value, "u1@v2");
  // c too, once the message reached it (its local copy is trusted until then: cache.hpp).
  EXPECT_TRUE(WaitFor([&] { return c.Get(0, space, "u1", db.For("u1")).value == "u1@v2"; }, 1s));
}

// Redis goes down (persistence on: it comes back with the old values and generations), a
// write happens meanwhile, Redis comes back: no instance ever answers the old value, and
// both use Redis again without a restart.
TEST(Cache, WriteWhileRedisIsDownIsNeverServedStale) {
  RedisServerOptions options;
  options.persist = true;
  RedisServerProcess server(options);
  Instance a(server.Url()), b(server.Url());
  ASSERT_TRUE(a.WaitReady());
  ASSERT_TRUE(b.WaitReady());
  FakeDb db;
  const auto space = Space("down");
  EXPECT_EQ(a.Get(0, space, "u1", db.For("u1")).value, "u1@v1");
  ASSERT_TRUE(WaitStored(server, "t:v:down:u1"));
  EXPECT_EQ(b.Get(0, space, "u1", db.For("u1")).layer, Layer::kRedis);
  const std::string epoch_before = server.Cli({"GET", "t:epoch"});
  ASSERT_FALSE(epoch_before.empty());

  server.Stop();
  ASSERT_TRUE(WaitFor([&] { return !a.cache().shared_ready() && !b.cache().shared_ready(); }, 2s));
  db.Write();
  EXPECT_EQ(b.Invalidate(0, space, "u1"), Cache::Invalidation::kDeferred);
  EXPECT_EQ(b.cache().pending_invalidations(), 1u);
  for (auto* instance : {&a, &b}) {
    auto during = instance->Get(0, space, "u1", db.For("u1"));
    EXPECT_EQ(during.value, "u1@v2");
    EXPECT_EQ(during.layer, Layer::kLoader);
    EXPECT_LT(instance->last_ms, kNoWaitMs);  // nothing waits for the dead server
  }

  server.Start();  // the append-only file brings back u1@v1 and its generation
  int stale = 0;
  bool a_shared = false, b_shared = false;
  const auto give_up = Clock::now() + 5s;
  while (Clock::now() < give_up &&
         !(a_shared && b_shared && b.cache().pending_invalidations() == 0)) {
    for (auto* instance : {&a, &b}) {
      auto answer = instance->Get(0, space, "u1", db.For("u1"));
      stale += answer.value != "u1@v2";
      if (answer.layer != Layer::kLoader) (instance == &a ? a_shared : b_shared) = true;
    }
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(stale, 0);
  EXPECT_TRUE(a_shared && b_shared) << "Redis was not used again";
  EXPECT_EQ(b.cache().pending_invalidations(), 0u);
  EXPECT_NE(server.Cli({"GET", "t:epoch"}), epoch_before);  // what was stored before is dead
}

TEST(Cache, StalledRedisAnswersFromTheLoaderInBoundedTime) {
  RedisServerProcess server;
  Instance a(server.Url()), b(server.Url());
  ASSERT_TRUE(a.WaitReady());
  ASSERT_TRUE(b.WaitReady());
  FakeDb db;
  const auto space = Space("stall");
  EXPECT_EQ(a.Get(0, space, "u1", db.For("u1")).value, "u1@v1");
  EXPECT_EQ(b.Get(0, space, "u1", db.For("u1")).value, "u1@v1");

  const auto redis_only = Space("stall_redis", 0ms);
  EXPECT_EQ(a.Get(0, redis_only, "u2", db.For("u2")).layer, Layer::kLoader);
  ASSERT_TRUE(WaitStored(server, "t:v:stall_redis:u2"));
  EXPECT_EQ(a.Get(0, redis_only, "u2", db.For("u2")).layer, Layer::kRedis);

  server.Pause();
  const auto paused_at = Clock::now();
  // A Redis read on the stalled server: one command timeout, then the loader answers ...
  auto first = a.Get(0, redis_only, "u2", db.For("u2"));
  EXPECT_EQ(first.value, "u2@v1");
  EXPECT_EQ(first.layer, Layer::kLoader);
  EXPECT_GE(a.last_ms, kCommandTimeout.count() - 10);
  EXPECT_LT(a.last_ms, kBoundedMs);
  const double first_ms = a.last_ms;
  // ... and the next ones do not wait at all (the connection was dropped).
  EXPECT_EQ(a.Get(0, redis_only, "u2", db.For("u2")).layer, Layer::kLoader);
  EXPECT_LT(a.last_ms, kNoWaitMs);
  std::printf("[ measure  ] stalled Redis: first lookup %.0f ms, next %.2f ms\n", first_ms,
              a.last_ms);
  db.Write();
  EXPECT_EQ(b.Invalidate(0, space, "u1"), Cache::Invalidation::kDeferred);
  EXPECT_LT(b.last_ms, kBoundedMs);
  EXPECT_EQ(b.Get(0, space, "u1", db.For("u1")).value, "u1@v2");  // never stale on the writer
  EXPECT_LT(b.last_ms, kBoundedMs);
  // The other instance can serve its local copy until its heartbeat notices the stall
  // (the documented window); every answer stays bounded in time.
  double window_ms = -1;
  double slowest_ms = 0;
  const auto give_up = Clock::now() + 3s;
  while (Clock::now() < give_up) {
    auto answer = a.Get(0, space, "u1", db.For("u1"));
    slowest_ms = std::max(slowest_ms, a.last_ms);
    if (answer.value == "u1@v2") {
      window_ms = MsSince(paused_at);
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_GE(window_ms, 0) << "the other instance kept serving the old value";
  EXPECT_LT(window_ms, 2 * kHeartbeat.count() + 500);
  EXPECT_LT(slowest_ms, kBoundedMs);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(a.Get(0, space, "u1", db.For("u1")).value, "u1@v2");
    EXPECT_LT(a.last_ms, kBoundedMs);
  }
  std::printf(
      "[ measure  ] stalled Redis: other instance's local copy dropped after %.0f ms; "
      "slowest lookup meanwhile %.1f ms\n",
      window_ms, slowest_ms);

  server.Resume();
  ASSERT_TRUE(a.WaitReady());
  ASSERT_TRUE(b.WaitReady());
  ASSERT_TRUE(WaitFor([&] { return b.cache().pending_invalidations() == 0; }, 3s));
  for (auto* instance : {&a, &b}) {
    EXPECT_EQ(instance->Get(0, space, "u1", db.For("u1")).value, "u1@v2");
  }
  // Redis is read again: a key without a local layer is answered from it (after at most one
  // load, while the epoch is renewed), not from the loader each time.
  bool shared = false;
  for (int i = 0; i < 200 && !shared; ++i) {
    shared = a.Get(0, redis_only, "u2", db.For("u2")).layer == Layer::kRedis;
    if (!shared) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(shared) << "Redis was not used again";
}

TEST(Cache, FlushAllIsAMissNotAnError) {
  RedisServerProcess server;
  Instance a(server.Url()), b(server.Url(), 2);
  ASSERT_TRUE(a.WaitReady());
  ASSERT_TRUE(b.WaitReady());
  FakeDb db;
  const auto space = Space("flush");
  EXPECT_EQ(a.Get(0, space, "u1", db.For("u1")).layer, Layer::kLoader);
  ASSERT_TRUE(WaitStored(server, "t:v:flush:u1"));
  EXPECT_EQ(b.Get(1, space, "u1", db.For("u1")).layer, Layer::kRedis);
  EXPECT_EQ(b.Get(1, space, "u1", db.For("u1")).layer, Layer::kLocal);
  EXPECT_EQ(server.Cli({"FLUSHALL"}), "OK");
  auto after = b.Get(0, space, "u1", db.For("u1"));
  EXPECT_EQ(after.value, "u1@v1");
  EXPECT_EQ(after.layer, Layer::kLoader);                // nothing in Redis, and no error
  EXPECT_FALSE(server.Cli({"GET", "t:epoch"}).empty());  // tags were installed again
  // The write-back landed under the fresh tags: a third lookup elsewhere hits Redis.
  EXPECT_TRUE(WaitStored(server, "t:v:flush:u1"));
  Instance c(server.Url());
  ASSERT_TRUE(c.WaitReady());
  EXPECT_EQ(c.Get(0, space, "u1", db.For("u1")).layer, Layer::kRedis);
  // And invalidation still works across instances after the flush.
  db.Write();
  EXPECT_EQ(a.Invalidate(0, space, "u1"), Cache::Invalidation::kPropagated);
  EXPECT_TRUE(WaitFor([&] { return b.Get(1, space, "u1", db.For("u1")).value == "u1@v2"; }, 1s));
  // c too, once the message reached it (its local copy is trusted until then: cache.hpp).
  EXPECT_TRUE(WaitFor([&] { return c.Get(0, space, "u1", db.For("u1")).value == "u1@v2"; }, 1s));
}

TEST(Cache, RestartedRedisIsUsedAgainWithoutRestartingUs) {
  RedisServerProcess server;
  Instance a(server.Url());
  ASSERT_TRUE(a.WaitReady());
  FakeDb db;
  // No early refresh: a hot key would otherwise keep its local copy fresh from Redis in the
  // background, and the foreground would never see Redis answer.
  const auto space = Space("restart", 50ms, 60s, 1.0);
  EXPECT_EQ(a.Get(0, space, "u1", db.For("u1")).layer, Layer::kLoader);
  server.Stop();
  ASSERT_TRUE(WaitFor([&] { return !a.cache().shared_ready(); }, 2s));
  for (int i = 0; i < 3; ++i) {
    auto answer = a.Get(0, space, "u1", db.For("u1"));
    EXPECT_EQ(answer.layer, Layer::kLoader);
    EXPECT_LT(a.last_ms, kNoWaitMs);
  }
  server.Start();
  ASSERT_TRUE(a.WaitReady());
  bool from_redis = false;
  for (int i = 0; i < 100 && !from_redis; ++i) {
    from_redis = a.Get(0, space, "u1", db.For("u1")).layer == Layer::kRedis;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(from_redis);
}

TEST(Cache, UnreachableRedisAtStartAnswersFromTheLoaderAndJoinsLater) {
  RedisServerProcess server;
  server.Stop();
  Instance a(server.Url());
  FakeDb db;
  const auto space = Space("never");
  for (int i = 0; i < 5; ++i) {
    auto answer = a.Get(0, space, "u1", db.For("u1"));
    EXPECT_EQ(answer.layer, Layer::kLoader);
    EXPECT_LT(a.last_ms, kNoWaitMs);
  }
  EXPECT_FALSE(a.cache().shared_ready());
  db.Write();
  EXPECT_EQ(a.Invalidate(0, space, "u1"), Cache::Invalidation::kDeferred);
  EXPECT_LT(a.last_ms, kNoWaitMs);
  server.Start();
  ASSERT_TRUE(a.WaitReady());
  EXPECT_EQ(a.cache().pending_invalidations(), 0u);
  EXPECT_FALSE(server.Cli({"GET", "t:epoch"}).empty());  // renewed: it had seen Redis down
  EXPECT_EQ(a.Get(0, space, "u1", db.For("u1")).value, "u1@v2");
}

// Invalidations refused by Redis while the subscription stays up (here: an ACL that denies
// SET to the writer's user): remembered, the writer stops reading Redis meanwhile, and they
// are replayed once Redis accepts them. Past the memory bound, one new epoch replaces them.
TEST(Cache, RefusedInvalidationsAreReplayedAndOverflowRenewsTheEpoch) {
  RedisServerOptions options;
  options.acl_users = {"bob on >bob-pw ~* &* +@all"};
  RedisServerProcess server(options);
  const std::string bob_url = "redis://bob:bob-pw@127.0.0.1:" + std::to_string(server.port());
  Instance a(server.Url());
  Instance b(bob_url, 1, [](CacheSystemOptions& o) { o.cache.max_pending_invalidations = 2; });
  ASSERT_TRUE(a.WaitReady());
  ASSERT_TRUE(b.WaitReady());
  FakeDb db;
  const auto space = Space("refused");
  for (const char* key : {"k1", "k2", "k3", "k4"}) {
    EXPECT_EQ(a.Get(0, space, key, db.For(key)).value, std::string(key) + "@v1");
  }
  const std::string epoch_before = server.Cli({"GET", "t:epoch"});
  const auto overflows_before = CounterValue("onboardd_cache_pending_overflows_total");

  ASSERT_EQ(server.Cli({"ACL", "SETUSER", "bob", "-set"}), "OK");
  db.Write();
  EXPECT_EQ(b.Invalidate(0, space, "k1"), Cache::Invalidation::kDeferred);
  EXPECT_EQ(b.cache().pending_invalidations(), 1u);
  // The writer does not read Redis while an invalidation is pending (Redis still has v1).
  auto during = b.Get(0, space, "k1", db.For("k1"));
  EXPECT_EQ(during.value, "k1@v2");
  EXPECT_EQ(during.layer, Layer::kLoader);
  EXPECT_EQ(b.Invalidate(0, space, "k2"), Cache::Invalidation::kDeferred);
  EXPECT_EQ(b.cache().pending_invalidations(), 2u);
  EXPECT_EQ(b.Invalidate(0, space, "k3"), Cache::Invalidation::kDeferred);  // overflow
  EXPECT_EQ(b.cache().pending_invalidations(), 1u);                         // one epoch owed
  EXPECT_EQ(CounterValue("onboardd_cache_pending_overflows_total"), overflows_before + 1);
  EXPECT_EQ(b.Invalidate(0, space, "k4"), Cache::Invalidation::kDeferred);  // covered by it
  EXPECT_EQ(b.cache().pending_invalidations(), 1u);

  ASSERT_EQ(server.Cli({"ACL", "SETUSER", "bob", "+set"}), "OK");
  ASSERT_TRUE(WaitFor([&] { return b.cache().pending_invalidations() == 0; }, 3s));
  EXPECT_NE(server.Cli({"GET", "t:epoch"}), epoch_before);
  // The renewal reached a (message "*"): its local copies are gone, Redis's are dead.
  for (const char* key : {"k1", "k2", "k3", "k4"}) {
    EXPECT_TRUE(WaitFor(
        [&] { return a.Get(0, space, key, db.For(key)).value == std::string(key) + "@v2"; }, 1s))
        << key;
    EXPECT_EQ(b.Get(0, space, key, db.For(key)).value, std::string(key) + "@v2");
  }
}

TEST(Cache, WithoutRedisTheLocalLayerWorksAlone) {
  Instance a("", 2);
  FakeDb db;
  const auto space = Space("alone");
  EXPECT_EQ(a.Get(0, space, "u1", db.For("u1")).layer, Layer::kLoader);
  EXPECT_EQ(a.Get(0, space, "u1", db.For("u1")).layer, Layer::kLocal);
  EXPECT_EQ(a.Get(1, space, "u1", db.For("u1")).layer, Layer::kLoader);  // per-worker copies
  EXPECT_EQ(a.Get(1, space, "u1", db.For("u1")).layer, Layer::kLocal);
  db.Write();
  EXPECT_EQ(a.Invalidate(1, space, "u1"), Cache::Invalidation::kLocalOnly);
  // Worker 0's copy is gone too.
  auto after = a.Get(0, space, "u1", db.For("u1"));
  EXPECT_EQ(after.value, "u1@v2");
  EXPECT_EQ(after.layer, Layer::kLoader);
  EXPECT_FALSE(a.cache().shared_ready());
  EXPECT_FALSE(a.cache().redis_configured());
}

TEST(Cache, LocalEarlyRefreshAnswersAtOnceAndReloadsInTheBackground) {
  Instance a("");
  FakeDb db;
  const auto space = Space("early_local", 1000ms, 60s, 0.3);
  EXPECT_EQ(a.Get(0, space, "u1", db.For("u1")).value, "u1@v1");
  db.Write();  // without invalidation: only a refresh can pick it up before expiry
  std::this_thread::sleep_for(400ms);  // past the refresh point (200-300 ms), before 1 s
  const auto start = Clock::now();
  auto served = a.Get(0, space, "u1", db.For("u1"));
  EXPECT_EQ(served.value, "u1@v1");
  EXPECT_EQ(served.layer, Layer::kLocal);
  Loaded refreshed;
  ASSERT_TRUE(WaitFor(
      [&] { return (refreshed = a.Get(0, space, "u1", db.For("u1"))).value == "u1@v2"; }, 100ms));
  EXPECT_EQ(refreshed.layer, Layer::kLocal);  // reloaded in the background, before expiry
  EXPECT_LT(MsSince(start), 150);
  EXPECT_EQ(db.loads.load(), 2);
}

TEST(Cache, RedisEarlyRefreshReloadsBeforeExpiry) {
  RedisServerProcess server;
  Instance a(server.Url());
  ASSERT_TRUE(a.WaitReady());
  FakeDb db;
  const auto space = Space("early_redis", 0ms, 2000ms, 0.3);
  const auto refreshes_before = CounterValue("onboardd_cache_early_refreshes_total",
                                             {{"cache", "early_redis"}, {"layer", "redis"}});
  EXPECT_EQ(a.Get(0, space, "u1", db.For("u1")).value, "u1@v1");
  db.Write();
  std::this_thread::sleep_for(1000ms);  // refresh window: from 400-600 ms to 2000 ms
  Loaded answer;
  const bool refreshed = WaitFor(
      [&] { return (answer = a.Get(0, space, "u1", db.For("u1"))).value == "u1@v2"; }, 700ms);
  ASSERT_TRUE(refreshed);
  // The answer that first shows v2 may have joined the background reload's flight (layer
  // kLoader: a fresh CI dry run saw it); the next one reads what that reload wrote to Redis.
  // No miss at expiry: two loads in all.
  EXPECT_EQ(a.Get(0, space, "u1", db.For("u1")).layer, Layer::kRedis);
  EXPECT_EQ(answer.value, "u1@v2");
  EXPECT_EQ(db.loads.load(), 2);
  EXPECT_EQ(CounterValue("onboardd_cache_early_refreshes_total",
                         {{"cache", "early_redis"}, {"layer", "redis"}}),
            refreshes_before + 1);
}

TEST(Cache, MeasureLookupCosts) {
  RedisServerProcess server;
  Instance a(server.Url());
  ASSERT_TRUE(a.WaitReady());
  FakeDb db;
  const auto local = Space("measure_local", 60s, 60s, 1.0);
  const auto shared = Space("measure_redis", 0ms, 60s, 1.0);
  const std::string body(800, 'j');
  Loader loader = [body]() -> asio::awaitable<core::Result<std::string>> { co_return body; };
  ASSERT_EQ(a.Get(0, local, "u1", loader).layer, Layer::kLoader);
  ASSERT_EQ(a.Get(0, shared, "u1", loader).layer, Layer::kLoader);
  ASSERT_TRUE(WaitStored(server, "t:v:measure_redis:u1"));
  Cache& cache = a.cache();
  auto run = [&](const Keyspace& space, int n, Layer expected) {
    const auto start = Clock::now();
    const int right = a.io().Await(0,
                                   [](Cache& cache, Keyspace space, Loader loader, int n,
                                      Layer expected) -> asio::awaitable<int> {
                                     int ok = 0;
                                     for (int i = 0; i < n; ++i) {
                                       auto r = co_await cache.GetOrLoad(0, space, "u1", loader);
                                       ok += r && r->layer == expected && r->value.size() == 800;
                                     }
                                     co_return ok;
                                   }(cache, space, loader, n, expected));
    EXPECT_EQ(right, n);
    return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / n;
  };
  const double local_us = run(local, 100'000, Layer::kLocal);
  const double redis_us = run(shared, 2'000, Layer::kRedis);
  std::printf("[ measure  ] GetOrLoad, 800 B value: local hit %.2f us, Redis hit %.1f us\n",
              local_us, redis_us);
}

TEST(RateLimiter, SharedByInstancesThenInProcessWhenRedisIsDown) {
  RedisServerProcess server;
  Instance a(server.Url()), b(server.Url());
  ASSERT_TRUE(a.WaitReady());
  ASSERT_TRUE(b.WaitReady());
  int allowed = 0;
  RateDecision last;
  for (int i = 0; i < 8; ++i) {
    last = (i % 2 ? b : a).Allow(0, "ai_suggest:u1", 5, std::chrono::seconds(3600));
    EXPECT_TRUE(last.shared);
    allowed += last.allowed;
    if (i < 5) {
      EXPECT_EQ(last.remaining, 4 - i);
    }
  }
  EXPECT_EQ(allowed, 5);
  EXPECT_FALSE(last.allowed);
  EXPECT_GT(last.retry_after_seconds, 0);
  EXPECT_LE(last.retry_after_seconds, 3600);
  EXPECT_EQ(last.reset_epoch_seconds % 3600, 0);
  const std::string counter_key =
      "t:rl:ai_suggest:u1:" + std::to_string(last.reset_epoch_seconds - 3600);
  EXPECT_EQ(server.Cli({"GET", counter_key}), "8");
  EXPECT_GT(std::stoll(server.Cli({"PTTL", counter_key})), 0);  // it expires with its window

  const auto fallbacks_before = CounterValue("onboardd_rate_limit_fallbacks_total");
  server.Stop();
  ASSERT_TRUE(
      WaitFor([&] { return !a.Allow(0, "probe", 1000, std::chrono::seconds(60)).shared; }, 2s));
  // In process: each instance counts on its own.
  for (auto* instance : {&a, &b}) {
    EXPECT_TRUE(WaitFor(
        [&] { return !instance->Allow(0, "probe", 1000, std::chrono::seconds(60)).shared; }, 2s));
    EXPECT_TRUE(instance->Allow(0, "ip:10.0.0.1", 2, std::chrono::seconds(60)).allowed);
    EXPECT_TRUE(instance->Allow(0, "ip:10.0.0.1", 2, std::chrono::seconds(60)).allowed);
    auto third = instance->Allow(0, "ip:10.0.0.1", 2, std::chrono::seconds(60));
    EXPECT_FALSE(third.allowed);
    EXPECT_FALSE(third.shared);
  }
  EXPECT_GE(CounterValue("onboardd_rate_limit_fallbacks_total"), fallbacks_before + 8);
  server.Start();
  EXPECT_TRUE(
      WaitFor([&] { return a.Allow(0, "probe", 1000, std::chrono::seconds(60)).shared; }, 3s));
}

TEST(CacheSystem, RefusesABadUrlWithoutEchoingIt) {
  CacheSystemOptions options;
  options.redis_url = "redis://:hunter2@host:notaport";
  auto created = CacheSystem::Create(options, 2);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, core::ErrorCode::kValidation);
  EXPECT_EQ(created.error().message.en.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace onboardd::cache
