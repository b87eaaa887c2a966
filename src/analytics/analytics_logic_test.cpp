#include "analytics/analytics_logic.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "catalog/catalog.hpp"

namespace onboardd::analytics {
namespace {

namespace json = boost::json;

Date D(std::string_view text) { return *ParseDate(text); }

TEST(AnalyticsDates, ReadsOnlyRealCalendarDays) {
  EXPECT_EQ(FormatDate(D("2024-02-29")), "2024-02-29");
  EXPECT_EQ(D("2026-03-01").days - D("2026-02-28").days, 1);
  EXPECT_EQ(D("2024-03-01").days - D("2024-02-28").days, 2);
  EXPECT_EQ(D("1970-01-01").days, 0);
  for (const char* bad : {"2023-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "26-04-01",
                          "2026-4-01", "2026-04-01T00:00:00Z", "", "abcd-ef-gh", "1899-12-31"}) {
    EXPECT_FALSE(ParseDate(bad).has_value()) << bad;
  }
  for (int days = -1000; days < 100000; days += 37) {
    EXPECT_EQ(ParseDate(FormatDate(Date{days}))->days, days);
  }
}

TEST(AnalyticsDates, DefaultsToTheLastThirtyDaysEndingToday) {
  const Date today = D("2026-12-03");
  auto range = ParseRange("", "", today);
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(FormatDate(range->from), "2026-11-04");
  EXPECT_EQ(FormatDate(range->to), "2026-12-03");
  range = ParseRange("2026-01-01", "", today);
  EXPECT_EQ(FormatDate(range->to), "2026-12-03") << "to: today";
  range = ParseRange("", "2026-06-30", today);
  EXPECT_EQ(FormatDate(range->from), "2026-06-01") << "from: 30 days ending at to";
  EXPECT_TRUE(ParseRange("2025-12-03", "2026-12-03", today).has_value()) << "366 days";
}

TEST(AnalyticsDates, NamesTheParameterThatIsWrong) {
  const Date today = D("2026-12-03");
  auto path = [&](std::string_view from, std::string_view to) {
    auto range = ParseRange(from, to, today);
    EXPECT_FALSE(range.has_value()) << from << " .. " << to;
    if (range) return std::string();
    EXPECT_EQ(range.error().code, core::ErrorCode::kValidation);
    return range.error().details.at(0).path;
  };
  EXPECT_EQ(path("yesterday", ""), "from");
  EXPECT_EQ(path("", "2026-02-30"), "to");
  EXPECT_EQ(path("2026-12-04", "2026-12-03"), "from");
  EXPECT_EQ(path("2025-12-02", "2026-12-03"), "to");
}

TEST(OpsToken, MatchesOnlyTheWholeTokenAsABearer) {
  const std::string token = "ops-0123456789abcdef0123456789abcdef";
  EXPECT_TRUE(IsOpsToken("Bearer " + token, token));
  EXPECT_TRUE(IsOpsToken("bearer " + token, token));
  EXPECT_FALSE(IsOpsToken("Bearer " + token + "x", token));
  EXPECT_FALSE(IsOpsToken("Bearer " + token.substr(0, token.size() - 1), token));
  EXPECT_FALSE(IsOpsToken("Bearer " + token.substr(0, token.size() - 1) + "X", token));
  EXPECT_FALSE(IsOpsToken(token, token)) << "no scheme";
  EXPECT_FALSE(IsOpsToken("Basic " + token, token));
  EXPECT_FALSE(IsOpsToken("Bearer ", "")) << "no OPS_TOKEN: never";
  EXPECT_FALSE(IsOpsToken("", ""));
}

TEST(AnalyticsBody, AddsNamesFromTheCatalogAndTheRange) {
  auto snapshot = catalog::LoadBundled();
  ASSERT_TRUE(snapshot.has_value());
  json::object report = json::parse(R"({"sessionsStarted": 3,
      "steps": [{"flow": "wizard", "step": 2, "reached": 2}, {"flow": "gone", "step": 1}],
      "topIndustries": [{"industry": "technology", "organizations": 2},
                        {"industry": "retired", "organizations": 1}]})")
                            .as_object();
  DateRange range{D("2026-11-04"), D("2026-12-03")};
  json::object body = BuildAnalyticsBody(report, Scope{"0b8c6b1e-4a39-4f3e-9a2f-6f5f1c0f2b11"},
                                         range, **snapshot, true);
  EXPECT_EQ(body.at("success"), true);
  EXPECT_EQ(body.at("sessionsStarted"), 3);
  EXPECT_EQ(body.at("scope").at("allOrganizations"), false);
  EXPECT_EQ(body.at("range").at("days"), 30);
  EXPECT_EQ(body.at("range").at("from"), "2026-11-04");
  const json::array& steps = body.at("steps").as_array();
  EXPECT_EQ(steps[0].at("name"), "company");
  EXPECT_TRUE(steps[0].at("title").is_string());
  EXPECT_TRUE(steps[1].at("name").is_null()) << "a flow the catalog no longer has";
  const json::array& industries = body.at("topIndustries").as_array();
  EXPECT_EQ(industries[0].at("name"), "Technology");
  EXPECT_TRUE(industries[1].at("name").is_null());
  EXPECT_EQ(
      BuildAnalyticsBody({}, Scope{}, range, **snapshot, false).at("scope").at("organizationId"),
      nullptr);
}

}  // namespace
}  // namespace onboardd::analytics
