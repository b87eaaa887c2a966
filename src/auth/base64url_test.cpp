#include "auth/base64url.hpp"

#include <gtest/gtest.h>

namespace onboardd::auth {
namespace {

TEST(Base64Url, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    auto decoded = Base64UrlDecode(Base64UrlEncode(bytes));
    ASSERT_TRUE(decoded) << i;
    EXPECT_EQ(*decoded, bytes);
    bytes += static_cast<char>(i * 37 + 250);
  }
}

TEST(Base64Url, KnownVectors) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlEncode("{\"alg\":\"ES256\"}"), "eyJhbGciOiJFUzI1NiJ9");
  EXPECT_EQ(Base64UrlDecode("eyJhbGciOiJFUzI1NiJ9"), "{\"alg\":\"ES256\"}");
}

TEST(Base64Url, RefusesPaddingStandardAlphabetAndBadLengths) {
  EXPECT_FALSE(Base64UrlDecode("YQ=="));
  EXPECT_FALSE(Base64UrlDecode("+/8"));
  EXPECT_FALSE(Base64UrlDecode("YWJj Y"));
  EXPECT_FALSE(Base64UrlDecode("Y"));
  EXPECT_FALSE(Base64UrlDecode("YWJjZ"));
}

TEST(Base64Url, RefusesNonZeroTrailingBits) {
  EXPECT_TRUE(Base64UrlDecode("YQ"));
  EXPECT_FALSE(Base64UrlDecode("YR"));  // same byte 'a' with a stray low bit
}

}  // namespace
}  // namespace onboardd::auth
