// Outbound HTTP/1.1 for everything onboardd calls: the JWKS endpoint, Edge Config, an
// OpenAI-compatible AI provider. HTTPS verifies the peer against the system CAs (plus an
// optional extra CA file), with SNI and hostname verification; plain HTTP is allowed only to
// loopback hosts unless the client is told otherwise. One request per connection, no
// redirects, no retries, no decompression: callers decide what a failure means for them.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

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
  // User-Agent replaces the default. Pass W3C `traceparent` here.
  std::vector<HeaderField> headers;
  // Sent with a Content-Length when non-empty (or when the method is POST/PUT/PATCH).
  std::string body;
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
};

class Client {
 public:
  // Throws std::system_error when `ca_file` cannot be loaded (a configuration error found
  // at start-up, not at the first request).
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `request` and reads the whole response, all before `deadline` (DNS, connect, TLS
  // handshake, write and read share it). Runs on the calling coroutine's executor and never
  // blocks it. Any HTTP status is a success: the caller looks at Response::status.
  // Failures:
  //   kInternal    — a malformed URL, an unsupported scheme or method, plain HTTP to a host
  //                  that is not loopback (unless allowed), a response over the size caps or
  //                  not parseable as HTTP/1.1.
  //   kUnavailable — DNS, connect, TLS (including certificate or hostname verification),
  //                  I/O errors, and the deadline passing.
  // The error's English message says which, without the URL's query string.
  // Thread-safe: one Client may serve every I/O thread at once.
  boost::asio::awaitable<core::Result<Response>> Fetch(Request request,
                                                       core::Deadline deadline) const;

 private:
  // Constant after construction (an SSL_CTX is safe to share once configured).
  const ClientOptions options_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
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
