// The in-process response cache and the cache key (see response_cache.hpp).
#include "ai/response_cache.hpp"

#include "auth/jwt_verifier.hpp"

namespace onboardd::ai {

InProcessResponseCache::InProcessResponseCache(std::size_t max_entries, std::size_t max_value_bytes,
                                               Clock clock)
    : max_entries_(max_entries == 0 ? 1 : max_entries),
      max_value_bytes_(max_value_bytes),
      clock_(clock ? std::move(clock) : Clock([] { return core::SteadyClock::now(); })) {}

std::optional<std::string> InProcessResponseCache::Find(const std::string& key) {
  const auto now = clock_();
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    order_.erase(it->second.order);
    entries_.erase(it);
    return std::nullopt;
  }
  order_.splice(order_.begin(), order_, it->second.order);
  return it->second.value;
}

void InProcessResponseCache::Store(std::string key, std::string value, std::chrono::seconds ttl) {
  if (value.size() > max_value_bytes_ || ttl.count() <= 0) return;
  const auto expires = clock_() + ttl;
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    it->second.value = std::move(value);
    it->second.expires = expires;
    order_.splice(order_.begin(), order_, it->second.order);
    return;
  }
  while (entries_.size() >= max_entries_) {
    entries_.erase(order_.back());
    order_.pop_back();
  }
  order_.push_front(key);
  entries_.emplace(std::move(key), Entry{std::move(value), expires, order_.begin()});
}

std::size_t InProcessResponseCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

boost::asio::awaitable<std::optional<std::string>> InProcessResponseCache::Get(int,
                                                                               std::string key) {
  co_return Find(key);
}

boost::asio::awaitable<void> InProcessResponseCache::Put(int, std::string key, std::string value,
                                                         std::chrono::seconds ttl) {
  Store(std::move(key), std::move(value), ttl);
  co_return;
}

std::string CacheKey(std::string_view provider, std::string_view model,
                     std::string_view prompt_version, std::string_view normalized_input) {
  std::string material;
  for (std::string_view part : {provider, model, prompt_version, normalized_input}) {
    material += std::to_string(part.size());
    material.push_back(':');
    material.append(part);
  }
  const auto digest = auth::Sha256(material);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (unsigned char byte : digest) {
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0xF]);
  }
  return out;
}

}  // namespace onboardd::ai
