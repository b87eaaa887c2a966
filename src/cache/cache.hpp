// The two-layer cache of SPEC §6: in-process (LocalCache, per I/O thread) in front of Redis
// (shared by every onboardd instance), in front of a loader (the database, an AI provider).
// GetOrLoad answers from the first layer that has a servable value and says which one did;
// Invalidate is what a write calls after its commit and before it answers.
//
// What is guaranteed, and how:
//  * Single flight per key PER I/O THREAD: concurrent misses for one key on one worker share
//    one load (joiners get the leader's answer, error included). Different workers (and
//    different instances) may load the same key concurrently. A flight that started before
//    an invalidation of its key is never joined by a request that arrives after it.
//  * Early refresh: a local hit past its entry's refresh point (≈ refresh_ahead × local TTL,
//    jittered per entry) answers at once and refreshes in the background (Redis first, then
//    the loader); a Redis hit in the last (1 - refresh_ahead) of its TTL triggers a
//    background reload with a probability that grows from 0 to 1 across that window
//    (probabilistic early expiration), so a hot key is reloaded about once before it
//    expires instead of missing everywhere at once.
//  * Invalidate(key): the local layer misses at once on every worker (a lock-free generation
//    bump, LocalCache); then, in one MULTI/EXEC round trip (both or neither), Redis gets a
//    new random generation for the key (every stored value was tagged with the generation current
//    when its load began: see stored_value.hpp) and a message on <prefix>invalidations tells other
//    instances to bump their local generation. A lost message cannot make Redis serve old data (the
//    generation in Redis decides); it can only leave another instance's local copy alive,
//    which is why the local layer is trusted only while this instance's subscription is up.
//    A message that has reached this instance's subscribed socket but that its thread has
//    not read yet (busy with other work) would leave the local copy alive a little longer,
//    past the writer's answer: so a local hit is only served while nothing waits unread on
//    that socket (UnreadBytesProbe, one ioctl); else the read goes to Redis.
//  * Subscription lost (Redis down, restarted, stalled past the heartbeat, link broken):
//    the local layer is emptied (InvalidateAll) and neither layer is used — answers come
//    from the loader — until the subscriber is back. Then, if the subscription had been lost
//    (or Redis was unreachable at start), a new random epoch is written before the shared
//    layers are used again, so that nothing stored before the outage is served by anyone:
//    another instance may have committed a write it could not announce.
//  * Invalidation that could not reach Redis: remembered (up to max_pending_invalidations
//    keys; past that, one "new epoch" replaces them all) and replayed by the subscriber's
//    worker as soon as it has a connection. While any is pending this instance does not
//    read Redis (its local layer was bumped at once, so it never serves the old value).
//  * FLUSHALL, a restart without persistence, evicted or expired generation keys: a missing
//    epoch or generation is a miss, and the reader installs fresh random ones (SET NX)
//    before loading, so nothing tagged before can match again.
//  * Redis configured but down or slow: calls fail fast while the connection is down
//    (RedisConnection), a stalled server costs at most one command timeout per connection
//    before it is dropped, and every such case answers from the loader with no error.
//    Redis back: used again as soon as the subscriber has resubscribed (reconnect backoff
//    ≤ backoff_max) and the epoch is renewed.
//  * No Redis configured: local layer only; Invalidate is local (one instance).
//
// What is NOT guaranteed (the limits of invalidation by messages):
//  * Another instance's local copy may be served for the time a message takes to arrive
//    (normally well under a millisecond) and, when Redis stalls without closing its
//    connections, until the subscriber's heartbeat notices (heartbeat interval + timeout,
//    1.5 s by default). Keep local TTLs short for data that cannot tolerate that.
//  * If only the writing instance loses Redis (a partition), other instances keep serving
//    the value it could not invalidate until it reconnects and replays, or the value's TTL
//    ends. Nobody else can know. Deferred invalidations live in memory: an instance that
//    exits before Redis is back loses them (instances that saw the same outage renew the
//    epoch anyway; only the partition case is exposed, again up to the value's TTL).
//  * Redis Cluster: one endpoint only (no MOVED/ASK), and the lookup's MGET spans keys of
//    different slots. Use a single primary (with replicas/Sentinel behind one address).
//
// Thread-safety: GetOrLoad and Invalidate on worker w's thread only, with w's index. The
// wiring calls (Attach/Detach, subscriber events) as documented on each. Everything shared
// between workers is atomic or (only for deferred invalidations) under a mutex.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cache/local_cache.hpp"
#include "cache/redis_client.hpp"
#include "cache/stored_value.hpp"
#include "core/result.hpp"

namespace onboardd::cache {

// Which layer answered.
enum class Layer { kLocal, kRedis, kLoader };
std::string_view LayerName(Layer layer);  // "local", "redis", "loader"

struct Loaded {
  std::string value;
  Layer layer = Layer::kLoader;
};

// Produces the value on a miss, on the calling worker's thread. The Loader object outlives
// each of its calls (a lambda coroutine may capture), but it may run after the GetOrLoad
// that supplied it has returned (early refresh, in the background), so it must own what it
// captures (by value, or shared_ptr) and carry its own deadline.
using Loader = std::function<boost::asio::awaitable<core::Result<std::string>>()>;

// A family of cached values ("status", "ai"): its TTLs and its metric label. Construct once
// at start-up (it registers its metrics), then pass by value; cheap to copy.
class Keyspace {
 public:
  struct Policy {
    std::chrono::milliseconds ttl{60'000};       // in Redis
    std::chrono::milliseconds local_ttl{5'000};  // in process; 0: no local layer
    // Fraction of a TTL after which a hit also refreshes; >= 1 disables early refresh.
    double refresh_ahead = 0.8;
  };
  // `name`: letters, digits, '_' (it is part of keys and a metric label).
  Keyspace(std::string name, Policy policy);

  const std::string& name() const { return name_; }
  const Policy& policy() const { return policy_; }

  struct Metrics;  // counters resolved once, in cache.cpp

 private:
  friend class Cache;
  std::string name_;
  Policy policy_;
  const Metrics* metrics_;
};

struct CacheOptions {
  std::string prefix = "onboardd:";  // of every Redis key and of the channel
  std::string instance_id;           // tells this instance's messages apart; empty: random
  LocalCacheOptions local;           // `workers` is set by the Cache
  std::size_t max_pending_invalidations = 10'000;
  // Generations outlive values (a vanished generation only costs a miss).
  std::chrono::milliseconds generation_ttl{24 * 3'600'000};
  // Retry of deferred invalidations while Redis is unreachable.
  std::chrono::milliseconds replay_backoff_min{20};
  std::chrono::milliseconds replay_backoff_max{1000};
  int subscriber_worker = 0;  // the worker that hosts the subscriber and replays
};

class Cache {
 public:
  enum class Invalidation {
    kLocalOnly,   // no Redis configured: this instance is the only one
    kPropagated,  // Redis has the new generation; the message is published
    kDeferred,    // Redis unreachable: remembered, replayed when it is back (see above)
  };

  // `redis_configured`: whether a Redis URL was given (then the shared layers are used
  // once the subscriber reports kSubscribed). Any thread, before the workers start.
  Cache(CacheOptions options, int workers, bool redis_configured);
  ~Cache();
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  // --- wiring (CacheSystem does this) ---
  // On worker w's thread before it serves; `redis` (w's connection, may be null) must
  // outlive DetachWorker(w).
  void AttachWorker(int worker, boost::asio::io_context& io, RedisConnection* redis);
  // On worker w's thread (its io_context may have stopped). Background work of w ends.
  void DetachWorker(int worker);
  // The subscriber's handlers, on the subscriber worker's thread.
  void OnSubscriberEvent(RedisSubscriber::Event event);
  void OnMessage(std::string_view channel, std::string_view message);
  // "<prefix>invalidations": what the subscriber subscribes to.
  const std::string& channel() const { return channel_; }
  // Pointed by the subscriber at its socket (CacheSystem): while bytes wait there unread
  // (another instance's invalidation, maybe), the local layer is not trusted.
  std::shared_ptr<UnreadBytesProbe> invalidation_probe() const { return invalidations_; }

  // --- use ---
  // The value of `key` in `space`, from the first layer that has a servable one, else
  // from `loader` (whose result is then stored in both layers). Failures: only the loader's
  // own errors, passed through (and not cached); Redis trouble is never an error here.
  boost::asio::awaitable<core::Result<Loaded>> GetOrLoad(int worker, Keyspace space,
                                                         std::string key, Loader loader);

  // Call after committing a write that changes what `key` would load, before answering.
  // When it returns, no worker of this instance serves the old value; see the header
  // comment for other instances. Never fails; the outcome is for metrics and tests. Takes
  // at most one command timeout.
  boost::asio::awaitable<Invalidation> Invalidate(int worker, Keyspace space, std::string key);

  // Any thread: whether the shared layers are in use (subscribed and recovered), and how
  // many invalidations wait for Redis (an owed epoch counts as one).
  bool shared_ready() const { return shared_ready_.load(std::memory_order_acquire); }
  std::size_t pending_invalidations() const {
    return pending_count_.load(std::memory_order_acquire);
  }
  bool redis_configured() const { return redis_configured_; }

 private:
  struct Worker;
  struct Flight;
  enum class FillMode { kForeground, kBackground, kReload };
  struct Filled {
    core::Result<Loaded> result;
    bool reload_due = false;  // a Redis hit whose probabilistic early refresh fired
  };

  boost::asio::awaitable<Filled> Fill(int worker, Keyspace space, std::string id, Loader loader,
                                      FillMode mode, LocalCache::Stamp stamp);
  boost::asio::awaitable<core::Result<Loaded>> Lead(int worker, Keyspace space, std::string id,
                                                    Loader loader, FillMode mode);
  // SET NX a fresh epoch and generation (when missing) and read back the current ones.
  boost::asio::awaitable<std::optional<Tags>> InstallTags(int worker, std::string id);
  void StartRefresh(int worker, const Keyspace& space, const std::string& id, const Loader& loader,
                    FillMode mode);
  void Defer(const std::string& id);
  void KickReplay();
  boost::asio::awaitable<void> Replay();
  void UpdatePendingCount();  // under pending_mu_

  std::string ValueKey(std::string_view id) const;
  std::string GenerationKey(std::string_view id) const;

  // Constant after construction.
  const CacheOptions options_;
  const bool redis_configured_;
  const std::string instance_id_;
  const std::string channel_;
  const std::string epoch_key_;

  // Any thread.
  LocalCache local_;
  std::atomic<bool> shared_ready_{false};
  const std::shared_ptr<UnreadBytesProbe> invalidations_ = std::make_shared<UnreadBytesProbe>();
  std::atomic<std::size_t> pending_count_{0};
  std::atomic<boost::asio::io_context*> subscriber_io_{nullptr};

  // Under pending_mu_: invalidations that did not reach Redis, and owed epoch bumps.
  std::mutex pending_mu_;
  std::unordered_map<std::string, std::uint64_t> pending_;  // id → sequence of its last deferral
  std::uint64_t pending_sequence_ = 0;
  std::uint64_t epoch_requested_ = 0;
  std::uint64_t epoch_done_ = 0;

  // workers_[w]: worker w's thread only.
  std::vector<std::unique_ptr<Worker>> workers_;

  // The subscriber worker's thread only.
  bool subscribed_ = false;
  bool outage_seen_ = false;  // Redis was unreachable or the subscription broke, ever
  bool awaiting_ready_ = false;
  bool replaying_ = false;
};

}  // namespace onboardd::cache
