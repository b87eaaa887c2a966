// The verified-token cache: SHA-256 of the token → the identity it proved, until the token
// expires. It saves the signature check (~56 µs for ES256) on every request after the
// first. Bounded, sharded by the digest's first byte so I/O threads rarely contend.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "auth/identity.hpp"
#include "auth/jwt_verifier.hpp"

namespace onboardd::auth {

class TokenCache {
 public:
  // At most `capacity` entries in all (0 disables the cache: Find always misses).
  explicit TokenCache(std::size_t capacity);

  // The identity stored for `digest` if its validity (`valid_until`, Unix seconds) is still
  // after `now`; expired entries are dropped on the way. Thread-safe.
  std::optional<Identity> Find(const Sha256Digest& digest, std::int64_t now);
  // Stores or replaces; when the shard is full, its oldest insertion (the likeliest to have
  // expired) makes room. Thread-safe.
  void Insert(const Sha256Digest& digest, Identity identity, std::int64_t valid_until);

  std::size_t size() const;

 private:
  struct DigestHash {
    std::size_t operator()(const Sha256Digest& d) const;
  };
  struct Entry {
    Identity identity;
    std::int64_t valid_until;
    std::list<Sha256Digest>::iterator order;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<Sha256Digest, Entry, DigestHash> entries;
    std::list<Sha256Digest> order;  // insertion order, oldest first
  };
  static constexpr std::size_t kShards = 16;

  Shard& ShardFor(const Sha256Digest& digest) { return shards_[digest[0] % kShards]; }

  // Constant after construction.
  const std::size_t per_shard_capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace onboardd::auth
