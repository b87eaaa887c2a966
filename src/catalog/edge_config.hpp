// The Edge Config layer (SPEC §5): with EDGE_CONFIG set, the live Catalog follows a Vercel
// Edge Config instead of the bundled document (or CATALOG_FILE). It is polled by digest,
// validated by Snapshot, and swapped with Catalog::Replace; on any failure the last good
// snapshot stays and the next poll tries again. Readers never notice: they keep calling
// Catalog::Current().
//
// Layout: the Edge Config's items ARE the catalog document. Each top-level key of
// catalog/catalog.json (schema, version, categories, industries, companySizes, defaultFlow,
// flows, featureFlags, messages, rateLimits, prompts) is one item, so an operator can edit one
// item (featureFlags, say) in the Vercel dashboard; other items are ignored. The whole set
// must still validate as a catalog, or it is refused as a whole. `scripts/edge-config-items`
// turns the bundled catalog into the body Vercel's write API takes (README, "Catalog from
// Edge Config").
//
// The read API, as Vercel's SDK (@vercel/edge-config) calls it: the connection string without
// its query is the base URL, `token` is sent as `Authorization: Bearer <token>`, and
//   GET <base>/digest?version=1  → a JSON string that changes with every write;
//   GET <base>/items?version=1   → a JSON object of every item (key → value), possibly with
//                                  an `x-edge-config-digest` header naming its version;
//   401 → bad token, 404 → no such Edge Config.
// A poll fetches /items only when the digest differs from the one of the snapshot in use.
//
// The token is a secret: it is never logged, and no message or error built here contains it
// (the base URL is logged instead).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "catalog/catalog.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/trace_context.hpp"
#include "http_client/http_client.hpp"
#include "observability/metrics.hpp"

namespace onboardd::catalog {

// A parsed EDGE_CONFIG connection string.
struct EdgeConfigConnection {
  std::string base_url;  // "https://edge-config.vercel.com/ecfg_abc": no token, safe to log
  std::string id;        // "ecfg_abc"
  std::string token;     // the read token: a secret

  std::string DigestUrl() const { return base_url + "/digest?version=1"; }
  std::string ItemsUrl() const { return base_url + "/items?version=1"; }
};

// Parses `https://edge-config.vercel.com/<id>?token=<token>` (the form Vercel issues) or the
// same shape on any other http(s) base (a mirror, a test server; the SDK accepts those too):
// the first path segment is the id, the `token` query parameter the token. Plain http only to
// a loopback host (http_client::ParseTarget decides). Errors (kValidation, one detail on
// "EDGE_CONFIG"): not a URL, another scheme, userinfo, plain http elsewhere, no id, no token.
// No message repeats the string, so none can leak the token.
core::Result<EdgeConfigConnection> ParseEdgeConfigConnection(std::string_view connection_string);

// `text` with every occurrence of `secret` replaced by "[redacted]"; unchanged when `secret`
// is empty.
std::string Redact(std::string text, std::string_view secret);

// What one check came to. Failures leave the catalog as it was.
enum class PollOutcome {
  kUnchanged,    // the digest is the one of the snapshot in use: /items not fetched
  kUpdated,      // a new snapshot was validated and swapped in
  kTimeout,      // the check's deadline passed (digest or items)
  kUnavailable,  // DNS, connect, TLS or I/O failure
  kHttpError,    // a status other than 2xx (401 bad token, 403, 404 unknown id, 5xx, ...)
  kInvalid,      // a body that is not what the API promises (digest not a JSON string,
                 // items not JSON, over the size cap) or items that fail catalog validation
};

// "unchanged", "updated", "timeout", "unavailable", "http_error", "invalid": the `outcome`
// label of onboardd_edge_config_polls_total.
std::string_view ToString(PollOutcome outcome);

// The wait before the next check: `interval` after a success; after n ≥ 1 failures in a row,
// interval × 2^(n-1), but never more than max(interval, max_backoff).
std::chrono::milliseconds PollDelay(std::chrono::milliseconds interval,
                                    std::chrono::milliseconds max_backoff,
                                    int consecutive_failures);

// onboardd_catalog_info{version, source}: 1 on the series of the catalog being served and 0
// on those it replaced (a Prometheus series cannot be removed, only zeroed). `source` is
// "bundled", "file" or "edge_config". Thread-safe.
class CatalogInfoMetric {
 public:
  explicit CatalogInfoMetric(observability::Registry& registry);
  void Set(std::string_view version, std::string_view source);

 private:
  observability::Registry& registry_;
  std::mutex mu_;
  observability::Gauge* current_ = nullptr;  // guarded by mu_
};

struct EdgeConfigOptions {
  EdgeConfigConnection connection;
  std::chrono::milliseconds poll_interval{30'000};  // EDGE_CONFIG_POLL_SECONDS
  // Deadline of one check (digest, then items when it changed); the start-up check included.
  std::chrono::milliseconds timeout{3'000};  // EDGE_CONFIG_TIMEOUT_MS
  std::chrono::milliseconds max_backoff{300'000};
  // Where the metrics go; null: observability::Metrics().
  observability::Registry* metrics = nullptr;
  // The source of the catalog in use before the first update ("bundled" or "file").
  std::string initial_source = "bundled";
};

// Keeps a Catalog in step with an Edge Config. Metrics: onboardd_edge_config_polls_total
// {outcome}, onboardd_edge_config_last_success_timestamp_seconds (unix time of the last check
// that ended unchanged or updated), onboardd_edge_config_consecutive_failures, and
// onboardd_catalog_info. Failures are logged as `edge_config_poll_failed` warnings, updates as
// `catalog_updated`.
//
// Threads: PollOnce and Run run on the executor of the coroutine that awaits them, one check
// at a time (the digest in use and the failure count are theirs alone). The Catalog,
// the Client and the metrics are thread-safe, so request threads read the catalog meanwhile.
class EdgeConfigPoller {
 public:
  // `catalog` and `client` must not be null; `options.connection` comes from
  // ParseEdgeConfigConnection.
  EdgeConfigPoller(std::shared_ptr<Catalog> catalog,
                   std::shared_ptr<const http_client::Client> client, EdgeConfigOptions options);
  EdgeConfigPoller(const EdgeConfigPoller&) = delete;
  EdgeConfigPoller& operator=(const EdgeConfigPoller&) = delete;

  // One check before `deadline`: GET /digest; when it differs from the digest in use (always,
  // before the first success), GET /items, Snapshot::Parse, Catalog::Replace. Counts, logs and
  // returns the outcome; never throws for anything the network or the document does. Each
  // check is a W3C trace of its own: both GETs carry its `traceparent`.
  boost::asio::awaitable<PollOutcome> PollOnce(core::Deadline deadline);

  // Checks at once (reporting that first outcome to `on_first`, if given), then every
  // PollDelay(...), each check bounded by options.timeout. Never returns by itself: it ends
  // when its io_context stops (the pending timer or request is abandoned with the frame).
  boost::asio::awaitable<void> Run(std::function<void(PollOutcome)> on_first = {});

  int consecutive_failures() const { return failures_; }  // Run's thread only

 private:
  struct Fetched;
  boost::asio::awaitable<Fetched> Get(std::string url, core::Deadline deadline);
  PollOutcome Failed(PollOutcome outcome, std::string_view stage, std::string error,
                     int status = 0);

  // Constant after construction.
  const std::shared_ptr<Catalog> catalog_;
  const std::shared_ptr<const http_client::Client> client_;
  const EdgeConfigOptions options_;
  observability::Registry& metrics_;
  observability::Gauge& last_success_;
  observability::Gauge& failures_gauge_;
  CatalogInfoMetric info_;

  // Only the coroutine running PollOnce touches these.
  std::string digest_;  // of the snapshot in use; empty until the first update
  int failures_ = 0;
  core::TraceContext trace_;  // of the check under way
};

// A poller on a thread and io_context of its own. Chosen over an I/O thread's io_context
// because the first check runs before the server has any thread (so it can run before
// serving, bounded by options.timeout), and because validating a new catalog and building its
// pre-serialized bodies takes a few milliseconds that no request should wait behind. The
// thread sleeps on a timer between checks; its HTTP connection stays alive between them.
class EdgeConfigThread {
 public:
  EdgeConfigThread(std::shared_ptr<Catalog> catalog,
                   std::shared_ptr<const http_client::Client> client, EdgeConfigOptions options);
  ~EdgeConfigThread();  // Stop()
  EdgeConfigThread(const EdgeConfigThread&) = delete;
  EdgeConfigThread& operator=(const EdgeConfigThread&) = delete;

  // Starts the thread and blocks until its first check is done (its deadline is
  // options.timeout): with Edge Config reachable the server starts on its catalog, and
  // otherwise on the one it already had, while polling goes on. Returns that first outcome.
  // Call once, before Stop().
  PollOutcome Start();

  // Stops polling: the io_context stops, a check in flight is abandoned, the thread is
  // joined. The catalog keeps its last snapshot. Idempotent; call from the thread that
  // called Start.
  void Stop();

 private:
  // Declared before io_ so it outlives the coroutine frames io_ destroys.
  EdgeConfigPoller poller_;
  std::chrono::milliseconds timeout_;
  boost::asio::io_context io_;
  std::thread thread_;
};

}  // namespace onboardd::catalog
