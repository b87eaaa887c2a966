// What the cache stores in Redis and how a read decides whether it may be served: pure
// functions, no I/O, unit-tested.
//
// Every key has a generation in Redis (g:<key>) and the whole cache has an epoch (epoch);
// both are random 64-bit numbers written as decimal text. A value (v:<key>) is stored with
// the epoch and generation that were current when its load BEGAN, and a read — one MGET of
// epoch, generation and value — serves it only while both still match. An invalidation
// sets a new random generation; an "invalidate everything" sets a new random epoch.
//
// Why random and not INCR: a counter restarts from nothing when its key vanishes (FLUSHALL,
// a restart without persistence, expiry, eviction), and a slow loader holding the old
// number "3" could then write its old value under a new, equal "3" and be served. A random
// generation is never reused (2^-64), so a missing key is just a miss: the reader installs a
// fresh generation (SET NX) before loading and everything tagged earlier stays unservable.
// The same tagging defeats the classic race of a slow reader writing back a value it read
// before an invalidation: the invalidation changed the generation, so the write-back is dead
// on arrival.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onboardd::cache {

// The epoch and generation a value was (or will be) computed at.
struct Tags {
  std::string epoch;
  std::string generation;
  bool operator==(const Tags&) const = default;
};

struct StoredValue {
  Tags tags;
  std::int64_t refresh_at_ms = 0;  // Unix ms: from here on a hit also refreshes (early refresh)
  std::int64_t expires_at_ms = 0;  // Unix ms: what the PX expiry will do in Redis
  std::string payload;
};

// "v1|<epoch>|<generation>|<refresh_at_ms>|<expires_at_ms>|<payload>" (payload: any bytes).
std::string EncodeStoredValue(const StoredValue& value);
// nullopt for anything not written by EncodeStoredValue (another version, garbage).
std::optional<StoredValue> DecodeStoredValue(std::string_view bytes);

// The three answers of MGET epoch g:<key> v:<key> (nullopt = nil).
struct RedisView {
  std::optional<std::string> epoch;
  std::optional<std::string> generation;
  std::optional<std::string> value;
};

struct Verdict {
  // Set when the value may be served.
  std::optional<StoredValue> hit;
  // Set when epoch and generation exist: the tags to store a freshly loaded value with.
  // Unset: the reader must install them first (SET NX both, read them back).
  std::optional<Tags> current;
};

// A value is served only when it decodes and its tags equal the current epoch and
// generation (both present).
Verdict Judge(const RedisView& view);

// A fresh random epoch or generation (64 bits from a per-thread generator seeded by the
// system's entropy).
std::string RandomTag();

}  // namespace onboardd::cache
