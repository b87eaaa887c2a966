// The Edge Config poller against tests/support's FakeHttpServer speaking Vercel's read API
// (/<id>/digest and /<id>/items with a bearer token), over HTTP and HTTPS: first load, digest
// unchanged or changed, every kind of failure keeping the previous snapshot, swaps under
// concurrent readers, the polling thread, and the token never reaching a log line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "catalog/edge_config.hpp"
#include "observability/log.hpp"
#include "support/fake_http_server.hpp"

namespace onboardd::catalog {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using test::FakeHttpServer;
using test::RunSync;

constexpr std::string_view kToken = "tok-0e1f2a3b-edge-secret";
constexpr std::string_view kDigestPath = "/ecfg_test/digest";
constexpr std::string_view kItemsPath = "/ecfg_test/items";

// The bundled catalog with another version: what an operator would upload.
std::string CatalogVersion(std::string_view version) {
  json::value document = json::parse(BundledCatalogJson());
  document.as_object()["version"] = version;
  return json::serialize(document);
}

std::string Quoted(std::string_view digest) { return json::serialize(json::value(digest)); }

// Redirects stdout (where logs go) to a file until Text() is called.
class CapturedStdout {
 public:
  CapturedStdout() {
    std::fflush(stdout);
    path_ = std::filesystem::temp_directory_path() /
            ("onboardd-edge-log-" + std::to_string(::getpid()) + ".txt");
    std::FILE* file = std::fopen(path_.c_str(), "w");
    saved_ = ::dup(1);
    ::dup2(::fileno(file), 1);
    std::fclose(file);
  }
  ~CapturedStdout() { Text(); }
  std::string Text() {
    if (saved_ >= 0) {
      std::fflush(stdout);
      ::dup2(saved_, 1);
      ::close(saved_);
      saved_ = -1;
      std::ifstream in(path_);
      text_.assign(std::istreambuf_iterator<char>(in), {});
      std::filesystem::remove(path_);
    }
    return text_;
  }

 private:
  std::filesystem::path path_;
  int saved_ = -1;
  std::string text_;
};

class EdgeConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    observability::InitLogging("info");
    catalog_ = std::make_shared<Catalog>(LoadBundled().value());
    bundled_version_ = catalog_->Current()->version();
    server_ = std::make_unique<FakeHttpServer>();
    Publish("d-A", CatalogVersion("edge-A"));
  }

  // What the fake Edge Config serves from now on.
  void Publish(std::string_view digest, std::string items, int status = 200) {
    server_->SetResponse(std::string(kDigestPath), 200, Quoted(digest));
    server_->SetResponse(std::string(kItemsPath), status, std::move(items));
  }

  EdgeConfigOptions Options(std::chrono::milliseconds timeout = 2000ms) {
    EdgeConfigOptions options;
    options.connection =
        ParseEdgeConfigConnection(server_->Url("/ecfg_test?token=" + std::string(kToken))).value();
    options.timeout = timeout;
    options.poll_interval = 50ms;
    options.metrics = &registry_;
    return options;
  }

  std::unique_ptr<EdgeConfigPoller> Poller(http_client::ClientOptions client_options = {},
                                           std::chrono::milliseconds timeout = 2000ms) {
    return std::make_unique<EdgeConfigPoller>(
        catalog_, std::make_shared<const http_client::Client>(client_options), Options(timeout));
  }

  PollOutcome Poll(EdgeConfigPoller& poller, std::chrono::milliseconds timeout = 2000ms) {
    return RunSync(poller.PollOnce(core::SteadyClock::now() + timeout));
  }

  std::uint64_t Polls(std::string_view outcome) {
    return registry_
        .GetCounter("onboardd_edge_config_polls_total", "", {{"outcome", std::string(outcome)}})
        .Value();
  }

  std::string Version() { return catalog_->Current()->version(); }

  observability::Registry registry_;
  std::shared_ptr<Catalog> catalog_;
  std::string bundled_version_;
  std::unique_ptr<FakeHttpServer> server_;
};

TEST_F(EdgeConfigTest, FirstLoadReplacesTheBundledCatalog) {
  auto poller = Poller();
  EXPECT_EQ(Version(), bundled_version_);
  EXPECT_EQ(Poll(*poller), PollOutcome::kUpdated);
  EXPECT_EQ(Version(), "edge-A");
  EXPECT_EQ(Polls("updated"), 1u);
  EXPECT_GT(registry_.GetGauge("onboardd_edge_config_last_success_timestamp_seconds", "").Value(),
            1'700'000'000);
  const std::string metrics = registry_.Render();
  EXPECT_NE(metrics.find(R"(onboardd_catalog_info{version="edge-A",source="edge_config"} 1)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(source="bundled"} 0)"), std::string::npos) << metrics;

  // The SDK's requests: ?version=1, the token as a bearer credential and nowhere else.
  auto requests = server_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].target, "/ecfg_test/digest?version=1");
  EXPECT_EQ(requests[1].target, "/ecfg_test/items?version=1");
  for (const auto& request : requests) {
    bool bearer = false;
    for (const auto& [name, value] : request.headers) {
      if (name == "Authorization") bearer = value == "Bearer " + std::string(kToken);
    }
    EXPECT_TRUE(bearer) << request.target;
    EXPECT_EQ(request.target.find(kToken), std::string::npos);
  }
}

TEST_F(EdgeConfigTest, AnUnchangedDigestFetchesNoItems) {
  auto poller = Poller();
  ASSERT_EQ(Poll(*poller), PollOutcome::kUpdated);
  auto before = catalog_->Current();
  EXPECT_EQ(Poll(*poller), PollOutcome::kUnchanged);
  EXPECT_EQ(Poll(*poller), PollOutcome::kUnchanged);
  EXPECT_EQ(server_->RequestCount(std::string(kDigestPath)), 3);
  EXPECT_EQ(server_->RequestCount(std::string(kItemsPath)), 1);
  EXPECT_EQ(catalog_->Current(), before) << "not even re-swapped";
  EXPECT_EQ(Polls("unchanged"), 2u);
}

TEST_F(EdgeConfigTest, AChangedDigestSwapsInTheNewSnapshot) {
  auto poller = Poller();
  ASSERT_EQ(Poll(*poller), PollOutcome::kUpdated);
  auto held = catalog_->Current();  // a request in flight keeps its snapshot
  Publish("d-B", CatalogVersion("edge-B"));
  EXPECT_EQ(Poll(*poller), PollOutcome::kUpdated);
  EXPECT_EQ(Version(), "edge-B");
  EXPECT_EQ(held->version(), "edge-A");
  EXPECT_NE(catalog_->Current()->ConfigBody().etag, held->ConfigBody().etag);
  EXPECT_EQ(server_->RequestCount(std::string(kItemsPath)), 2);
}

TEST_F(EdgeConfigTest, TheItemsOwnDigestHeaderIsTheOneRemembered) {
  // /digest said d-A, but the items answered are already d-A2's: the next poll, seeing d-A2,
  // has nothing to fetch.
  server_->SetResponse(std::string(kItemsPath), 200, CatalogVersion("edge-A2"), "application/json",
                       {{"x-edge-config-digest", "d-A2"}});
  auto poller = Poller();
  ASSERT_EQ(Poll(*poller), PollOutcome::kUpdated);
  server_->SetResponse(std::string(kDigestPath), 200, Quoted("d-A2"));
  EXPECT_EQ(Poll(*poller), PollOutcome::kUnchanged);
  EXPECT_EQ(Version(), "edge-A2");
}

// One way Edge Config can fail after a good first load, and the outcome it must produce.
struct Breakage {
  std::string name;
  PollOutcome outcome;
  std::function<void(FakeHttpServer&)> apply;
  http_client::ClientOptions client = {};
  std::chrono::milliseconds timeout = 2000ms;
};

void PrintTo(const Breakage& breakage, std::ostream* out) { *out << breakage.name; }

class EdgeConfigFailureTest : public EdgeConfigTest,
                              public ::testing::WithParamInterface<Breakage> {};

TEST_P(EdgeConfigFailureTest, KeepsThePreviousSnapshotCountsAndLogsWithoutTheToken) {
  const Breakage& breakage = GetParam();
  auto poller = Poller(breakage.client, breakage.timeout);
  ASSERT_EQ(Poll(*poller, breakage.timeout), PollOutcome::kUpdated);
  auto good = catalog_->Current();
  breakage.apply(*server_);

  CapturedStdout logs;
  const auto started = core::SteadyClock::now();
  EXPECT_EQ(Poll(*poller, breakage.timeout), breakage.outcome);
  EXPECT_EQ(Poll(*poller, breakage.timeout), breakage.outcome) << "and again at the next poll";
  const auto took = core::SteadyClock::now() - started;
  const std::string text = logs.Text();

  EXPECT_EQ(catalog_->Current(), good);
  EXPECT_EQ(Version(), "edge-A");
  EXPECT_EQ(Polls(ToString(breakage.outcome)), 2u);
  EXPECT_EQ(poller->consecutive_failures(), 2);
  EXPECT_EQ(registry_.GetGauge("onboardd_edge_config_consecutive_failures", "").Value(), 2);
  EXPECT_NE(text.find("edge_config_poll_failed"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string("\"outcome\":\"") + std::string(ToString(breakage.outcome))),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find(kToken), std::string::npos) << text;
  EXPECT_LT(took, 2 * breakage.timeout + 1s);
}

INSTANTIATE_TEST_SUITE_P(
    EveryFailure, EdgeConfigFailureTest,
    ::testing::Values(
        Breakage{"ItemsNotJson", PollOutcome::kInvalid,
                 [](FakeHttpServer& s) {
                   s.SetResponse(std::string(kDigestPath), 200, Quoted("d-B"));
                   s.SetResponse(std::string(kItemsPath), 200, R"({"schema": 1, "version": )");
                 }},
        Breakage{"ItemsFailValidation", PollOutcome::kInvalid,
                 [](FakeHttpServer& s) {
                   json::value document = json::parse(CatalogVersion("edge-B"));
                   document.as_object()["defaultFlow"] = "no-such-flow";
                   s.SetResponse(std::string(kDigestPath), 200, Quoted("d-B"));
                   s.SetResponse(std::string(kItemsPath), 200, json::serialize(document));
                 }},
        Breakage{"ItemsNotAnObject", PollOutcome::kInvalid,
                 [](FakeHttpServer& s) {
                   s.SetResponse(std::string(kDigestPath), 200, Quoted("d-B"));
                   s.SetResponse(std::string(kItemsPath), 200, R"([1, 2, 3])");
                 }},
        Breakage{"DigestNotAString", PollOutcome::kInvalid,
                 [](FakeHttpServer& s) {
                   s.SetResponse(std::string(kDigestPath), 200, R"({"digest": "d-B"})");
                 }},
        Breakage{"ItemsOverTheSizeCap",
                 PollOutcome::kInvalid,
                 [](FakeHttpServer& s) {
                   s.SetResponse(std::string(kDigestPath), 200, Quoted("d-B"));
                   s.SetResponse(std::string(kItemsPath), 200,
                                 CatalogVersion("edge-B") + std::string(80'000, ' '));
                 },
                 {.max_body_bytes = 96 * 1024}},
        Breakage{"BadToken401", PollOutcome::kHttpError,
                 [](FakeHttpServer& s) {
                   s.SetResponse(std::string(kDigestPath), 401, R"({"error":"Unauthorized"})");
                 }},
        Breakage{"Forbidden403OnItems", PollOutcome::kHttpError,
                 [](FakeHttpServer& s) {
                   s.SetResponse(std::string(kDigestPath), 200, Quoted("d-B"));
                   s.SetResponse(std::string(kItemsPath), 403, R"({"error":"Forbidden"})");
                 }},
        Breakage{"UnknownEdgeConfig404", PollOutcome::kHttpError,
                 [](FakeHttpServer& s) {
                   s.SetResponse(std::string(kDigestPath), 404, R"({"error":"Not Found"})");
                 }},
        Breakage{"ServerError500", PollOutcome::kHttpError,
                 [](FakeHttpServer& s) {
                   s.SetResponse(std::string(kDigestPath), 200, Quoted("d-B"));
                   s.SetResponse(std::string(kItemsPath), 500, "oops");
                 }},
        Breakage{"Timeout",
                 PollOutcome::kTimeout,
                 [](FakeHttpServer& s) {
                   s.SetResponse(std::string(kDigestPath), 200, Quoted("d-B"));
                   s.SetDelay(1500ms);
                 },
                 {},
                 300ms},
        Breakage{"ServerDown", PollOutcome::kUnavailable, [](FakeHttpServer& s) { s.Stop(); }}),
    [](const ::testing::TestParamInfo<Breakage>& info) { return info.param.name; });

TEST_F(EdgeConfigTest, AFailedStartKeepsTheBundledCatalogAndRecoversLater) {
  server_->SetResponse(std::string(kDigestPath), 503, "unavailable");
  auto poller = Poller();
  EXPECT_EQ(Poll(*poller), PollOutcome::kHttpError);
  EXPECT_EQ(Version(), bundled_version_);
  Publish("d-A", CatalogVersion("edge-A"));
  EXPECT_EQ(Poll(*poller), PollOutcome::kUpdated);
  EXPECT_EQ(Version(), "edge-A");
  EXPECT_EQ(poller->consecutive_failures(), 0);
  EXPECT_EQ(registry_.GetGauge("onboardd_edge_config_consecutive_failures", "").Value(), 0);
}

TEST_F(EdgeConfigTest, AnInvalidDocumentIsRetriedAndTheFixTakes) {
  auto poller = Poller();
  ASSERT_EQ(Poll(*poller), PollOutcome::kUpdated);
  Publish("d-B", R"({"schema": 2})");
  EXPECT_EQ(Poll(*poller), PollOutcome::kInvalid);
  Publish("d-C", CatalogVersion("edge-C"));
  EXPECT_EQ(Poll(*poller), PollOutcome::kUpdated);
  EXPECT_EQ(Version(), "edge-C");
}

TEST_F(EdgeConfigTest, ReadersOnOtherThreadsKeepWorkingDuringSwaps) {
  auto poller = Poller();
  std::atomic<bool> done{false};
  std::atomic<long> reads{0}, inconsistent{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!done.load()) {
        auto snapshot = catalog_->Current();  // one consistent version for the whole "request"
        const std::string& body = *snapshot->ConfigBody().body;
        if (body.find("\"" + snapshot->version() + "\"") == std::string::npos ||
            snapshot->default_flow().steps.empty()) {
          ++inconsistent;
        }
        ++reads;
      }
    });
  }
  int updates = 0;
  for (int i = 0; i < 20; ++i) {
    const std::string version = "edge-" + std::to_string(i);
    Publish("d-" + std::to_string(i), CatalogVersion(version));
    if (Poll(*poller) == PollOutcome::kUpdated && Version() == version) ++updates;
  }
  done = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(updates, 20);
  EXPECT_EQ(inconsistent.load(), 0);
  EXPECT_GT(reads.load(), 100);
}

TEST_F(EdgeConfigTest, TheThreadLoadsAtStartThenFollowsTheDigestOnOneConnection) {
  EdgeConfigThread thread(catalog_, std::make_shared<const http_client::Client>(), Options());
  EXPECT_EQ(thread.Start(), PollOutcome::kUpdated);
  EXPECT_EQ(Version(), "edge-A") << "loaded before Start returned";
  Publish("d-B", CatalogVersion("edge-B"));
  for (int i = 0; i < 200 && Version() != "edge-B"; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(Version(), "edge-B");
  // Let a few unchanged polls go by: they reuse the kept-alive connection.
  const int digests = server_->RequestCount(std::string(kDigestPath));
  for (int i = 0; i < 200 && server_->RequestCount(std::string(kDigestPath)) < digests + 3; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  thread.Stop();
  EXPECT_GE(server_->RequestCount(std::string(kDigestPath)), digests + 3);
  EXPECT_EQ(server_->ConnectionCount(), 1);
  EXPECT_EQ(Version(), "edge-B") << "stopping keeps the last snapshot";
}

TEST_F(EdgeConfigTest, TheThreadStartsOnTheOldCatalogWhenEdgeConfigIsDown) {
  server_->SetDelay(2000ms);
  EdgeConfigThread thread(catalog_, std::make_shared<const http_client::Client>(), Options(200ms));
  const auto started = core::SteadyClock::now();
  EXPECT_EQ(thread.Start(), PollOutcome::kTimeout);
  EXPECT_LT(core::SteadyClock::now() - started, 1500ms) << "bounded by the timeout";
  EXPECT_EQ(Version(), bundled_version_);
  server_->SetDelay(0ms);
  // Backoff after one failure is still the 50 ms interval.
  for (int i = 0; i < 300 && Version() != "edge-A"; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(Version(), "edge-A");
}

// Over HTTPS with a private CA, as against edge-config.vercel.com with the system CAs.
class EdgeConfigHttpsTest : public EdgeConfigTest {
 protected:
  void SetUp() override {
    EdgeConfigTest::SetUp();
    tls_ = test::MakeTestCertificate({"localhost", "127.0.0.1"});
    server_ = std::make_unique<FakeHttpServer>(tls_);
    Publish("d-A", CatalogVersion("edge-A"));
    ca_file_ = std::filesystem::temp_directory_path() /
               ("onboardd-edge-ca-" + std::to_string(::getpid()) + ".pem");
    std::ofstream(ca_file_) << tls_.ca_pem;
  }
  void TearDown() override { std::filesystem::remove(ca_file_); }
  test::TlsCertificate tls_;
  std::filesystem::path ca_file_;
};

TEST_F(EdgeConfigHttpsTest, LoadsAndFollowsOverTls) {
  auto poller = Poller({.use_system_ca = false, .ca_file = ca_file_.string()});
  EXPECT_EQ(Poll(*poller), PollOutcome::kUpdated);
  EXPECT_EQ(Version(), "edge-A");
  EXPECT_EQ(Poll(*poller), PollOutcome::kUnchanged);
  Publish("d-B", CatalogVersion("edge-B"));
  EXPECT_EQ(Poll(*poller), PollOutcome::kUpdated);
  EXPECT_EQ(Version(), "edge-B");
}

TEST_F(EdgeConfigHttpsTest, AnUntrustedCertificateIsUnavailableAndChangesNothing) {
  CapturedStdout logs;
  auto poller = Poller();  // system CAs only
  EXPECT_EQ(Poll(*poller), PollOutcome::kUnavailable);
  EXPECT_EQ(Version(), bundled_version_);
  EXPECT_EQ(server_->RequestCount(std::string(kDigestPath)), 0);
  const std::string text = logs.Text();
  EXPECT_NE(text.find("TLS handshake failed"), std::string::npos) << text;
  EXPECT_EQ(text.find(kToken), std::string::npos) << text;
}

bool SameJson(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
  if (a.kind() != b.kind()) return false;
  if (a.is_object()) {
    const auto& x = a.get_object();
    const auto& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& [key, value] : x) {
      const json::value* other = y.if_contains(key);
      if (other == nullptr || !SameJson(value, *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!SameJson(x[i], y[i])) return false;
    return true;
  }
  return a == b;
}

// scripts/edge-config-items: the bundled catalog as the body of Vercel's PATCH .../items.
TEST(EdgeConfigItemsScript, UploadsEveryTopLevelKeyAsOneItem) {
  if (std::system("command -v jq >/dev/null 2>&1") != 0) GTEST_SKIP() << "jq is not installed";
  const std::string command = std::string(ONBOARDD_SOURCE_DIR) + "/scripts/edge-config-items";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  ASSERT_EQ(::pclose(pipe), 0) << out;

  const json::value body = json::parse(out);
  const json::object bundled = json::parse(BundledCatalogJson()).as_object();
  const json::array& items = body.at("items").as_array();
  EXPECT_EQ(items.size(), bundled.size());
  // What Edge Config will answer on /items once the PATCH is applied.
  json::object stored;
  for (const auto& item : items) {
    EXPECT_EQ(item.at("operation"), "upsert");
    stored[item.at("key").as_string()] = item.at("value");
  }
  // jq writes 10.0 as 10, as a JavaScript store would: numbers compare by value.
  EXPECT_TRUE(SameJson(stored, bundled));
  auto snapshot = Snapshot::FromJson(stored);
  ASSERT_TRUE(snapshot) << snapshot.error().message.en;
}

}  // namespace
}  // namespace onboardd::catalog
