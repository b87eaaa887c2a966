// LRU per worker (a list for recency, a hash index of views into it) plus the shared
// generation table. Reads cost one hash, one index probe and two atomic loads.
#include "cache/local_cache.hpp"

#include <bit>
#include <functional>

namespace onboardd::cache {
namespace {

// What an entry costs beyond its key and value: list node, index slot, bookkeeping.
constexpr std::size_t kEntryOverhead = 128;

}  // namespace

LocalCache::LocalCache(LocalCacheOptions options)
    : options_(options),
      slot_mask_(static_cast<std::uint32_t>(
          std::bit_ceil(std::max<std::size_t>(options.generation_slots, 1)) - 1)),
      generations_(new std::atomic<std::uint64_t>[slot_mask_ + 1]) {
  for (std::size_t i = 0; i <= slot_mask_; ++i) generations_[i].store(0, std::memory_order_relaxed);
  for (int w = 0; w < std::max(options_.workers, 1); ++w) {
    shards_.push_back(std::make_unique<Shard>());
  }
}

LocalCache::~LocalCache() = default;

std::uint32_t LocalCache::SlotOf(std::string_view key) const {
  return static_cast<std::uint32_t>(std::hash<std::string_view>{}(key)) & slot_mask_;
}

LocalCache::Stamp LocalCache::Snapshot(std::string_view key) const {
  Stamp stamp;
  stamp.slot = SlotOf(key);
  // Epoch first: an InvalidateAll between the two loads then makes the stamp stale, never
  // current for data older than it.
  stamp.epoch = epoch_.load(std::memory_order_acquire);
  stamp.generation = generations_[stamp.slot].load(std::memory_order_acquire);
  return stamp;
}

bool LocalCache::IsCurrent(const Stamp& stamp) const {
  return generations_[stamp.slot].load(std::memory_order_acquire) == stamp.generation &&
         epoch_.load(std::memory_order_acquire) == stamp.epoch;
}

void LocalCache::Erase(Shard& shard, std::list<Node>::iterator it) {
  shard.bytes -= it->bytes;
  shard.index.erase(std::string_view(it->key));
  shard.lru.erase(it);
}

LocalCache::Entry* LocalCache::Find(int worker, std::string_view key, core::Deadline now) {
  Shard& shard = *shards_[worker];
  auto found = shard.index.find(key);
  if (found == shard.index.end()) return nullptr;
  auto it = found->second;
  if (now >= it->entry.expires_at || !IsCurrent(it->stamp)) {
    Erase(shard, it);
    return nullptr;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, it);
  return &it->entry;
}

bool LocalCache::Insert(int worker, std::string key, std::string value, Stamp stamp,
                        core::Deadline expires_at, core::Deadline refresh_at) {
  if (!IsCurrent(stamp) || options_.max_entries_per_worker == 0) return false;
  const std::size_t cost = key.size() + value.size() + kEntryOverhead;
  if (cost > options_.max_bytes_per_worker) return false;
  Shard& shard = *shards_[worker];
  if (auto found = shard.index.find(key); found != shard.index.end()) Erase(shard, found->second);
  while (!shard.lru.empty() && (shard.lru.size() >= options_.max_entries_per_worker ||
                                shard.bytes + cost > options_.max_bytes_per_worker)) {
    Erase(shard, std::prev(shard.lru.end()));
  }
  shard.lru.push_front(
      Node{std::move(key), Entry{std::move(value), expires_at, refresh_at}, stamp, cost});
  shard.index.emplace(std::string_view(shard.lru.front().key), shard.lru.begin());
  shard.bytes += cost;
  return true;
}

void LocalCache::Invalidate(std::string_view key) {
  generations_[SlotOf(key)].fetch_add(1, std::memory_order_acq_rel);
}

void LocalCache::InvalidateAll() { epoch_.fetch_add(1, std::memory_order_acq_rel); }

std::size_t LocalCache::size(int worker) const { return shards_[worker]->lru.size(); }
std::size_t LocalCache::bytes(int worker) const { return shards_[worker]->bytes; }

}  // namespace onboardd::cache
