// The Edge Config poller: digest → (items → Snapshot → Catalog::Replace), every failure a
// counted, logged, token-free outcome that leaves the catalog alone.
#include "catalog/edge_config.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <future>
#include <optional>
#include <stdexcept>
#include <utility>

#include "observability/log.hpp"

namespace onboardd::catalog {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using observability::Level;
using observability::Log;

core::Error BadConnection(std::string es, std::string en) {
  return core::ValidationError({{"EDGE_CONFIG", {std::move(es), std::move(en)}}});
}

std::int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

core::Result<EdgeConfigConnection> ParseEdgeConfigConnection(std::string_view connection_string) {
  auto parsed = boost::urls::parse_uri(connection_string);
  if (!parsed) {
    return BadConnection("no es una URL", "is not a URL");
  }
  const boost::urls::url_view& url = *parsed;
  if (url.scheme_id() != boost::urls::scheme::https &&
      url.scheme_id() != boost::urls::scheme::http) {
    return BadConnection("debe ser una URL https://", "must be an https:// URL");
  }
  EdgeConfigConnection connection;
  auto segments = url.segments();
  if (segments.empty() || (*segments.begin()).empty()) {
    return BadConnection("falta el id de Edge Config en la ruta (https://host/<id>?token=...)",
                         "has no Edge Config id in its path (https://host/<id>?token=...)");
  }
  connection.id = *segments.begin();
  if (auto token = url.params().find("token");
      token != url.params().end() && (*token).has_value && !(*token).value.empty()) {
    connection.token = (*token).value;
  } else {
    return BadConnection("falta el parámetro token", "has no token parameter");
  }
  std::string path(url.encoded_path());
  while (!path.empty() && path.back() == '/') path.pop_back();
  connection.base_url =
      std::string(url.scheme()) + "://" + std::string(url.encoded_authority()) + path;
  // The client's own rules (userinfo, ports, plain http only to loopback), on the URL the
  // client will be given; its messages never contain the URL.
  if (auto target = http_client::ParseTarget(connection.base_url, false); !target) {
    return BadConnection("no es utilizable: " + target.error().message.es,
                         "is not usable: " + target.error().message.en);
  }
  return connection;
}

std::string Redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  constexpr std::string_view kMask = "[redacted]";
  for (auto at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + kMask.size())) {
    text.replace(at, secret.size(), kMask);
  }
  return text;
}

std::string_view ToString(PollOutcome outcome) {
  switch (outcome) {
    case PollOutcome::kUnchanged:
      return "unchanged";
    case PollOutcome::kUpdated:
      return "updated";
    case PollOutcome::kTimeout:
      return "timeout";
    case PollOutcome::kUnavailable:
      return "unavailable";
    case PollOutcome::kHttpError:
      return "http_error";
    case PollOutcome::kInvalid:
      return "invalid";
  }
  return "invalid";
}

std::chrono::milliseconds PollDelay(std::chrono::milliseconds interval,
                                    std::chrono::milliseconds max_backoff,
                                    int consecutive_failures) {
  const auto cap = std::max(interval, max_backoff);
  auto delay = interval;
  for (int i = 1; i < consecutive_failures && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

CatalogInfoMetric::CatalogInfoMetric(observability::Registry& registry) : registry_(registry) {}

void CatalogInfoMetric::Set(std::string_view version, std::string_view source) {
  auto& next = registry_.GetGauge(
      "onboardd_catalog_info", "The catalog being served (1) and those it replaced (0).",
      {{"version", std::string(version)}, {"source", std::string(source)}});
  std::lock_guard lock(mu_);
  if (current_ != nullptr && current_ != &next) current_->Set(0);
  next.Set(1);
  current_ = &next;
}

// One GET's result: a 2xx response, or the outcome and message of its failure.
struct EdgeConfigPoller::Fetched {
  std::optional<http_client::Response> response;
  PollOutcome failure = PollOutcome::kUnavailable;
  std::string error;
  int status = 0;
};

EdgeConfigPoller::EdgeConfigPoller(std::shared_ptr<Catalog> catalog,
                                   std::shared_ptr<const http_client::Client> client,
                                   EdgeConfigOptions options)
    : catalog_(std::move(catalog)),
      client_(std::move(client)),
      options_(std::move(options)),
      metrics_(options_.metrics != nullptr ? *options_.metrics : observability::Metrics()),
      last_success_(metrics_.GetGauge(
          "onboardd_edge_config_last_success_timestamp_seconds",
          "Unix time of the last Edge Config check that ended unchanged or updated.")),
      failures_gauge_(metrics_.GetGauge("onboardd_edge_config_consecutive_failures",
                                        "Edge Config checks failed in a row since the last "
                                        "success.")),
      info_(metrics_) {
  if (catalog_ == nullptr || client_ == nullptr) {
    throw std::invalid_argument("EdgeConfigPoller needs a catalog and a client");
  }
  info_.Set(catalog_->Current()->version(), options_.initial_source);
}

asio::awaitable<EdgeConfigPoller::Fetched> EdgeConfigPoller::Get(std::string url,
                                                                 core::Deadline deadline) {
  http_client::Request request;
  request.url = std::move(url);
  request.headers = {{"Authorization", "Bearer " + options_.connection.token},
                     {"Accept", "application/json"}};
  request.trace = trace_;
  auto result = co_await client_->Fetch(std::move(request), deadline);
  Fetched fetched;
  if (!result) {
    if (core::SteadyClock::now() >= deadline) {
      fetched.failure = PollOutcome::kTimeout;
    } else if (result.error().code == core::ErrorCode::kInternal) {
      fetched.failure = PollOutcome::kInvalid;  // over the size cap, or not HTTP
    } else {
      fetched.failure = PollOutcome::kUnavailable;
    }
    fetched.error = result.error().message.en;
    co_return fetched;
  }
  if (result->status < 200 || result->status > 299) {
    fetched.failure = PollOutcome::kHttpError;
    fetched.status = result->status;
    fetched.error = "HTTP " + std::to_string(result->status);
    co_return fetched;
  }
  fetched.response = std::move(*result);
  co_return fetched;
}

PollOutcome EdgeConfigPoller::Failed(PollOutcome outcome, std::string_view stage, std::string error,
                                     int status) {
  ++failures_;
  failures_gauge_.Set(failures_);
  metrics_
      .GetCounter("onboardd_edge_config_polls_total", "Edge Config checks by outcome.",
                  {{"outcome", std::string(ToString(outcome))}})
      .Add();
  json::object fields{{"outcome", ToString(outcome)},
                      {"stage", stage},
                      {"edge_config", options_.connection.base_url},
                      {"error", Redact(std::move(error), options_.connection.token)},
                      {"consecutive_failures", failures_},
                      {"catalog_version", catalog_->Current()->version()}};
  if (status != 0) fields["status"] = status;
  Log(Level::kWarn, "edge_config_poll_failed", std::move(fields));
  return outcome;
}

asio::awaitable<PollOutcome> EdgeConfigPoller::PollOnce(core::Deadline deadline) {
  // URLs as named locals, not temporaries in the co_await expression: GCC 12 may destroy those
  // twice (it did with http_client::Request).
  trace_ = core::ContinueTrace(std::nullopt);
  std::string digest_url = options_.connection.DigestUrl();
  Fetched digest_fetch = co_await Get(std::move(digest_url), deadline);
  if (!digest_fetch.response) {
    co_return Failed(digest_fetch.failure, "digest", std::move(digest_fetch.error),
                     digest_fetch.status);
  }
  boost::system::error_code ec;
  const json::value digest_json = json::parse(digest_fetch.response->body, ec);
  if (ec || !digest_json.is_string() || digest_json.as_string().empty()) {
    co_return Failed(PollOutcome::kInvalid, "digest", "the digest is not a JSON string");
  }
  const std::string digest(digest_json.as_string());

  auto succeeded = [&](PollOutcome outcome) {
    failures_ = 0;
    failures_gauge_.Set(0);
    last_success_.Set(UnixSeconds());
    metrics_
        .GetCounter("onboardd_edge_config_polls_total", "Edge Config checks by outcome.",
                    {{"outcome", std::string(ToString(outcome))}})
        .Add();
    return outcome;
  };
  if (digest == digest_) co_return succeeded(PollOutcome::kUnchanged);

  std::string items_url = options_.connection.ItemsUrl();
  Fetched items = co_await Get(std::move(items_url), deadline);
  if (!items.response) {
    co_return Failed(items.failure, "items", std::move(items.error), items.status);
  }
  auto snapshot = Snapshot::Parse(items.response->body);
  if (!snapshot) {
    co_return Failed(PollOutcome::kInvalid, "items", snapshot.error().message.en);
  }
  const std::string version = (*snapshot)->version();
  auto previous = catalog_->Replace(std::move(*snapshot));
  // The items' own digest when the API names it: /items may be newer than /digest was.
  const std::string_view items_digest = items.response->Header("x-edge-config-digest");
  digest_ = items_digest.empty() ? digest : std::string(items_digest);
  info_.Set(version, "edge_config");
  Log(Level::kInfo, "catalog_updated",
      {{"source", "edge_config"},
       {"edge_config", options_.connection.base_url},
       {"version", version},
       {"previous_version", previous->version()},
       {"digest", digest_}});
  co_return succeeded(PollOutcome::kUpdated);
}

asio::awaitable<void> EdgeConfigPoller::Run(std::function<void(PollOutcome)> on_first) {
  const PollOutcome first = co_await PollOnce(core::SteadyClock::now() + options_.timeout);
  if (on_first) on_first(first);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(PollDelay(options_.poll_interval, options_.max_backoff, failures_));
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    co_await PollOnce(core::SteadyClock::now() + options_.timeout);
  }
}

EdgeConfigThread::EdgeConfigThread(std::shared_ptr<Catalog> catalog,
                                   std::shared_ptr<const http_client::Client> client,
                                   EdgeConfigOptions options)
    : poller_(std::move(catalog), std::move(client), options), timeout_(options.timeout) {}

EdgeConfigThread::~EdgeConfigThread() { Stop(); }

PollOutcome EdgeConfigThread::Start() {
  auto first = std::make_shared<std::promise<PollOutcome>>();
  auto outcome = first->get_future();
  asio::co_spawn(io_, poller_.Run([first](PollOutcome o) { first->set_value(o); }),
                 [](std::exception_ptr e) {
                   if (e) std::rethrow_exception(e);  // a bug: let it end the process
                 });
  thread_ = std::thread([this] { io_.run(); });
  // The check's own deadline bounds it; the margin only covers scheduling.
  if (outcome.wait_for(timeout_ + std::chrono::seconds(1)) != std::future_status::ready) {
    return PollOutcome::kTimeout;
  }
  return outcome.get();
}

void EdgeConfigThread::Stop() {
  if (!thread_.joinable()) return;
  io_.stop();
  thread_.join();
}

}  // namespace onboardd::catalog
