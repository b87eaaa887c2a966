// JWKS parsing and the key-set cache. The coalescing is a list of waiting timers: the one
// caller that fetches wakes the others by cancelling their timers on their own executors.
#include "auth/jwks.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <exception>

#include "http_client/http_client.hpp"
#include "observability/log.hpp"

namespace onboardd::auth {
namespace {

namespace asio = boost::asio;

core::Error Fail(core::ErrorCode code, std::string what) {
  return core::MakeError(code, {.es = what, .en = std::move(what)});
}

asio::awaitable<core::Result<std::string>> FetchOverHttp(
    std::shared_ptr<const http_client::Client> client, std::string url,
    std::chrono::milliseconds timeout) {
  http_client::Request request;
  request.url = std::move(url);
  request.headers.push_back({"Accept", "application/json"});
  auto response = co_await client->Fetch(std::move(request), core::SteadyClock::now() + timeout);
  if (!response) co_return response.error();
  if (response->status < 200 || response->status > 299) {
    co_return Fail(core::ErrorCode::kUnavailable,
                   "JWKS endpoint answered " + std::to_string(response->status));
  }
  co_return std::move(response->body);
}

}  // namespace

std::shared_ptr<const VerificationKey> KeySet::Find(std::string_view kid) const {
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : it->second;
}

core::Result<KeySet> ParseJwks(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value document = boost::json::parse(json, ec);
  if (ec || !document.is_object()) return Fail(core::ErrorCode::kInternal, "JWKS is not JSON");
  const boost::json::value* keys = document.as_object().if_contains("keys");
  if (keys == nullptr || !keys->is_array()) {
    return Fail(core::ErrorCode::kInternal, "JWKS without a keys array");
  }
  std::map<std::string, std::shared_ptr<const VerificationKey>, std::less<>> usable;
  for (const auto& entry : keys->get_array()) {
    if (!entry.is_object()) continue;
    auto key = KeyFromJwk(entry.get_object());
    if (!key) continue;
    usable.emplace((*key)->kid(), std::move(*key));
  }
  if (usable.empty()) return Fail(core::ErrorCode::kInternal, "JWKS without a usable key");
  return KeySet(std::move(usable));
}

JwksFetcher MakeHttpJwksFetcher(std::shared_ptr<const http_client::Client> client, std::string url,
                                std::chrono::milliseconds timeout) {
  // The lambda only starts a coroutine whose frame owns copies: nothing refers back to the
  // std::function while a fetch runs.
  return [client = std::move(client), url = std::move(url), timeout] {
    return FetchOverHttp(client, url, timeout);
  };
}

struct JwksCache::Waiter {
  std::shared_ptr<asio::steady_timer> timer;
};

JwksCache::JwksCache(JwksFetcher fetcher, JwksCacheOptions options)
    : fetcher_(std::move(fetcher)), options_(options), keys_(std::make_shared<const KeySet>()) {}

JwksCache::~JwksCache() = default;

std::shared_ptr<const KeySet> JwksCache::Current() const {
  std::lock_guard lock(mu_);
  return keys_;
}

int JwksCache::fetch_count() const {
  std::lock_guard lock(mu_);
  return fetch_count_;
}

asio::awaitable<std::shared_ptr<const VerificationKey>> JwksCache::Find(std::string kid) {
  {
    std::lock_guard lock(mu_);
    const auto now = core::SteadyClock::now();
    auto key = keys_->Find(kid);
    const bool stale = !loaded_at_ || now - *loaded_at_ >= options_.max_age;
    if (key && !stale) co_return key;
    const bool rate_limited = last_attempt_ && now - *last_attempt_ < options_.min_refresh_interval;
    if (!fetcher_ || (rate_limited && !refreshing_)) co_return key;
  }
  co_await Refresh();
  std::lock_guard lock(mu_);
  co_return keys_->Find(kid);
}

asio::awaitable<void> JwksCache::Refresh() {
  auto executor = co_await asio::this_coro::executor;
  std::unique_lock lock(mu_);
  const auto now = core::SteadyClock::now();
  // A refresh older than max_wait was abandoned (its coroutine destroyed): take over.
  if (refreshing_ && last_attempt_ && now - *last_attempt_ < options_.max_wait) {
    auto waiter = std::make_shared<Waiter>();
    waiter->timer = std::make_shared<asio::steady_timer>(executor, now + options_.max_wait);
    waiters_.push_back(waiter);
    auto timer = waiter->timer;
    lock.unlock();
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    co_return;
  }
  if (!refreshing_ && last_attempt_ && now - *last_attempt_ < options_.min_refresh_interval) {
    co_return;
  }
  refreshing_ = true;
  last_attempt_ = now;
  ++fetch_count_;
  lock.unlock();

  core::Result<std::string> body = Fail(core::ErrorCode::kInternal, "no fetch");
  try {
    body = co_await fetcher_();
  } catch (const std::exception& e) {
    body = Fail(core::ErrorCode::kInternal, std::string("JWKS fetch threw: ") + e.what());
  }
  core::Result<KeySet> parsed =
      body ? ParseJwks(*body) : core::Result<KeySet>(boost::system::in_place_error, body.error());
  if (parsed) {
    observability::Log(observability::Level::kInfo, "jwks_refreshed", {{"keys", parsed->size()}});
  } else {
    observability::Log(observability::Level::kWarn, "jwks_refresh_failed",
                       {{"error", parsed.error().message.en}});
  }

  lock.lock();
  if (parsed) {
    keys_ = std::make_shared<const KeySet>(std::move(*parsed));
    loaded_at_ = core::SteadyClock::now();
  }
  refreshing_ = false;
  auto waiters = std::move(waiters_);
  waiters_.clear();
  lock.unlock();
  for (auto& waiter : waiters) {
    asio::post(waiter->timer->get_executor(), [timer = waiter->timer] { timer->cancel(); });
  }
}

}  // namespace onboardd::auth
