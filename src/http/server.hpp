// The HTTP/1.1 server: one io_context and one SO_REUSEPORT listener per I/O thread, one
// coroutine per connection. A connection owns only I/O, limits and timeouts — reading a
// request (header limit → 431, body limit per route → 413, a slow or silent client is
// disconnected), handing it to the Router, writing the response, keep-alive and
// pipelining. Graceful shutdown: Stop() closes the listeners, closes idle connections, lets
// busy ones finish their current request (answering it with Connection: close) within the
// grace period, then stops the threads.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/request_context.hpp"
#include "http/router.hpp"

namespace onboardd::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0: any free port (see Server::port())
  int threads = 1;
  int max_connections = 10000;
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds request_deadline{5'000};
  std::chrono::milliseconds shutdown_grace{10'000};
  bool access_log = true;
  // Proxies of the operator's own in front of the server (TRUSTED_PROXY_HOPS): 0 takes the
  // socket's peer as the client, N reads the N-th X-Forwarded-For entry from the right
  // (http/client_address.hpp).
  int trusted_proxy_hops = 0;
};

// Runs `io` on this thread until `ready` is: for a thread-start hook that must wait for
// something it started on its own io_context (the app's database pool). If the io_context
// stops meanwhile (it ran out of work, or the server is stopping), it is restarted: the
// server stops each I/O thread's io_context until that thread has ended.
template <class T>
void RunUntilReady(boost::asio::io_context& io, std::future<T>& ready) {
  while (ready.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(10));
  }
  if (io.stopped()) io.restart();
}

// The bytes of `response` on the wire, status line to body, answering request `request_id`
// of HTTP/1.`version` (10 or 11): the server's own X-Request-Id, Connection when it differs
// from the version's default, Content-Length (none in 1xx, 204 and 304, which carry no
// content), the body unless `head`. A field whose name or value holds CR or LF is left out.
// Written out directly rather than through a beast::http::response, which costs an
// allocation per field and a serializer whose buffer sequence is copied along the write's
// composed operations (perf, /step at 10x: about 2.5 % of the server's CPU in those buffers
// alone). Measured: bench/hello_server at 15,000 requests/s open loop, 30.5 µs of CPU per
// answer instead of 32.8 (medians of 5 interleaved rounds).
std::string SerializeResponse(const Response& response, std::string_view request_id,
                              unsigned version, bool keep_alive, bool head);

class Server {
 public:
  // `router` must outlive the server and is not modified after construction.
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Runs on each I/O thread before it accepts (index 0..threads-1) and after it stops
  // serving, on that thread: where per-thread resources (database pools) are made.
  void OnThreadStart(std::function<void(int, boost::asio::io_context&)> hook);
  void OnThreadStop(std::function<void(int)> hook);

  // Binds every listener. Throws std::system_error when the address cannot be bound,
  // including a port another process listens on (which SO_REUSEPORT would otherwise share).
  void Listen();
  // The bound port (after Listen).
  unsigned short port() const;

  // Serves until Stop(), then drains; returns when every I/O thread has ended. Blocks.
  void Run();
  // Begins graceful shutdown. Thread-safe; idempotent. Not async-signal-safe: call it from a
  // signal_set handler, not from a raw signal handler.
  void Stop();

  std::size_t ActiveConnections() const;

 private:
  struct Worker;
  struct Connection;
  boost::asio::awaitable<void> Accept(Worker& worker);
  // Acts on the connections' deadlines (Connection::deadline), a tick at a time.
  boost::asio::awaitable<void> Sweep(Worker& worker);
  // Counts the connection at once (so that shutdown waits for it) and serves it.
  void StartConnection(Worker& worker, boost::asio::ip::tcp::socket socket);
  // `context` is the connection's current request (core/request_context.hpp): Serve fills it
  // per request; the coroutine runs on an executor that makes it current.
  boost::asio::awaitable<void> Serve(Worker& worker, boost::asio::ip::tcp::socket socket,
                                     std::shared_ptr<core::RequestContext> context);

  // Constant after construction.
  const ServerOptions options_;
  const Router& router_;
  std::function<void(int, boost::asio::io_context&)> on_start_;
  std::function<void(int)> on_stop_;

  std::vector<std::unique_ptr<Worker>> workers_;
  unsigned short bound_port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> active_connections_{0};
  std::atomic<bool> stop_requested_{false};
  // Workers that closed their listener at Stop() (after taking in their backlog).
  std::atomic<std::size_t> workers_stopped_{0};
};

}  // namespace onboardd::http
