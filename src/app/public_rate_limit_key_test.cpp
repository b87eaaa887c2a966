#include "app/public_rate_limit.hpp"

#include <gtest/gtest.h>

namespace onboardd::app {
namespace {

using boost::asio::ip::make_address;

TEST(PublicRateLimitKey, Ipv4ByAddressIpv6ByItsSlash64) {
  EXPECT_EQ(PublicRateLimitKey(make_address("203.0.113.7")), "public.ip:203.0.113.7");
  EXPECT_EQ(PublicRateLimitKey(make_address("::ffff:203.0.113.7")), "public.ip:203.0.113.7");
  EXPECT_EQ(PublicRateLimitKey(make_address("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            "public.ip:2001:db8:1:2::/64");
  EXPECT_EQ(PublicRateLimitKey(make_address("2001:db8:1:2::1")),
            PublicRateLimitKey(make_address("2001:db8:1:2:ffff::9")));
  EXPECT_NE(PublicRateLimitKey(make_address("2001:db8:1:2::1")),
            PublicRateLimitKey(make_address("2001:db8:1:3::1")));
}

}  // namespace
}  // namespace onboardd::app
