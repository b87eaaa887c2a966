#include "config/settings.hpp"

#include <gtest/gtest.h>

namespace onboardd::config {
namespace {

core::Result<Parsed> ParseArgs(std::vector<std::string> args) { return Parse(args, false); }

TEST(Settings, DefaultsWithoutInput) {
  auto parsed = ParseArgs({});
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->settings.port, 8080);
  EXPECT_EQ(parsed->settings.max_header_bytes, 8192u);
  EXPECT_EQ(parsed->settings.auth_cookie_name, "stack-access");
  EXPECT_EQ(parsed->settings.ai_provider, "rules");
  EXPECT_TRUE(parsed->settings.db_prepared_statements);
}

TEST(Settings, FlagsInBothFormsAndRestKept) {
  auto parsed = ParseArgs(
      {"dev", "--port", "9090", "--threads=3", "--data-dir", "x", "--auth-audience", "a, b,,c"});
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->settings.port, 9090);
  EXPECT_EQ(parsed->settings.threads, 3);
  EXPECT_EQ(parsed->settings.auth_audience, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(parsed->rest, (std::vector<std::string>{"dev", "--data-dir", "x"}));
}

TEST(Settings, TrustedProxyHops) {
  auto defaults = ParseArgs({});
  ASSERT_TRUE(defaults.has_value());
  EXPECT_EQ(defaults->settings.trusted_proxy_hops, 0);
  auto one = ParseArgs({"--trusted-proxy-hops", "1"});
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->settings.trusted_proxy_hops, 1);
  for (std::string bad : {"-1", "11", "one"}) {
    auto refused = ParseArgs({"--trusted-proxy-hops", bad});
    ASSERT_TRUE(refused.has_error()) << bad;
    EXPECT_EQ(refused.error().details.front().path, "TRUSTED_PROXY_HOPS");
  }
  EXPECT_NE(HelpText().find("TRUSTED_PROXY_HOPS"), std::string::npos);
}

TEST(Settings, OverloadAndBreakerKnobs) {
  auto defaults = ParseArgs({});
  ASSERT_TRUE(defaults.has_value());
  EXPECT_EQ(defaults->settings.db_queue_standing_wait_ms, 500);
  EXPECT_EQ(defaults->settings.ai_breaker_failures, 5);
  EXPECT_EQ(defaults->settings.ai_breaker_cool_down_ms, 30'000);
  auto set = ParseArgs({"--db-queue-standing-wait-ms", "250", "--ai-breaker-failures", "2",
                        "--ai-breaker-cool-down-ms", "1000"});
  ASSERT_TRUE(set.has_value());
  EXPECT_EQ(set->settings.db_queue_standing_wait_ms, 250);
  EXPECT_EQ(set->settings.ai_breaker_failures, 2);
  EXPECT_EQ(set->settings.ai_breaker_cool_down_ms, 1000);
  auto refused = ParseArgs({"--ai-breaker-failures", "0", "--ai-breaker-cool-down-ms", "5"});
  ASSERT_TRUE(refused.has_error());
  std::vector<std::string> paths;
  for (const auto& d : refused.error().details) paths.push_back(d.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"AI_BREAKER_FAILURES", "AI_BREAKER_COOL_DOWN_MS"}));
}

TEST(Settings, EnvironmentIsReadAndFlagsWin) {
  setenv("PORT", "7070", 1);
  setenv("LOG_LEVEL", "debug", 1);
  auto from_env = Parse({}, true);
  auto flag_wins = Parse({"--port", "6060"}, true);
  unsetenv("PORT");
  unsetenv("LOG_LEVEL");
  ASSERT_TRUE(from_env.has_value());
  EXPECT_EQ(from_env->settings.port, 7070);
  EXPECT_EQ(from_env->settings.log_level, "debug");
  ASSERT_TRUE(flag_wins.has_value());
  EXPECT_EQ(flag_wins->settings.port, 6060);
}

TEST(Settings, BadValuesNameEachSetting) {
  auto parsed = ParseArgs({"--port", "99999", "--log-level", "loud", "--threads", "2x",
                           "--access-log", "maybe", "--port"});
  ASSERT_TRUE(parsed.has_error());
  EXPECT_EQ(parsed.error().code, core::ErrorCode::kValidation);
  std::vector<std::string> paths;
  for (const auto& d : parsed.error().details) paths.push_back(d.path);
  EXPECT_EQ(paths,
            (std::vector<std::string>{"PORT", "LOG_LEVEL", "THREADS", "ACCESS_LOG", "PORT"}));
}

TEST(Settings, SecretsAreNotEchoedInErrors) {
  Settings s;
  s.auth_dev_secret = "short-secret";
  auto status = Validate(s);
  ASSERT_TRUE(status.has_error());
  for (const auto& d : status.error().details) {
    EXPECT_EQ(d.message.en.find("short-secret"), std::string::npos);
  }
}

TEST(Settings, AnOpsTokenMustBeLongAndIsNeverEchoed) {
  Settings s;
  s.ops_token = "short-ops-token";
  auto status = Validate(s);
  ASSERT_TRUE(status.has_error());
  EXPECT_EQ(status.error().details.at(0).path, "OPS_TOKEN");
  EXPECT_EQ(status.error().details.at(0).message.en.find("short-ops-token"), std::string::npos);
  s.ops_token = std::string(32, 'k');
  EXPECT_TRUE(Validate(s).has_value());
}

TEST(Settings, ValidateChecksUrlsAndProviders) {
  Settings ok;
  ok.database_url = "postgresql://app@127.0.0.1:5432/onboardd";
  ok.redis_url = "redis://127.0.0.1:6379";
  ok.edge_config = "https://edge-config.vercel.com/ecfg_x?token=t";
  EXPECT_TRUE(Validate(ok).has_value());

  Settings bad;
  bad.database_url = "mysql://x";
  bad.redis_url = "http://x";
  bad.edge_config = "http://edge-config.vercel.com/x";
  bad.ai_provider = "openai";
  auto status = Validate(bad);
  ASSERT_TRUE(status.has_error());
  EXPECT_EQ(status.error().details.size(), 4u);
}

TEST(Settings, EdgeConfigNeedsATokenAndAllowsLoopbackHttpForTests) {
  Settings s;
  s.edge_config = "http://127.0.0.1:4567/ecfg_test?token=t";
  EXPECT_TRUE(Validate(s).has_value()) << "the rest (loopback only) is checked at start-up";
  s.edge_config = "https://edge-config.vercel.com/ecfg_x";
  EXPECT_TRUE(Validate(s).has_error());
  s.edge_config = "edge-config.vercel.com/ecfg_x?token=t";
  EXPECT_TRUE(Validate(s).has_error());
}

TEST(Settings, HelpListsEverySpecSetting) {
  std::string help = HelpText();
  for (const char* name : {"DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL", "EDGE_CONFIG",
                           "AUTH_JWKS_URL", "AUTH_ISSUER", "AUTH_AUDIENCE", "AUTH_COOKIE_NAME",
                           "AUTH_DEV_SECRET", "AI_PROVIDER", "AI_BASE_URL", "AI_API_KEY",
                           "AI_MODEL", "AI_FALLBACK_MODEL", "PORT", "THREADS", "LOG_LEVEL"}) {
    EXPECT_NE(help.find(name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace onboardd::config
