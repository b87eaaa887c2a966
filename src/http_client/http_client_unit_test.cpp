#include "http_client/http_client.hpp"

#include <gtest/gtest.h>

namespace onboardd::http_client {
namespace {

TEST(ParseTarget, HttpsWithDefaultPortPathAndQuery) {
  auto target = ParseTarget(
      "https://api.stack-auth.com/api/v1/projects/p/.well-known/jwks.json?x=1#f", false);
  ASSERT_TRUE(target);
  EXPECT_TRUE(target->tls);
  EXPECT_EQ(target->host, "api.stack-auth.com");
  EXPECT_EQ(target->port, "443");
  EXPECT_EQ(target->path_and_query, "/api/v1/projects/p/.well-known/jwks.json?x=1");
  EXPECT_EQ(target->host_header, "api.stack-auth.com");
}

TEST(ParseTarget, ExplicitPortAndEmptyPath) {
  auto target = ParseTarget("http://127.0.0.1:8081", false);
  ASSERT_TRUE(target);
  EXPECT_FALSE(target->tls);
  EXPECT_EQ(target->port, "8081");
  EXPECT_EQ(target->path_and_query, "/");
  EXPECT_EQ(target->host_header, "127.0.0.1:8081");
}

TEST(ParseTarget, Ipv6LiteralLosesBrackets) {
  auto target = ParseTarget("http://[::1]:9000/x", false);
  ASSERT_TRUE(target);
  EXPECT_EQ(target->host, "::1");
  EXPECT_EQ(target->host_header, "[::1]:9000");
}

TEST(ParseTarget, PlainHttpOnlyToLoopbackUnlessAllowed) {
  EXPECT_TRUE(ParseTarget("http://localhost:1/", false));
  EXPECT_TRUE(ParseTarget("http://127.0.0.2/", false));
  auto refused = ParseTarget("http://example.com/", false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::kInternal);
  EXPECT_FALSE(ParseTarget("http://10.0.0.1/", false));
  EXPECT_TRUE(ParseTarget("http://example.com/", true));
}

TEST(ParseTarget, RefusesMalformedAndOtherSchemes) {
  EXPECT_FALSE(ParseTarget("", false));
  EXPECT_FALSE(ParseTarget("not a url", false));
  EXPECT_FALSE(ParseTarget("ftp://example.com/", false));
  EXPECT_FALSE(ParseTarget("https://user:pw@example.com/", false));
  EXPECT_FALSE(ParseTarget("https:///path", false));
  EXPECT_FALSE(ParseTarget("https://example.com:0/", false));
}

TEST(IsLoopbackHost, NamesAndAddresses) {
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("LOCALHOST"));
  EXPECT_TRUE(IsLoopbackHost("jwks.localhost"));
  EXPECT_TRUE(IsLoopbackHost("127.255.0.1"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("::ffff:127.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("localhost.example.com"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("::2"));
  EXPECT_FALSE(IsLoopbackHost(""));
}

TEST(Response, HeaderIsCaseInsensitiveFirstMatch) {
  Response response;
  response.headers = {{"Content-Type", "a"}, {"content-type", "b"}};
  EXPECT_EQ(response.Header("CONTENT-TYPE"), "a");
  EXPECT_EQ(response.Header("missing"), "");
}

}  // namespace
}  // namespace onboardd::http_client
