#include "ai/ai_answers.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "catalog/catalog.hpp"
#include "support/onboarding_fixtures.hpp"

namespace onboardd::ai {
namespace {

namespace json = boost::json;

NewId Counter() {
  auto n = std::make_shared<int>(0);
  return [n] { return "id-" + std::to_string(++*n); };
}

TEST(SuggestAnswer, LegacyShapeWithAnIdPerSuggestion) {
  IndustryAnalysis a;
  a.suggested = {"technology", 80, "why"};
  a.alternatives = {{"media", 40, "also"}};
  a.market_trends = {"t"};
  a.okrs = {{"Grow", {"kr1", "kr2"}, "growth", "high", "r"}};
  Shaped s = SuggestAnswer(*testing::BundledCatalogPtr(), a, true, Counter());
  const json::object& b = s.body;
  EXPECT_EQ(b.at("suggested_industry").at("id"), "technology");
  EXPECT_EQ(b.at("suggested_industry").at("name"), "Technology");
  EXPECT_EQ(b.at("suggested_industry").at("confidence"), 80);
  EXPECT_EQ(b.at("suggested_industry").at("suggestion_id"), "id-1");
  EXPECT_EQ(b.at("alternatives").at(0).at("suggestion_id"), "id-2");
  EXPECT_EQ(b.at("business_insights").at("market_trends").at(0), "t");
  EXPECT_TRUE(b.at("business_insights").as_object().contains("competitive_landscape"));
  EXPECT_EQ(b.at("okr_suggestions").at(0).at("key_results").as_array().size(), 2u);
  EXPECT_EQ(b.at("okr_suggestions").at(0).at("suggestion_id"), "id-3");
  ASSERT_EQ(s.suggestions.size(), 3u);
  EXPECT_EQ(s.suggestions[0].field, "company.industry");
  EXPECT_EQ(s.suggestions[0].value, json::value("technology"));
  EXPECT_EQ(s.suggestions[2].field, "okr");
  EXPECT_EQ(s.suggestions[2].value.at("objective"), "Grow");
}

TEST(ValidateAnswer, TheLegacyRulesApplyToAnyReviewer) {
  StepReview review;
  review.score = 95;
  review.hints = {"catalog hint"};
  Shaped high = ValidateAnswer(*testing::BundledCatalogPtr(), review, "company", false, true, false,
                               Counter());
  EXPECT_EQ(high.body.at("is_valid"), json::value(true));
  EXPECT_EQ(high.body.at("validation_score"), 95);
  EXPECT_EQ(high.body.at("next_step_hints").at(0),
            json::value(testing::BundledCatalogPtr()->ai().Text("highScoreHint").es));
  EXPECT_EQ(high.body.at("next_step_hints").at(1), "catalog hint");
  EXPECT_TRUE(high.body.at("warnings").as_array().empty());

  review.score = 70;  // a model's score does not make empty data valid
  Shaped empty = ValidateAnswer(*testing::BundledCatalogPtr(), review, "company", true, true, false,
                                Counter());
  EXPECT_EQ(empty.body.at("is_valid"), json::value(false));
  EXPECT_EQ(empty.body.at("validation_score"), 0);
  EXPECT_EQ(empty.body.at("warnings").at(0),
            json::value(testing::BundledCatalogPtr()->ai().Text("lowScore").es));

  review.score = 40;
  review.suggestions = {"fix a", "fix b"};
  review.corrections = {{"company_size", json::value("pyme")}};
  Shaped low = ValidateAnswer(*testing::BundledCatalogPtr(), review, "company", false, false, true,
                              Counter());
  EXPECT_EQ(low.body.at("warnings").at(0),
            json::value(testing::BundledCatalogPtr()->ai().Text("lowScore").en));
  EXPECT_EQ(low.body.at("suggestions").at(1), "fix b");
  EXPECT_EQ(low.body.at("suggestion_ids").at(1), "id-2");
  EXPECT_EQ(low.body.at("auto_corrections").at("company_size"), "pyme");
  EXPECT_EQ(low.body.at("auto_correction_ids").at("company_size"), "id-3");
  ASSERT_EQ(low.suggestions.size(), 3u);
  EXPECT_EQ(low.suggestions[2].field, "company.company_size");
  EXPECT_EQ(low.suggestions[0].field, "company.advice");
}

TEST(CompleteAnswer, ShapesByCompletionType) {
  CompletionAnswer a;
  a.fills = {{"company_size", json::value("pyme"), 95, "30 people"}};
  a.completeness_score = 60;
  a.recommendations = {"r1", "r2"};
  Shaped smart = CompleteAnswer(a, CompletionType::kSmartFill, Counter());
  EXPECT_EQ(smart.body.at("completed_fields").at("company_size"), "pyme");
  EXPECT_EQ(smart.body.at("confidence_scores").at("company_size"), 95);
  EXPECT_EQ(smart.body.at("rationale").at("company_size"), "30 people");
  EXPECT_EQ(smart.body.at("suggestions").at(0).at("suggestion_id"), "id-1");
  EXPECT_EQ(smart.suggestions[0].field, "company_size");
  Shaped plain = CompleteAnswer(a, CompletionType::kSuggestions, Counter());
  EXPECT_FALSE(plain.body.contains("completed_fields"));
  EXPECT_TRUE(plain.body.contains("suggestions"));
  Shaped full = CompleteAnswer(a, CompletionType::kFullAnalysis, Counter());
  EXPECT_EQ(full.body.at("completeness_score"), 60);
  EXPECT_EQ(full.body.at("recommendation_ids").as_array().size(), 2u);
  EXPECT_FALSE(full.body.contains("suggestions"));
  EXPECT_EQ(full.suggestions.size(), 2u);
}

}  // namespace
}  // namespace onboardd::ai
