// The Redis path is one MULTI/EXEC pipeline; its failure (or Redis absent) falls through
// to the sharded in-process counters.
#include "cache/rate_limiter.hpp"

#include <algorithm>
#include <exception>
#include <functional>
#include <string>

#include "observability/metrics.hpp"

namespace onboardd::cache {

namespace asio = boost::asio;

namespace {

observability::Counter& Decisions(bool allowed, bool shared) {
  static const auto counters = [] {
    auto& r = observability::Metrics();
    auto make = [&](const char* result, const char* backend) {
      return &r.GetCounter("onboardd_rate_limit_decisions_total",
                           "Rate-limit decisions by result (allowed, limited) and backend "
                           "(redis: shared by every instance; local: this instance only).",
                           {{"result", result}, {"backend", backend}});
    };
    return std::array<observability::Counter*, 4>{
        make("limited", "local"), make("allowed", "local"), make("limited", "redis"),
        make("allowed", "redis")};
  }();
  return *counters[(shared ? 2 : 0) + (allowed ? 1 : 0)];
}

observability::Counter& Fallbacks() {
  static auto& counter = observability::Metrics().GetCounter(
      "onboardd_rate_limit_fallbacks_total",
      "Rate-limit decisions counted in process because the configured Redis was unavailable.");
  return counter;
}

}  // namespace

FixedWindow WindowAt(std::int64_t now_ms, std::chrono::seconds window) {
  const std::int64_t length = std::max<std::int64_t>(1, window.count()) * 1000;
  std::int64_t start = now_ms - now_ms % length;
  if (now_ms < 0 && now_ms % length != 0) start -= length;  // floor, not truncation
  return FixedWindow{start, start + length};
}

RateDecision Decide(std::int64_t count, int limit, FixedWindow window, std::int64_t now_ms) {
  RateDecision decision;
  decision.allowed = count <= limit;
  decision.remaining = std::max<std::int64_t>(0, limit - count);
  decision.reset_epoch_seconds = (window.end_ms + 999) / 1000;
  if (!decision.allowed) {
    const std::int64_t wait_ms = std::max<std::int64_t>(0, window.end_ms - now_ms);
    decision.retry_after_seconds = std::max<std::int64_t>(1, (wait_ms + 999) / 1000);
  }
  return decision;
}

RateDecision DecideNext(std::int64_t count, int limit, FixedWindow window, std::int64_t now_ms) {
  RateDecision decision = Decide(count + 1, limit, window, now_ms);
  decision.remaining = std::max<std::int64_t>(0, limit - count);
  return decision;
}

RateLimiter::RateLimiter(RateLimiterOptions options, int workers)
    : options_(std::move(options)), redis_(static_cast<std::size_t>(workers), nullptr) {}

RateLimiter::~RateLimiter() = default;

void RateLimiter::AttachWorker(int worker, RedisConnection* redis) { redis_[worker] = redis; }
void RateLimiter::DetachWorker(int worker) { redis_[worker] = nullptr; }

std::int64_t RateLimiter::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

asio::awaitable<RateDecision> RateLimiter::Allow(int worker, std::string key, int limit,
                                                 std::chrono::seconds window) {
  const std::int64_t now_ms = NowMs();
  const FixedWindow current = WindowAt(now_ms, window);
  if (RedisConnection* redis = redis_[worker]) {
    if (redis->connected()) {
      const std::string counter_key = CounterKey(key, current);
      std::vector<RedisCommand> commands;
      commands.push_back(RedisCommand{"MULTI"});
      commands.push_back(RedisCommand{"INCR", counter_key});
      // A second past the window: clocks of instances may differ a little.
      commands.push_back(
          RedisCommand{"PEXPIREAT", counter_key, std::to_string(current.end_ms + 1000)});
      commands.push_back(RedisCommand{"EXEC"});
      auto replies = co_await redis->ExecuteAll(std::move(commands));
      if (replies && replies->size() == 4) {
        const RedisReply& exec = (*replies)[3];
        if (exec.type == RedisReply::Type::kArray && !exec.elements.empty() &&
            exec.elements[0].type == RedisReply::Type::kInteger) {
          RateDecision decision = Decide(exec.elements[0].integer, limit, current, now_ms);
          decision.shared = true;
          Decisions(decision.allowed, true).Add();
          co_return decision;
        }
      }
    }
    Fallbacks().Add();
  }
  RateDecision decision = AllowLocally(key, limit, current, now_ms);
  Decisions(decision.allowed, false).Add();
  co_return decision;
}

asio::awaitable<RateDecision> RateLimiter::Peek(int worker, std::string key, int limit,
                                                std::chrono::seconds window) {
  const std::int64_t now_ms = NowMs();
  const FixedWindow current = WindowAt(now_ms, window);
  if (RedisConnection* redis = redis_[worker]) {
    if (redis->connected()) {
      RedisCommand get("GET", CounterKey(key, current));
      auto reply = co_await redis->Execute(std::move(get));
      std::int64_t count = -1;
      if (reply && reply->IsNil()) {
        count = 0;  // nothing counted in this window yet
      } else if (reply && reply->type == RedisReply::Type::kString) {
        try {
          count = std::stoll(reply->text);
        } catch (const std::exception&) {
          count = -1;  // not a counter: someone else's key; count in process
        }
      }
      if (count >= 0) {
        RateDecision decision = DecideNext(count, limit, current, now_ms);
        decision.shared = true;
        co_return decision;
      }
    }
  }
  co_return PeekLocally(key, limit, current, now_ms);
}

std::string RateLimiter::CounterKey(const std::string& key, FixedWindow window) const {
  return options_.prefix + "rl:" + key + ":" + std::to_string(window.start_ms / 1000);
}

std::size_t RateLimiter::local_keys() {
  std::size_t n = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    n += shard.counters.size();
  }
  return n;
}

RateDecision RateLimiter::AllowLocally(const std::string& key, int limit, FixedWindow window,
                                       std::int64_t now_ms) {
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  const std::size_t per_shard = std::max<std::size_t>(1, options_.local_max_keys / kShards);
  std::int64_t count = 0;
  {
    std::lock_guard lock(shard.mu);
    auto it = shard.counters.find(key);
    if (it == shard.counters.end()) {
      if (shard.counters.size() >= per_shard) {
        std::erase_if(shard.counters,
                      [now_ms](const auto& entry) { return entry.second.window_end_ms <= now_ms; });
        // Still full of live windows: forget one rather than grow without bound.
        if (shard.counters.size() >= per_shard) shard.counters.erase(shard.counters.begin());
      }
      it = shard.counters.emplace(key, Counter{}).first;
    }
    Counter& counter = it->second;
    if (counter.window_start_ms != window.start_ms) {
      counter = Counter{window.start_ms, window.end_ms, 0};
    }
    count = ++counter.count;
  }
  return Decide(count, limit, window, now_ms);
}

RateDecision RateLimiter::PeekLocally(const std::string& key, int limit, FixedWindow window,
                                      std::int64_t now_ms) {
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  std::int64_t count = 0;
  {
    std::lock_guard lock(shard.mu);
    auto it = shard.counters.find(key);
    if (it != shard.counters.end() && it->second.window_start_ms == window.start_ms) {
      count = it->second.count;
    }
  }
  return DecideNext(count, limit, window, now_ms);
}

}  // namespace onboardd::cache
