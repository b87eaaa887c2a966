// A TCP proxy for fault tests: it listens on a free 127.0.0.1 port inside the test process
// and forwards every connection to a target (PostgreSQL, redis-server, a fake AI provider),
// until the test switches it to a fault: refuse (the dependency is gone), delay (a slow
// network), stall (a hung peer: connections stay open, nothing moves) or cut (connections
// closed mid-stream). Runs its own io_context on its own thread; every method is thread-safe
// and has taken effect when it returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

namespace onboardd::test {

class FaultProxy {
 public:
  enum class Mode { kPass, kRefuse, kDelay, kStall, kCut };

  // Listens on 127.0.0.1 and a free port, forwarding to `target_host` (an IP address) and
  // `target_port`. Starts in kPass. Throws std::runtime_error when it cannot listen.
  FaultProxy(std::string target_host, unsigned short target_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  unsigned short port() const { return port_; }

  // Forwards everything (again): listens if it did not, wakes stalled connections.
  void Pass();
  // Stops listening (new connections are refused) and closes every live connection.
  void Refuse();
  // Each chunk read from either side waits `per_chunk` before it is forwarded.
  void Delay(std::chrono::milliseconds per_chunk);
  // Stops forwarding without closing: connections (live and new) stay open and silent.
  void Stall();
  // Every connection, live or new, is closed after forwarding `bytes` more bytes (counted
  // over both directions); 0 closes the live ones now and new ones on accept.
  void Cut(std::size_t bytes = 0);

  Mode mode() const;
  // Connections accepted so far, and those open now.
  int Accepted() const;
  int Live() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  unsigned short port_ = 0;
  std::thread thread_;
};

const char* ToString(FaultProxy::Mode mode);

}  // namespace onboardd::test
