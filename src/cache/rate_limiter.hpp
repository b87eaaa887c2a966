// Fixed-window rate limits (AI quotas per user per hour, a per-IP limit on public routes),
// shared by every instance through Redis and counted in process when Redis is absent or
// unreachable (each instance then allows the limit on its own: the fallback is counted in
// onboardd_rate_limit_fallbacks_total).
//
// Why a fixed window with MULTI / INCR / PEXPIREAT / EXEC rather than a Lua script or a
// sliding window: one round trip, atomic (a dropped connection cannot leave a counter
// without expiry), nothing to load into the server (no NOSCRIPT after a restart or a
// FLUSHALL), and the window is in the key's name, so the expiry is only garbage
// collection. Windows are aligned to the Unix epoch (an hourly quota resets on the hour);
// the price is the usual one of fixed windows: up to twice the limit across a boundary.
//
// Thread-safety: Allow and Peek on worker w's thread only; the in-process counters are shared by
// all workers (16 mutex-guarded shards, held for a map lookup).
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "cache/redis_client.hpp"

namespace onboardd::cache {

struct RateDecision {
  bool allowed = true;
  std::int64_t remaining = 0;            // X-RateLimit-Remaining
  std::int64_t reset_epoch_seconds = 0;  // X-RateLimit-Reset: when the window ends
  std::int64_t retry_after_seconds = 0;  // Retry-After; 0 when allowed
  bool shared = false;                   // counted in Redis (false: by this instance only)
};

// The window containing `now_ms` (Unix ms): [start, end), aligned to multiples of `window`.
struct FixedWindow {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
};
FixedWindow WindowAt(std::int64_t now_ms, std::chrono::seconds window);

// The decision for the `count`-th request (counting this one) of a window.
RateDecision Decide(std::int64_t count, int limit, FixedWindow window, std::int64_t now_ms);

// What a window that has counted `count` requests says about the next one, without counting
// it: allowed when count < limit, remaining = limit - count (never negative).
RateDecision DecideNext(std::int64_t count, int limit, FixedWindow window, std::int64_t now_ms);

struct RateLimiterOptions {
  std::string prefix = "onboardd:";      // Redis keys: <prefix>rl:<key>:<window start, s>
  std::size_t local_max_keys = 100'000;  // in-process counters kept at most
  std::function<std::int64_t()> now_ms;  // Unix ms; empty: the system clock (tests set it)
};

class RateLimiter {
 public:
  RateLimiter(RateLimiterOptions options, int workers);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // On worker w's thread; `redis` null when Redis is not configured. Must outlive Detach.
  void AttachWorker(int worker, RedisConnection* redis);
  void DetachWorker(int worker);

  // Counts one request against `key` (e.g. "ai_suggest:<user>", "ip:<address>") and says
  // whether it may proceed. Never fails: Redis trouble falls back to in-process counting.
  boost::asio::awaitable<RateDecision> Allow(int worker, std::string key, int limit,
                                             std::chrono::seconds window);

  // The same key's window without counting (DecideNext): what a GET route reports as the
  // remaining calls. Reads the counter Allow increments (GET in Redis; `shared` true), or the
  // in-process counter when Redis is absent or fails — the one the fallback of Allow counts.
  // Never fails; never creates a counter.
  boost::asio::awaitable<RateDecision> Peek(int worker, std::string key, int limit,
                                            std::chrono::seconds window);

  // In-process counters currently kept (tests, metrics). Any thread.
  std::size_t local_keys();

 private:
  struct Counter {
    std::int64_t window_start_ms = 0;
    std::int64_t window_end_ms = 0;
    std::int64_t count = 0;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Counter> counters;
  };
  static constexpr std::size_t kShards = 16;

  RateDecision AllowLocally(const std::string& key, int limit, FixedWindow window,
                            std::int64_t now_ms);
  RateDecision PeekLocally(const std::string& key, int limit, FixedWindow window,
                           std::int64_t now_ms);
  // <prefix>rl:<key>:<window start, s>
  std::string CounterKey(const std::string& key, FixedWindow window) const;
  std::int64_t NowMs() const;

  // Constant after construction.
  const RateLimiterOptions options_;

  // redis_[w]: worker w's thread only.
  std::vector<RedisConnection*> redis_;

  // Any thread, each shard under its mutex.
  std::array<Shard, kShards> shards_;
};

}  // namespace onboardd::cache
