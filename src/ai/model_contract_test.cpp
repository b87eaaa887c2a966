#include "ai/model_contract.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "ai/openai_provider.hpp"
#include "catalog/catalog.hpp"
#include "support/onboarding_fixtures.hpp"

namespace onboardd::ai {
namespace {

namespace json = boost::json;

Question SuggestQ(std::string description = "software y plataforma SaaS") {
  return Question{testing::BundledCatalogPtr(), false, AssistanceLevel::kModerate,
                  SuggestInput{"Acme", std::move(description)}};
}

Question ValidateQ() {
  const catalog::Flow& flow = testing::BundledCatalogPtr()->session_flow();
  return Question{testing::BundledCatalogPtr(), false, AssistanceLevel::kModerate,
                  ValidateInput{&flow, flow.FindStep("company"), json::object{}, ""}};
}

Question CompleteQ(CompletionType type = CompletionType::kSmartFill,
                   std::vector<std::string> fields = {}) {
  return Question{testing::BundledCatalogPtr(), false, AssistanceLevel::kModerate,
                  CompleteInput{type, json::object{{"company_name", "Acme"}}, std::move(fields)}};
}

// A valid industry analysis with `industry` and `alternatives` spliced in.
std::string Analysis(std::string industry, std::string alternatives = "[]",
                     std::string okrs = R"([{"objective": "Grow", "key_results": ["+20% MRR"],
                       "category": "growth", "priority": "high", "rationale": "r"}])") {
  return R"({"industry": )" + industry + R"(, "alternatives": )" + alternatives +
         R"(, "insights": {"market_trends": ["AI"], "competitive_landscape": "crowded",
            "growth_opportunities": ["EU"], "potential_challenges": ["talent"]}, "okrs": )" +
         okrs + "}";
}

const IndustryAnalysis& AsAnalysis(const core::Result<AnswerValue>& r) {
  return std::get<IndustryAnalysis>(*r);
}

TEST(ChatCompletion, ReadsContentAndUsage) {
  auto reply = ParseChatCompletion(R"({"model": "gpt-4o-mini-2024", "choices": [{"message":
      {"role": "assistant", "content": "  {\"a\": 1}\n"}}], "usage": {"prompt_tokens": 120,
      "completion_tokens": 30}})");
  ASSERT_TRUE(reply) << reply.error().message.en;
  EXPECT_EQ(reply->content, R"({"a": 1})");
  EXPECT_EQ(reply->tokens_in, 120);
  EXPECT_EQ(reply->tokens_out, 30);
  EXPECT_EQ(reply->model, "gpt-4o-mini-2024");
  auto no_usage = ParseChatCompletion(R"({"choices": [{"message": {"content": "x"}}]})");
  ASSERT_TRUE(no_usage);
  EXPECT_EQ(no_usage->tokens_in, 0);
}

TEST(ChatCompletion, RefusesWhatIsNotOne) {
  EXPECT_FALSE(ParseChatCompletion("<html>502 Bad Gateway</html>"));
  EXPECT_FALSE(ParseChatCompletion(R"({"choices": []})"));
  EXPECT_FALSE(ParseChatCompletion(R"({"choices": [{"message": {"content": null}}]})"));
  EXPECT_FALSE(ParseChatCompletion(R"({"choices": [{"message": {"content": "   "}}]})"));
  EXPECT_FALSE(ParseChatCompletion(R"({"error": {"message": "quota"}})"));
}

TEST(ParseAnswer, AGoodAnalysis) {
  auto r = ParseAnswer(SuggestQ(),
                       Analysis(R"({"id": "technology", "confidence": 88,
      "rationale": " SaaS "})",
                                R"([{"id": "finance", "confidence": 40, "rationale": "pagos"}])"));
  ASSERT_TRUE(r) << r.error().message.en;
  const IndustryAnalysis& a = AsAnalysis(r);
  EXPECT_EQ(a.suggested.id, "technology");
  EXPECT_EQ(a.suggested.confidence, 88);
  EXPECT_EQ(a.suggested.rationale, "SaaS");  // trimmed
  ASSERT_EQ(a.alternatives.size(), 1u);
  EXPECT_EQ(a.alternatives[0].id, "finance");
  EXPECT_EQ(a.market_trends, std::vector<std::string>{"AI"});
  ASSERT_EQ(a.okrs.size(), 1u);
  EXPECT_EQ(a.okrs[0].category, "growth");
}

TEST(ParseAnswer, InventedIdsAreReplacedByRealOnesAtAPenalty) {
  // The model's own first real alternative replaces an invented id; 90 − 20 = 70.
  auto r =
      ParseAnswer(SuggestQ(), Analysis(R"({"id": "quantum_saas", "confidence": 90,
      "rationale": "x"})",
                                       R"([{"id": "robotics", "confidence": 50, "rationale": "y"},
      {"id": "consulting", "confidence": 40, "rationale": "z"}])"));
  ASSERT_TRUE(r) << r.error().message.en;
  EXPECT_EQ(AsAnalysis(r).suggested.id, "consulting");
  EXPECT_EQ(AsAnalysis(r).suggested.confidence, 70);
  EXPECT_TRUE(AsAnalysis(r).alternatives.empty())
      << "robotics is invented, consulting is now the pick";
  // No real alternative: the rules' pick for the input; and never below 50.
  auto low = ParseAnswer(SuggestQ(), Analysis(R"({"id": "spaceships", "confidence": 55,
      "rationale": "x"})"));
  ASSERT_TRUE(low);
  EXPECT_EQ(AsAnalysis(low).suggested.id, "technology");
  EXPECT_EQ(AsAnalysis(low).suggested.confidence, 50);
  // An industry's name instead of its id is recognized, still at the penalty.
  auto named = ParseAnswer(SuggestQ(), Analysis(R"({"id": "Tecnología", "confidence": 80,
      "rationale": "x"})"));
  ASSERT_TRUE(named);
  EXPECT_EQ(AsAnalysis(named).suggested.id, "technology");
  EXPECT_EQ(AsAnalysis(named).suggested.confidence, 60);
}

TEST(ParseAnswer, AlternativesAreRealDistinctAndAtMostThree) {
  auto r = ParseAnswer(
      SuggestQ(), Analysis(R"({"id": "technology", "confidence": 80,
      "rationale": "x"})",
                           R"([{"id": "technology", "confidence": 50, "rationale": "dup of pick"},
      {"id": "media", "confidence": 50, "rationale": "a"}, {"id": "media", "confidence": 40, "rationale": "dup"},
      {"id": "finance", "confidence": 30, "rationale": "b"}, {"id": "retail", "confidence": 20, "rationale": "c"},
      {"id": "energy", "confidence": 10, "rationale": "d"}])"));
  ASSERT_TRUE(r);
  const auto& alts = AsAnalysis(r).alternatives;
  ASSERT_EQ(alts.size(), 3u);
  EXPECT_EQ(alts[0].id, "media");
  EXPECT_EQ(alts[1].id, "finance");
  EXPECT_EQ(alts[2].id, "retail");
}

TEST(ParseAnswer, MalformedOutputIsRefused) {
  const auto refused = [](const std::string& content) {
    auto r = ParseAnswer(SuggestQ(), content);
    return !r && r.error().code == core::ErrorCode::kValidation;
  };
  EXPECT_TRUE(refused("Sure! Here is your JSON: {"));
  EXPECT_TRUE(refused(R"(["technology"])"));
  EXPECT_TRUE(refused(R"({"industry": {"id": "technology", "confidence": 80, "rationale": "x"}})"))
      << "insights, alternatives and okrs are required";
  EXPECT_TRUE(refused(Analysis(R"({"id": "technology", "confidence": 150, "rationale": "x"})")));
  EXPECT_TRUE(refused(Analysis(R"({"id": "technology", "confidence": -1, "rationale": "x"})")));
  EXPECT_TRUE(refused(Analysis(R"({"id": "technology", "confidence": "high", "rationale": "x"})")));
  EXPECT_TRUE(refused(Analysis(R"({"id": "", "confidence": 80, "rationale": "x"})")));
  EXPECT_TRUE(refused(Analysis(R"({"id": 7, "confidence": 80, "rationale": "x"})")));
  EXPECT_TRUE(refused(Analysis(R"({"id": "technology", "confidence": 80, "rationale": "x"})",
                               R"([{"id": "media"}])")));
  EXPECT_TRUE(refused(Analysis(R"({"id": "technology", "confidence": 80, "rationale": "x"})", "[]",
                               R"([{"objective": "o", "key_results": ["k"], "category": "fun",
                                    "priority": "high", "rationale": "r"}])")));
  EXPECT_TRUE(refused(Analysis(R"({"id": "technology", "confidence": 80, "rationale": "x"})", "[]",
                               R"([{"objective": "o", "key_results": [], "category": "growth",
                                    "priority": "high", "rationale": "r"}])")));
  // A fractional confidence is rounded, not refused.
  auto r = ParseAnswer(SuggestQ(),
                       Analysis(R"({"id": "technology", "confidence": 87.6, "rationale": "x"})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(AsAnalysis(r).suggested.confidence, 88);
}

TEST(ParseAnswer, LongTextsAndListsAreCapped) {
  const std::string long_text(3000, 'a');
  auto r = ParseAnswer(
      SuggestQ(),
      Analysis(R"({"id": "technology", "confidence": 80, "rationale": ")" + long_text + R"("})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(AsAnalysis(r).suggested.rationale.size(), kMaxTextCodePoints);
}

TEST(ParseAnswer, ReviewKeepsOnlyTheStepsFieldsAndAllowedValues) {
  auto r = ParseAnswer(ValidateQ(), R"({"score": 72, "suggestions": ["Add a website"],
      "warnings": [], "hints": ["ok"], "corrections": [
        {"field": "company.company_size", "value": "pyme"},
        {"field": "company_size", "value": "huge"},
        {"field": "ceo_shoe_size", "value": "44"},
        {"field": "employee_count", "value": 30},
        {"field": "country", "value": "  ES "}]})");
  ASSERT_TRUE(r) << r.error().message.en;
  const StepReview& review = std::get<StepReview>(*r);
  EXPECT_EQ(review.score, 72);
  ASSERT_EQ(review.corrections.size(), 3u);
  EXPECT_EQ(review.corrections[0].field, "company_size");
  EXPECT_EQ(review.corrections[0].value, json::value("pyme"));
  EXPECT_EQ(review.corrections[1].field, "employee_count");
  EXPECT_EQ(review.corrections[2].value, json::value("ES"));
  EXPECT_FALSE(ParseAnswer(ValidateQ(), R"({"score": 101, "suggestions": [], "warnings": [],
      "hints": [], "corrections": []})"));
  EXPECT_FALSE(ParseAnswer(ValidateQ(), R"({"score": 50, "suggestions": [1], "warnings": [],
      "hints": [], "corrections": []})"));
}

TEST(ParseAnswer, FillsAreSupportedRequestedAndAllowed) {
  auto r = ParseAnswer(CompleteQ(), R"({"fields": [
      {"field": "company_size", "value": "pyme", "confidence": 80, "rationale": "a"},
      {"field": "company_size", "value": "empresa", "confidence": 80, "rationale": "dup"},
      {"field": "okr_maturity", "value": "guru", "confidence": 80, "rationale": "b"},
      {"field": "salary", "value": "1M", "confidence": 80, "rationale": "c"},
      {"field": "business_goals", "value": ["innovation", "world_domination", "innovation"], "confidence": 70, "rationale": "d"},
      {"field": "industry_id", "value": "spaceships", "confidence": 90, "rationale": "e"}]})");
  ASSERT_TRUE(r) << r.error().message.en;
  const auto& fills = std::get<CompletionAnswer>(*r).fills;
  ASSERT_EQ(fills.size(), 3u);
  EXPECT_EQ(fills[0].value, json::value("pyme"));
  EXPECT_EQ(fills[1].value, json::parse(R"(["innovation"])"));
  EXPECT_EQ(fills[2].field, "industry_id");
  EXPECT_NE(testing::BundledCatalogPtr()->FindIndustry(fills[2].value.as_string()), nullptr);
  EXPECT_EQ(fills[2].confidence, 70);
  // Only the fields asked for.
  auto narrow = ParseAnswer(CompleteQ(CompletionType::kSmartFill, {"okr_maturity"}),
                            R"({"fields": [{"field": "company_size", "value": "pyme",
                                "confidence": 80, "rationale": "a"}]})");
  ASSERT_TRUE(narrow);
  EXPECT_TRUE(std::get<CompletionAnswer>(*narrow).fills.empty());
  EXPECT_FALSE(ParseAnswer(CompleteQ(), R"({"fields": [{"field": "company_size", "value": "pyme",
      "confidence": 1000, "rationale": "a"}]})"));
  EXPECT_FALSE(ParseAnswer(CompleteQ(), R"({"fields": {"company_size": "pyme"}})"));
}

TEST(ParseAnswer, FullAnalysis) {
  auto r = ParseAnswer(CompleteQ(CompletionType::kFullAnalysis),
                       R"({"completeness_score": 40, "missing_critical_fields": ["country"],
                           "recommendations": ["r1"], "risk_factors": [], "success_predictors": ["p"]})");
  ASSERT_TRUE(r) << r.error().message.en;
  EXPECT_EQ(std::get<CompletionAnswer>(*r).completeness_score, 40);
  EXPECT_FALSE(ParseAnswer(CompleteQ(CompletionType::kFullAnalysis),
                           R"({"completeness_score": 40, "recommendations": []})"));
}

TEST(Prompt, RenderedFromTheCatalogWithAStrictSchema) {
  auto prompt = BuildPrompt(SuggestQ("Cloud ERP"));
  ASSERT_TRUE(prompt);
  EXPECT_EQ(prompt->version,
            testing::BundledCatalogPtr()->FindPrompt("industry_analysis")->version);
  EXPECT_NE(prompt->user.find("Acme"), std::string::npos);
  EXPECT_NE(prompt->user.find("Cloud ERP"), std::string::npos);
  EXPECT_NE(prompt->user.find("real_estate: Inmobiliaria"), std::string::npos);
  EXPECT_NE(prompt->system.find("español"), std::string::npos);
  EXPECT_EQ(prompt->schema.at("additionalProperties"), json::value(false));
  EXPECT_EQ(prompt->schema.at("required").as_array().size(), 4u);

  json::value body = json::parse(ChatRequestBody("gpt-4o-mini", *prompt, true));
  EXPECT_EQ(body.at("model"), "gpt-4o-mini");
  EXPECT_EQ(body.at("response_format").at("type"), "json_schema");
  EXPECT_EQ(body.at("response_format").at("json_schema").at("strict"), json::value(true));
  EXPECT_EQ(body.at("messages").as_array().size(), 2u);
  json::value plain = json::parse(ChatRequestBody("m", *prompt, false));
  EXPECT_EQ(plain.at("response_format").at("type"), "json_object");

  EXPECT_EQ(BuildPrompt(CompleteQ(CompletionType::kFullAnalysis))->schema_name,
            "completion_analysis");
  EXPECT_NE(BuildPrompt(ValidateQ())
                ->user.find("company_size (enum, required, startup|pyme|empresa|corporacion)"),
            std::string::npos);
}

TEST(OpenAiProvider, OnlyConnectErrorsAreRetried) {
  // http_client's wording for failures before anything was sent.
  EXPECT_TRUE(IsConnectError(
      core::MakeError(core::ErrorCode::kUnavailable, {"", "connect failed: Connection refused"})));
  EXPECT_TRUE(IsConnectError(
      core::MakeError(core::ErrorCode::kUnavailable, {"", "no usable address for host"})));
  EXPECT_FALSE(IsConnectError(
      core::MakeError(core::ErrorCode::kUnavailable, {"", "deadline passed while connecting"})));
  EXPECT_FALSE(IsConnectError(
      core::MakeError(core::ErrorCode::kUnavailable, {"", "read failed: end of stream"})));
  EXPECT_FALSE(IsConnectError(core::MakeError(core::ErrorCode::kInternal, {"", "connect failed"})));
}

}  // namespace
}  // namespace onboardd::ai
