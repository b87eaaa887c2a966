// The in-process quota counter (see quota_counter.hpp).
#include "ai/quota_counter.hpp"

#include <algorithm>

namespace onboardd::ai {

InProcessQuotaCounter::InProcessQuotaCounter(std::size_t max_keys, EpochClock clock)
    : max_keys_(max_keys == 0 ? 1 : max_keys), clock_(clock ? std::move(clock) : EpochClock([] {
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      })) {}

void InProcessQuotaCounter::MakeRoom(std::int64_t now) {
  std::erase_if(windows_, [now](const auto& entry) { return entry.second.ends <= now; });
  while (windows_.size() >= max_keys_) {
    auto soonest = std::min_element(
        windows_.begin(), windows_.end(),
        [](const auto& a, const auto& b) { return a.second.ends < b.second.ends; });
    windows_.erase(soonest);
  }
}

Quota InProcessQuotaCounter::Count(const std::string& user, const std::string& feature, int limit,
                                   std::chrono::seconds window, bool take) {
  const std::int64_t now = clock_();
  const std::int64_t length = std::max<std::int64_t>(1, window.count());
  const std::string key = user + '\n' + feature;
  std::lock_guard lock(mu_);
  auto it = windows_.find(key);
  if (it != windows_.end() && it->second.ends <= now) {
    windows_.erase(it);
    it = windows_.end();
  }
  Window current = it == windows_.end() ? Window{now + length, 0} : it->second;
  Quota quota;
  quota.limit = limit;
  quota.reset_epoch = current.ends;
  quota.allowed = current.used < limit;
  if (take && quota.allowed) {
    ++current.used;
    if (it == windows_.end()) {
      MakeRoom(now);
      windows_.emplace(key, current);
    } else {
      it->second = current;
    }
  }
  quota.remaining = std::max(0, limit - current.used);
  if (!quota.allowed) {
    quota.retry_after_seconds = static_cast<int>(std::max<std::int64_t>(1, current.ends - now));
  }
  return quota;
}

Quota InProcessQuotaCounter::TakeNow(const std::string& user, const std::string& feature, int limit,
                                     std::chrono::seconds window) {
  return Count(user, feature, limit, window, true);
}

Quota InProcessQuotaCounter::PeekNow(const std::string& user, const std::string& feature, int limit,
                                     std::chrono::seconds window) {
  return Count(user, feature, limit, window, false);
}

std::size_t InProcessQuotaCounter::size() const {
  std::lock_guard lock(mu_);
  return windows_.size();
}

boost::asio::awaitable<Quota> InProcessQuotaCounter::Take(int, std::string user,
                                                          std::string feature, int limit,
                                                          std::chrono::seconds window) {
  co_return TakeNow(user, feature, limit, window);
}

boost::asio::awaitable<Quota> InProcessQuotaCounter::Peek(int, std::string user,
                                                          std::string feature, int limit,
                                                          std::chrono::seconds window) {
  co_return PeekNow(user, feature, limit, window);
}

}  // namespace onboardd::ai
