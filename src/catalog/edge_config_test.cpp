// The Edge Config layer without sockets: connection strings, redaction, backoff, the info
// metric. The poller against a server is edge_config_integration_test.cpp.
#include "catalog/edge_config.hpp"

#include <gtest/gtest.h>

namespace onboardd::catalog {
namespace {

using namespace std::chrono_literals;

TEST(EdgeConfigConnection, ParsesVercelsConnectionString) {
  auto parsed = ParseEdgeConfigConnection(
      "https://edge-config.vercel.com/ecfg_abc123?token=00000000-aaaa-bbbb-cccc-000000000001");
  ASSERT_TRUE(parsed) << parsed.error().details.front().message.en;
  EXPECT_EQ(parsed->id, "ecfg_abc123");
  EXPECT_EQ(parsed->token, "00000000-aaaa-bbbb-cccc-000000000001");
  EXPECT_EQ(parsed->base_url, "https://edge-config.vercel.com/ecfg_abc123");
  EXPECT_EQ(parsed->DigestUrl(), "https://edge-config.vercel.com/ecfg_abc123/digest?version=1");
  EXPECT_EQ(parsed->ItemsUrl(), "https://edge-config.vercel.com/ecfg_abc123/items?version=1");
}

TEST(EdgeConfigConnection, AcceptsAnyHttpsBaseAndLoopbackHttp) {
  auto mirror = ParseEdgeConfigConnection("https://config.example.com:8443/ecfg_x/?token=t&x=1");
  ASSERT_TRUE(mirror);
  EXPECT_EQ(mirror->base_url, "https://config.example.com:8443/ecfg_x");
  EXPECT_EQ(mirror->token, "t");
  auto local = ParseEdgeConfigConnection("http://127.0.0.1:4567/ecfg_test?token=secret");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->base_url, "http://127.0.0.1:4567/ecfg_test");
  auto percent = ParseEdgeConfigConnection("https://h/ecfg_x?token=a%2Bb");
  ASSERT_TRUE(percent);
  EXPECT_EQ(percent->token, "a+b");
}

TEST(EdgeConfigConnection, RefusesWhatCannotWorkWithoutRepeatingTheToken) {
  const std::string token = "tok-5ecret-value";
  for (const std::string& bad : {
           "edge-config.vercel.com/ecfg_x?token=" + token,         // not a URL
           "ftp://edge-config.vercel.com/ecfg_x?token=" + token,   // scheme
           "http://edge-config.vercel.com/ecfg_x?token=" + token,  // plain http, not loopback
           "https://edge-config.vercel.com/?token=" + token,       // no id
           std::string("https://edge-config.vercel.com/ecfg_x"),   // no token
           std::string("https://edge-config.vercel.com/ecfg_x?token="),
           "https://user:" + token + "@edge-config.vercel.com/ecfg_x?token=" + token,
       }) {
    auto parsed = ParseEdgeConfigConnection(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, core::ErrorCode::kValidation);
    ASSERT_EQ(parsed.error().details.size(), 1u);
    EXPECT_EQ(parsed.error().details[0].path, "EDGE_CONFIG");
    EXPECT_EQ(parsed.error().details[0].message.en.find(token), std::string::npos);
    EXPECT_EQ(parsed.error().details[0].message.es.find(token), std::string::npos);
  }
}

TEST(Redact, ReplacesEveryOccurrence) {
  EXPECT_EQ(Redact("a tok b tok", "tok"), "a [redacted] b [redacted]");
  EXPECT_EQ(Redact("nothing here", "tok"), "nothing here");
  EXPECT_EQ(Redact("keep", ""), "keep");
  EXPECT_EQ(Redact("redacted", "redacted"), "[redacted]");
}

TEST(PollDelay, DoublesAfterEachFailureUpToTheCap) {
  EXPECT_EQ(PollDelay(30s, 300s, 0), 30s);
  EXPECT_EQ(PollDelay(30s, 300s, 1), 30s);
  EXPECT_EQ(PollDelay(30s, 300s, 2), 60s);
  EXPECT_EQ(PollDelay(30s, 300s, 4), 240s);
  EXPECT_EQ(PollDelay(30s, 300s, 5), 300s);
  EXPECT_EQ(PollDelay(30s, 300s, 1000), 300s);
  EXPECT_EQ(PollDelay(600s, 300s, 3), 600s) << "never below the interval";
}

TEST(PollOutcome, LabelsAreStable) {
  EXPECT_EQ(ToString(PollOutcome::kUnchanged), "unchanged");
  EXPECT_EQ(ToString(PollOutcome::kUpdated), "updated");
  EXPECT_EQ(ToString(PollOutcome::kTimeout), "timeout");
  EXPECT_EQ(ToString(PollOutcome::kUnavailable), "unavailable");
  EXPECT_EQ(ToString(PollOutcome::kHttpError), "http_error");
  EXPECT_EQ(ToString(PollOutcome::kInvalid), "invalid");
}

TEST(CatalogInfoMetric, OneSeriesIsOne) {
  observability::Registry registry;
  CatalogInfoMetric info(registry);
  info.Set("v1", "bundled");
  info.Set("v2", "edge_config");
  info.Set("v2", "edge_config");
  const std::string text = registry.Render();
  EXPECT_NE(text.find(R"(onboardd_catalog_info{version="v1",source="bundled"} 0)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(onboardd_catalog_info{version="v2",source="edge_config"} 1)"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace onboardd::catalog
