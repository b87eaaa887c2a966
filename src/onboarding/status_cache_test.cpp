// The status cache's pure parts: the cached form of the rows, and the expiry check that keeps
// a cached in-progress session from outliving its expires_at.
#include "onboarding/status_cache.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace onboardd::onboarding {
namespace {

namespace json = boost::json;

TEST(StatusRowsEncoding, RoundTripsAndRejectsOtherText) {
  StatusRows rows;
  rows.session = json::object{{"id", "s1"}, {"status", "in_progress"}};
  rows.has_profile = true;
  rows.organization = json::object{{"name", "Acme"}};
  auto back = DecodeStatusRows(EncodeStatusRows(rows));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->session, rows.session);
  EXPECT_TRUE(back->has_profile);
  EXPECT_EQ(back->organization, rows.organization);

  auto empty = DecodeStatusRows(EncodeStatusRows(StatusRows{}));
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->session);
  EXPECT_FALSE(empty->has_profile);
  EXPECT_FALSE(empty->organization);

  EXPECT_FALSE(DecodeStatusRows("not json"));
  EXPECT_FALSE(DecodeStatusRows("[]"));
  EXPECT_FALSE(DecodeStatusRows(R"({"session": null, "organization": null})"));
  EXPECT_FALSE(DecodeStatusRows(R"({"session": 1, "hasProfile": false, "organization": null})"));
}

TEST(TimestampParsing, ReadsPostgresJsonTimestamps) {
  // 2026-12-03T12:40:15Z = 1796301615 s since the epoch.
  EXPECT_EQ(ParseTimestampMs("2026-12-03T12:40:15+00:00"), 1'796'301'615'000);
  EXPECT_EQ(ParseTimestampMs("2026-12-03T12:40:15.779715+00:00"), 1'796'301'615'779);
  EXPECT_EQ(ParseTimestampMs("2026-12-03T12:40:15.5Z"), 1'796'301'615'500);
  EXPECT_EQ(ParseTimestampMs("2026-12-03T13:40:15+01:00"), 1'796'301'615'000);
  EXPECT_EQ(ParseTimestampMs("2026-12-03T07:10:15-05:30"), 1'796'301'615'000);
  EXPECT_EQ(ParseTimestampMs("2026-12-03T12:40:15+01"), 1'796'298'015'000);
  EXPECT_FALSE(ParseTimestampMs("2026-12-03T12:40:15"));  // no offset: no instant
  EXPECT_FALSE(ParseTimestampMs("2026-02-30T12:40:15Z"));
  EXPECT_FALSE(ParseTimestampMs("2026-12-03T12:40:15Zjunk"));
  EXPECT_FALSE(ParseTimestampMs(""));
}

TEST(SessionExpiry, OnlyAnInProgressSessionPastItsExpiryCounts) {
  const std::int64_t now = 1'796'301'615'000;
  json::object s{{"status", "in_progress"}, {"expiresAt", "2026-12-03T12:40:14.999+00:00"}};
  EXPECT_TRUE(InProgressPastExpiry(s, now));
  s["expiresAt"] = "2026-12-03T12:40:15.001+00:00";
  EXPECT_FALSE(InProgressPastExpiry(s, now));
  s["expiresAt"] = "garbage";
  EXPECT_TRUE(InProgressPastExpiry(s, now)) << "unreadable: reload to be safe";
  s["status"] = "completed";
  s["expiresAt"] = "2020-01-01T00:00:00Z";
  EXPECT_FALSE(InProgressPastExpiry(s, now));
}

}  // namespace
}  // namespace onboardd::onboarding
