#include "http/etag.hpp"

#include <gtest/gtest.h>

namespace onboardd::http {
namespace {

TEST(EtagTest, NoneMatchComparesWeaklyOverAList) {
  EXPECT_TRUE(NoneMatch("\"abc\"", "\"abc\""));
  EXPECT_TRUE(NoneMatch("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(NoneMatch("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(NoneMatch("\"x\",W/\"abc\" ", "\"abc\""));
  EXPECT_TRUE(NoneMatch("*", "\"abc\""));
  EXPECT_FALSE(NoneMatch("", "\"abc\""));
  EXPECT_FALSE(NoneMatch("\"abcd\"", "\"abc\""));
  EXPECT_FALSE(NoneMatch("abc", "\"abc\"")) << "an unquoted tag is not the same tag";
}

TEST(EtagTest, IfMatchNamesAVersionOrNothing) {
  EXPECT_EQ(*IfMatchVersion(""), std::nullopt);
  EXPECT_EQ(*IfMatchVersion("*"), std::nullopt);
  EXPECT_EQ(*IfMatchVersion("\"7\""), std::optional<int>(7));
  EXPECT_EQ(*IfMatchVersion("W/\"7\""), std::optional<int>(7));
  EXPECT_EQ(*IfMatchVersion(" 12 "), std::optional<int>(12));
  for (std::string_view never : {"\"\"", "\"abc\"", "\"7x\"", "\"-1\"", "\"99999999999\"", "\""}) {
    auto r = IfMatchVersion(never);
    ASSERT_FALSE(r.has_value()) << never;
    EXPECT_EQ(r.error().code, core::ErrorCode::kPreconditionFailed) << never;
  }
  EXPECT_EQ(VersionEtag(7), "\"7\"");
}

TEST(EtagTest, CacheableAnswers304OnlyToAMatchingTag) {
  Request request;
  request.message.set("If-None-Match", "\"v1\"");
  Response same = CacheableResponse(request, "{}", "\"v1\"", "public, max-age=3600", true);
  EXPECT_EQ(same.status, beast_http::status::not_modified);
  EXPECT_TRUE(same.body.empty());
  Response other = CacheableResponse(request, "{}", "\"v2\"", "public, max-age=3600", false);
  EXPECT_EQ(other.status, beast_http::status::ok);
  EXPECT_EQ(other.body, "{}");
  bool vary = false;
  for (auto& [name, value] : same.headers) vary = vary || name == "Vary";
  EXPECT_TRUE(vary);
}

}  // namespace
}  // namespace onboardd::http
