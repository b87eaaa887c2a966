// The binary as a user runs it: `onboardd dev` starts its services, serves, and on SIGTERM
// stops everything it started; `onboardd serve` drains in-flight requests on SIGTERM.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/raw_http.hpp"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using onboardd::testing::RawConnection;
using onboardd::testing::StatusOf;

pid_t Spawn(std::vector<std::string> args, const std::string& log) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Exit status, or -1 if it did not exit in time (then it is killed).
int WaitExit(pid_t pid, std::chrono::seconds timeout) {
  auto give_up = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < give_up) {
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    std::this_thread::sleep_for(20ms);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

// Processes whose command line mentions `needle`.
std::vector<std::string> ProcessesMentioning(const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), {});
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(needle) != std::string::npos) found.push_back(name + ": " + cmdline);
  }
  return found;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

unsigned short PortFromEnvFile(const fs::path& file) {
  std::string text = ReadFile(file);
  auto at = text.find("ONBOARDD_URL='http://127.0.0.1:");
  if (at == std::string::npos) return 0;
  return static_cast<unsigned short>(std::stoi(text.substr(at + 31)));
}

// Runs a command and returns its stdout, trimmed.
std::string RunOutput(std::vector<std::string> args) {
  int fds[2];
  if (pipe(fds) != 0) return "";
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0) out.append(buffer, n);
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string Get(const std::string& path) { return "GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n"; }

TEST(Dev, StartsServesAndLeavesNoProcessBehind) {
  char templ[] = "/tmp/onboardd-devtest.XXXXXX";
  fs::path dir = mkdtemp(templ);
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  pid_t pid = Spawn({ONBOARDD_BIN, "dev", "--data-dir", dir.string(), "--port", "0"},
                    (dir / "out.log").string());
  unsigned short port = 0;
  for (int i = 0; i < 600 && port == 0; ++i) {
    std::this_thread::sleep_for(100ms);
    port = PortFromEnvFile(dir / "dev.env");
  }
  ASSERT_NE(port, 0) << ReadFile(dir / "out.log");
  {
    RawConnection c(port);
    c.Send(Get("/healthz") + Get("/readyz"));
    auto responses = RawConnection::Split(c.ReadResponses(2));
    ASSERT_EQ(responses.size(), 2u);
    EXPECT_EQ(StatusOf(responses[0]), 200);
    EXPECT_EQ(StatusOf(responses[1]), 200) << responses[1];
  }
  EXPECT_NE(ReadFile(dir / "out.log").find("curl"), std::string::npos)
      << "example requests printed";
  {
    // The real authenticator: `onboardd token` for this data dir opens /status; no token,
    // a forged one or one signed for another data dir gets 401 with WWW-Authenticate.
    std::string token =
        RunOutput({ONBOARDD_BIN, "token", "--sub", "dev-test-user", "--data-dir", dir.string()});
    ASSERT_GT(token.size(), 100u);
    RawConnection c(port);
    auto status = [&](const std::string& auth) {
      return "GET /api/onboarding/status HTTP/1.1\r\nHost: t\r\n" + auth + "\r\n";
    };
    std::string forged = token;
    forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
    c.Send(status("Authorization: Bearer " + token + "\r\n") + status("") +
           status("Authorization: Bearer " + forged + "\r\n") +
           status("Cookie: stack-access=%5B%22x%22%2C%22" + token + "%22%5D\r\n"));
    auto responses = RawConnection::Split(c.ReadResponses(4));
    ASSERT_EQ(responses.size(), 4u);
    EXPECT_EQ(StatusOf(responses[0]), 200) << responses[0];
    EXPECT_EQ(StatusOf(responses[1]), 401);
    EXPECT_NE(responses[1].find("WWW-Authenticate: Bearer"), std::string::npos);
    EXPECT_NE(responses[1].find("\"code\":\"UNAUTHENTICATED\""), std::string::npos);
    EXPECT_EQ(StatusOf(responses[2]), 401);
    EXPECT_EQ(StatusOf(responses[3]), 200) << "Stack's cookie form";
  }
  EXPECT_FALSE(ProcessesMentioning(dir.string()).empty()) << "postgres runs from the data dir";

  kill(pid, SIGTERM);
  EXPECT_EQ(WaitExit(pid, 60s), 0) << ReadFile(dir / "out.log");
  std::this_thread::sleep_for(200ms);
  auto left = ProcessesMentioning(dir.string());
  EXPECT_TRUE(left.empty()) << left.front();
  EXPECT_THROW(RawConnection c(port), std::runtime_error);
  fs::remove_all(dir);
}

// A started `onboardd dev` of a fresh temporary data dir.
struct Dev {
  fs::path dir;
  pid_t pid = -1;
  unsigned short port = 0;
};

fs::path NewDataDir() {
  char templ[] = "/tmp/onboardd-devtest.XXXXXX";
  fs::path dir = mkdtemp(templ);
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  return dir;
}

void StartDev(Dev& dev) {
  fs::remove(dev.dir / "dev.env");
  dev.pid = Spawn({ONBOARDD_BIN, "dev", "--data-dir", dev.dir.string(), "--port", "0"},
                  (dev.dir / "out.log").string());
}

bool WaitServing(Dev& dev) {
  for (int i = 0; i < 600 && dev.port == 0; ++i) {
    std::this_thread::sleep_for(100ms);
    dev.port = PortFromEnvFile(dev.dir / "dev.env");
  }
  return dev.port != 0;
}

std::string Request(unsigned short port, const std::string& raw) {
  RawConnection c(port);
  c.Send(raw);
  return c.ReadResponses(1);
}

TEST(Dev, TwoDataDirsRunSideBySideAndARestartReusesTheData) {
  Dev a{NewDataDir()}, b{NewDataDir()};
  StartDev(a);
  StartDev(b);
  ASSERT_TRUE(WaitServing(a)) << ReadFile(a.dir / "out.log");
  ASSERT_TRUE(WaitServing(b)) << ReadFile(b.dir / "out.log");
  EXPECT_NE(a.port, b.port);
  EXPECT_EQ(StatusOf(Request(a.port, Get("/readyz"))), 200);
  EXPECT_EQ(StatusOf(Request(b.port, Get("/readyz"))), 200);

  std::string token =
      RunOutput({ONBOARDD_BIN, "token", "--sub", "reuse", "--data-dir", a.dir.string()});
  std::string body =
      R"({"step":2,"data":{"name":"Reused Co","industry":"technology","size":"small"}})";
  std::string save =
      "POST /api/onboarding/step HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + token +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  ASSERT_EQ(StatusOf(Request(a.port, save)), 200);
  std::string status = "GET /api/onboarding/status HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " +
                       token + "\r\n\r\n";
  // B is another world: the same token is not even valid there.
  EXPECT_EQ(StatusOf(Request(b.port, status)), 401);

  kill(a.pid, SIGTERM);
  ASSERT_EQ(WaitExit(a.pid, 60s), 0);
  a.port = 0;
  StartDev(a);
  ASSERT_TRUE(WaitServing(a)) << ReadFile(a.dir / "out.log");
  std::string resumed = Request(a.port, status);
  EXPECT_EQ(StatusOf(resumed), 200) << "the same dev secret after a restart";
  EXPECT_NE(resumed.find("Reused Co"), std::string::npos) << "the saved step survived the restart";

  for (Dev* dev : {&a, &b}) {
    kill(dev->pid, SIGTERM);
    // Seen once in a while under a loaded full run (not reproduced alone): the log says which
    // step of the shutdown did not finish.
    EXPECT_EQ(WaitExit(dev->pid, 60s), 0) << ReadFile(dev->dir / "out.log");
    auto left = ProcessesMentioning(dev->dir.string());
    EXPECT_TRUE(left.empty()) << left.front();
    fs::remove_all(dev->dir);
  }
}

TEST(Serve, SigtermUnderLoadFailsNoRequest) {
  char templ[] = "/tmp/onboardd-servetest.XXXXXX";
  fs::path dir = mkdtemp(templ);
  // A free port: bind, read, close.
  unsigned short port = 0;
  {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    close(fd);
  }
  pid_t pid = Spawn({ONBOARDD_BIN, "serve", "--host", "127.0.0.1", "--port", std::to_string(port),
                     "--threads", "2", "--access-log", "false"},
                    (dir / "out.log").string());
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    std::this_thread::sleep_for(50ms);
    try {
      RawConnection probe(port);
      up = true;
    } catch (const std::runtime_error&) {
    }
  }
  ASSERT_TRUE(up) << ReadFile(dir / "out.log");

  std::atomic<int> ok{0}, failed{0}, unsent{0};
  std::atomic<bool> signalled{false};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&] {
      while (true) {
        std::unique_ptr<RawConnection> c;
        try {
          c = std::make_unique<RawConnection>(port);
        } catch (const std::runtime_error&) {
          return;  // listener closed: the server stopped accepting, as it should
        }
        for (int i = 0; i < 1000; ++i) {
          std::size_t before = c->received().size();
          if (!c->Send(Get("/healthz"))) {
            ++unsent;
            break;
          }
          std::string all = c->ReadResponses(i + 1, 3s);
          if (all.size() == before) {
            ++unsent;  // closed while idle between requests: never reached a handler
            break;
          }
          auto responses = RawConnection::Split(all);
          if (static_cast<int>(responses.size()) != i + 1 || StatusOf(responses.back()) != 200) {
            ++failed;
            break;
          }
          ++ok;
          if (responses.back().find("Connection: close") != std::string::npos) break;
        }
        if (signalled) return;
      }
    });
  }
  // The signal comes after 500 ms of load that is real: more than 100 answers, waited for up to
  // 20 s on a machine too loaded to give them (then the expectation below fails and says so).
  // 500 ms alone was not enough under CI's parallel run: no answer had come yet (0 of 100).
  std::this_thread::sleep_for(500ms);
  for (auto start = std::chrono::steady_clock::now();
       ok.load() <= 100 && std::chrono::steady_clock::now() - start < 20s;)
    std::this_thread::sleep_for(10ms);
  int before_signal = ok.load();
  signalled = true;
  kill(pid, SIGTERM);
  for (auto& t : clients) t.join();
  EXPECT_EQ(WaitExit(pid, 20s), 0) << ReadFile(dir / "out.log");
  EXPECT_GT(before_signal, 100);
  EXPECT_EQ(failed.load(), 0) << "truncated or non-200 answers";
  RecordProperty("requests_ok", ok.load());
  RecordProperty("closed_idle", unsent.load());
  fs::remove_all(dir);
}

}  // namespace
