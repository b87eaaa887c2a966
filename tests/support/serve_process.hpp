// `onboardd serve` (or any program) as a child process of a test: started with the test's
// environment plus a few variables, on a free loopback port, its output in a file; called
// over real sockets; stopped with SIGTERM. Not thread-safe: drive it from the test's thread.
#pragma once

#include <sys/types.h>

#include <boost/json/value.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace onboardd::testing {

// A loopback TCP port that was free a moment ago.
unsigned short FreePort();

// Starts `args` (args[0]: the program's path) with this process's environment plus `extra`
// ("NAME=value", replacing the environment's of the same name), stdout to `log` and stderr
// too, unless `err` names a file of its own.
pid_t Spawn(std::vector<std::string> args, std::vector<std::string> extra, const std::string& log,
            const std::string& err = "");

// The child's exit code (128 when a signal ended it), or -1 when it did not exit within
// `timeout` (then it is killed).
int WaitExit(pid_t pid, std::chrono::seconds timeout);

// The whole text of a file ("" when it cannot be read).
std::string ReadFile(const std::string& path);

struct HttpReply {
  int status = 0;  // 0: no answer
  std::string head;
  std::string body;
  boost::json::value json;  // null unless the body is JSON
};

// One request on a fresh connection to 127.0.0.1:`port`. `headers`: "Name: value\r\n" lines.
HttpReply CallHttp(unsigned short port, const std::string& method, const std::string& path,
                   const std::string& body = "", const std::string& headers = "",
                   std::chrono::milliseconds timeout = std::chrono::seconds(20));

// The value of header `name` (case-insensitive) in a response head, "" when absent.
std::string HeaderOf(const std::string& head, const std::string& name);

class ServeProcess {
 public:
  // Starts `onboardd serve` (ONBOARDD_BIN) on a free port with `extra` environment and
  // waits until `ready_path` answers 200 (throws std::runtime_error with its log if it does
  // not within 20 s). `tag` names its log file.
  ServeProcess(const std::string& binary, std::vector<std::string> extra, const std::string& tag,
               std::string ready_path = "/readyz", int threads = 2);
  ~ServeProcess();  // Stop()
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  unsigned short port() const { return port_; }
  const std::string& log_path() const { return log_; }
  std::string Log() const { return ReadFile(log_); }

  HttpReply Call(const std::string& method, const std::string& path, const std::string& body = "",
                 const std::string& headers = "") const {
    return CallHttp(port_, method, path, body, headers);
  }

  // SIGTERM, then its exit code (see WaitExit); repeated calls return the first one's.
  int Stop();

 private:
  std::string dir_;
  std::string log_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

}  // namespace onboardd::testing
