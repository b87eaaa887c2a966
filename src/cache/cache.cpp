// GetOrLoad: local layer → (single flight) → Redis (one MGET of epoch, generation, value)
// → loader → write-back (fire-and-forget SET, tagged with what the MGET saw). Invalidate:
// local bump → SET new generation + PUBLISH in one round trip → or defer. Replay and the
// subscriber's events run on the subscriber worker. The reasoning is in cache.hpp.
#include "cache/cache.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>

#include "cache/stored_value.hpp"
#include "observability/metrics.hpp"

namespace onboardd::cache {

namespace asio = boost::asio;
using Clock = core::SteadyClock;
using observability::Counter;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReplayBatch = 500;  // keys per replay round trip

std::int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double Uniform01() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

// Where in a TTL a fresh entry's refresh point goes: refresh_ahead, minus up to 10 % of
// the TTL at random so that copies made together do not refresh together.
std::chrono::milliseconds RefreshPoint(std::chrono::milliseconds ttl, double refresh_ahead) {
  if (refresh_ahead >= 1.0) return ttl;
  const double fraction = std::max(0.0, refresh_ahead - 0.1 * Uniform01());
  return std::chrono::milliseconds(static_cast<std::int64_t>(ttl.count() * fraction));
}

// Probabilistic early expiration: 0 at refresh_at, 1 at expiry, linear between.
bool RedisRefreshDue(const StoredValue& value, std::int64_t now_ms) {
  if (now_ms < value.refresh_at_ms) return false;
  if (value.expires_at_ms <= value.refresh_at_ms) return true;
  const double p = static_cast<double>(now_ms - value.refresh_at_ms) /
                   static_cast<double>(value.expires_at_ms - value.refresh_at_ms);
  return Uniform01() < p;
}

std::optional<std::string> TextOf(const RedisReply& reply) {
  if (reply.type == RedisReply::Type::kString || reply.type == RedisReply::Type::kStatus) {
    return reply.text;
  }
  return std::nullopt;
}

// MULTI ... EXEC: one round trip, and either every command ran or none did (a refused
// SET must not let its PUBLISH through: another instance would then drop its local copy
// and read a Redis value whose generation did not change).
std::vector<RedisCommand> Transaction(std::vector<RedisCommand> body) {
  std::vector<RedisCommand> commands;
  commands.reserve(body.size() + 2);
  commands.push_back(RedisCommand{"MULTI"});
  for (auto& command : body) commands.push_back(std::move(command));
  commands.push_back(RedisCommand{"EXEC"});
  return commands;
}

bool Committed(const core::Result<std::vector<RedisReply>>& replies) {
  if (!replies || replies->empty()) return false;
  for (const auto& reply : *replies) {
    if (reply.IsError()) return false;
  }
  const RedisReply& exec = replies->back();
  if (exec.type != RedisReply::Type::kArray) return false;  // nil: the transaction aborted
  for (const auto& reply : exec.elements) {
    if (reply.IsError()) return false;
  }
  return true;
}

struct CacheMetrics {
  Counter& invalidated_local;
  Counter& received;
  Counter& received_all;
  Counter& deferred;
  Counter& replayed;
  Counter& epochs;
  Counter& overflows;
  observability::Gauge& pending;
  observability::Gauge& ready;
};

CacheMetrics& Shared() {
  static CacheMetrics metrics = [] {
    auto& r = observability::Metrics();
    constexpr std::string_view kInvalidations = "onboardd_cache_invalidations_total";
    constexpr std::string_view kHelp =
        "Cache invalidations by source: local (a write here), remote (a message from another "
        "instance), remote_all (another instance renewed the epoch), deferred (Redis "
        "unreachable at write time), replayed (a deferred one delivered), epoch (this "
        "instance renewed the epoch).";
    return CacheMetrics{
        r.GetCounter(kInvalidations, kHelp, {{"source", "local"}}),
        r.GetCounter(kInvalidations, kHelp, {{"source", "remote"}}),
        r.GetCounter(kInvalidations, kHelp, {{"source", "remote_all"}}),
        r.GetCounter(kInvalidations, kHelp, {{"source", "deferred"}}),
        r.GetCounter(kInvalidations, kHelp, {{"source", "replayed"}}),
        r.GetCounter(kInvalidations, kHelp, {{"source", "epoch"}}),
        r.GetCounter("onboardd_cache_pending_overflows_total",
                     "Deferred invalidations replaced by one epoch renewal (memory full)."),
        r.GetGauge("onboardd_cache_pending_invalidations",
                   "Invalidations waiting for Redis (an owed epoch renewal counts as one)."),
        r.GetGauge("onboardd_cache_shared_ready",
                   "1 while the shared layers (Redis, and the local layer under it) are in use."),
    };
  }();
  return metrics;
}

}  // namespace

struct Keyspace::Metrics {
  Counter& local_hit;
  Counter& local_miss;
  Counter& redis_hit;
  Counter& redis_miss;
  Counter& load_ok;
  Counter& load_error;
  Counter& joins;
  Counter& refresh_local;
  Counter& refresh_redis;
  Counter& fallback_not_ready;
  Counter& fallback_pending;
  Counter& fallback_disconnected;
  Counter& fallback_error;
};

namespace {

const Keyspace::Metrics* MetricsFor(const std::string& name) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<Keyspace::Metrics>> known;
  std::lock_guard lock(mu);
  auto& slot = known[name];
  if (!slot) {
    auto& r = observability::Metrics();
    auto request = [&](const char* layer, const char* result) -> Counter& {
      return r.GetCounter("onboardd_cache_requests_total",
                          "Cache lookups by cache, layer (local, redis) and result (hit, miss).",
                          {{"cache", name}, {"layer", layer}, {"result", result}});
    };
    auto load = [&](const char* result) -> Counter& {
      return r.GetCounter("onboardd_cache_loads_total", "Loader calls by cache and result.",
                          {{"cache", name}, {"result", result}});
    };
    auto refresh = [&](const char* layer) -> Counter& {
      return r.GetCounter("onboardd_cache_early_refreshes_total",
                          "Background refreshes started before expiry, by the layer that hit.",
                          {{"cache", name}, {"layer", layer}});
    };
    auto fallback = [&](const char* reason) -> Counter& {
      return r.GetCounter(
          "onboardd_cache_redis_fallbacks_total",
          "Lookups that skipped Redis though it is configured: not_ready (subscription down "
          "or recovering), pending (invalidations wait for Redis), disconnected, error.",
          {{"cache", name}, {"reason", reason}});
    };
    slot.reset(new Keyspace::Metrics{
        request("local", "hit"), request("local", "miss"), request("redis", "hit"),
        request("redis", "miss"), load("ok"), load("error"),
        r.GetCounter("onboardd_cache_singleflight_joins_total",
                     "Misses that waited for a load already under way for the same key.",
                     {{"cache", name}}),
        refresh("local"), refresh("redis"), fallback("not_ready"), fallback("pending"),
        fallback("disconnected"), fallback("error")});
  }
  return slot.get();
}

}  // namespace

std::string_view LayerName(Layer layer) {
  switch (layer) {
    case Layer::kLocal:
      return "local";
    case Layer::kRedis:
      return "redis";
    case Layer::kLoader:
      return "loader";
  }
  return "loader";
}

Keyspace::Keyspace(std::string name, Policy policy)
    : name_(std::move(name)), policy_(policy), metrics_(nullptr) {
  if (name_.empty()) throw std::invalid_argument("Keyspace: empty name");
  for (char c : name_) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) throw std::invalid_argument("Keyspace: name must be letters, digits and '_'");
  }
  metrics_ = MetricsFor(name_);
}

struct Cache::Flight {
  Flight(asio::io_context& io, LocalCache::Stamp s)
      : done(io, Clock::time_point::max()), stamp(s) {}
  asio::steady_timer done;  // cancelled when `result` is set
  LocalCache::Stamp stamp;  // taken when the load began
  std::optional<core::Result<Loaded>> result;
};

struct Cache::Worker {
  asio::io_context* io = nullptr;
  RedisConnection* redis = nullptr;
  bool attached = false;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights;
};

Cache::Cache(CacheOptions options, int workers, bool redis_configured)
    : options_(std::move(options)),
      redis_configured_(redis_configured),
      instance_id_(options_.instance_id.empty() ? RandomTag() : options_.instance_id),
      channel_(options_.prefix + "invalidations"),
      epoch_key_(options_.prefix + "epoch"),
      local_([&] {
        LocalCacheOptions local = options_.local;
        local.workers = workers;
        return local;
      }()) {
  for (int w = 0; w < workers; ++w) workers_.push_back(std::make_unique<Worker>());
  if (options_.subscriber_worker < 0 || options_.subscriber_worker >= workers) {
    throw std::invalid_argument("Cache: subscriber_worker out of range");
  }
}

Cache::~Cache() = default;

std::string Cache::ValueKey(std::string_view id) const {
  return options_.prefix + "v:" + std::string(id);
}
std::string Cache::GenerationKey(std::string_view id) const {
  return options_.prefix + "g:" + std::string(id);
}

void Cache::AttachWorker(int worker, asio::io_context& io, RedisConnection* redis) {
  Worker& w = *workers_[worker];
  w.io = &io;
  w.redis = redis;
  w.attached = true;
  if (worker == options_.subscriber_worker) subscriber_io_.store(&io);
}

void Cache::DetachWorker(int worker) {
  Worker& w = *workers_[worker];
  w.attached = false;
  w.redis = nullptr;
  // Flights hold timers of this worker's io_context: wake their joiners (with an error)
  // and drop them here, on its thread, while that io_context still exists.
  for (auto& [id, flight] : w.flights) flight->done.cancel();
  w.flights.clear();
  if (worker == options_.subscriber_worker) {
    subscriber_io_.store(nullptr);
    subscribed_ = false;
    awaiting_ready_ = false;
    if (redis_configured_) {
      shared_ready_.store(false, std::memory_order_release);
      Shared().ready.Set(0);
      local_.InvalidateAll();
    }
  }
}

// ---- subscriber events (subscriber worker's thread) ------------------------------------

void Cache::OnSubscriberEvent(RedisSubscriber::Event event) {
  switch (event) {
    case RedisSubscriber::Event::kSubscribed: {
      subscribed_ = true;
      awaiting_ready_ = true;
      if (outage_seen_) {
        std::lock_guard lock(pending_mu_);
        ++epoch_requested_;
        UpdatePendingCount();
      }
      auto* io = workers_[options_.subscriber_worker]->io;
      if (io) asio::co_spawn(*io, Replay(), asio::detached);
      break;
    }
    case RedisSubscriber::Event::kDisconnected:
      subscribed_ = false;
      awaiting_ready_ = false;
      outage_seen_ = true;
      shared_ready_.store(false, std::memory_order_release);
      Shared().ready.Set(0);
      local_.InvalidateAll();
      break;
    case RedisSubscriber::Event::kConnectFailed:
      outage_seen_ = true;
      break;
  }
}

void Cache::OnMessage(std::string_view, std::string_view message) {
  const auto space = message.find(' ');
  if (space == std::string_view::npos) return;
  if (message.substr(0, space) == instance_id_) return;  // applied when it was sent
  const auto id = message.substr(space + 1);
  if (id == "*") {
    local_.InvalidateAll();
    Shared().received_all.Add();
  } else {
    local_.Invalidate(id);
    Shared().received.Add();
  }
}

// ---- reads -------------------------------------------------------------------------------

asio::awaitable<core::Result<Loaded>> Cache::GetOrLoad(int worker, Keyspace space, std::string key,
                                                       Loader loader) {
  Worker& w = *workers_[worker];
  const Keyspace::Metrics& m = *space.metrics_;
  std::string id = space.name_ + ":" + key;
  const bool local = space.policy_.local_ttl.count() > 0 &&
                     (!redis_configured_ || (shared_ready() && !invalidations_->HasUnread()));
  if (local) {
    const auto now = Clock::now();
    if (LocalCache::Entry* entry = local_.Find(worker, id, now)) {
      m.local_hit.Add();
      Loaded out{entry->value, Layer::kLocal};
      if (now >= entry->refresh_at) {
        entry->refresh_at = entry->expires_at;  // one refresh per entry, even if it fails
        if (!w.flights.contains(id)) {
          m.refresh_local.Add();
          StartRefresh(worker, space, id, loader, FillMode::kBackground);
        }
      }
      co_return out;
    }
    m.local_miss.Add();
  }
  if (auto it = w.flights.find(id); it != w.flights.end() && local_.IsCurrent(it->second->stamp)) {
    auto flight = it->second;
    m.joins.Add();
    co_await flight->done.async_wait(kTuple);
    if (!flight->result) {
      co_return core::MakeError(core::ErrorCode::kInternal, {"carga fallida", "load failed"});
    }
    co_return *flight->result;
  }
  co_return co_await Lead(worker, std::move(space), std::move(id), std::move(loader),
                          FillMode::kForeground);
}

asio::awaitable<core::Result<Loaded>> Cache::Lead(int worker, Keyspace space, std::string id,
                                                  Loader loader, FillMode mode) {
  Worker& w = *workers_[worker];
  const auto stamp = local_.Snapshot(id);
  auto flight = std::make_shared<Flight>(*w.io, stamp);
  w.flights[id] = flight;  // replaces a flight that an invalidation made stale
  auto finish = [&](core::Result<Loaded> result) {
    if (auto it = w.flights.find(id); it != w.flights.end() && it->second == flight) {
      w.flights.erase(it);
    }
    flight->result = std::move(result);
    flight->done.cancel();
  };
  std::optional<Filled> filled;
  try {
    filled.emplace(co_await Fill(worker, space, id, loader, mode, stamp));
  } catch (...) {
    finish(core::MakeError(core::ErrorCode::kInternal, {"carga fallida", "load failed"}));
    throw;
  }
  finish(filled->result);
  if (filled->reload_due && w.attached) {
    space.metrics_->refresh_redis.Add();
    StartRefresh(worker, space, id, loader, FillMode::kReload);
  }
  co_return std::move(filled->result);
}

void Cache::StartRefresh(int worker, const Keyspace& space, const std::string& id,
                         const Loader& loader, FillMode mode) {
  Worker& w = *workers_[worker];
  if (!w.io || !w.attached || w.flights.contains(id)) return;
  asio::co_spawn(
      *w.io,
      [](Cache* self, int worker, Keyspace space, std::string id, Loader loader,
         FillMode mode) -> asio::awaitable<void> {
        co_await self->Lead(worker, std::move(space), std::move(id), std::move(loader), mode);
      }(this, worker, space, id, loader, mode),
      asio::detached);
}

asio::awaitable<std::optional<Tags>> Cache::InstallTags(int worker, std::string id) {
  RedisConnection* redis = workers_[worker]->redis;
  if (!redis) co_return std::nullopt;
  const std::string generation_key = GenerationKey(id);
  std::vector<RedisCommand> commands;
  commands.push_back(RedisCommand{"SET", epoch_key_, RandomTag(), "NX"});
  commands.push_back(RedisCommand{"SET", generation_key, RandomTag(), "NX", "PX",
                                  std::to_string(options_.generation_ttl.count())});
  commands.push_back(RedisCommand{"MGET", epoch_key_, generation_key});
  auto replies = co_await redis->ExecuteAll(std::move(commands));
  if (!replies || replies->size() != 3) co_return std::nullopt;
  const RedisReply& both = (*replies)[2];
  if (both.type != RedisReply::Type::kArray || both.elements.size() != 2) co_return std::nullopt;
  auto epoch = TextOf(both.elements[0]);
  auto generation = TextOf(both.elements[1]);
  if (!epoch || !generation) co_return std::nullopt;
  co_return Tags{std::move(*epoch), std::move(*generation)};
}

asio::awaitable<Cache::Filled> Cache::Fill(int worker, Keyspace space, std::string id,
                                           Loader loader, FillMode mode, LocalCache::Stamp stamp) {
  Worker& w = *workers_[worker];
  const Keyspace::Metrics& m = *space.metrics_;
  const Keyspace::Policy& policy = space.policy_;
  auto local_usable = [&] {
    return policy.local_ttl.count() > 0 && (!redis_configured_ || shared_ready());
  };

  std::optional<Tags> tags;
  if (redis_configured_) {
    Counter* skipped = nullptr;
    if (!shared_ready()) {
      skipped = &m.fallback_not_ready;
    } else if (pending_count_.load(std::memory_order_acquire) > 0) {
      skipped = &m.fallback_pending;
    } else if (!w.redis || !w.redis->connected()) {
      skipped = &m.fallback_disconnected;
    }
    if (skipped) {
      skipped->Add();
    } else {
      auto reply = co_await w.redis->Execute(
          RedisCommand{"MGET", epoch_key_, GenerationKey(id), ValueKey(id)});
      if (!reply || reply->type != RedisReply::Type::kArray || reply->elements.size() != 3) {
        m.fallback_error.Add();
      } else {
        const Verdict verdict = Judge(RedisView{
            TextOf(reply->elements[0]), TextOf(reply->elements[1]), TextOf(reply->elements[2])});
        if (verdict.hit && mode != FillMode::kReload) {
          const std::int64_t now_ms = WallMs();
          const bool due = RedisRefreshDue(*verdict.hit, now_ms);
          if (!due || mode == FillMode::kForeground) {
            m.redis_hit.Add();
            const auto remaining = std::chrono::milliseconds(verdict.hit->expires_at_ms - now_ms);
            const auto local_ttl = std::min(policy.local_ttl, remaining);
            if (local_usable() && local_ttl.count() > 0) {
              const auto now = Clock::now();
              local_.Insert(worker, id, verdict.hit->payload, stamp, now + local_ttl,
                            now + RefreshPoint(local_ttl, policy.refresh_ahead));
            }
            co_return Filled{Loaded{std::move(verdict.hit->payload), Layer::kRedis}, due};
          }
        } else if (!verdict.hit) {
          m.redis_miss.Add();
        }
        tags = verdict.current;
        if (!tags) tags = co_await InstallTags(worker, id);
      }
    }
  }

  auto loaded = co_await loader();
  if (!loaded) {
    m.load_error.Add();
    co_return Filled{loaded.error(), false};
  }
  m.load_ok.Add();
  if (tags && w.redis) {
    const std::int64_t now_ms = WallMs();
    StoredValue stored;
    stored.tags = std::move(*tags);
    stored.refresh_at_ms = now_ms + RefreshPoint(policy.ttl, policy.refresh_ahead).count();
    stored.expires_at_ms = now_ms + policy.ttl.count();
    stored.payload = *loaded;
    w.redis->Send(RedisCommand{"SET", ValueKey(id), EncodeStoredValue(stored), "PX",
                               std::to_string(policy.ttl.count())});
  }
  if (local_usable()) {
    const auto now = Clock::now();
    local_.Insert(worker, id, *loaded, stamp, now + policy.local_ttl,
                  now + RefreshPoint(policy.local_ttl, policy.refresh_ahead));
  }
  co_return Filled{Loaded{std::move(*loaded), Layer::kLoader}, false};
}

// ---- writes ------------------------------------------------------------------------------

asio::awaitable<Cache::Invalidation> Cache::Invalidate(int worker, Keyspace space,
                                                       std::string key) {
  const std::string id = space.name_ + ":" + key;
  local_.Invalidate(id);
  Shared().invalidated_local.Add();
  if (!redis_configured_) co_return Invalidation::kLocalOnly;
  if (RedisConnection* redis = workers_[worker]->redis; redis && redis->connected()) {
    std::vector<RedisCommand> body;
    body.push_back(RedisCommand{"SET", GenerationKey(id), RandomTag(), "PX",
                                std::to_string(options_.generation_ttl.count())});
    body.push_back(RedisCommand{"PUBLISH", channel_, instance_id_ + " " + id});
    if (Committed(co_await redis->ExecuteAll(Transaction(std::move(body))))) {
      co_return Invalidation::kPropagated;
    }
  }
  Defer(id);
  co_return Invalidation::kDeferred;
}

void Cache::UpdatePendingCount() {
  const std::size_t count = pending_.size() + (epoch_requested_ > epoch_done_ ? 1 : 0);
  pending_count_.store(count, std::memory_order_release);
  Shared().pending.Set(static_cast<std::int64_t>(count));
}

void Cache::Defer(const std::string& id) {
  {
    std::lock_guard lock(pending_mu_);
    if (epoch_requested_ > epoch_done_) {
      // A new epoch is owed and covers this key too. Owe one more: a renewal already on
      // its way may have been sent before this write committed.
      ++epoch_requested_;
    } else if (pending_.size() >= options_.max_pending_invalidations && !pending_.contains(id)) {
      // Out of memory for names: one new epoch will invalidate everything instead.
      pending_.clear();
      ++epoch_requested_;
      Shared().overflows.Add();
    } else {
      pending_[id] = ++pending_sequence_;
    }
    UpdatePendingCount();
  }
  Shared().deferred.Add();
  KickReplay();
}

void Cache::KickReplay() {
  asio::io_context* io = subscriber_io_.load();
  if (!io) return;  // the subscriber worker starts replaying when it subscribes
  asio::post(*io, [this] {
    if (!replaying_ && workers_[options_.subscriber_worker]->attached) {
      asio::co_spawn(*workers_[options_.subscriber_worker]->io, Replay(), asio::detached);
    }
  });
}

asio::awaitable<void> Cache::Replay() {
  if (replaying_) co_return;
  replaying_ = true;
  Worker& w = *workers_[options_.subscriber_worker];
  asio::steady_timer timer(*w.io);
  auto backoff = options_.replay_backoff_min;
  while (w.attached) {
    std::vector<std::pair<std::string, std::uint64_t>> batch;
    std::uint64_t epoch_target = 0;
    {
      std::lock_guard lock(pending_mu_);
      if (epoch_requested_ > epoch_done_) epoch_target = epoch_requested_;
      for (const auto& [id, sequence] : pending_) {
        batch.emplace_back(id, sequence);
        if (batch.size() >= kReplayBatch) break;
      }
    }
    if (batch.empty() && epoch_target == 0) break;
    bool delivered = false;
    if (w.redis && w.redis->connected()) {
      std::vector<RedisCommand> body;
      if (epoch_target != 0) {
        body.push_back(RedisCommand{"SET", epoch_key_, RandomTag()});
        body.push_back(RedisCommand{"PUBLISH", channel_, instance_id_ + " *"});
      }
      const std::string ttl = std::to_string(options_.generation_ttl.count());
      for (const auto& [id, sequence] : batch) {
        body.push_back(RedisCommand{"SET", GenerationKey(id), RandomTag(), "PX", ttl});
        body.push_back(RedisCommand{"PUBLISH", channel_, instance_id_ + " " + id});
      }
      delivered = Committed(co_await w.redis->ExecuteAll(Transaction(std::move(body))));
    }
    if (delivered) {
      std::lock_guard lock(pending_mu_);
      for (const auto& [id, sequence] : batch) {
        // Deferred again while this was in flight: that write may postdate what we sent.
        if (auto it = pending_.find(id); it != pending_.end() && it->second == sequence) {
          pending_.erase(it);
        }
      }
      if (epoch_target != 0) {
        epoch_done_ = std::max(epoch_done_, epoch_target);
        Shared().epochs.Add();
      }
      UpdatePendingCount();
      Shared().replayed.Add(batch.size());
      backoff = options_.replay_backoff_min;
      continue;
    }
    timer.expires_after(backoff);
    co_await timer.async_wait(kTuple);
    backoff = std::min(backoff * 2, options_.replay_backoff_max);
  }
  replaying_ = false;
  if (awaiting_ready_ && subscribed_ && w.attached && pending_count_.load() == 0) {
    awaiting_ready_ = false;
    shared_ready_.store(true, std::memory_order_release);
    Shared().ready.Set(1);
  }
}

}  // namespace onboardd::cache
