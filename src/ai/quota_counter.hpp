// Per-user AI quotas (SPEC §4.5: suggest 20, validate 30, complete 15 per hour, from the
// catalog's rateLimits). The interface is what the routes depend on; InProcessQuotaCounter
// is the implementation of this process (one instance serves every I/O thread, so a user's
// quota holds across threads), and SharedQuotaCounter (shared_quota_counter.hpp, over
// cache::RateLimiter) plugs in behind the same interface so that it holds across instances
// too. MakeQuotaCounter picks one: shared when Redis is configured.
//
// Windows are fixed. InProcessQuotaCounter's start with a key's first call: the first Take
// opens a window of `window` seconds, calls inside it count, and the count starts again once
// it has passed. SharedQuotaCounter's are aligned to the Unix epoch (an hourly quota resets
// on the hour) and it also counts refused calls, which callers cannot tell apart (remaining
// stays 0, the reset does not move) unless the limit is raised mid-window.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace onboardd::ai {

struct Quota {
  bool allowed = true;  // Take: this call was counted; Peek: a call now would be
  int limit = 0;
  int remaining = 0;             // calls left in the window after this one (Take) / now (Peek)
  std::int64_t reset_epoch = 0;  // when the window ends, in epoch seconds (X-RateLimit-Reset)
  int retry_after_seconds = 0;   // 0 when allowed; else seconds until the reset, ≥ 1
};

class QuotaCounter {
 public:
  virtual ~QuotaCounter() = default;
  // Counts one call of `user` to `feature` ("ai.suggest") against `limit` per `window`, unless
  // the limit is reached (then allowed is false; InProcessQuotaCounter counts nothing,
  // SharedQuotaCounter counts the refused call too — see above). Runs on the request's I/O
  // thread, `worker`. Never fails: an implementation that cannot reach its store decides
  // itself (and documents) whether to allow (SharedQuotaCounter: counts in process).
  virtual boost::asio::awaitable<Quota> Take(int worker, std::string user, std::string feature,
                                             int limit, std::chrono::seconds window) = 0;
  // The same quota without counting (GET routes report the caller's remaining calls).
  virtual boost::asio::awaitable<Quota> Peek(int worker, std::string user, std::string feature,
                                             int limit, std::chrono::seconds window) = 0;
};

// Fixed windows in a map behind one mutex. Bounded: at most `max_keys` (user, feature)
// windows; when full, expired windows are dropped first, then the one that ends soonest.
// (Dropping a live window forgets its count: an instance with more than max_keys users
// active in one hour under-counts, never over-counts.) The clock (epoch seconds) is
// injectable for tests. Thread-safe.
class InProcessQuotaCounter final : public QuotaCounter {
 public:
  using EpochClock = std::function<std::int64_t()>;
  explicit InProcessQuotaCounter(std::size_t max_keys = 100'000, EpochClock clock = nullptr);

  boost::asio::awaitable<Quota> Take(int worker, std::string user, std::string feature, int limit,
                                     std::chrono::seconds window) override;
  boost::asio::awaitable<Quota> Peek(int worker, std::string user, std::string feature, int limit,
                                     std::chrono::seconds window) override;

  // The same, synchronously (what the awaitables call).
  Quota TakeNow(const std::string& user, const std::string& feature, int limit,
                std::chrono::seconds window);
  Quota PeekNow(const std::string& user, const std::string& feature, int limit,
                std::chrono::seconds window);
  std::size_t size() const;

 private:
  struct Window {
    std::int64_t ends = 0;  // epoch seconds
    int used = 0;
  };
  Quota Count(const std::string& user, const std::string& feature, int limit,
              std::chrono::seconds window, bool take);
  void MakeRoom(std::int64_t now);  // with mu_ held

  // Constant after construction.
  const std::size_t max_keys_;
  const EpochClock clock_;

  mutable std::mutex mu_;
  // Guarded by mu_. Key: user + '\n' + feature.
  std::map<std::string, Window, std::less<>> windows_;
};

}  // namespace onboardd::ai
