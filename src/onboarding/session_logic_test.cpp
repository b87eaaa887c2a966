#include "onboarding/session_logic.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/onboarding_fixtures.hpp"

namespace onboardd::onboarding {
namespace {

namespace json = boost::json;
using testing::BundledCatalog;
using testing::Legacy;
using testing::Wizard;

json::object Object(std::string_view text) { return json::parse(text).as_object(); }

TEST(SessionTexts, StyleComesFromPreferencesThenAnswersThenTheRequest) {
  EXPECT_FALSE(StyleOf(Legacy(), {}, false).english);
  EXPECT_TRUE(StyleOf(Legacy(), {}, true).english);
  EXPECT_FALSE(StyleOf(Legacy(), {}, true).informal);
  const json::object prefs =
      Object(R"({"user_preferences": {"language": "en", "communication_style": "informal"}})");
  EXPECT_TRUE(StyleOf(Legacy(), prefs, false).english);
  EXPECT_TRUE(StyleOf(Legacy(), prefs, false).informal);
  // Step 4's own answers win over the start preferences.
  json::object answered = prefs;
  answered["preferences"] = Object(R"({"language": "es", "communication_style": "formal"})");
  EXPECT_FALSE(StyleOf(Legacy(), answered, true).english);
  EXPECT_FALSE(StyleOf(Legacy(), answered, true).informal);
}

TEST(SessionTexts, GreetingInFourVariantsAndOnResume) {
  const catalog::Templates& t = BundledCatalog().templates();
  std::set<std::string> greetings;
  for (bool english : {false, true}) {
    for (bool informal : {false, true}) {
      std::string g = Greeting(t, {english, informal}, false, 1, 5);
      EXPECT_FALSE(g.empty());
      greetings.insert(g);
    }
  }
  EXPECT_EQ(greetings.size(), 4u) << "es/en × formal/informal are four different texts";
  EXPECT_EQ(Greeting(t, {false, false}, false, 1, 5), t.greeting_formal.es);
  const std::string resumed = Greeting(t, {true, true}, true, 3, 5);
  EXPECT_NE(resumed.find("3"), std::string::npos) << resumed;
  EXPECT_NE(resumed.find("5"), std::string::npos) << resumed;
  EXPECT_EQ(resumed.find("{{"), std::string::npos) << resumed;
}

TEST(SessionTexts, StepInfoHasLegacyShape) {
  json::object info = StepInfo(BundledCatalog(), *Legacy().FindStep(2), false);
  EXPECT_EQ(info.at("step_number"), 2);
  EXPECT_EQ(info.at("step_name"), "company");
  EXPECT_EQ(info.at("title"), "Empresa");
  EXPECT_FALSE(info.at("description").as_string().empty());
  EXPECT_EQ(info.at("estimated_time"), 3);
  ASSERT_TRUE(info.at("ai_hints").is_array());
  const json::array& fields = info.at("fields").as_array();
  ASSERT_EQ(fields.size(), 7u);
  const json::object& name = fields[0].as_object();
  EXPECT_EQ(name.at("name"), "company_name");
  EXPECT_EQ(name.at("type"), "text");
  EXPECT_EQ(name.at("required"), true);
  EXPECT_EQ(name.at("validation").at("max_length"), 100);
  EXPECT_TRUE(name.contains("placeholder"));
  const json::object& size = fields[2].as_object();
  EXPECT_EQ(size.at("type"), "select");
  EXPECT_EQ(size.at("options").as_array().size(), 4u);
  EXPECT_EQ(size.at("options").as_array()[1].at("value"), "pyme");
  const json::object& industry = fields[1].as_object();
  EXPECT_EQ(industry.at("options").as_array()[0].at("label"), "Tecnología")
      << "catalog ids get their catalog labels";
  for (const json::value& f : fields) {
    const std::string type(f.at("type").as_string());
    EXPECT_TRUE(type == "text" || type == "email" || type == "select" || type == "multiselect" ||
                type == "textarea" || type == "number")
        << type;
  }
  EXPECT_EQ(StepInfo(BundledCatalog(), *Legacy().FindStep(2), true).at("title"), "Company");
}

TEST(SessionTexts, ProgressCheckKeepsInvalidDataAsSent) {
  const catalog::StepDef& company = *Legacy().FindStep(2);
  ProgressCheck bad = CheckProgress(company, Object(R"({"company_name": "A", "extra": 1})"), false);
  EXPECT_FALSE(bad.valid);
  EXPECT_EQ(bad.data, Object(R"({"company_name": "A", "extra": 1})")) << "saved as sent";
  ASSERT_FALSE(bad.errors.empty());
  json::array errors = ValidationErrors(bad.errors, true);
  EXPECT_EQ(errors[0].at("field"), "company.company_name");
  EXPECT_FALSE(errors[0].at("message").as_string().empty());

  ProgressCheck good = CheckProgress(
      company, Object(R"({"company_name": " Acme ", "company_size": "pyme", "description": "x",
                 "country": "ES", "unknown": 1})"),
      false);
  ASSERT_TRUE(good.valid);
  EXPECT_EQ(good.data.at("company_name"), "Acme") << "normalized";
  EXPECT_EQ(good.data.at("industry_id"), "other") << "default";
  EXPECT_FALSE(good.data.contains("unknown"));

  // Skipping with no data is valid only where the catalog allows skipping.
  EXPECT_FALSE(CheckProgress(company, {}, true).valid);
  EXPECT_TRUE(CheckProgress(*Wizard().FindStep(3), {}, true).valid);
}

TEST(SessionTexts, FeedbackPerStepFilledFromTheData) {
  const catalog::Templates& t = BundledCatalog().templates();
  const catalog::StepDef& company = *Legacy().FindStep(2);
  const std::string es =
      StepFeedback(t, company, Object(R"({"company_name": "Acme"})"), true, false);
  EXPECT_NE(es.find("Acme"), std::string::npos) << es;
  EXPECT_EQ(StepFeedback(t, company, {}, false, true), t.invalid_feedback.en);
  EXPECT_NE(StepFeedback(t, *Legacy().FindStep(4), {}, true, false),
            StepFeedback(t, *Legacy().FindStep(5), {}, true, false))
      << "one sentence per step";
}

TEST(SessionTexts, MetricsFromProgressRows) {
  const json::array rows = json::parse(R"([
      {"step_number": 1, "is_completed": true, "is_skipped": false, "time_spent_seconds": 90},
      {"step_number": 2, "is_completed": false, "is_skipped": true, "time_spent_seconds": 30},
      {"step_number": 3, "is_completed": false, "is_skipped": false, "time_spent_seconds": 45}])")
                               .as_array();
  json::object m = SessionMetrics(Legacy(), rows);
  EXPECT_EQ(m.at("completed_steps"), 1);
  EXPECT_EQ(m.at("skipped_steps"), 1);
  EXPECT_EQ(m.at("remaining_steps"), 3);
  EXPECT_EQ(m.at("total_time_minutes"), 3) << "165 s";
  EXPECT_EQ(m.at("estimated_remaining_minutes"), 9) << "remaining × 3";
  EXPECT_EQ(SessionMetrics(Legacy(), {}).at("remaining_steps"), 5);
}

TEST(SessionTexts, MissingStepsCountsDistinctStepsOfTheFlow) {
  EXPECT_EQ(MissingSteps(Legacy(), json::parse("[1,2,3]").as_array()), 2);
  EXPECT_EQ(MissingSteps(Legacy(), json::parse("[1,1,9,2,3,4,5]").as_array()), 0);
  EXPECT_EQ(MissingSteps(Legacy(), {}), 5);
}

TEST(SessionTexts, CompletionTextsFollowTheGoals) {
  const json::object form = Object(R"({
      "welcome": {"primary_goal": "Crecer sin perder el foco"},
      "company": {"company_name": "Acme", "industry_id": "energy"},
      "organization": {"business_goals": ["customer_satisfaction", "revenue_growth"]}})");
  CompletionTexts es = BuildCompletionTexts(BundledCatalog(), Legacy(), form, false);
  EXPECT_NE(es.summary.find("Acme"), std::string::npos) << es.summary;
  EXPECT_NE(es.summary.find("Energía"), std::string::npos) << "industry by its name";
  EXPECT_NE(es.summary.find("Crecer sin perder el foco"), std::string::npos);
  EXPECT_LE(es.next_steps.size(), 6u);
  EXPECT_FALSE(es.next_steps.empty());
  ASSERT_LE(es.recommended_okrs.size(), 4u);
  ASSERT_GE(es.recommended_okrs.size(), 3u);
  // The goals' OKRs first (in catalog order), then the fallback.
  EXPECT_EQ(es.recommended_okrs[0].at("objective"), "Acelerar el crecimiento de los ingresos");
  EXPECT_EQ(es.recommended_okrs[1].at("objective"), "Encantar a nuestros clientes");
  for (const json::value& okr : es.recommended_okrs) {
    EXPECT_FALSE(okr.at("key_results").as_array().empty());
    EXPECT_FALSE(okr.at("rationale").as_string().empty());
  }
  CompletionTexts none = BuildCompletionTexts(BundledCatalog(), Legacy(), {}, true);
  EXPECT_EQ(none.summary, BundledCatalog().templates().summary_no_goal.en);
  ASSERT_EQ(none.recommended_okrs.size(), 1u) << "only the fallback";
}

}  // namespace
}  // namespace onboardd::onboarding
