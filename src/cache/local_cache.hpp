// The in-process layer of the cache (SPEC §6): one bounded LRU map per I/O thread, touched
// only by that thread, so reads take no lock and share no cache line with other threads.
// What makes per-thread copies coherent is a process-wide table of atomic generations: a
// key hashes to one of `generation_slots` slots; an entry remembers the slot's generation
// (and the global epoch) as they were when its load *began*, and is valid only while both
// are unchanged. Invalidate(key) bumps the slot — synchronous and lock-free — so the next
// Find for that key on ANY thread misses; InvalidateAll() bumps the epoch. Taking the stamp
// before the load defeats the race where a load that read old data finishes after an
// invalidation and stores it: its stamp is already stale, so the entry is never served.
// Two keys sharing a slot only cost each other an extra miss.
//
// Thread-safety: Snapshot, Invalidate and InvalidateAll from any thread. Find, Insert and
// the size accessors of worker w only on worker w's thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"

namespace onboardd::cache {

struct LocalCacheOptions {
  int workers = 1;
  // Per worker; past either bound the least recently used entries are evicted.
  std::size_t max_entries_per_worker = 10'000;
  std::size_t max_bytes_per_worker = 16 * 1024 * 1024;  // SPEC §9: RSS ≤ 256 MB in all
  // Rounded up to a power of two. 64K slots = 512 KiB for the whole process.
  std::size_t generation_slots = 65'536;
};

class LocalCache {
 public:
  // What was current for a key when its load began.
  struct Stamp {
    std::uint32_t slot = 0;
    std::uint64_t generation = 0;
    std::uint64_t epoch = 0;
  };
  struct Entry {
    std::string value;
    core::Deadline expires_at;
    core::Deadline refresh_at;  // early refresh is due from here on (see cache.hpp)
  };

  explicit LocalCache(LocalCacheOptions options);
  ~LocalCache();
  LocalCache(const LocalCache&) = delete;
  LocalCache& operator=(const LocalCache&) = delete;

  // Call before loading the value that will be inserted for `key`. Any thread.
  Stamp Snapshot(std::string_view key) const;

  // Whether nothing invalidated the key (or everything) since `stamp` was taken. Any thread.
  bool IsCurrent(const Stamp& stamp) const;

  // The entry for `key` if it exists, has not expired at `now` and its stamp is still
  // current; otherwise null (and a stale or expired entry is dropped). The pointer is valid
  // until the next call on this worker; the caller may move its refresh_at. Worker w's
  // thread only.
  Entry* Find(int worker, std::string_view key, core::Deadline now);

  // Stores (or replaces) the entry unless `stamp` is no longer current (then it would never
  // be served: nothing is stored and false is returned). Evicts least recently used entries
  // past the bounds; a single value larger than the byte bound is not stored. Worker w's
  // thread only.
  bool Insert(int worker, std::string key, std::string value, Stamp stamp,
              core::Deadline expires_at, core::Deadline refresh_at);

  // Every entry for `key`, on every worker, misses from now on. Any thread; lock-free.
  void Invalidate(std::string_view key);
  // Every entry misses from now on. Any thread; lock-free.
  void InvalidateAll();

  // Worker w's thread only (tests and metrics).
  std::size_t size(int worker) const;
  std::size_t bytes(int worker) const;

 private:
  struct Node {
    std::string key;
    Entry entry;
    Stamp stamp;
    std::size_t bytes = 0;
  };
  struct Shard {
    std::list<Node> lru;  // most recently used first
    std::unordered_map<std::string_view, std::list<Node>::iterator> index;  // views into lru
    std::size_t bytes = 0;
  };

  std::uint32_t SlotOf(std::string_view key) const;
  void Erase(Shard& shard, std::list<Node>::iterator it);

  // Constant after construction.
  const LocalCacheOptions options_;
  const std::uint32_t slot_mask_;

  // Any thread (atomics).
  std::unique_ptr<std::atomic<std::uint64_t>[]> generations_;
  std::atomic<std::uint64_t> epoch_{0};

  // shards_[w]: worker w's thread only. Each on its own allocation (no false sharing).
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace onboardd::cache
