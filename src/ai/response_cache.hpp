// Where AI answers are kept between identical questions (SPEC §4.5, §6): keyed by
// CacheKey(provider, model, prompt version, normalized input), so two users asking the same
// thing share one model call, and any change of model, prompt or input misses. The interface
// is what the routes depend on; InProcessResponseCache is the implementation of this
// process, and SharedResponseCache (shared_response_cache.hpp: this one in front of Redis)
// plugs in behind the same interface; MakeResponseCache picks one.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"

namespace onboardd::ai {

class ResponseCache {
 public:
  virtual ~ResponseCache() = default;
  // The value stored under `key`, or nullopt when there is none or it expired. Runs on the
  // request's I/O thread, `worker` (http::Request::worker: the index of per-thread
  // connections an implementation may hold). Never fails: an unreachable store is a miss.
  virtual boost::asio::awaitable<std::optional<std::string>> Get(int worker, std::string key) = 0;
  // Stores `value` under `key` for `ttl`, replacing any previous value. Best effort: an
  // unreachable store or a value over the implementation's size cap is silently not stored.
  virtual boost::asio::awaitable<void> Put(int worker, std::string key, std::string value,
                                           std::chrono::seconds ttl) = 0;
};

// A bounded LRU map shared by every I/O thread of this process, behind one mutex (the values
// are model answers: a few per user per hour, so contention is nil). At most `max_entries`
// entries and `max_value_bytes` per value; the least recently used entry goes first. The
// clock is injectable for tests. Thread-safe.
class InProcessResponseCache final : public ResponseCache {
 public:
  using Clock = std::function<core::SteadyClock::time_point()>;
  explicit InProcessResponseCache(std::size_t max_entries = 10'000,
                                  std::size_t max_value_bytes = 64 * 1024, Clock clock = nullptr);

  boost::asio::awaitable<std::optional<std::string>> Get(int worker, std::string key) override;
  boost::asio::awaitable<void> Put(int worker, std::string key, std::string value,
                                   std::chrono::seconds ttl) override;

  // The same, synchronously (what the awaitables call).
  std::optional<std::string> Find(const std::string& key);
  void Store(std::string key, std::string value, std::chrono::seconds ttl);
  std::size_t size() const;

 private:
  struct Entry {
    std::string value;
    core::SteadyClock::time_point expires;
    std::list<std::string>::iterator order;
  };

  // Constant after construction.
  const std::size_t max_entries_;
  const std::size_t max_value_bytes_;
  const Clock clock_;

  mutable std::mutex mu_;
  // Guarded by mu_.
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> order_;  // most recently used first
};

// The cache key of a question: lowercase hex SHA-256 of the length-prefixed parts, so no
// two different (provider, model, prompt version, input) tuples can share a key by
// concatenation.
std::string CacheKey(std::string_view provider, std::string_view model,
                     std::string_view prompt_version, std::string_view normalized_input);

}  // namespace onboardd::ai
