// `onboardd serve` with EDGE_CONFIG pointed at a fake Edge Config (tests/support's
// FakeHttpServer): the catalog it serves is the Edge Config's from the start, follows a digest
// change within a poll, and the token appears in none of its output. No database needed: the
// catalog routes are public and served from memory.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.hpp"
#include "support/fake_http_server.hpp"
#include "support/raw_http.hpp"
#include "support/serve_process.hpp"

extern char** environ;

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace json = boost::json;
using onboardd::test::FakeHttpServer;
using onboardd::testing::RawConnection;
using onboardd::testing::StatusOf;

constexpr std::string_view kToken = "e2e-token-7c1d9b0a";

std::string CatalogVersion(std::string_view version) {
  json::value document = json::parse(onboardd::catalog::BundledCatalogJson());
  document.as_object()["version"] = version;
  return json::serialize(document);
}

using onboardd::testing::FreePort;
using onboardd::testing::ReadFile;
using onboardd::testing::Spawn;
using onboardd::testing::WaitExit;

// The body of GET `path`, or "" when the server does not answer.
std::string Get(unsigned short port, const std::string& path) {
  try {
    RawConnection c(port);
    c.Send("GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    std::string response = c.ReadResponses(1);
    if (StatusOf(response) != 200) return "";
    auto body = response.find("\r\n\r\n");
    return body == std::string::npos ? "" : response.substr(body + 4);
  } catch (const std::runtime_error&) {
    return "";
  }
}

std::string ConfigVersion(unsigned short port) {
  std::string body = Get(port, "/api/onboarding/config");
  if (body.empty()) return "";
  boost::system::error_code ec;
  json::value config = json::parse(body, ec);
  if (ec || !config.is_object() || !config.as_object().contains("version")) return "";
  return std::string(config.at("version").as_string());
}

TEST(ServeWithEdgeConfig, ServesTheEdgeConfigCatalogAndFollowsItsDigest) {
  FakeHttpServer edge;
  edge.SetResponse("/ecfg_e2e/digest", 200, R"("d-A")");
  edge.SetResponse("/ecfg_e2e/items", 200, CatalogVersion("e2e-A"));

  char templ[] = "/tmp/onboardd-edgetest.XXXXXX";
  fs::path dir = ::mkdtemp(templ);
  const unsigned short port = FreePort();
  pid_t pid = Spawn({ONBOARDD_BIN, "serve", "--host", "127.0.0.1", "--port", std::to_string(port),
                     "--threads", "1", "--access-log", "false"},
                    {"EDGE_CONFIG=" + edge.Url("/ecfg_e2e?token=" + std::string(kToken)),
                     "EDGE_CONFIG_POLL_SECONDS=1", "EDGE_CONFIG_TIMEOUT_MS=2000"},
                    (dir / "out.log").string());

  std::string version;
  for (int i = 0; i < 100 && version.empty(); ++i) {
    std::this_thread::sleep_for(50ms);
    version = ConfigVersion(port);
  }
  EXPECT_EQ(version, "e2e-A") << "the first check ran before serving\n"
                              << ReadFile(dir / "out.log");

  const auto changed = std::chrono::steady_clock::now();
  edge.SetResponse("/ecfg_e2e/items", 200, CatalogVersion("e2e-B"));
  edge.SetResponse("/ecfg_e2e/digest", 200, R"("d-B")");
  for (int i = 0; i < 100 && version != "e2e-B"; ++i) {
    std::this_thread::sleep_for(50ms);
    version = ConfigVersion(port);
  }
  EXPECT_EQ(version, "e2e-B") << ReadFile(dir / "out.log");
  EXPECT_LT(std::chrono::steady_clock::now() - changed, 3s) << "within about one poll interval";

  const std::string metrics = Get(port, "/metrics");
  EXPECT_NE(metrics.find(R"(onboardd_catalog_info{version="e2e-B",source="edge_config"} 1)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(onboardd_edge_config_polls_total{outcome="updated"} 2)"),
            std::string::npos)
      << metrics;

  ::kill(pid, SIGTERM);
  EXPECT_EQ(WaitExit(pid, 20s), 0);
  const std::string log = ReadFile(dir / "out.log");
  EXPECT_NE(log.find("edge_config_started"), std::string::npos) << log;
  EXPECT_EQ(log.find(kToken), std::string::npos) << log;
  fs::remove_all(dir);
}

TEST(ServeWithEdgeConfig, AnUnusableConnectionStringStopsStartUpWithoutEchoingIt) {
  char templ[] = "/tmp/onboardd-edgetest.XXXXXX";
  fs::path dir = ::mkdtemp(templ);
  pid_t pid =
      Spawn({ONBOARDD_BIN, "serve", "--host", "127.0.0.1", "--port", "0"},
            {"EDGE_CONFIG=http://edge-config.vercel.com/ecfg_x?token=" + std::string(kToken)},
            (dir / "out.log").string());
  EXPECT_EQ(WaitExit(pid, 20s), 2);
  const std::string log = ReadFile(dir / "out.log");
  EXPECT_NE(log.find("edge_config_invalid"), std::string::npos) << log;
  EXPECT_EQ(log.find(kToken), std::string::npos) << log;
  fs::remove_all(dir);
}

}  // namespace
