#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace onboardd::core {
namespace {

TEST(Ids, RequestIdsAreHexAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewRequestId();
    ASSERT_EQ(id.size(), 32u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Ids, RandomHexHasTheLengthAskedAndUsesEveryDigit) {
  for (int digits : {0, 1, 15, 16, 17, 32, 40}) {
    std::string id = RandomHex(digits);
    ASSERT_EQ(id.size(), static_cast<std::size_t>(digits));
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
  }
  // Every position varies (a short last block is not left as zeros).
  std::set<char> last_of_17;
  for (int i = 0; i < 200; ++i) last_of_17.insert(RandomHex(17).back());
  EXPECT_GT(last_of_17.size(), 8u);
}

TEST(Ids, UuidsAreVersion4) {
  for (int i = 0; i < 100; ++i) {
    std::string id = NewUuid();
    ASSERT_TRUE(IsUuid(id)) << id;
    EXPECT_EQ(id[14], '4');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
  }
}

TEST(Ids, IsUuidRejectsNearMisses) {
  EXPECT_TRUE(IsUuid("123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_TRUE(IsUuid("123E4567-E89B-12D3-A456-426614174000"));
  EXPECT_FALSE(IsUuid("123e4567e89b12d3a456426614174000"));
  EXPECT_FALSE(IsUuid("123e4567-e89b-12d3-a456-42661417400g"));
  EXPECT_FALSE(IsUuid("'; drop table organizations; --------"));
  EXPECT_FALSE(IsUuid(""));
}

TEST(Ids, AcceptableRequestIds) {
  EXPECT_TRUE(IsAcceptableRequestId("abc-123_x.y:z"));
  EXPECT_FALSE(IsAcceptableRequestId(""));
  EXPECT_FALSE(IsAcceptableRequestId(std::string(129, 'a')));
  EXPECT_FALSE(IsAcceptableRequestId("a b"));
  EXPECT_FALSE(IsAcceptableRequestId("a\r\nSet-Cookie: x"));
}

}  // namespace
}  // namespace onboardd::core
