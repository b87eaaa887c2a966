#include "cache/redis_url.hpp"

#include <gtest/gtest.h>

namespace onboardd::cache {
namespace {

RedisEndpoint Parse(std::string_view url) {
  auto parsed = ParseRedisUrl(url);
  EXPECT_TRUE(parsed) << url << ": " << (parsed ? "" : parsed.error().message.en);
  return parsed ? *parsed : RedisEndpoint{};
}

std::string ErrorOf(std::string_view url) {
  auto parsed = ParseRedisUrl(url);
  EXPECT_FALSE(parsed) << url << " should be refused";
  if (parsed) return "";
  EXPECT_EQ(parsed.error().code, core::ErrorCode::kValidation);
  return parsed.error().message.en;
}

TEST(RedisUrl, PlainHostDefaults) {
  const auto e = Parse("redis://cache.internal");
  EXPECT_EQ(e.transport, RedisEndpoint::Transport::kTcp);
  EXPECT_EQ(e.host, "cache.internal");
  EXPECT_EQ(e.port, 6379);
  EXPECT_EQ(e.db, 0);
  EXPECT_TRUE(e.user.empty());
  EXPECT_TRUE(e.password.empty());
}

TEST(RedisUrl, PortAndDatabase) {
  const auto e = Parse("redis://127.0.0.1:7001/3");
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 7001);
  EXPECT_EQ(e.db, 3);
  EXPECT_EQ(Parse("redis://h:1/").db, 0);
}

TEST(RedisUrl, PasswordOnlyAndUserPassword) {
  const auto password_only = Parse("redis://:s3cret@h:6380");
  EXPECT_TRUE(password_only.user.empty());
  EXPECT_EQ(password_only.password, "s3cret");
  const auto both = Parse("rediss://alice:p%40ss%3Aword@h/2");
  EXPECT_EQ(both.transport, RedisEndpoint::Transport::kTls);
  EXPECT_EQ(both.user, "alice");
  EXPECT_EQ(both.password, "p@ss:word");  // percent-decoded
  EXPECT_EQ(both.db, 2);
}

TEST(RedisUrl, Ipv6Host) {
  const auto e = Parse("redis://[::1]:6390");
  EXPECT_EQ(e.host, "::1");
  EXPECT_EQ(e.port, 6390);
  EXPECT_EQ(e.Redacted(), "redis://[::1]:6390");
}

TEST(RedisUrl, UnixSocketForms) {
  const auto plain = Parse("unix:///run/redis/redis.sock");
  EXPECT_EQ(plain.transport, RedisEndpoint::Transport::kUnix);
  EXPECT_EQ(plain.path, "/run/redis/redis.sock");
  const auto full = Parse("redis+unix:///tmp/r.sock?db=4&password=pw&user=bob");
  EXPECT_EQ(full.path, "/tmp/r.sock");
  EXPECT_EQ(full.db, 4);
  EXPECT_EQ(full.user, "bob");
  EXPECT_EQ(full.password, "pw");
  EXPECT_EQ(Parse("unix://:pw@/tmp/r.sock").password, "pw");
}

TEST(RedisUrl, RedactedNeverShowsThePassword) {
  EXPECT_EQ(Parse("redis://alice:topsecret@h:1/2").Redacted(), "redis://alice:***@h:1/2");
  EXPECT_EQ(Parse("rediss://:topsecret@h").Redacted(), "rediss://:***@h:6379");
  EXPECT_EQ(Parse("unix:///s.sock?password=topsecret&db=1").Redacted(),
            "unix:///s.sock?db=1&password=***");
}

TEST(RedisUrl, ErrorsNameTheProblemWithoutThePassword) {
  for (const char* url :
       {"http://:topsecret@h", "redis://:topsecret@h:0", "redis://:topsecret@h:99999",
        "redis://:topsecret@h/x", "redis://:topsecret@h/1?db=2", "unix://:topsecret@host/s.sock",
        "unix:///s.sock?password=topsecret&x=1", "redis://topsecret@h", "redis://alice:@h",
        "redis://:topsecret@/1", "unix://?password=topsecret", "redis://:topsecret@h#frag",
        "not a url"}) {
    const std::string message = ErrorOf(url);
    EXPECT_EQ(message.find("topsecret"), std::string::npos) << url << " -> " << message;
    EXPECT_NE(message.find("REDIS_URL"), std::string::npos) << message;
  }
  EXPECT_NE(ErrorOf("http://h").find("'http'"), std::string::npos);
  EXPECT_NE(ErrorOf("redis://h:0").find("port"), std::string::npos);
  EXPECT_NE(ErrorOf("redis://h/abc").find("database"), std::string::npos);
  EXPECT_NE(ErrorOf("unix:///s?timeout=1").find("'timeout'"), std::string::npos);
  EXPECT_NE(ErrorOf("redis://user@h").find("':'"), std::string::npos);
}

}  // namespace
}  // namespace onboardd::cache
