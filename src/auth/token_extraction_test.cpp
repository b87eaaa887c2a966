#include "auth/token_extraction.hpp"

#include <gtest/gtest.h>

namespace onboardd::auth {
namespace {

constexpr std::string_view kCookie = "stack-access";

TEST(ExtractToken, BearerHeader) {
  EXPECT_EQ(ExtractToken("Bearer abc.def.ghi", "", kCookie), "abc.def.ghi");
  EXPECT_EQ(ExtractToken("bearer   abc.def.ghi  ", "", kCookie), "abc.def.ghi");
}

TEST(ExtractToken, EmptyBearerOrOtherSchemeIsNoToken) {
  EXPECT_FALSE(ExtractToken("Bearer", "", kCookie));
  EXPECT_FALSE(ExtractToken("Bearer    ", "", kCookie));
  EXPECT_FALSE(ExtractToken("Basic dXNlcjpwdw==", "", kCookie));
  EXPECT_FALSE(ExtractToken("Bearerabc", "", kCookie));
  // Credentials in the header win even when a cookie is present.
  EXPECT_FALSE(ExtractToken("Bearer ", "stack-access=abc", kCookie));
}

TEST(ExtractToken, NoHeaderNoCookie) {
  EXPECT_FALSE(ExtractToken("", "", kCookie));
  EXPECT_FALSE(ExtractToken("", "other=abc", kCookie));
}

TEST(ExtractToken, StackCookieJsonArrayLastElement) {
  // ["refresh-token","access.token.sig"], URL-encoded as the browser stores it.
  const std::string cookie =
      "theme=dark; stack-access=%5B%22refresh-token%22%2C%22access.token.sig%22%5D; x=1";
  EXPECT_EQ(ExtractToken("", cookie, kCookie), "access.token.sig");
  EXPECT_EQ(ExtractToken("", R"(stack-access=["r","a.b.c"])", kCookie), "a.b.c");
}

TEST(ExtractToken, PlainCookieValue) {
  EXPECT_EQ(ExtractToken("", "stack-access=a.b.c", kCookie), "a.b.c");
  EXPECT_EQ(ExtractToken("", "stack-access=\"a.b.c\"", kCookie), "a.b.c");
  EXPECT_EQ(ExtractToken("", "session=1;stack-access=a.b.c", kCookie), "a.b.c");
}

TEST(ExtractToken, MalformedCookieValuesAreNoToken) {
  EXPECT_FALSE(ExtractToken("", "stack-access=", kCookie));
  EXPECT_FALSE(ExtractToken("", "stack-access=%5B%5D", kCookie));   // []
  EXPECT_FALSE(ExtractToken("", "stack-access=%5B1%5D", kCookie));  // [1]
  EXPECT_FALSE(ExtractToken("", "stack-access=%5B%22a", kCookie));  // ["a
  EXPECT_FALSE(ExtractToken("", "stack-access=%ZZ", kCookie));
  EXPECT_FALSE(ExtractToken("", "stack-access=a%2", kCookie));
  EXPECT_FALSE(ExtractToken("", "stack-access=a b", kCookie));
  EXPECT_FALSE(ExtractToken("", "xstack-access=a.b.c", kCookie));
}

TEST(ExtractToken, ConfiguredCookieName) {
  EXPECT_EQ(ExtractToken("", "my-auth=a.b.c; stack-access=x.y.z", "my-auth"), "a.b.c");
  EXPECT_FALSE(ExtractToken("", "stack-access=a.b.c", ""));
}

}  // namespace
}  // namespace onboardd::auth
