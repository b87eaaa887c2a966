// Construction order matters only at the edges: the Cache and RateLimiter exist before
// any worker starts; each worker's connection is created on its thread and handed to both.
#include "cache/cache_system.hpp"

namespace onboardd::cache {

core::Result<std::unique_ptr<CacheSystem>> CacheSystem::Create(CacheSystemOptions options,
                                                               int workers) {
  if (workers < 1) {
    return core::MakeError(core::ErrorCode::kValidation,
                           {"se necesita al menos un hilo", "at least one worker is needed"});
  }
  const bool configured = !options.redis_url.empty();
  if (configured) {
    auto endpoint = ParseRedisUrl(options.redis_url);
    if (!endpoint) return endpoint.error();
    options.redis.endpoint = std::move(*endpoint);
  }
  return std::unique_ptr<CacheSystem>(new CacheSystem(std::move(options), workers, configured));
}

CacheSystem::CacheSystem(CacheSystemOptions options, int workers, bool redis_configured)
    : options_([&] {
        options.cache.prefix = options.prefix;
        options.rate_limiter.prefix = options.prefix;
        return std::move(options);
      }()),
      redis_configured_(redis_configured),
      cache_(std::make_unique<Cache>(options_.cache, workers, redis_configured)),
      rate_limiter_(std::make_unique<RateLimiter>(options_.rate_limiter, workers)),
      workers_(static_cast<std::size_t>(workers)) {}

CacheSystem::~CacheSystem() = default;

void CacheSystem::StartWorker(int worker, boost::asio::io_context& io) {
  PerWorker& w = workers_[worker];
  if (redis_configured_) {
    RedisOptions command = options_.redis;
    command.role = "command";
    w.redis = std::make_unique<RedisConnection>(io, std::move(command));
    w.redis->Start();
  }
  cache_->AttachWorker(worker, io, w.redis.get());
  rate_limiter_->AttachWorker(worker, w.redis.get());
  if (redis_configured_ && worker == options_.cache.subscriber_worker) {
    RedisOptions subscriber = options_.redis;
    subscriber.role = "subscriber";
    Cache* cache = cache_.get();
    w.subscriber = std::make_unique<RedisSubscriber>(
        io, std::move(subscriber), std::vector<std::string>{cache_->channel()},
        RedisSubscriber::Handlers{
            [cache](std::string_view channel, std::string_view message) {
              cache->OnMessage(channel, message);
            },
            [cache](RedisSubscriber::Event event) { cache->OnSubscriberEvent(event); }},
        cache_->invalidation_probe());
    w.subscriber->Start();
  }
}

void CacheSystem::StopWorker(int worker) {
  PerWorker& w = workers_[worker];
  cache_->DetachWorker(worker);
  rate_limiter_->DetachWorker(worker);
  // Destroyed here, on the worker's thread, while its io_context still exists; coroutines
  // still holding their state end with it.
  w.subscriber.reset();
  w.redis.reset();
}

}  // namespace onboardd::cache
