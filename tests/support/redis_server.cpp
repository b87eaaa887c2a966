// fork/exec of redis-server with its log in the temporary directory; redis-cli for the
// test's own commands, so that what a test checks does not go through the client under test.
#include "support/redis_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace onboardd::test {
namespace {

namespace fs = std::filesystem;

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  if (port <= 0) throw std::runtime_error("no free loopback port");
  return port;
}

bool TcpAccepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

bool UnixAccepts(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return false;
  std::copy(path.begin(), path.end(), addr.sun_path);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

RedisServerProcess::RedisServerProcess(RedisServerOptions options) : options_(std::move(options)) {
  char pattern[] = "/tmp/onboardd-redis-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  if (!options_.tls_cert_pem.empty()) {
    std::ofstream(dir_ + "/server.crt") << options_.tls_cert_pem;
    std::ofstream(dir_ + "/server.key") << options_.tls_key_pem;
  }
  port_ = FreeLoopbackPort();
  Start();
}

RedisServerProcess::~RedisServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGCONT);
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

std::string RedisServerProcess::Url() const {
  return (options_.tls_cert_pem.empty() ? "redis://127.0.0.1:" : "rediss://127.0.0.1:") +
         std::to_string(port_);
}

void RedisServerProcess::Spawn() {
  std::vector<std::string> argv{"redis-server",
                                "--bind",
                                "127.0.0.1",
                                "--dir",
                                dir_,
                                "--save",
                                "",
                                "--loglevel",
                                "warning",
                                "--logfile",
                                dir_ + "/redis.log",
                                "--daemonize",
                                "no"};
  auto add = [&argv](std::initializer_list<std::string> more) {
    argv.insert(argv.end(), more.begin(), more.end());
  };
  if (options_.tls_cert_pem.empty()) {
    add({"--port", std::to_string(port_)});
  } else {
    add({"--port", "0", "--tls-port", std::to_string(port_), "--tls-cert-file",
         dir_ + "/server.crt", "--tls-key-file", dir_ + "/server.key", "--tls-auth-clients", "no"});
  }
  add({"--appendonly", options_.persist ? "yes" : "no"});
  if (options_.persist) add({"--appendfsync", "always"});
  if (options_.unix_socket) add({"--unixsocket", unix_path(), "--unixsocketperm", "700"});
  if (!options_.password.empty()) add({"--requirepass", options_.password});
  for (const auto& user : options_.acl_users) {
    argv.push_back("--user");
    std::istringstream words(user);
    for (std::string word; words >> word;) argv.push_back(word);
  }

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    const int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      dup2(null_fd, STDIN_FILENO);
      dup2(null_fd, STDOUT_FILENO);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  pid_ = pid;
}

bool RedisServerProcess::WaitAccepting(std::chrono::milliseconds within) const {
  const auto give_up = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < give_up) {
    if (pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == pid_) return false;  // it exited
    const bool tcp = TcpAccepts(port_);
    if (tcp && (!options_.unix_socket || UnixAccepts(unix_path()))) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

void RedisServerProcess::Start() {
  if (pid_ > 0) return;
  Spawn();
  if (!WaitAccepting(std::chrono::seconds(10))) {
    const std::string log = ReadFile(dir_ + "/redis.log");
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
    throw std::runtime_error("redis-server did not start: " + log);
  }
}

void RedisServerProcess::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGCONT);
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void RedisServerProcess::Pause() {
  if (pid_ > 0) kill(pid_, SIGSTOP);
}

void RedisServerProcess::Resume() {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

std::string RedisServerProcess::Cli(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"redis-cli", "-h", "127.0.0.1", "-p", std::to_string(port_)};
  if (!options_.tls_cert_pem.empty()) {
    argv.insert(argv.end(), {"--tls", "--insecure"});
  }
  if (!options_.password.empty()) {
    argv.insert(argv.end(), {"--no-auth-warning", "-a", options_.password});
  }
  argv.insert(argv.end(), args.begin(), args.end());
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(const_cast<char*>(a.c_str()));
    cargs.push_back(nullptr);
    execvp(cargs[0], cargs.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0) out.append(buffer, n);
  close(pipe_fds[0]);
  waitpid(pid, nullptr, 0);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace onboardd::test
