// The JSON Web Key Set: parsed into verification keys, and cached with the refresh policy
// of issue 4 — fetched on first use, refreshed when a token names an unknown `kid` or the
// set is older than max_age, at most once per min_refresh_interval, concurrent refreshes
// coalesced into one fetch, and the last good set kept when the endpoint fails.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwt_verifier.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace onboardd::http_client {
class Client;
}

namespace onboardd::auth {

// An immutable set of keys by kid.
class KeySet {
 public:
  KeySet() = default;
  explicit KeySet(std::map<std::string, std::shared_ptr<const VerificationKey>, std::less<>> keys)
      : keys_(std::move(keys)) {}
  // The key with this kid, or nullptr.
  std::shared_ptr<const VerificationKey> Find(std::string_view kid) const;
  std::size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, std::shared_ptr<const VerificationKey>, std::less<>> keys_;
};

// Parses `{"keys": [...]}`. Keys that are unusable (see KeyFromJwk) are skipped, as are
// later duplicates of a kid. kInternal when the document is not such JSON or no key is
// usable.
core::Result<KeySet> ParseJwks(std::string_view json);

// Fetches the JWKS document's body. Called at most once at a time per JwksCache; it must
// finish by its own deadline. kUnavailable/kInternal on failure (any error is handled the
// same way: the last good set stays).
using JwksFetcher = std::function<boost::asio::awaitable<core::Result<std::string>>()>;

// A fetcher that GETs `url` with `client`, which must outlive it. Non-2xx statuses are
// kUnavailable. `traceparent` is not sent: a refresh serves many requests.
JwksFetcher MakeHttpJwksFetcher(std::shared_ptr<const http_client::Client> client, std::string url,
                                std::chrono::milliseconds timeout = std::chrono::seconds(5));

struct JwksCacheOptions {
  std::chrono::milliseconds min_refresh_interval = std::chrono::seconds(30);
  std::chrono::milliseconds max_age = std::chrono::hours(1);
  // How long a caller waits for someone else's refresh before using what it has. Must be
  // longer than the fetcher's own deadline.
  std::chrono::milliseconds max_wait = std::chrono::seconds(10);
};

class JwksCache {
 public:
  JwksCache(JwksFetcher fetcher, JwksCacheOptions options);
  ~JwksCache();

  // The key named `kid`. Fetches first when there is no set yet, the set is older than
  // max_age, or `kid` is unknown — unless a fetch was attempted within min_refresh_interval.
  // Callers arriving while a fetch is in flight wait for it (up to max_wait) rather than
  // fetching again. nullptr when the key is still unknown afterwards. Never fails otherwise:
  // a failed fetch keeps the previous set (and is logged).
  // Thread-safe. The calling coroutine's executor must not run handlers concurrently (an
  // io_context run by one thread, or a strand), which is how the server runs.
  boost::asio::awaitable<std::shared_ptr<const VerificationKey>> Find(std::string kid);

  // The current set (possibly empty). Thread-safe.
  std::shared_ptr<const KeySet> Current() const;
  // Fetches attempted so far (for tests and metrics).
  int fetch_count() const;

 private:
  struct Waiter;
  boost::asio::awaitable<void> Refresh();

  // Constant after construction.
  const JwksFetcher fetcher_;
  const JwksCacheOptions options_;

  // Guarded by mu_.
  mutable std::mutex mu_;
  std::shared_ptr<const KeySet> keys_;
  std::optional<core::Deadline> loaded_at_;
  std::optional<core::Deadline> last_attempt_;
  bool refreshing_ = false;
  std::vector<std::shared_ptr<Waiter>> waiters_;
  int fetch_count_ = 0;
};

}  // namespace onboardd::auth
