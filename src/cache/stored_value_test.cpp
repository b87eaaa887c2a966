#include "cache/stored_value.hpp"

#include <gtest/gtest.h>

#include <set>

namespace onboardd::cache {
namespace {

StoredValue Sample(std::string payload) {
  return StoredValue{Tags{"111", "222"}, 1000, 2000, std::move(payload)};
}

TEST(StoredValue, RoundTripsAnyPayload) {
  const std::string payload = std::string("a|b|c\0\xff", 7) + "{\"x\":1}";
  auto decoded = DecodeStoredValue(EncodeStoredValue(Sample(payload)));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->payload, payload);
  EXPECT_EQ(decoded->tags, (Tags{"111", "222"}));
  EXPECT_EQ(decoded->refresh_at_ms, 1000);
  EXPECT_EQ(decoded->expires_at_ms, 2000);
  EXPECT_EQ(EncodeStoredValue(Sample("p")), "v1|111|222|1000|2000|p");
}

TEST(StoredValue, RefusesWhatItDidNotWrite) {
  for (const char* bytes : {"", "p", "v2|1|2|3|4|p", "v1|1|2|3|p", "v1||2|3|4|p", "v1|1|2|x|4|p"}) {
    EXPECT_FALSE(DecodeStoredValue(bytes)) << bytes;
  }
}

TEST(Judge, HitOnlyWhenEpochAndGenerationMatch) {
  const std::string value = EncodeStoredValue(Sample("fresh"));
  auto verdict = Judge(RedisView{"111", "222", value});
  ASSERT_TRUE(verdict.hit);
  EXPECT_EQ(verdict.hit->payload, "fresh");

  // Invalidated: a new generation.
  verdict = Judge(RedisView{"111", "999", value});
  EXPECT_FALSE(verdict.hit);
  ASSERT_TRUE(verdict.current);
  EXPECT_EQ(*verdict.current, (Tags{"111", "999"}));  // what a reload is stored under

  // Everything invalidated: a new epoch.
  EXPECT_FALSE(Judge(RedisView{"777", "222", value}).hit);
}

TEST(Judge, MissingTagsAreAMissWithNothingToTagWith) {
  const std::string value = EncodeStoredValue(Sample("v"));
  // After FLUSHALL or expiry of the generation: the value (if it survived) is not served,
  // and the reader must install tags before loading.
  for (const auto& view :
       {RedisView{std::nullopt, "222", value}, RedisView{"111", std::nullopt, value},
        RedisView{std::nullopt, std::nullopt, std::nullopt}, RedisView{"", "222", value}}) {
    const auto verdict = Judge(view);
    EXPECT_FALSE(verdict.hit);
    EXPECT_FALSE(verdict.current);
  }
}

TEST(Judge, SlowWriterRaceLeavesNothingServable) {
  // A loader read generation G1, an invalidation set G2, then the loader wrote its value
  // tagged G1: the value is dead on arrival.
  const std::string late = EncodeStoredValue(StoredValue{Tags{"E", "G1"}, 0, 0, "old"});
  EXPECT_FALSE(Judge(RedisView{"E", "G2", late}).hit);
}

TEST(RandomTag, DoesNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) seen.insert(RandomTag());
  EXPECT_EQ(seen.size(), 10'000u);
}

}  // namespace
}  // namespace onboardd::cache
