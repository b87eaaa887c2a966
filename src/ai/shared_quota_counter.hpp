// AI quotas shared by every instance: the QuotaCounter of quota_counter.hpp over
// cache::RateLimiter, so that a user's 20 suggestions an hour are 20 across the fleet, not
// 20 per instance. While Redis is unreachable the limiter counts in process (each instance
// then allows the limit on its own, onboardd_rate_limit_fallbacks_total), and shares again
// once it is back; a quota never fails and never blocks longer than one command timeout.
//
// How it differs from InProcessQuotaCounter (quota_counter.hpp says the same):
//   - windows are aligned to the Unix epoch (an hourly quota resets on the hour), not opened
//     by a key's first call; as with any fixed window, up to twice the limit can pass
//     around a boundary;
//   - a refused Take is counted too (INCR is unconditional: one atomic round trip). The
//     caller sees no difference — remaining stays 0 and the window's end does not move —
//     except that a limit raised mid-window (a new catalog) starts from the counted total.
#pragma once

#include <memory>
#include <string>

#include "ai/quota_counter.hpp"
#include "cache/cache_system.hpp"
#include "cache/rate_limiter.hpp"

namespace onboardd::ai {

// Keys: RateLimiter's "ai:<feature>:<user>", so in Redis
// <REDIS_PREFIX>rl:ai:<feature>:<user>:<window start>. `limiter` must outlive this object's
// last Take or Peek.
//
// Thread-safety: Take and Peek on worker `worker`'s I/O thread (RateLimiter's rule).
class SharedQuotaCounter final : public QuotaCounter {
 public:
  explicit SharedQuotaCounter(cache::RateLimiter& limiter) : limiter_(limiter) {}

  // RateLimiter::Allow: counts this call (allowed or not); `remaining` after it.
  boost::asio::awaitable<Quota> Take(int worker, std::string user, std::string feature, int limit,
                                     std::chrono::seconds window) override;
  // RateLimiter::Peek: counts nothing; `remaining` now, `allowed` whether a call now would be.
  boost::asio::awaitable<Quota> Peek(int worker, std::string user, std::string feature, int limit,
                                     std::chrono::seconds window) override;

  static std::string LimiterKey(const std::string& user, const std::string& feature);

 private:
  cache::RateLimiter& limiter_;  // not owned
};

// The limiter's decision in Quota's terms.
Quota ToQuota(const cache::RateDecision& decision, int limit);

// What `onboardd serve` hands to the AI routes: a SharedQuotaCounter over
// caches->rate_limiter() when `caches` has a Redis URL, else an InProcessQuotaCounter (its
// windows start with a user's first call, refused calls are not counted). `caches` may be
// null.
std::shared_ptr<QuotaCounter> MakeQuotaCounter(cache::CacheSystem* caches);

}  // namespace onboardd::ai
