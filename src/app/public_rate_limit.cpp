// The public rate limit: catalog entry → counter key → RateLimiter decision → the verdict
// the router turns into headers or a 429.
#include "app/public_rate_limit.hpp"

#include <array>
#include <chrono>

namespace onboardd::app {

namespace asio = boost::asio;

namespace {

// A coroutine with its inputs by value (the limiter by pointer): nothing it reads lives in
// the caller's frame.
asio::awaitable<std::optional<http::RateLimitVerdict>> CountPublicRequest(
    cache::RateLimiter* limiter, std::shared_ptr<catalog::Catalog> catalog, int worker,
    asio::ip::address client) {
  const std::shared_ptr<const catalog::Snapshot> snapshot = catalog->Current();
  const catalog::RateLimit* limit = snapshot->FindRateLimit(catalog::kPublicRateLimitId);
  if (limit == nullptr) co_return std::nullopt;
  const int count = limit->limit;
  const std::chrono::seconds window(limit->window_seconds);
  std::string key = PublicRateLimitKey(client);
  const cache::RateDecision decision =
      co_await limiter->Allow(worker, std::move(key), count, window);
  http::RateLimitVerdict verdict;
  verdict.allowed = decision.allowed;
  verdict.limit = count;
  verdict.remaining = decision.remaining;
  verdict.reset_epoch_seconds = decision.reset_epoch_seconds;
  verdict.retry_after_seconds = decision.retry_after_seconds;
  co_return verdict;
}

}  // namespace

std::string PublicRateLimitKey(const asio::ip::address& client) {
  std::string key(catalog::kPublicRateLimitId);
  key += ':';
  if (client.is_v6() && !client.to_v6().is_v4_mapped()) {
    std::array<unsigned char, 16> bytes = client.to_v6().to_bytes();
    for (std::size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
    key += asio::ip::address_v6(bytes).to_string();
    key += "/64";
    return key;
  }
  if (client.is_v6()) {
    key += asio::ip::make_address_v4(asio::ip::v4_mapped, client.to_v6()).to_string();
    return key;
  }
  key += client.to_string();
  return key;
}

http::PublicRateLimit MakePublicRateLimit(cache::RateLimiter& limiter,
                                          std::shared_ptr<catalog::Catalog> catalog) {
  return [limiter = &limiter, catalog = std::move(catalog)](int worker, asio::ip::address client) {
    return CountPublicRequest(limiter, catalog, worker, client);
  };
}

}  // namespace onboardd::app
