#include "onboarding/status_cache.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
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
  std::string out = "1 " + std::to_string(rows.in_progress_until_ms) + " " +
                    std::to_string(rows.session.size()) + (rows.has_profile ? " 1\n" : " 0\n");
  out.reserve(out.size() + rows.session.size() + rows.organization.size());
  out.append(rows.session).append(rows.organization);
  return out;
}

namespace {

// A decimal number at the front of `text`, then one space or newline (consumed).
template <typename Number>
std::optional<Number> TakeNumber(std::string_view& text, char separator) {
  Number value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() || end == text.data() + text.size() ||
      *end != separator) {
    return std::nullopt;
  }
  text.remove_prefix(static_cast<std::size_t>(end - text.data()) + 1);
  return value;
}

}  // namespace

std::optional<StatusRows> DecodeStatusRows(std::string_view text) {
  if (!text.starts_with("1 ")) return std::nullopt;
  text.remove_prefix(2);
  const auto until = TakeNumber<std::int64_t>(text, ' ');
  const auto session_size = TakeNumber<std::size_t>(text, ' ');
  const auto has_profile = TakeNumber<int>(text, '\n');
  if (!until || !session_size || !has_profile || *has_profile < 0 || *has_profile > 1 ||
      *session_size > text.size()) {
    return std::nullopt;
  }
  StatusRows rows;
  rows.in_progress_until_ms = *until;
  rows.has_profile = *has_profile == 1;
  rows.session = std::string(text.substr(0, *session_size));
  rows.organization = std::string(text.substr(*session_size));
  return rows;
}

core::Result<std::string> RenderStatusRows(const StatusRows& rows,
                                           const catalog::Snapshot& snapshot, bool english,
                                           const StatusMetadata& metadata) {
  // A status session is a few KB (the draft's images are only referenced): parsed into this
  // buffer, it costs no allocation.
  unsigned char buffer[16 * 1024];
  json::monotonic_resource resource(buffer, sizeof(buffer));
  json::parse_options options;
  options.max_depth = 64;
  json::value session;
  if (!rows.session.empty()) {
    boost::system::error_code ec;
    session = json::parse(rows.session, ec, &resource, options);
    if (ec || !session.is_object()) return core::MakeError(core::ErrorCode::kInternal);
  }
  if (!rows.organization.empty()) {
    // Not read, only checked: it goes into the body as it is.
    boost::system::error_code ec;
    json::value organization = json::parse(rows.organization, ec, &resource, options);
    if (ec || !organization.is_object()) return core::MakeError(core::ErrorCode::kInternal);
  }
  return RenderStatus(rows.session, session.if_object(), rows.organization, rows.has_profile,
                      snapshot, english, metadata);
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
  co_return StatusRows{std::move(read->session), read->in_progress_until_ms, read->has_profile,
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
  if (rows &&
      !(cached && rows->in_progress_until_ms != 0 && rows->in_progress_until_ms <= NowUnixMs())) {
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
