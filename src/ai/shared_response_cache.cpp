// The shared AI response cache (see shared_response_cache.hpp): a local LRU, then one Redis
// GET; stores go to both, Redis's fire-and-forget.
#include "ai/shared_response_cache.hpp"

#include <algorithm>
#include <utility>

#include "cache/redis_client.hpp"
#include "observability/metrics.hpp"

namespace onboardd::ai {

namespace asio = boost::asio;

namespace {

// Redis lookups only (local hits never reach Redis); the assistant counts overall hits in
// onboardd_ai_cache_lookups_total.
void CountRedis(const char* result) {
  observability::Metrics()
      .GetCounter("onboardd_ai_cache_redis_lookups_total",
                  "AI response cache lookups that went to Redis, by result (hit, miss, "
                  "unavailable: not connected, timed out or an error reply).",
                  {{"result", result}})
      .Add();
}

}  // namespace

SharedResponseCache::SharedResponseCache(cache::CacheSystem& caches,
                                         SharedResponseCacheOptions options)
    : caches_(caches),
      options_(options),
      local_(options.local_max_entries, options.max_value_bytes) {}

std::string SharedResponseCache::RedisKey(const std::string& key) const {
  return caches_.prefix() + "ai:" + key;
}

asio::awaitable<std::optional<std::string>> SharedResponseCache::Get(int worker, std::string key) {
  if (auto local = local_.Find(key)) co_return local;
  cache::RedisConnection* redis = caches_.connection(worker);
  if (redis == nullptr || !redis->connected()) {
    CountRedis("unavailable");
    co_return std::nullopt;
  }
  cache::RedisCommand get("GET", RedisKey(key));
  auto reply = co_await redis->Execute(std::move(get));
  if (!reply || reply->IsError()) {
    CountRedis("unavailable");
    co_return std::nullopt;
  }
  if (reply->type != cache::RedisReply::Type::kString ||
      reply->text.size() > options_.max_value_bytes) {
    CountRedis("miss");
    co_return std::nullopt;
  }
  CountRedis("hit");
  // Content-addressed: a copy can outlive the Redis entry by local_ttl without being wrong.
  local_.Store(key, reply->text, options_.local_ttl);
  co_return std::move(reply->text);
}

asio::awaitable<void> SharedResponseCache::Put(int worker, std::string key, std::string value,
                                               std::chrono::seconds ttl) {
  if (value.size() > options_.max_value_bytes || ttl.count() <= 0) co_return;
  if (cache::RedisConnection* redis = caches_.connection(worker);
      redis != nullptr && redis->connected()) {
    const std::string ttl_ms = std::to_string(std::chrono::milliseconds(ttl).count());
    // False when the connection is down or saturated: then the answer is local only.
    redis->Send(cache::RedisCommand("SET", RedisKey(key), value, "PX", ttl_ms));
  }
  local_.Store(std::move(key), std::move(value), std::min(ttl, options_.local_ttl));
}

std::shared_ptr<ResponseCache> MakeResponseCache(cache::CacheSystem* caches,
                                                 SharedResponseCacheOptions options) {
  if (caches == nullptr || !caches->redis_configured()) {
    return std::make_shared<InProcessResponseCache>(options.local_max_entries,
                                                    options.max_value_bytes);
  }
  return std::make_shared<SharedResponseCache>(*caches, options);
}

}  // namespace onboardd::ai
