#include "onboarding/status_cache.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <utility>

#include "core/clock.hpp"
#include "onboarding/onboarding_store.hpp"
#include "onboarding/replica_reads.hpp"

namespace onboardd::onboarding {

namespace asio = boost::asio;
namespace json = boost::json;

std::string EncodeStatusRows(const StatusRows& rows) {
  json::object out;
  out["session"] = rows.session ? json::value(*rows.session) : json::value(nullptr);
  out["hasProfile"] = rows.has_profile;
  out["organization"] = rows.organization ? json::value(*rows.organization) : json::value(nullptr);
  return json::serialize(out);
}

std::optional<StatusRows> DecodeStatusRows(std::string_view text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  json::object& o = parsed.as_object();
  const json::value* session = o.if_contains("session");
  const json::value* has_profile = o.if_contains("hasProfile");
  const json::value* organization = o.if_contains("organization");
  if (session == nullptr || has_profile == nullptr || organization == nullptr) return std::nullopt;
  if (!(session->is_null() || session->is_object()) || !has_profile->is_bool() ||
      !(organization->is_null() || organization->is_object())) {
    return std::nullopt;
  }
  // at(), not operator[]: operator[] may rehash the object (it can insert), which would leave
  // the pointers above dangling.
  StatusRows rows;
  rows.has_profile = has_profile->as_bool();
  if (session->is_object()) rows.session = std::move(o.at("session").as_object());
  if (organization->is_object()) rows.organization = std::move(o.at("organization").as_object());
  return rows;
}

namespace {

// Digits at text[at, at + n) as a number, else nullopt.
std::optional<int> Digits(std::string_view text, std::size_t at, std::size_t n) {
  if (at + n > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::optional<std::int64_t> ParseTimestampMs(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.f...](Z|±HH[:MM])
  const auto year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2),
             hour = Digits(text, 11, 2), minute = Digits(text, 14, 2), second = Digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(*year),
                                         std::chrono::month(static_cast<unsigned>(*month)),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  std::size_t at = 19;
  std::int64_t millis = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    int scale = 100;
    const std::size_t first = at;
    for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
      millis += (text[at] - '0') * scale;
      scale /= 10;
    }
    if (at == first) return std::nullopt;
  }
  std::int64_t offset_minutes = 0;
  if (at < text.size() && text[at] == 'Z') {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at] == '-' ? -1 : 1;
    const auto oh = Digits(text, at + 1, 2);
    if (!oh) return std::nullopt;
    at += 3;
    int om = 0;
    if (at < text.size() && text[at] == ':') {
      const auto m = Digits(text, at + 1, 2);
      if (!m) return std::nullopt;
      om = *m;
      at += 3;
    }
    offset_minutes = sign * (*oh * 60 + om);
  } else {
    return std::nullopt;  // a local time names no instant
  }
  if (at != text.size()) return std::nullopt;
  const std::int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const std::int64_t seconds = days * 86'400 + *hour * 3'600 + *minute * 60 + *second;
  return (seconds - offset_minutes * 60) * 1'000 + millis;
}

bool InProgressPastExpiry(const json::object& session, std::int64_t now_unix_ms) {
  const json::value* status = session.if_contains("status");
  if (status == nullptr || !status->is_string() || status->get_string() != "in_progress") {
    return false;
  }
  const json::value* expires = session.if_contains("expiresAt");
  if (expires == nullptr || !expires->is_string()) return true;
  const auto at = ParseTimestampMs(expires->get_string());
  return !at || *at <= now_unix_ms;
}

StatusCache::StatusCache(cache::Cache& cache, cache::Keyspace space,
                         std::chrono::milliseconds load_timeout,
                         std::shared_ptr<ReplicaReads> replica_reads)
    : cache_(cache),
      space_(std::move(space)),
      load_timeout_(load_timeout),
      replica_reads_(std::move(replica_reads)) {}

namespace {

asio::awaitable<core::Result<StatusRows>> LoadRows(std::shared_ptr<const db::Pools> pools,
                                                   int worker, db::TenantContext context,
                                                   std::shared_ptr<ReplicaReads> replica_reads) {
  auto pool = pools->For(worker);
  if (!pool) co_return pool.error();
  // (No co_await inside ?: — GCC 12 miscompiles it.)
  core::Result<StatusRead> read = core::MakeError(core::ErrorCode::kInternal);
  if (replica_reads) {
    read = co_await replica_reads->ReadStatus(worker, **pool, std::move(context));
  } else {
    read = co_await ReadStatus(**pool, std::move(context));
  }
  if (!read) co_return read.error();
  co_return StatusRows{std::move(read->session), read->profile.has_value(),
                       std::move(read->organization)};
}

std::int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

asio::awaitable<core::Result<StatusCache::Read>> StatusCache::Get(
    int worker, std::shared_ptr<const db::Pools> pools, db::TenantContext context) {
  // The loader may also run after this request (an early refresh in the background): it owns
  // copies of what it needs, and a deadline of its own once the request's has passed.
  cache::Loader loader = [pools, worker, context, timeout = load_timeout_,
                          replica_reads =
                              replica_reads_]() -> asio::awaitable<core::Result<std::string>> {
    db::TenantContext load_context = context;
    const core::Deadline now = core::SteadyClock::now();
    if (load_context.deadline <= now) load_context.deadline = now + timeout;
    auto rows = co_await LoadRows(pools, worker, std::move(load_context), replica_reads);
    if (!rows) co_return rows.error();
    co_return EncodeStatusRows(*rows);
  };
  std::string key = context.user_id;
  auto loaded = co_await cache_.GetOrLoad(worker, space_, key, loader);
  if (!loaded) co_return loaded.error();
  auto rows = DecodeStatusRows(loaded->value);
  const bool cached = loaded->layer != cache::Layer::kLoader;
  if (rows && !(cached && rows->session && InProgressPastExpiry(*rows->session, NowUnixMs()))) {
    co_return Read{std::move(*rows), cached};
  }
  // Unreadable, or a session that has expired since it was cached: drop it, read afresh.
  co_await cache_.Invalidate(worker, space_, key);
  auto fresh = co_await LoadRows(pools, worker, std::move(context), replica_reads_);
  if (!fresh) co_return fresh.error();
  co_return Read{std::move(*fresh), false};
}

asio::awaitable<void> StatusCache::Invalidate(int worker, std::string user_id) {
  co_await cache_.Invalidate(worker, space_, std::move(user_id));
}

}  // namespace onboardd::onboarding
