// See the header: the read-your-writes rule of status reads from a replica.
#include "onboarding/replica_reads.hpp"

#include <fmt/format.h>
#include <charconv>

#include "observability/metrics.hpp"

namespace onboardd::onboarding {
namespace asio = boost::asio;

namespace {

observability::Counter& ReadsFrom(std::string_view source) {
  return observability::Metrics().GetCounter(
      "onboardd_status_reads_total",
      "GET /status database reads by source: replica, primary, or replica_behind (the "
      "replica had not replayed the caller's last write: read again from the primary).",
      {{"source", std::string(source)}});
}

observability::Counter& Unrecorded() {
  return observability::Metrics().GetCounter(
      "onboardd_replica_lsn_unrecorded_total",
      "Writes whose WAL position could not be read or stored in Redis (read-your-writes on "
      "replicas relies on them).");
}

// Keeps the higher of the stored and the given position, and renews the key's lifetime.
constexpr const char* kKeepMax =
    "local c = tonumber(redis.call('GET', KEYS[1]) or '0') "
    "if tonumber(ARGV[1]) > c then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) "
    "else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 1";

}  // namespace

std::optional<std::uint64_t> ParseLsn(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) return {};
  std::uint32_t high = 0, low = 0;
  auto parse = [](std::string_view part, std::uint32_t& out) {
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out, 16);
    return ec == std::errc() && end == part.data() + part.size();
  };
  if (!parse(text.substr(0, slash), high) || !parse(text.substr(slash + 1), low)) return {};
  return (static_cast<std::uint64_t>(high) << 32) | low;
}

std::string FormatLsn(std::uint64_t lsn) {
  return fmt::format("{:X}/{:X}", lsn >> 32, lsn & 0xFFFFFFFFu);
}

ReplicaReads::ReplicaReads(std::shared_ptr<const db::Pools> replicas, cache::CacheSystem& caches,
                           int workers)
    : replicas_(std::move(replicas)), caches_(caches), seen_(static_cast<std::size_t>(workers)) {}

std::string ReplicaReads::KeyOf(std::string_view user) const {
  return caches_.prefix() + "lsn:" + std::string(user);
}

asio::awaitable<void> ReplicaReads::RememberWrite(int worker, db::Pool& primary, std::string user,
                                                  core::Deadline deadline, std::string commit_lsn) {
  std::optional<std::uint64_t> lsn = ParseLsn(commit_lsn);
  if (!lsn) {
    db::TenantContext context;
    context.request_id = "replica-lsn";
    context.deadline = std::max(deadline, core::SteadyClock::now() + std::chrono::seconds(1));
    auto lsn_text = co_await CurrentWalLsn(primary, std::move(context));
    if (lsn_text) lsn = ParseLsn(*lsn_text);
  }
  cache::RedisConnection* redis = caches_.connection(worker);
  if (!lsn || redis == nullptr) {
    Unrecorded().Add();
    co_return;
  }
  const std::string key = KeyOf(user);
  const std::string value = std::to_string(*lsn);
  const std::string ttl_ms =
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(kLsnTtl).count());
  auto stored =
      co_await redis->Execute(cache::RedisCommand("EVAL", kKeepMax, "1", key, value, ttl_ms));
  if (!stored || stored->IsError()) Unrecorded().Add();
}

asio::awaitable<core::Result<StatusRead>> ReplicaReads::ReadStatus(int worker, db::Pool& primary,
                                                                   db::TenantContext context) {
  // The caller's last write, from Redis; anything unknown sends the read to the primary.
  std::optional<std::uint64_t> needed;
  db::Pool* replica = nullptr;
  if (auto pool = replicas_->For(worker); pool) replica = *pool;
  if (cache::RedisConnection* redis = caches_.connection(worker);
      replica != nullptr && redis != nullptr && redis->connected()) {
    const std::string key = KeyOf(context.user_id);
    auto reply = co_await redis->Execute(cache::RedisCommand("GET", key), context.deadline);
    if (reply && reply->type == cache::RedisReply::Type::kNil) {
      needed = 0;
    } else if (reply && reply->type == cache::RedisReply::Type::kString) {
      std::uint64_t value = 0;
      auto [end, ec] =
          std::from_chars(reply->text.data(), reply->text.data() + reply->text.size(), value);
      if (ec == std::errc() && end == reply->text.data() + reply->text.size()) needed = value;
    }
  }
  Seen& seen = seen_[static_cast<std::size_t>(worker)];
  const auto now = core::SteadyClock::now();
  const bool try_replica = needed && now >= seen.rest_until &&
                           (*needed <= seen.replay_lsn || now - seen.at >= kProbeAfter);
  if (try_replica) {
    // A short budget of its own: a replica that is down or slow costs a status read little
    // before the primary answers it.
    db::TenantContext on_replica = context;
    on_replica.deadline = std::min(context.deadline, now + kReplicaBudget);
    auto read = co_await ReadStatusOnReplica(*replica, std::move(on_replica), FormatLsn(*needed));
    if (read) {
      if (auto replayed = ParseLsn(read->replay_lsn)) {
        seen.replay_lsn = *replayed;
        seen.at = core::SteadyClock::now();
      }
      if (read->fresh) {
        ReadsFrom("replica").Add();
        co_return std::move(read->read);
      }
      ReadsFrom("replica_behind").Add();
    } else {
      seen.rest_until = core::SteadyClock::now() + kRestAfterFailure;
    }
  }
  ReadsFrom("primary").Add();
  co_return co_await onboarding::ReadStatus(primary, std::move(context));
}

}  // namespace onboardd::onboarding
