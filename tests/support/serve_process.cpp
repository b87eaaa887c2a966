#include "support/serve_process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "support/raw_http.hpp"

extern char** environ;

namespace onboardd::testing {

unsigned short FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

pid_t Spawn(std::vector<std::string> args, std::vector<std::string> extra, const std::string& log,
            const std::string& err) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(err.empty() ? fd : ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // `extra` replaces what the environment says for the same names (getenv finds the first).
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string_view entry(*e);
      bool replaced = false;
      for (const auto& x : extra) {
        const auto eq = x.find('=');
        if (eq != std::string::npos && entry.starts_with(std::string_view(x).substr(0, eq + 1))) {
          replaced = true;
        }
      }
      if (!replaced) envp.push_back(*e);
    }
    for (auto& e : extra) envp.push_back(e.data());
    envp.push_back(nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

int WaitExit(pid_t pid, std::chrono::seconds timeout) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < give_up) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

HttpReply CallHttp(unsigned short port, const std::string& method, const std::string& path,
                   const std::string& body, const std::string& headers,
                   std::chrono::milliseconds timeout) {
  HttpReply reply;
  try {
    RawConnection c(port);
    c.Send(method + " " + path + " HTTP/1.1\r\nHost: t\r\n" + headers +
           "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body);
    const std::string raw = c.ReadResponses(1, timeout);
    reply.status = StatusOf(raw);
    const auto end = raw.find("\r\n\r\n");
    if (end == std::string::npos) return reply;
    reply.head = raw.substr(0, end);
    reply.body = raw.substr(end + 4);
    boost::system::error_code ec;
    reply.json = boost::json::parse(reply.body, ec);
    if (ec) reply.json = nullptr;
  } catch (const std::runtime_error&) {
  }
  return reply;
}

std::string HeaderOf(const std::string& head, const std::string& name) {
  std::string lower_head = head, lower_name = "\r\n" + name + ":";
  for (char& c : lower_head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char& c : lower_name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = lower_head.find(lower_name);
  if (at == std::string::npos) return "";
  auto begin = at + lower_name.size();
  while (begin < head.size() && head[begin] == ' ') ++begin;
  const auto end = head.find("\r\n", begin);
  return head.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

ServeProcess::ServeProcess(const std::string& binary, std::vector<std::string> extra,
                           const std::string& tag, std::string ready_path, int threads) {
  char templ[] = "/tmp/onboardd-serve.XXXXXX";
  dir_ = ::mkdtemp(templ);
  log_ = dir_ + "/" + tag + ".log";
  port_ = FreePort();
  pid_ = Spawn({binary, "serve", "--host", "127.0.0.1", "--port", std::to_string(port_),
                "--threads", std::to_string(threads)},
               std::move(extra), log_);
  for (int i = 0; i < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (Call("GET", ready_path).status == 200) return;
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;  // it exited: nothing left to stop
      break;
    }
  }
  const std::string log = Log();
  Stop();
  throw std::runtime_error("onboardd serve (" + tag + ") did not become ready:\n" + log);
}

ServeProcess::~ServeProcess() {
  Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

int ServeProcess::Stop() {
  if (pid_ <= 0) return exit_code_;
  ::kill(pid_, SIGTERM);
  exit_code_ = WaitExit(pid_, std::chrono::seconds(30));
  pid_ = -1;
  return exit_code_;
}

}  // namespace onboardd::testing
