// The AI response cache shared by every instance: an in-process LRU in front of Redis
// (SPEC §4.5, §6). Answers are content-addressed (CacheKey: provider, model, prompt version,
// input), so a value never goes stale and nothing is ever invalidated — unlike
// cache/cache.hpp, there are no generations, no subscriber and no single flight here: two
// instances asking the same new question at once each call the model once, which costs
// money but not correctness. Redis keeps an answer for the TTL the caller gives (the
// assistant's cache_ttl, CACHE_AI_TTL_S); the local copy lives at most `local_ttl`.
//
// Redis is an optimisation only: absent, unreachable, stalled or answering with an error,
// a lookup is a local miss at worst (bounded by the connection's command timeout), and a
// store is kept locally only. Nothing here returns an error.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "ai/response_cache.hpp"
#include "cache/cache_system.hpp"

namespace onboardd::ai {

struct SharedResponseCacheOptions {
  // The local copy's lifetime (CACHE_AI_LOCAL_TTL_S); never longer than the TTL of the Put.
  // Zero: no local layer (every lookup asks Redis).
  std::chrono::seconds local_ttl{60};
  std::size_t local_max_entries = 10'000;
  // Larger answers are stored nowhere (and larger values found in Redis are misses): a
  // model answer is a few KiB (model_contract.cpp caps its output tokens), so a big one is
  // a misbehaving model, not something worth sharing.
  std::size_t max_value_bytes = 16 * 1024;
};

// Keys in Redis: <REDIS_PREFIX>ai:<key> (CacheSystem::prefix()), values as given, with
// SET ... PX <ttl>. `caches` must outlive this object's last Get or Put (declare the
// CacheSystem before the Server and the routes that hold this cache).
//
// Thread-safety: Get and Put on worker `worker`'s I/O thread (they use that worker's Redis
// connection); the local layer is shared by all workers and thread-safe.
class SharedResponseCache final : public ResponseCache {
 public:
  SharedResponseCache(cache::CacheSystem& caches, SharedResponseCacheOptions options = {});

  // Local hit, else Redis GET (one round trip, at most the command timeout); a Redis hit is
  // copied into the local layer. nullopt on a miss and on any Redis trouble.
  boost::asio::awaitable<std::optional<std::string>> Get(int worker, std::string key) override;
  // Stores locally for min(ttl, local_ttl) and sends SET PX ttl to Redis without waiting for
  // the reply (the answer being served is not delayed; a lost SET is a later miss). Values
  // over max_value_bytes and non-positive TTLs are not stored.
  boost::asio::awaitable<void> Put(int worker, std::string key, std::string value,
                                   std::chrono::seconds ttl) override;

  // The Redis key of a cache key (tests, operators).
  std::string RedisKey(const std::string& key) const;
  // Entries in the local layer (tests, metrics). Any thread.
  std::size_t local_size() const { return local_.size(); }

 private:
  // Constant after construction.
  cache::CacheSystem& caches_;
  const SharedResponseCacheOptions options_;

  // Thread-safe by itself.
  InProcessResponseCache local_;
};

// What `onboardd serve` plugs into the Assistant: a SharedResponseCache when `caches` has a
// Redis URL, else an InProcessResponseCache (local_max_entries, max_value_bytes; it keeps
// each answer for the TTL of its Put). `caches` may be null (no cache system).
std::shared_ptr<ResponseCache> MakeResponseCache(cache::CacheSystem* caches,
                                                 SharedResponseCacheOptions options = {});

}  // namespace onboardd::ai
