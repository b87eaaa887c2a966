// Outbound HTTP/1.1 for everything onboardd calls: the JWKS endpoint, Edge Config, an
// OpenAI-compatible AI provider. HTTPS verifies the peer against the system CAs (plus an
// optional extra CA file), with SNI and hostname verification; plain HTTP is allowed only to
// loopback hosts unless the client is told otherwise. Connections are kept alive and reused
// (below); no redirects, no decompression, and the only retry is the one a stale kept-alive
// connection calls for: callers decide what every other failure means for them.
//
// Connection reuse. After a response that leaves the connection usable (HTTP/1.1 without
// `Connection: close` on either side, a body delimited by Content-Length or chunking and read
// to its end, no byte after it, no error), the connection goes back to an idle list. Idle
// lists are kept per execution context (the io_context: a socket is only ever used on the
// context it was opened on, and the lists die with it), per executor (a coroutine on a strand
// gets the sockets of that strand, so reuse needs long-lived strands; the server's I/O threads
// run one io_context each, without strands), per Client, and per scheme, host and port. A list
// holds at most `max_idle_per_host` connections, the most recently used first; a connection idle
// for longer than `idle_timeout` is closed at the next use of its context's lists (no timer is
// armed, so idle connections never keep an io_context's run() from returning) or when the
// context is destroyed. Before reuse a connection is checked without blocking: if the server
// closed it or sent anything while it was idle, it is dropped and the next one is tried.
//
// The one retry. A server may close an idle connection at the very moment a request is sent
// on it. When a request on a *reused* connection fails before any byte of the response
// arrived, and the deadline has not passed, Fetch sends it once more on a new connection if:
//   - the write failed: the server had already closed the connection, so it never read the
//     request. Safe for every method, POST included.
//   - or the write completed, then the connection closed or reset without a response byte,
//     and the request is idempotent (Request::idempotent; by default GET, HEAD, PUT, DELETE,
//     OPTIONS, TRACE). Here the server may have read the request, and even applied it, before
//     closing (it crashed, or closed just as the request arrived): a non-idempotent request is
//     replayed only when its caller says doing it twice is harmless.
// Never retried: a request on a connection opened for it, a timeout, a response that had begun
// to arrive. The check before reuse makes the retry rare: it only covers that race.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/trace_context.hpp"

namespace boost::asio::ssl {
class context;
}

namespace onboardd::http_client {

struct HeaderField {
  std::string name;
  std::string value;
};

struct Request {
  std::string method = "GET";  // any standard HTTP method name, upper case
  // http://host[:port]/path?query or https://...; userinfo is refused, a fragment dropped.
  std::string url;
  // Sent as given (repeats allowed), after Host and User-Agent; a caller's Host or
  // User-Agent replaces the default. `Connection: close` keeps the connection out of the
  // idle lists.
  std::vector<HeaderField> headers;
  // The W3C trace this call belongs to, sent as `traceparent` (its span as the parent) unless
  // `headers` has one already. Unset: the trace of the request the calling coroutine serves
  // (core::CurrentRequest()), if any — so a call made while serving a request joins its
  // trace without the caller doing anything. Work outside requests (a poller) sets its own.
  std::optional<core::TraceContext> trace;
  // Sent with a Content-Length when non-empty (or when the method is POST/PUT/PATCH).
  std::string body;
  // Whether sending this request twice is harmless; decides the retry after a reused
  // connection closed without a response (see above). Unset: true for GET, HEAD, PUT, DELETE,
  // OPTIONS and TRACE, false otherwise. An AI completion (a POST that changes nothing) may
  // set it.
  std::optional<bool> idempotent;
};

struct Response {
  int status = 0;
  std::vector<HeaderField> headers;  // in wire order
  std::string body;

  // The first header with this name (ASCII case-insensitive), or "" when absent.
  std::string_view Header(std::string_view name) const;
};

struct ClientOptions {
  // Larger response bodies fail the fetch (kInternal).
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  // Plain http:// to a non-loopback host. Off: only 127.0.0.0/8, ::1 and "localhost",
  // and a name must resolve to loopback addresses only.
  bool allow_plain_http = false;
  // Trust the system's CA store (Debian's ca-certificates).
  bool use_system_ca = true;
  // An extra PEM file of trust anchors (a private CA, a test CA). Empty: none.
  std::string ca_file;
  std::string user_agent = "onboardd/0.1";
  // Idle connections kept per (io_context, executor, scheme, host, port). 0: every request
  // opens its own connection and closes it.
  std::size_t max_idle_per_host = 8;
  // An idle connection older than this is closed instead of reused. Servers close idle
  // connections too (nginx after 75 s, Node after 5 s); the check before reuse and the one
  // retry cover a server that is quicker than this.
  std::chrono::milliseconds idle_timeout{45'000};
};

// What the client did since it was made; for tests and metrics.
struct ClientStats {
  std::uint64_t connections_opened = 0;  // connects that succeeded (TLS handshake included)
  std::uint64_t requests_reused = 0;     // requests sent on an idle connection
  std::uint64_t stale_retries = 0;       // requests sent again after a reused connection failed
};

class Client {
 public:
  // Throws std::system_error when `ca_file` cannot be loaded (a configuration error found
  // at start-up, not at the first request).
  explicit Client(ClientOptions options = {});
  // Idle connections this client left in io_contexts are closed when those contexts next use
  // their lists, or are destroyed; never lent to another Client.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `request` and reads the whole response, all before `deadline` (DNS, connect, TLS
  // handshake, write, read and the one retry share it). Runs on the calling coroutine's
  // executor and never blocks it. Any HTTP status is a success: the caller looks at
  // Response::status. Failures:
  //   kInternal    — a malformed URL, an unsupported scheme or method, plain HTTP to a host
  //                  that is not loopback (unless allowed), a response over the size caps or
  //                  not parseable as HTTP/1.1.
  //   kUnavailable — DNS, connect, TLS (including certificate or hostname verification),
  //                  I/O errors, and the deadline passing.
  // The error's English message says which, without the URL's query string.
  // Thread-safe: one Client may serve every I/O thread at once. The Client must outlive its
  // Fetch calls.
  boost::asio::awaitable<core::Result<Response>> Fetch(Request request,
                                                       core::Deadline deadline) const;

  // Thread-safe; counts since construction.
  ClientStats Stats() const;

 private:
  struct Counters {
    std::atomic<std::uint64_t> opened{0};
    std::atomic<std::uint64_t> reused{0};
    std::atomic<std::uint64_t> retried{0};
  };

  // Constant after construction (an SSL_CTX is safe to share once configured).
  const ClientOptions options_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  // Names this client's idle lists (never reused by another Client); the lists hold a weak
  // reference, so they can tell when the client is gone.
  const std::uint64_t id_;
  const std::shared_ptr<const void> alive_;
  // Relaxed atomics, any thread.
  mutable Counters counters_;
};

// The parts of a URL the client uses; exposed for tests and for callers that validate
// settings at start-up.
struct Target {
  bool tls = false;
  std::string host;  // without IPv6 brackets
  std::string port;  // "443", "80" or explicit
  std::string path_and_query = "/";
  std::string host_header;  // host[:port] as it goes on the wire
};

// Parses an http(s) URL. kInternal when it is malformed, has userinfo, a scheme other than
// http/https, or is plain http to a host that is not a loopback name or address while
// `allow_plain_http` is false.
core::Result<Target> ParseTarget(std::string_view url, bool allow_plain_http);

// "localhost", "*.localhost", 127.0.0.0/8 or ::1 (the name itself, not a resolution).
bool IsLoopbackHost(std::string_view host);

}  // namespace onboardd::http_client
