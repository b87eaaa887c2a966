// The shared AI quota counter (see shared_quota_counter.hpp): a key and a translation.
#include "ai/shared_quota_counter.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace onboardd::ai {

namespace asio = boost::asio;

namespace {

int Clamp(std::int64_t value) {
  return static_cast<int>(std::clamp<std::int64_t>(value, 0, std::numeric_limits<int>::max()));
}

}  // namespace

std::string SharedQuotaCounter::LimiterKey(const std::string& user, const std::string& feature) {
  return "ai:" + feature + ":" + user;
}

Quota ToQuota(const cache::RateDecision& decision, int limit) {
  Quota quota;
  quota.allowed = decision.allowed;
  quota.limit = limit;
  quota.remaining = Clamp(decision.remaining);
  quota.reset_epoch = decision.reset_epoch_seconds;
  quota.retry_after_seconds =
      decision.allowed ? 0 : std::max(1, Clamp(decision.retry_after_seconds));
  return quota;
}

asio::awaitable<Quota> SharedQuotaCounter::Take(int worker, std::string user, std::string feature,
                                                int limit, std::chrono::seconds window) {
  std::string key = LimiterKey(user, feature);
  const cache::RateDecision decision =
      co_await limiter_.Allow(worker, std::move(key), limit, window);
  co_return ToQuota(decision, limit);
}

asio::awaitable<Quota> SharedQuotaCounter::Peek(int worker, std::string user, std::string feature,
                                                int limit, std::chrono::seconds window) {
  std::string key = LimiterKey(user, feature);
  const cache::RateDecision decision =
      co_await limiter_.Peek(worker, std::move(key), limit, window);
  co_return ToQuota(decision, limit);
}

std::shared_ptr<QuotaCounter> MakeQuotaCounter(cache::CacheSystem* caches) {
  if (caches == nullptr || !caches->redis_configured()) {
    return std::make_shared<InProcessQuotaCounter>();
  }
  return std::make_shared<SharedQuotaCounter>(caches->rate_limiter());
}

}  // namespace onboardd::ai
