// A tiny HTTP/1.1 server on 127.0.0.1 and a random port for tests that need a real socket
// (the JWKS endpoint, Edge Config, an AI provider): canned responses per path, an optional
// delay, request and connection counting, keep-alive with ways to end it (Connection: close,
// closing idle connections, dropping a request unanswered), and Stop() to play "endpoint
// down". It runs its own io_context on its own thread; every method is thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace onboardd::test {

// A test CA and a server certificate it signed, all PEM.
struct TlsCertificate {
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
};

// A fresh CA (EC P-256) and a leaf for `names`: DNS names, or IP addresses written as such
// ("127.0.0.1"), which become its subjectAltName entries. Throws std::runtime_error.
TlsCertificate MakeTestCertificate(const std::vector<std::string>& names);

struct RecordedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class FakeHttpServer {
 public:
  // Binds 127.0.0.1:0 and starts serving plain HTTP. Unknown paths answer 404.
  FakeHttpServer();
  // The same over TLS with this certificate.
  explicit FakeHttpServer(const TlsCertificate& tls);
  ~FakeHttpServer();
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  unsigned short port() const { return port_; }
  // "http(s)://<host>:<port><path>"; host defaults to 127.0.0.1.
  std::string Url(std::string_view path, std::string_view host = "127.0.0.1") const;

  // `headers` are added to the response (ETag, x-edge-config-digest, ...).
  void SetResponse(const std::string& path, int status, std::string body,
                   std::string content_type = "application/json",
                   std::vector<std::pair<std::string, std::string>> headers = {});
  // Each response waits this long before it is written.
  void SetDelay(std::chrono::milliseconds delay);
  // Requests received for `path` (the target without its query).
  int RequestCount(const std::string& path) const;
  std::vector<RecordedRequest> Requests() const;

  // On (the default): a connection serves requests until the client closes it or sends
  // `Connection: close`. Off: every response says `Connection: close` and ends its connection.
  void SetKeepAlive(bool keep_alive);
  // The next `n` requests are read, counted and recorded, then their connection is closed
  // without a byte of response: the race of a server closing a kept-alive connection just as
  // a request arrives.
  void DropNextRequests(int n);
  // Closes every connection waiting for its next request (a server's idle timeout) and
  // returns how many; blocks until they are closed.
  int CloseIdleConnections();
  // Connections accepted so far, and those open now.
  int ConnectionCount() const;
  int OpenConnections() const;

  // Closes the listener and every connection; later connections are refused. Idempotent.
  void Stop();

 private:
  struct Impl;
  struct Canned {
    int status = 200;
    std::string body;
    std::string content_type;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  friend struct Impl;

  mutable std::mutex mu_;
  std::map<std::string, Canned> responses_;
  std::map<std::string, int> counts_;
  std::vector<RecordedRequest> requests_;
  std::chrono::milliseconds delay_{0};
  bool keep_alive_ = true;
  int drop_next_ = 0;
  int connections_accepted_ = 0;
  int connections_open_ = 0;

  std::unique_ptr<Impl> impl_;
  unsigned short port_ = 0;
  bool tls_ = false;
  std::thread thread_;
};

// Runs one coroutine to completion on a fresh io_context on this thread and returns its
// result (rethrowing its exception). For tests only: it blocks.
template <class T>
T RunSync(boost::asio::awaitable<T> awaitable) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, std::move(awaitable), boost::asio::use_future);
  io.run();
  return future.get();
}

}  // namespace onboardd::test
