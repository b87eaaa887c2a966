// TokenCache: a FIFO-bounded hash map per shard; tokens are short-lived, so recency matters
// less than a hard bound.
#include "auth/token_cache.hpp"

#include <cstring>
#include <iterator>

namespace onboardd::auth {

std::size_t TokenCache::DigestHash::operator()(const Sha256Digest& d) const {
  std::size_t h;
  std::memcpy(&h, d.data() + 8, sizeof(h));  // already uniformly distributed
  return h;
}

TokenCache::TokenCache(std::size_t capacity)
    : per_shard_capacity_(capacity == 0 ? 0 : (capacity + kShards - 1) / kShards) {}

std::optional<Identity> TokenCache::Find(const Sha256Digest& digest, std::int64_t now) {
  if (per_shard_capacity_ == 0) return std::nullopt;
  Shard& shard = ShardFor(digest);
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(digest);
  if (it == shard.entries.end()) return std::nullopt;
  if (it->second.valid_until <= now) {
    shard.order.erase(it->second.order);
    shard.entries.erase(it);
    return std::nullopt;
  }
  return it->second.identity;
}

void TokenCache::Insert(const Sha256Digest& digest, Identity identity, std::int64_t valid_until) {
  if (per_shard_capacity_ == 0) return;
  Shard& shard = ShardFor(digest);
  std::lock_guard lock(shard.mu);
  if (auto it = shard.entries.find(digest); it != shard.entries.end()) {
    it->second.identity = std::move(identity);
    it->second.valid_until = valid_until;
    return;
  }
  while (shard.entries.size() >= per_shard_capacity_) {
    // The oldest insertion is also the likeliest to have expired.
    auto oldest = shard.entries.find(shard.order.front());
    shard.entries.erase(oldest);
    shard.order.pop_front();
  }
  shard.order.push_back(digest);
  shard.entries.emplace(digest,
                        Entry{std::move(identity), valid_until, std::prev(shard.order.end())});
}

std::size_t TokenCache::size() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.entries.size();
  }
  return total;
}

}  // namespace onboardd::auth
