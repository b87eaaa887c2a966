// Connection handling on Beast. Every wait has a deadline: waiting for the first byte of a
// request uses the idle timeout (past it the connection closes silently, as HTTP allows for an
// idle keep-alive connection), the header block the header timeout and the body the body
// timeout (past either, the slow client gets a 408 in the error envelope, then the connection
// closes), so a silent or trickling client cannot hold a connection. Each
// connection lives on the io_context of the thread that accepted it and never touches another
// thread's state.
#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <limits>
#include <list>
#include <thread>

#include "core/ids.hpp"
#include "http/client_address.hpp"
#include "http/error_response.hpp"
#include "observability/log.hpp"
#include "observability/metrics.hpp"

namespace onboardd::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// A connection as its worker sees it: to close idle ones at shutdown, and for its deadline.
// Each read or write of the connection sets `deadline`; the worker's sweep (Server::Sweep)
// cancels the pending operation once it has passed and marks it `expired`. One timer per
// worker instead of one per operation: under overload a refused request costs a few tens of
// microseconds, and arming, cancelling and running the cancelled handlers of three or four
// timers per request was several per cent of the server's CPU (perf, /step at 10x).
struct Server::Connection {
  tcp::socket* socket = nullptr;
  bool idle = true;
  Clock::time_point deadline = Clock::time_point::max();
  bool expired = false;
};

struct Server::Worker {
  int index = 0;
  asio::io_context ioc{1};
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread thread;
  std::atomic<bool> ended{false};  // its thread has run the stop hook
  // Only on this worker's thread:
  std::list<Connection> connections;
};

namespace {

observability::Gauge& InFlight() {
  static auto& g = observability::Metrics().GetGauge("onboardd_http_requests_in_flight",
                                                     "Requests being handled now.");
  return g;
}

observability::Gauge& OpenConnections() {
  static auto& g =
      observability::Metrics().GetGauge("onboardd_http_connections", "Open client connections.");
  return g;
}

void Record(std::string_view route, beast_http::verb method, unsigned status, double seconds) {
  // One registry lookup per request is a mutex; cache the series per (route, method, status)
  // and (route, status) in thread-local maps so the hot path is a hash lookup and an atomic
  // add. `route` is a pattern the Router keeps, or a literal: its characters outlive the
  // maps, which key on them without a copy.
  struct Key {
    std::string_view route;
    int method;  // -1 in the histograms' keys: they are per route and status
    unsigned status;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      return std::hash<std::string_view>()(k.route) ^ (k.method * 31u) ^ (k.status * 7919u);
    }
  };
  thread_local std::unordered_map<Key, observability::Counter*, KeyHash> counters;
  thread_local std::unordered_map<Key, observability::Histogram*, KeyHash> histograms;
  const Key key{route, static_cast<int>(method), status};
  auto it = counters.find(key);
  if (it == counters.end()) {
    auto& c = observability::Metrics().GetCounter(
        "onboardd_http_requests_total", "HTTP requests by route, method and status.",
        {{"route", std::string(route)},
         {"method", std::string(beast_http::to_string(method))},
         {"status", std::to_string(status)}});
    it = counters.emplace(key, &c).first;
  }
  it->second->Add();
  const Key histogram_key{route, -1, status};
  auto h = histograms.find(histogram_key);
  if (h == histograms.end()) {
    auto& histogram = observability::Metrics().GetHistogram(
        "onboardd_http_request_duration_seconds", "HTTP request latency by route and status.",
        {{"route", std::string(route)}, {"status", std::to_string(status)}});
    h = histograms.emplace(histogram_key, &histogram).first;
  }
  h->second->Observe(seconds);
}

// A header field as it goes on the wire; a name or value with CR or LF would end the
// header early (response splitting), so such a field is left out. Only the server's own code
// sets response fields, and the request id a client may choose is checked before it is used.
void AppendField(std::string& out, std::string_view name, std::string_view value) {
  if (name.find_first_of("\r\n") != std::string_view::npos ||
      value.find_first_of("\r\n") != std::string_view::npos) {
    return;
  }
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

std::string SerializeResponse(const Response& response, std::string_view request_id,
                              unsigned version, bool keep_alive, bool head) {
  const unsigned code = static_cast<unsigned>(response.status);
  // RFC 9110 §8.6, §15.3.5, §15.4.5: no content, and no Content-Length, in these.
  const bool bodiless = code / 100 == 1 || code == 204 || code == 304;
  std::size_t size = 128 + response.content_type.size() + request_id.size();
  for (const auto& [name, value] : response.headers) size += name.size() + value.size() + 4;
  if (!head && !bodiless) size += response.body.size();
  std::string out;
  out.reserve(size);
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  char digits[16];
  char* end = std::to_chars(digits, digits + sizeof(digits), code).ptr;
  out.append(digits, end).push_back(' ');
  out.append(beast_http::obsolete_reason(response.status)).append("\r\n");
  if (!response.content_type.empty()) AppendField(out, "Content-Type", response.content_type);
  AppendField(out, "X-Request-Id", request_id);
  for (const auto& [name, value] : response.headers) AppendField(out, name, value);
  // HTTP/1.1 keeps a connection open unless told; HTTP/1.0 closes it unless told.
  if (version >= 11 && !keep_alive) out.append("Connection: close\r\n");
  if (version < 11 && keep_alive) out.append("Connection: keep-alive\r\n");
  if (!bodiless) {
    // HEAD: the length the GET would have sent (RFC 9110 §9.3.2).
    end = std::to_chars(digits, digits + sizeof(digits), response.body.size()).ptr;
    out.append("Content-Length: ").append(digits, end).append("\r\n");
  }
  out.append("\r\n");
  if (!head && !bodiless) out.append(response.body);
  return out;
}

Server::Server(ServerOptions options, const Router& router)
    : options_(std::move(options)), router_(router) {
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    auto worker = std::make_unique<Worker>();
    worker->index = i;
    workers_.push_back(std::move(worker));
  }
}

Server::~Server() {
  Stop();
  for (auto& w : workers_) {
    w->ioc.stop();
    if (w->thread.joinable()) w->thread.join();
  }
}

void Server::OnThreadStart(std::function<void(int, asio::io_context&)> hook) {
  on_start_ = std::move(hook);
}
void Server::OnThreadStop(std::function<void(int)> hook) { on_stop_ = std::move(hook); }

void Server::Listen() {
  auto address = asio::ip::make_address(options_.host);
  unsigned short port = options_.port;
  if (port != 0) {
    // SO_REUSEPORT lets any process of this user join the port: a second onboardd started
    // on it by mistake (an old one not stopped) would silently get a share of the
    // connections. A plain bind first fails on a port something listens on.
    asio::io_context probe_io;
    tcp::acceptor probe(probe_io);
    tcp::endpoint endpoint(address, port);
    boost::system::error_code ec;
    probe.open(endpoint.protocol(), ec);
    if (!ec) probe.set_option(tcp::acceptor::reuse_address(true), ec);  // TIME_WAIT is no listener
    if (!ec) probe.bind(endpoint, ec);
    if (ec) throw std::system_error(ec, "bind");
  }
  for (auto& w : workers_) {
    auto acceptor = std::make_unique<tcp::acceptor>(w->ioc);
    tcp::endpoint endpoint(address, port);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(tcp::acceptor::reuse_address(true));
    int one = 1;
    if (::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
      throw std::system_error(errno, std::generic_category(), "SO_REUSEPORT");
    }
    boost::system::error_code ec;
    acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::system_error(ec, "listen");
    port = acceptor->local_endpoint().port();  // port 0: the others join the one picked
    w->acceptor = std::move(acceptor);
  }
  bound_port_ = port;
}

unsigned short Server::port() const { return bound_port_; }

std::size_t Server::ActiveConnections() const { return active_connections_.load(); }

void Server::Run() {
  for (auto& w : workers_) {
    w->thread = std::thread([this, worker = w.get()] {
      if (on_start_) on_start_(worker->index, worker->ioc);
      asio::co_spawn(worker->ioc, Accept(*worker), asio::detached);
      asio::co_spawn(worker->ioc, Sweep(*worker), asio::detached);
      auto guard = asio::make_work_guard(worker->ioc);
      worker->ioc.run();
      if (on_stop_) on_stop_(worker->index);
      worker->ended.store(true);
    });
  }
  // Wait for Stop() to reach every worker, then for connections to drain (bounded by the
  // grace period).
  while (!stop_requested_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto give_up = Clock::now() + options_.shutdown_grace;
  while (workers_stopped_.load() < workers_.size() && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (workers_stopped_.load() < workers_.size()) {
    observability::Log(observability::Level::kWarn, "shutdown_workers_unresponsive",
                       {{"stopped", workers_stopped_.load()}, {"workers", workers_.size()}});
  }
  while (active_connections_.load() > 0 && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (active_connections_.load() > 0) {
    observability::Log(observability::Level::kWarn, "shutdown_grace_expired",
                       {{"connections", active_connections_.load()}});
  }
  // A thread-start hook may have restarted its io_context after a stop (RunUntilReady):
  // stop each until its thread has ended.
  for (auto& w : workers_) {
    while (!w->ended.load()) {
      w->ioc.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (w->thread.joinable()) w->thread.join();
  }
}

void Server::Stop() {
  if (stopping_.exchange(true)) return;
  for (auto& w : workers_) {
    asio::post(w->ioc, [this, worker = w.get()] {
      if (worker->acceptor) {
        // Connections the kernel completed are in the listener's backlog, their requests
        // possibly sent: closing the listener would reset them. Take them in first.
        boost::system::error_code ec;
        worker->acceptor->non_blocking(true, ec);
        while (!ec) {
          tcp::socket socket(worker->ioc);
          worker->acceptor->accept(socket, ec);
          if (!ec) StartConnection(*worker, std::move(socket));
        }
        worker->acceptor->close(ec);
      }
      // Idle connections close, unless a request has already arrived on them.
      boost::system::error_code ec;
      for (auto& c : worker->connections) {
        if (c.idle && c.socket && c.socket->available(ec) == 0) c.socket->cancel(ec);
      }
      workers_stopped_.fetch_add(1);
    });
  }
  stop_requested_.store(true);
}

asio::awaitable<void> Server::Accept(Worker& worker) {
  while (!stopping_.load()) {
    auto [ec, socket] = co_await worker.acceptor->async_accept(kTuple);
    if (ec) {
      if (stopping_.load() || ec == asio::error::operation_aborted) co_return;
      // Out of descriptors or a transient error: back off briefly instead of spinning.
      asio::steady_timer pause(worker.ioc, std::chrono::milliseconds(10));
      co_await pause.async_wait(kTuple);
      continue;
    }
    StartConnection(worker, std::move(socket));
  }
}

asio::awaitable<void> Server::Sweep(Worker& worker) {
  // A tenth of the shortest timeout, between 5 and 100 ms: how late a deadline may be acted on.
  const auto shortest =
      std::min({options_.header_timeout, options_.body_timeout, options_.idle_timeout});
  const auto tick = std::clamp<std::chrono::milliseconds>(
      shortest / 10, std::chrono::milliseconds(5), std::chrono::milliseconds(100));
  asio::steady_timer timer(worker.ioc);
  for (;;) {
    timer.expires_after(tick);
    auto [ec] = co_await timer.async_wait(kTuple);
    if (ec) co_return;
    const auto now = Clock::now();
    for (auto& c : worker.connections) {
      if (c.deadline > now) continue;
      c.deadline = Clock::time_point::max();
      c.expired = true;
      boost::system::error_code ignored;
      c.socket->cancel(ignored);
    }
  }
}

void Server::StartConnection(Worker& worker, tcp::socket socket) {
  active_connections_.fetch_add(1);
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  // The connection's coroutine runs with its current request made current wherever it
  // resumes (core/request_context.hpp), so that log lines and outbound calls name it.
  auto context = std::make_shared<core::RequestContext>();
  asio::co_spawn(core::BindRequestContext(worker.ioc.get_executor(), context),
                 Serve(worker, std::move(socket), context), asio::detached);
}

asio::awaitable<void> Server::Serve(Worker& worker, tcp::socket socket,
                                    std::shared_ptr<core::RequestContext> context) {
  OpenConnections().Add(1);  // counted in active_connections_ by StartConnection
  auto self = worker.connections.insert(worker.connections.end(), Connection{&socket, true});
  // The deadline of what the connection does next (a read or a write); a passed one cancels
  // the pending operation and leaves the socket open, so that a slow client can still be
  // answered 408 in the envelope.
  auto expire_after = [&](std::chrono::milliseconds timeout) {
    self->expired = false;
    self->deadline = Clock::now() + timeout;
  };
  auto disarm = [&] { self->deadline = Clock::time_point::max(); };
  struct Cleanup {
    Server* server;
    Worker& worker;
    std::list<Connection>::iterator self;
    ~Cleanup() {
      worker.connections.erase(self);
      server->active_connections_.fetch_sub(1);
      OpenConnections().Add(-1);
    }
  } cleanup{this, worker, self};

  // Writes a response; false when the connection is no longer usable.
  auto send = [&](Response response, std::string request_id, unsigned version, bool keep_alive,
                  bool head) -> asio::awaitable<bool> {
    const std::string bytes = SerializeResponse(response, request_id, version, keep_alive, head);
    expire_after(options_.body_timeout);
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(bytes), kTuple);
    disarm();
    co_return !ec;
  };
  // Answers a request that could not be read, then the connection closes.
  auto refuse = [&](core::ErrorCode code, std::string_view route) -> asio::awaitable<void> {
    std::string request_id = core::NewRequestId();
    Response response = ErrorResponse(core::MakeError(code), request_id, false);
    unsigned status = static_cast<unsigned>(response.status);
    co_await send(std::move(response), request_id, 11, false, false);
    Record(route, beast_http::verb::unknown, status, 0);
  };

  // The peer, once: every request of the connection comes from it.
  boost::system::error_code peer_ec;
  const asio::ip::address peer = socket.remote_endpoint(peer_ec).address();

  beast::flat_buffer buffer;
  bool open = active_connections_.load() <= static_cast<std::size_t>(options_.max_connections);
  if (!open) co_await refuse(core::ErrorCode::kUnavailable, "unmatched");
  while (open) {
    // Idle: wait for the first byte of the next request.
    if (buffer.size() == 0) {
      self->idle = true;
      // Shutting down: close, unless a request already arrived (sent before the signal).
      boost::system::error_code available_ec;
      if (stopping_.load() && socket.available(available_ec) == 0) break;
      expire_after(options_.idle_timeout);
      auto [ec, n] = co_await socket.async_read_some(buffer.prepare(4096), kTuple);
      disarm();
      self->idle = false;
      if (ec) break;  // closed, idle timeout or shutdown: nothing to answer
      buffer.commit(n);
    }
    self->idle = false;
    auto arrival = Clock::now();

    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
    // The route, known once the header is in, decides the body limit; until then none, or
    // the parser would refuse a large Content-Length before the route could allow it.
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    expire_after(options_.header_timeout);
    auto [header_ec, header_bytes] =
        co_await beast_http::async_read_header(socket, buffer, parser, kTuple);
    disarm();
    if (header_ec) {
      if (self->expired) {
        co_await refuse(core::ErrorCode::kRequestTimeout, "unmatched");
      } else if (header_ec == beast_http::error::header_limit) {
        co_await refuse(core::ErrorCode::kHeadersTooLarge, "unmatched");
      } else if (header_ec != beast_http::error::end_of_stream && header_ec != asio::error::eof &&
                 header_ec != asio::error::connection_reset &&
                 header_ec != asio::error::operation_aborted) {
        co_await refuse(core::ErrorCode::kValidation, "unmatched");
      }
      break;
    }

    auto& header = parser.get();
    auto target = boost::urls::parse_origin_form(header.target());
    if (!target) {
      co_await refuse(core::ErrorCode::kValidation, "unmatched");
      break;
    }
    std::string path = target->path();
    Router::Match match = router_.Resolve(header.method(), path);
    std::size_t limit = match.max_body_bytes ? match.max_body_bytes : options_.max_body_bytes;
    if (auto length = parser.content_length(); length && *length > limit) {
      co_await refuse(core::ErrorCode::kPayloadTooLarge, match.pattern);
      break;
    }
    parser.body_limit(limit);
    if (!parser.is_done()) {
      if (beast::iequals(header[beast_http::field::expect], "100-continue")) {
        beast_http::response<beast_http::empty_body> cont{beast_http::status::continue_, 11};
        expire_after(options_.body_timeout);
        auto [ec, n] = co_await beast_http::async_write(socket, cont, kTuple);
        disarm();
        if (ec) break;
      }
      expire_after(options_.body_timeout);
      auto [body_ec, body_bytes] = co_await beast_http::async_read(socket, buffer, parser, kTuple);
      disarm();
      if (body_ec) {
        if (self->expired) {
          co_await refuse(core::ErrorCode::kRequestTimeout, match.pattern);
        } else if (body_ec == beast_http::error::body_limit) {
          co_await refuse(core::ErrorCode::kPayloadTooLarge, match.pattern);
        } else if (body_ec != asio::error::eof && body_ec != asio::error::connection_reset &&
                   body_ec != beast_http::error::end_of_stream &&
                   body_ec != asio::error::operation_aborted) {
          co_await refuse(core::ErrorCode::kValidation, match.pattern);
        }
        break;
      }
    }

    Request request;
    request.message = parser.release();
    request.path = std::move(path);
    for (auto param : target->params()) {
      request.query.emplace(std::string(param.key), std::string(param.value));
    }
    std::string_view client_id = request.Header("X-Request-Id");
    request.request_id =
        core::IsAcceptableRequestId(client_id) ? std::string(client_id) : core::NewRequestId();
    request.worker = worker.index;
    request.client_address = ClientAddress(peer, request.message, options_.trusted_proxy_hops);
    request.english = PrefersEnglish(request.Header("Accept-Language"));
    request.deadline = arrival + options_.request_deadline;
    request.trace = core::ContinueTrace(core::ParseTraceparent(request.Header("traceparent")));
    context->request_id = request.request_id;
    context->trace = request.trace;

    std::string request_id = request.request_id;
    auto method = request.method();
    unsigned version = request.message.version();
    bool keep_alive = request.message.keep_alive();
    bool head = method == beast_http::verb::head;
    std::size_t bytes_in = request.body().size();
    std::string_view route = match.pattern;

    InFlight().Add(1);
    Response response = co_await router_.Dispatch(std::move(request), std::move(match));
    InFlight().Add(-1);

    keep_alive = keep_alive && !stopping_.load();
    unsigned status = static_cast<unsigned>(response.status);
    std::size_t bytes_out = response.body.size();
    std::string user_hash = std::move(response.user_hash);
    open = co_await send(std::move(response), request_id, version, keep_alive, head) && keep_alive;
    double seconds = std::chrono::duration<double>(Clock::now() - arrival).count();
    Record(route, method, status, seconds);
    if (options_.access_log && observability::Enabled(observability::Level::kInfo)) {
      observability::LogAccess({.request_id = request_id,
                                .method = beast_http::to_string(method),
                                .route = route,
                                .status = status,
                                .duration_us = static_cast<std::int64_t>(seconds * 1e6),
                                .bytes_in = bytes_in,
                                .bytes_out = bytes_out,
                                .user = user_hash,
                                .trace_id = context->trace.trace_id,
                                .span_id = context->trace.span_id});
    }
    // Between requests the connection serves none.
    context->request_id.clear();
    context->trace = {};
  }
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
}

}  // namespace onboardd::http
