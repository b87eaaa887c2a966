// The status cache's pure parts: the cached form of the rows, and the body rendered from them
// (the JSON texts copied in as they are, a damaged text refused).
#include "onboarding/status_cache.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/onboarding_fixtures.hpp"

namespace onboardd::onboarding {
namespace {

namespace json = boost::json;

TEST(StatusRowsEncoding, RoundTripsAndRejectsOtherText) {
  StatusRows rows;
  rows.session = R"({"id" : "s1", "status" : "in_progress"})";
  rows.in_progress_until_ms = 1'796'301'615'779;
  rows.has_profile = true;
  rows.organization = R"({"name" : "Acme\n1 2 3"})";
  auto back = DecodeStatusRows(EncodeStatusRows(rows));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->session, rows.session);
  EXPECT_EQ(back->in_progress_until_ms, rows.in_progress_until_ms);
  EXPECT_TRUE(back->has_profile);
  EXPECT_EQ(back->organization, rows.organization);

  auto empty = DecodeStatusRows(EncodeStatusRows(StatusRows{}));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->session.empty());
  EXPECT_EQ(empty->in_progress_until_ms, 0);
  EXPECT_FALSE(empty->has_profile);
  EXPECT_TRUE(empty->organization.empty());

  EXPECT_FALSE(DecodeStatusRows("not a record"));
  EXPECT_FALSE(DecodeStatusRows(R"({"session": null, "hasProfile": false})")) << "the old form";
  EXPECT_FALSE(DecodeStatusRows("1 0 5 0\n{}")) << "a session longer than what follows";
  EXPECT_FALSE(DecodeStatusRows("1 0 2 2\n{}")) << "a profile flag that is not 0 or 1";
  EXPECT_FALSE(DecodeStatusRows("1 x 2 0\n{}"));
  EXPECT_FALSE(DecodeStatusRows("2 0 2 0\n{}")) << "another version";
}

TEST(StatusRowsRendering, CopiesTheTextsInAndRefusesDamagedOnes) {
  StatusRows rows;
  rows.session = R"({"id" : "s1", "flow" : "wizard", "status" : "in_progress", "currentStep" : 2,
                     "completedSteps" : [1], "formData" : {"company": {"name": "Acme"}}})";
  rows.has_profile = false;
  rows.organization = R"({"id" : "o1", "name" : "Acme"})";
  StatusMetadata metadata{"2026-12-03T10:00:00Z", true, 0.25};
  auto body = RenderStatusRows(rows, testing::BundledCatalog(), false, metadata);
  ASSERT_TRUE(body);
  EXPECT_NE(body->find(rows.session), std::string::npos) << "the session text as SQL built it";
  EXPECT_NE(body->find(rows.organization), std::string::npos);
  json::value parsed = json::parse(*body);
  EXPECT_EQ(parsed.at("status"), "in_progress");
  EXPECT_EQ(parsed.at("progress").at("currentStepData"), json::parse(R"({"name": "Acme"})"));
  EXPECT_EQ(parsed.at("metadata").at("fromCache"), true);

  StatusRows damaged = rows;
  damaged.session = R"({"id": "s1")";
  EXPECT_FALSE(RenderStatusRows(damaged, testing::BundledCatalog(), false, metadata));
  damaged = rows;
  damaged.organization = "[1]";
  EXPECT_FALSE(RenderStatusRows(damaged, testing::BundledCatalog(), false, metadata));
}

}  // namespace
}  // namespace onboardd::onboarding
