#include "ai/rules_provider.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <boost/json/parse.hpp>

#include "catalog/catalog.hpp"
#include "support/onboarding_fixtures.hpp"

namespace onboardd::ai {
namespace {

namespace json = boost::json;

Question Suggest(SuggestInput input, bool english = false,
                 AssistanceLevel level = AssistanceLevel::kModerate) {
  return Question{testing::BundledCatalogPtr(), english, level, std::move(input)};
}

Question Validate(std::string_view step, std::string_view data) {
  const catalog::Flow& flow = testing::BundledCatalogPtr()->session_flow();
  return Question{testing::BundledCatalogPtr(), false, AssistanceLevel::kModerate,
                  ValidateInput{&flow, flow.FindStep(step), json::parse(data).as_object(), ""}};
}

Question Complete(CompletionType type, std::string_view data,
                  std::vector<std::string> fields = {}) {
  return Question{testing::BundledCatalogPtr(), false, AssistanceLevel::kModerate,
                  CompleteInput{type, json::parse(data).as_object(), std::move(fields)}};
}

const FieldFill* FillOf(const CompletionAnswer& a, std::string_view field) {
  for (const auto& f : a.fills) {
    if (f.field == field) return &f;
  }
  return nullptr;
}

TEST(SizeRule, TheOriginalsThresholds) {
  EXPECT_EQ(SizeForEmployees(1), "startup");
  EXPECT_EQ(SizeForEmployees(10), "startup");
  EXPECT_EQ(SizeForEmployees(11), "pyme");
  EXPECT_EQ(SizeForEmployees(50), "pyme");
  EXPECT_EQ(SizeForEmployees(51), "empresa");
  EXPECT_EQ(SizeForEmployees(250), "empresa");
  EXPECT_EQ(SizeForEmployees(251), "corporacion");
  EXPECT_EQ(SizeForEmployees(100000), "corporacion");
}

TEST(RankIndustries, AccentInsensitiveWholeWords) {
  auto ranked =
      RankIndustries(*testing::BundledCatalogPtr(), "CLÍNICA Dental en Málaga para pacientes");
  ASSERT_FALSE(ranked.empty());
  EXPECT_EQ(ranked.front().industry->id, "healthcare");
  EXPECT_NE(std::find(ranked.front().terms.begin(), ranked.front().terms.end(), "clinica"),
            ranked.front().terms.end());
  EXPECT_EQ(ranked.front().terms.size(), 3u);  // clinica, dental, pacientes
  // "app" is a technology keyword, but not inside "happy"; "other" never matches.
  EXPECT_TRUE(RankIndustries(*testing::BundledCatalogPtr(), "a happy other thing").empty());
  // Names and descriptions count as vocabulary too: "Inmobiliaria" is real_estate's name.
  EXPECT_EQ(
      RankIndustries(*testing::BundledCatalogPtr(), "Grupo Inmobiliaria Sol").front().industry->id,
      "real_estate");
}

TEST(AnalyzeIndustry, KeywordsPickTheIndustryWithRealAlternatives) {
  const IndustryAnalysis a =
      AnalyzeIndustry(Suggest({}), SuggestInput{"Acme", "Plataforma SaaS de software para bancos"});
  EXPECT_EQ(a.suggested.id, "technology");  // plataforma, saas, software
  EXPECT_EQ(a.suggested.confidence, 85);    // 55 + 10 × 3 terms
  EXPECT_NE(a.suggested.rationale.find("Acme"), std::string::npos);
  EXPECT_NE(a.suggested.rationale.find("Tecnología"), std::string::npos);
  ASSERT_FALSE(a.alternatives.empty());
  EXPECT_LE(a.alternatives.size(), 3u);
  for (const auto& alt : a.alternatives) {
    EXPECT_NE(testing::BundledCatalogPtr()->FindIndustry(alt.id), nullptr) << alt.id;
    EXPECT_NE(alt.id, "technology");
  }
  EXPECT_FALSE(a.market_trends.empty());
  EXPECT_FALSE(a.competitive_landscape.empty());
  ASSERT_EQ(a.okrs.size(), 3u);  // moderate
  EXPECT_EQ(a.okrs[0].priority, "high");
  EXPECT_EQ(a.okrs[1].priority, "medium");
  EXPECT_EQ(a.okrs[0].category, "innovation");  // technology's first goal: product_development
  EXPECT_FALSE(a.okrs[0].key_results.empty());
}

TEST(AnalyzeIndustry, DeterministicAndInTheRequestedLanguage) {
  const SuggestInput input{"Acme", "Cloud software"};
  const IndustryAnalysis es = AnalyzeIndustry(Suggest(input), input);
  const IndustryAnalysis again = AnalyzeIndustry(Suggest(input), input);
  const IndustryAnalysis en = AnalyzeIndustry(Suggest(input, true), input);
  EXPECT_EQ(es.suggested.rationale, again.suggested.rationale);
  EXPECT_EQ(es.suggested.id, en.suggested.id);
  EXPECT_NE(en.suggested.rationale.find("fits"), std::string::npos) << en.suggested.rationale;
  EXPECT_NE(es.suggested.rationale.find("encaja"), std::string::npos) << es.suggested.rationale;
}

TEST(AnalyzeIndustry, TheUsersChoiceStandsWithoutEvidenceAndOtherIsTheLastResort) {
  const IndustryAnalysis kept =
      AnalyzeIndustry(Suggest({}), SuggestInput{"Zeta", "", "", "education"});
  EXPECT_EQ(kept.suggested.id, "education");
  EXPECT_EQ(kept.suggested.confidence, 60);
  const IndustryAnalysis none = AnalyzeIndustry(Suggest({}), SuggestInput{"Zeta"});
  EXPECT_EQ(none.suggested.id, "other");
  EXPECT_EQ(none.suggested.confidence, 30);
  EXPECT_TRUE(none.alternatives.empty());
}

TEST(AnalyzeIndustry, MinimalAssistanceGivesLess) {
  const SuggestInput input{"Acme", "Software y pagos online para tiendas"};
  const IndustryAnalysis a =
      AnalyzeIndustry(Suggest(input, false, AssistanceLevel::kMinimal), input);
  EXPECT_EQ(a.alternatives.size(), 1u);
  EXPECT_EQ(a.okrs.size(), 1u);
  const IndustryAnalysis e =
      AnalyzeIndustry(Suggest(input, false, AssistanceLevel::kExtensive), input);
  EXPECT_EQ(e.okrs.size(), 4u);
}

TEST(ReviewStep, EmptyDataScoresZero) {
  const StepReview r = ReviewStep(Validate("company", "{}"),
                                  std::get<ValidateInput>(Validate("company", "{}").input));
  EXPECT_EQ(r.score, 0);
  ASSERT_EQ(r.suggestions.size(), 1u);
  EXPECT_NE(r.suggestions[0].find("Empresa"), std::string::npos) << r.suggestions[0];
}

TEST(ReviewStep, CorrectsSizeWebsiteAndSpaces) {
  const Question q = Validate("company", R"({"company_name": "  Acme  ", "company_size": "startup",
      "employee_count": 30, "description": "Software", "country": "ES", "website": "acme.io"})");
  const StepReview r = ReviewStep(q, std::get<ValidateInput>(q.input));
  std::map<std::string, json::value> corrections;
  for (const auto& c : r.corrections) corrections[c.field] = c.value;
  EXPECT_EQ(corrections["company_size"], json::value("pyme"));  // 30 employees
  EXPECT_EQ(corrections["website"], json::value("https://acme.io"));
  EXPECT_EQ(corrections["company_name"], json::value("Acme"));
  EXPECT_EQ(corrections.size(), 3u);
  // The website without a scheme is invalid for the validator: every field but it earns.
  EXPECT_GT(r.score, 80);
  EXPECT_LT(r.score, 100);
}

TEST(ReviewStep, MissingRequiredFieldsLowerTheScoreAndAreNamed) {
  const Question q = Validate("company", R"({"company_name": "Acme"})");
  const StepReview r = ReviewStep(q, std::get<ValidateInput>(q.input));
  EXPECT_LT(r.score, 60);
  EXPECT_TRUE(std::any_of(r.suggestions.begin(), r.suggestions.end(), [](const std::string& s) {
    return s.find("País") != std::string::npos;
  })) << "the country's label names the missing field";
  EXPECT_FALSE(r.hints.empty());  // the step's catalog hints
}

TEST(CompleteFields, SmartFillFollowsTheRulesAndSkipsWhatIsThere) {
  const Question q = Complete(CompletionType::kSmartFill,
                              R"({"company": {"employee_count": 120, "company_name": "Acme",
                                 "description": "software"}, "experience_with_okr": "none",
                                 "communication_style": "informal"})");
  const CompletionAnswer a = CompleteFields(q, std::get<CompleteInput>(q.input));
  ASSERT_NE(FillOf(a, "company_size"), nullptr);
  EXPECT_EQ(FillOf(a, "company_size")->value, json::value("empresa"));
  EXPECT_EQ(FillOf(a, "company_size")->confidence, 95);
  EXPECT_EQ(FillOf(a, "okr_maturity")->value, json::value("beginner"));
  EXPECT_EQ(FillOf(a, "industry_id")->value, json::value("technology"));
  EXPECT_EQ(FillOf(a, "business_goals")->value,
            json::parse(R"(["product_development","revenue_growth"])"));
  EXPECT_EQ(FillOf(a, "communication_style"), nullptr) << "already given";
  // The suggestions mode proposes it anyway; fields_to_complete narrows both.
  const Question all = Complete(CompletionType::kSuggestions,
                                R"({"communication_style": "informal"})", {"communication_style"});
  const CompletionAnswer b = CompleteFields(all, std::get<CompleteInput>(all.input));
  ASSERT_EQ(b.fills.size(), 1u);
  EXPECT_EQ(b.fills[0].value, json::value("formal"));
}

TEST(CompleteFields, FullAnalysisMeasuresTheRequiredFields) {
  const Question q = Complete(CompletionType::kFullAnalysis,
                              R"({"company_name": "Acme", "urgency_level": "critical"})");
  const CompletionAnswer a = CompleteFields(q, std::get<CompleteInput>(q.input));
  // The legacy flow requires 17 fields before its review step; urgency_level and
  // company_name are 2 of them.
  EXPECT_EQ(a.completeness_score, 12);
  EXPECT_EQ(a.missing_critical_fields.size(), 15u);
  EXPECT_EQ(std::count(a.missing_critical_fields.begin(), a.missing_critical_fields.end(),
                       "company_name"),
            0);
  EXPECT_EQ(a.risk_factors.size(), 2u);  // no goals, critical urgency
  EXPECT_TRUE(a.success_predictors.empty());
  EXPECT_EQ(a.recommendations.size(), 4u);  // three missing fields + the first-OKR advice
}

}  // namespace
}  // namespace onboardd::ai
