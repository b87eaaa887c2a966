// A private redis-server for tests: started on a free loopback port (and optionally a Unix
// socket, TLS, a password or ACL users) in its own temporary directory, so a test can stop
// it, restart it on the same port, pause it (SIGSTOP/SIGCONT) and flush it. The server
// dies with the test process (PR_SET_PDEATHSIG) and its directory is removed. Not
// thread-safe: drive it from the test's thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace onboardd::test {

struct RedisServerOptions {
  std::string password;                // --requirepass (the default user)
  std::vector<std::string> acl_users;  // e.g. "alice on >secret ~* &* +@all"
  bool unix_socket = false;            // also listen on <dir>/redis.sock
  bool persist = false;                // append-only file, so Restart() keeps the data
  // TLS on the port instead of plain TCP (PEM text; written to files in the directory).
  std::string tls_cert_pem;
  std::string tls_key_pem;
};

class RedisServerProcess {
 public:
  // Starts the server and waits until it accepts connections. Throws std::runtime_error
  // (with the server's log) when it does not start within 10 s.
  explicit RedisServerProcess(RedisServerOptions options = {});
  ~RedisServerProcess();
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  int port() const { return port_; }
  std::string unix_path() const { return dir_ + "/redis.sock"; }
  const std::string& dir() const { return dir_; }
  // "redis://127.0.0.1:<port>" (or rediss:// with TLS), credentials not included.
  std::string Url() const;

  // SIGTERM and wait for exit (the port is then refused until Start).
  void Stop();
  // Starts it again on the same port (and socket); waits until it accepts.
  void Start();
  void Restart() {
    Stop();
    Start();
  }
  void Pause();   // SIGSTOP: connections stay open, nothing is answered
  void Resume();  // SIGCONT
  bool running() const { return pid_ > 0; }

  // Runs redis-cli against the server (with its password, TLS settings) and returns what
  // it printed, trailing newline removed. E.g. Cli({"FLUSHALL"}), Cli({"GET", "k"}).
  std::string Cli(const std::vector<std::string>& args) const;

 private:
  void Spawn();
  bool WaitAccepting(std::chrono::milliseconds within) const;

  const RedisServerOptions options_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace onboardd::test
