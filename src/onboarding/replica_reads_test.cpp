// The WAL positions replica_reads.hpp compares: PostgreSQL's "X/Y" text and back.
#include "onboarding/replica_reads.hpp"

#include <gtest/gtest.h>

namespace onboardd::onboarding {
namespace {

TEST(ReplicaReadsLsn, ParsesPostgresText) {
  EXPECT_EQ(ParseLsn("0/0"), 0u);
  EXPECT_EQ(ParseLsn("0/16B3748"), 0x16B3748u);
  EXPECT_EQ(ParseLsn("16/B374D848"), (std::uint64_t{0x16} << 32) | 0xB374D848u);
  EXPECT_EQ(ParseLsn("FFFFFFFF/FFFFFFFF"), ~std::uint64_t{0});
  // Ordered as the server orders them: the high word first.
  EXPECT_LT(*ParseLsn("1/0"), *ParseLsn("2/0"));
  EXPECT_LT(*ParseLsn("0/FFFFFFFF"), *ParseLsn("1/0"));
}

TEST(ReplicaReadsLsn, RefusesAnythingElse) {
  for (const char* text : {"", "/", "0/", "/0", "12", "g/0", "0/0/0", "1 /0", "100000000/0"}) {
    EXPECT_FALSE(ParseLsn(text).has_value()) << text;
  }
}

TEST(ReplicaReadsLsn, FormatsAsPostgresDoes) {
  EXPECT_EQ(FormatLsn(0), "0/0");
  EXPECT_EQ(FormatLsn((std::uint64_t{0x16} << 32) | 0xB374D848u), "16/B374D848");
  EXPECT_EQ(ParseLsn(FormatLsn(123456789012345)), 123456789012345u);
}

}  // namespace
}  // namespace onboardd::onboarding
