// The outbound client: URL → an idle connection of this io_context, or resolve (cancelled at
// the deadline) → connect → optional TLS → one request/response with Beast, each step bounded
// by the same deadline → the connection back to the idle list when it may serve again.
// Outbound TLS lives here and nowhere else.
#include "http_client/http_client.hpp"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <cerrno>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <system_error>
#include <utility>

#include "core/request_context.hpp"

namespace onboardd::http_client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;
constexpr auto kUseAwaitable = asio::as_tuple(asio::use_awaitable);

core::Error Fail(core::ErrorCode code, std::string what) {
  return core::MakeError(code, {.es = what, .en = std::move(what)});
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool IsLoopbackAddress(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).is_loopback();
  }
  return address.is_loopback();
}

bool IsIdempotent(http::verb verb) {
  switch (verb) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::put:
    case http::verb::delete_:
    case http::verb::options:
    case http::verb::trace:
      return true;
    default:
      return false;
  }
}

std::uint64_t NextClientId() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

// One established connection: TCP, or TLS over TCP. Used by one request at a time; between
// requests it sits in an IdlePool.
struct Connection {
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  core::SteadyClock::time_point idle_until;  // set when it becomes idle

  beast::tcp_stream& Tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  // True when the server has neither closed the connection nor sent anything since the last
  // response (either would mean it cannot carry another request). Never blocks.
  bool LooksAlive() {
    auto& socket = Tcp().socket();
    if (!socket.is_open()) return false;
    char byte;
    const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
};

// Which idle list a connection belongs to (the execution context is the pool itself).
struct PoolKey {
  std::uint64_t client = 0;
  asio::any_io_executor executor;
  bool tls = false;
  std::string host;
  std::string port;

  bool operator==(const PoolKey& other) const {
    return client == other.client && tls == other.tls && port == other.port && host == other.host &&
           executor == other.executor;
  }
};

// The idle connections of one execution context, for every Client that uses it. A context
// service, so it dies with the context: shutdown() closes what is left while the socket and
// reactor services still exist. That order holds because the pool is only created (use_service)
// when a connection is returned to it, after the first socket registered those services.
// A mutex guards the lists: an io_context may be run by several threads. It is held only to
// move pointers; connections are destroyed after it is released.
class IdlePool : public asio::execution_context::service {
 public:
  static inline asio::execution_context::id id;

  explicit IdlePool(asio::execution_context& context) : service(context) {}

  // The most recently used live connection of `key`, or null.
  std::unique_ptr<Connection> Take(const PoolKey& key) {
    std::vector<std::unique_ptr<Connection>> doomed;
    std::unique_ptr<Connection> found;
    {
      std::lock_guard lock(mu_);
      Sweep(core::SteadyClock::now(), doomed);
      for (auto it = lists_.begin(); it != lists_.end() && !found; ++it) {
        if (!(it->key == key)) continue;
        while (!it->idle.empty() && !found) {
          auto candidate = std::move(it->idle.back());
          it->idle.pop_back();
          if (candidate->LooksAlive()) {
            found = std::move(candidate);
          } else {
            doomed.push_back(std::move(candidate));
          }
        }
      }
    }
    return found;
  }

  // Keeps `connection` for `key` until `idle_timeout`; the oldest is dropped beyond `max_idle`.
  void Put(PoolKey key, std::weak_ptr<const void> owner, std::unique_ptr<Connection> connection,
           std::size_t max_idle, std::chrono::milliseconds idle_timeout) {
    std::vector<std::unique_ptr<Connection>> doomed;
    const auto now = core::SteadyClock::now();
    connection->idle_until = now + idle_timeout;
    std::lock_guard lock(mu_);
    Sweep(now, doomed);
    List* list = nullptr;
    for (auto& candidate : lists_) {
      if (candidate.key == key) list = &candidate;
    }
    if (list == nullptr) list = &lists_.emplace_back(List{std::move(key), std::move(owner), {}});
    list->idle.push_back(std::move(connection));
    while (list->idle.size() > max_idle) {
      doomed.push_back(std::move(list->idle.front()));
      list->idle.pop_front();
    }
  }

 private:
  struct List {
    PoolKey key;
    std::weak_ptr<const void> owner;               // the Client; expired: the list is dropped
    std::deque<std::unique_ptr<Connection>> idle;  // oldest first
  };

  // Moves expired connections, and every connection of a destroyed client, to `doomed`;
  // drops empty lists. Caller holds mu_.
  void Sweep(core::SteadyClock::time_point now, std::vector<std::unique_ptr<Connection>>& doomed) {
    for (auto it = lists_.begin(); it != lists_.end();) {
      const bool owner_gone = it->owner.expired();
      auto& idle = it->idle;
      for (auto c = idle.begin(); c != idle.end();) {
        if (owner_gone || (*c)->idle_until <= now) {
          doomed.push_back(std::move(*c));
          c = idle.erase(c);
        } else {
          ++c;
        }
      }
      it = idle.empty() ? lists_.erase(it) : std::next(it);
    }
  }

  void shutdown() override {
    std::list<List> lists;
    {
      std::lock_guard lock(mu_);
      lists.swap(lists_);
    }
  }

  std::mutex mu_;
  std::list<List> lists_;
};

// What one request/response on a connection came to.
struct Exchanged {
  core::Result<Response> result = Fail(core::ErrorCode::kInternal, "not sent");
  bool reusable = false;  // the connection may carry another request
  bool write_failed = false;
  bool nothing_received = false;  // failed before any byte of the response arrived
  bool timed_out = false;
};

// Sends one request on an established stream (TCP or TLS) and reads one response.
template <class Stream>
asio::awaitable<Exchanged> Exchange(Stream& stream, const http::request<http::string_body>& request,
                                    std::size_t max_header_bytes, std::size_t max_body_bytes) {
  Exchanged out;
  auto [write_error, written] = co_await http::async_write(stream, request, kUseAwaitable);
  if (write_error) {
    out.write_failed = true;
    out.nothing_received = true;
    out.timed_out = write_error == beast::error::timeout;
    out.result = Fail(core::ErrorCode::kUnavailable, "write failed: " + write_error.message());
    co_return out;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(max_header_bytes));
  parser.body_limit(max_body_bytes);
  // A HEAD response announces a body it does not send.
  if (request.method() == http::verb::head) parser.skip(true);
  auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kUseAwaitable);
  if (read_error == http::error::body_limit || read_error == http::error::header_limit) {
    out.result = Fail(core::ErrorCode::kInternal, "response too large");
    co_return out;
  }
  if (read_error && read_error != http::error::end_of_stream &&
      read_error != http::error::partial_message &&
      &read_error.category() == &make_error_code(http::error::bad_target).category()) {
    out.result = Fail(core::ErrorCode::kInternal, "malformed response: " + read_error.message());
    co_return out;
  }
  if (read_error) {
    out.nothing_received = !parser.got_some() && buffer.size() == 0;
    out.timed_out = read_error == beast::error::timeout;
    out.result = Fail(core::ErrorCode::kUnavailable, "read failed: " + read_error.message());
    co_return out;
  }
  auto& message = parser.get();
  out.reusable = message.keep_alive() && !parser.need_eof() && buffer.size() == 0 &&
                 request.keep_alive() && message.result() != http::status::switching_protocols;
  Response response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  response.body = std::move(message.body());
  out.result = std::move(response);
  co_return out;
}

// Resolves, connects and (for https) completes the TLS handshake, before `deadline`.
asio::awaitable<core::Result<std::unique_ptr<Connection>>> Open(const Target& target,
                                                                bool allow_plain_http,
                                                                asio::ssl::context& tls,
                                                                core::Deadline deadline) {
  auto executor = co_await asio::this_coro::executor;

  // The resolver has no per-operation timeout: a timer cancels it at the deadline. Both
  // are shared with the timer's handler, which may run after this frame moved on.
  auto resolver = std::make_shared<tcp::resolver>(executor);
  asio::steady_timer resolve_timer(executor, deadline);
  resolve_timer.async_wait([weak = std::weak_ptr<tcp::resolver>(resolver)](error_code ec) {
    if (ec) return;
    if (auto alive = weak.lock()) alive->cancel();
  });
  auto [resolve_error, results] =
      co_await resolver->async_resolve(target.host, target.port, kUseAwaitable);
  resolve_timer.cancel();
  if (resolve_error == asio::error::operation_aborted || core::SteadyClock::now() >= deadline) {
    co_return Fail(core::ErrorCode::kUnavailable, "deadline passed while resolving");
  }
  if (resolve_error) {
    co_return Fail(core::ErrorCode::kUnavailable, "resolve failed: " + resolve_error.message());
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) {
    // Plain HTTP without permission: only loopback, whatever the name resolves to.
    if (!target.tls && !allow_plain_http && !IsLoopbackAddress(entry.endpoint().address())) {
      continue;
    }
    endpoints.push_back(entry.endpoint());
  }
  if (endpoints.empty()) {
    co_return Fail(core::ErrorCode::kUnavailable, "no usable address for host");
  }

  beast::tcp_stream tcp_stream(executor);
  tcp_stream.expires_at(deadline);
  auto [connect_error, endpoint] = co_await tcp_stream.async_connect(endpoints, kUseAwaitable);
  if (connect_error == beast::error::timeout) {
    co_return Fail(core::ErrorCode::kUnavailable, "deadline passed while connecting");
  }
  if (connect_error) {
    co_return Fail(core::ErrorCode::kUnavailable, "connect failed: " + connect_error.message());
  }
  tcp_stream.socket().set_option(tcp::no_delay(true));

  auto connection = std::make_unique<Connection>();
  if (!target.tls) {
    connection->plain.emplace(std::move(tcp_stream));
    co_return connection;
  }
  auto& tls_stream = connection->tls.emplace(std::move(tcp_stream), tls);
  error_code not_an_address;
  asio::ip::make_address(target.host, not_an_address);
  if (not_an_address) {
    // SNI names a host, never an address (RFC 6066 §3).
    SSL_set_tlsext_host_name(tls_stream.native_handle(), target.host.c_str());
  }
  tls_stream.set_verify_callback(asio::ssl::host_name_verification(target.host));
  auto [handshake_error] =
      co_await tls_stream.async_handshake(asio::ssl::stream_base::client, kUseAwaitable);
  if (handshake_error == beast::error::timeout) {
    co_return Fail(core::ErrorCode::kUnavailable, "deadline passed during TLS handshake");
  }
  if (handshake_error) {
    co_return Fail(core::ErrorCode::kUnavailable,
                   "TLS handshake failed: " + handshake_error.message());
  }
  co_return connection;
}

}  // namespace

std::string_view Response::Header(std::string_view name) const {
  for (const auto& field : headers) {
    if (EqualsIgnoreCase(field.name, name)) return field.value;
  }
  return {};
}

bool IsLoopbackHost(std::string_view host) {
  if (EqualsIgnoreCase(host, "localhost")) return true;
  constexpr std::string_view kSuffix = ".localhost";
  if (host.size() > kSuffix.size() &&
      EqualsIgnoreCase(host.substr(host.size() - kSuffix.size()), kSuffix)) {
    return true;
  }
  error_code ec;
  const auto address = asio::ip::make_address(std::string(host), ec);
  return !ec && IsLoopbackAddress(address);
}

core::Result<Target> ParseTarget(std::string_view url, bool allow_plain_http) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Fail(core::ErrorCode::kInternal, "malformed URL");
  const boost::urls::url_view& view = *parsed;
  Target target;
  if (view.scheme_id() == boost::urls::scheme::https) {
    target.tls = true;
  } else if (view.scheme_id() != boost::urls::scheme::http) {
    return Fail(core::ErrorCode::kInternal, "unsupported URL scheme");
  }
  if (view.has_userinfo()) return Fail(core::ErrorCode::kInternal, "URL with userinfo");
  switch (view.host_type()) {
    case boost::urls::host_type::name:
      target.host = view.host();  // percent-decoded
      break;
    case boost::urls::host_type::ipv4:
      target.host = view.host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      target.host = view.host_ipv6_address().to_string();
      break;
    default:
      return Fail(core::ErrorCode::kInternal, "unsupported URL host");
  }
  if (target.host.empty()) return Fail(core::ErrorCode::kInternal, "URL without host");
  if (view.has_port()) {
    if (view.port().empty() || view.port_number() == 0) {
      return Fail(core::ErrorCode::kInternal, "invalid URL port");
    }
    target.port = std::to_string(view.port_number());
  } else {
    target.port = target.tls ? "443" : "80";
  }
  if (!target.tls && !allow_plain_http && !IsLoopbackHost(target.host)) {
    return Fail(core::ErrorCode::kInternal, "plain http is only allowed to loopback hosts");
  }
  target.path_and_query = view.encoded_path().empty() ? "/" : std::string(view.encoded_path());
  if (view.has_query()) {
    target.path_and_query += '?';
    target.path_and_query += view.encoded_query();
  }
  target.host_header = std::string(view.encoded_host_and_port());
  return target;
}

Client::Client(ClientOptions options)
    : options_(std::move(options)),
      tls_(std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client)),
      id_(NextClientId()),
      alive_(std::make_shared<int>(0)) {
  tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
  tls_->set_verify_mode(asio::ssl::verify_peer);
  if (options_.use_system_ca) tls_->set_default_verify_paths();
  if (!options_.ca_file.empty()) tls_->load_verify_file(options_.ca_file);  // throws
}

Client::~Client() = default;

ClientStats Client::Stats() const {
  return {.connections_opened = counters_.opened.load(std::memory_order_relaxed),
          .requests_reused = counters_.reused.load(std::memory_order_relaxed),
          .stale_retries = counters_.retried.load(std::memory_order_relaxed)};
}

asio::awaitable<core::Result<Response>> Client::Fetch(Request request,
                                                      core::Deadline deadline) const {
  auto target = ParseTarget(request.url, options_.allow_plain_http);
  if (!target) co_return target.error();
  const http::verb verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) {
    co_return Fail(core::ErrorCode::kInternal, "unsupported HTTP method");
  }

  http::request<http::string_body> message{verb, target->path_and_query, 11};
  message.set(http::field::host, target->host_header);
  message.set(http::field::user_agent, options_.user_agent);
  for (auto& header : request.headers) {
    if (EqualsIgnoreCase(header.name, "host") || EqualsIgnoreCase(header.name, "user-agent")) {
      message.set(header.name, header.value);
    } else {
      message.insert(header.name, header.value);
    }
  }
  if (message.find("traceparent") == message.end()) {
    const core::RequestContext* serving = core::CurrentRequest();
    const core::TraceContext* trace = request.trace ? &*request.trace
                                      : serving     ? &serving->trace
                                                    : nullptr;
    if (trace != nullptr && !trace->empty()) {
      message.set("traceparent", core::FormatTraceparent(*trace));
    }
  }
  message.body() = std::move(request.body);
  if (!message.body().empty() || verb == http::verb::post || verb == http::verb::put ||
      verb == http::verb::patch) {
    message.prepare_payload();
  }
  const bool idempotent = request.idempotent.value_or(IsIdempotent(verb));
  const bool pooling = options_.max_idle_per_host > 0;

  auto executor = co_await asio::this_coro::executor;
  auto& context = asio::query(executor, asio::execution::context_as<asio::execution_context&>);
  PoolKey key{id_, executor, target->tls, target->host, target->port};

  for (bool first_attempt = true;; first_attempt = false) {
    std::unique_ptr<Connection> connection;
    // has_service first: creating the pool before any socket exists would invert the order
    // in which the context shuts its services down (see IdlePool).
    if (first_attempt && pooling && asio::has_service<IdlePool>(context)) {
      connection = asio::use_service<IdlePool>(context).Take(key);
    }
    const bool reused = connection != nullptr;
    if (reused) {
      counters_.reused.fetch_add(1, std::memory_order_relaxed);
    } else {
      auto opened = co_await Open(*target, options_.allow_plain_http, *tls_, deadline);
      if (!opened) co_return opened.error();
      connection = std::move(*opened);
      counters_.opened.fetch_add(1, std::memory_order_relaxed);
    }

    connection->Tcp().expires_at(deadline);
    // Not a conditional expression: GCC 12 mishandles `c ? co_await a : co_await b`.
    Exchanged exchanged;
    if (connection->tls) {
      exchanged = co_await Exchange(*connection->tls, message, options_.max_header_bytes,
                                    options_.max_body_bytes);
    } else {
      exchanged = co_await Exchange(*connection->plain, message, options_.max_header_bytes,
                                    options_.max_body_bytes);
    }
    if (exchanged.result) {
      if (pooling && exchanged.reusable) {
        connection->Tcp().expires_never();
        asio::use_service<IdlePool>(context).Put(key, alive_, std::move(connection),
                                                 options_.max_idle_per_host, options_.idle_timeout);
      }
      co_return std::move(exchanged.result);
    }
    const bool replay = reused && exchanged.nothing_received && !exchanged.timed_out &&
                        (exchanged.write_failed || idempotent) &&
                        core::SteadyClock::now() < deadline;
    if (replay) {
      counters_.retried.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    if (core::SteadyClock::now() >= deadline &&
        exchanged.result.error().code == core::ErrorCode::kUnavailable) {
      co_return Fail(core::ErrorCode::kUnavailable, "deadline passed");
    }
    co_return std::move(exchanged.result);
  }
}

}  // namespace onboardd::http_client
