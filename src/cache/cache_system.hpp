// The one object the app creates for caching and rate limiting: it parses REDIS_URL, owns
// one Redis connection per I/O thread (bound to that thread's io_context: nothing shared,
// nothing locked) plus the subscriber (on one worker), and the Cache and RateLimiter that
// use them. Without a Redis URL, both work in process only.
//
// Wiring in `onboardd serve` (the server calls its hooks on each I/O thread):
//
//   auto caches = cache::CacheSystem::Create(options, threads);      // before server.Run()
//   if (!caches) { log caches.error().message.en; return 2; }
//   server.OnThreadStart([&](int i, asio::io_context& io) { (*caches)->StartWorker(i, io); ... });
//   server.OnThreadStop([&](int i) { (*caches)->StopWorker(i); ... });
//   // handlers: (*caches)->cache().GetOrLoad(request.worker, ...), ->rate_limiter().Allow(...)
//
// Declare it before the Server so that it is destroyed after every I/O thread ended.
//
// Thread-safety: Create and the destructor on any thread while no worker runs; StartWorker
// and StopWorker on that worker's thread; cache() and rate_limiter() from any thread (their
// own rules apply).
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cache/cache.hpp"
#include "cache/rate_limiter.hpp"
#include "cache/redis_client.hpp"
#include "core/result.hpp"

namespace onboardd::cache {

struct CacheSystemOptions {
  std::string redis_url;             // REDIS_URL; empty: in-process only
  std::string prefix = "onboardd:";  // REDIS_PREFIX; overrides the prefixes below
  RedisOptions redis;                // timeouts, backoff, CA; the endpoint comes from the URL
  CacheOptions cache;
  RateLimiterOptions rate_limiter;
};

class CacheSystem {
 public:
  // kValidation naming the problem when the URL is unusable (never echoing its password).
  static core::Result<std::unique_ptr<CacheSystem>> Create(CacheSystemOptions options, int workers);
  ~CacheSystem();
  CacheSystem(const CacheSystem&) = delete;
  CacheSystem& operator=(const CacheSystem&) = delete;

  // On worker w's thread, before it serves: opens w's Redis connection (in the background:
  // until it is up, lookups go to the loader) and, on the subscriber worker, the
  // subscriber. Throws std::system_error when REDIS_CA_FILE cannot be read.
  void StartWorker(int worker, boost::asio::io_context& io);
  // On worker w's thread, its io_context running or stopped: closes w's connections. After
  // it, the worker may not use cache() or rate_limiter().
  void StopWorker(int worker);

  Cache& cache() { return *cache_; }
  RateLimiter& rate_limiter() { return *rate_limiter_; }
  bool redis_configured() const { return redis_configured_; }
  // REDIS_PREFIX: every key this instance writes starts with it (other users of the
  // connections below put their own keys under it too). Any thread.
  const std::string& prefix() const { return options_.prefix; }

  // Worker w's connection (null without Redis or outside Start/StopWorker), w's thread only.
  RedisConnection* connection(int worker) { return workers_[worker].redis.get(); }

 private:
  CacheSystem(CacheSystemOptions options, int workers, bool redis_configured);
  struct PerWorker {
    std::unique_ptr<RedisConnection> redis;
    std::unique_ptr<RedisSubscriber> subscriber;
  };

  // Constant after construction.
  const CacheSystemOptions options_;
  const bool redis_configured_;
  std::unique_ptr<Cache> cache_;
  std::unique_ptr<RateLimiter> rate_limiter_;

  // workers_[w]: worker w's thread only.
  std::vector<PerWorker> workers_;
};

}  // namespace onboardd::cache
