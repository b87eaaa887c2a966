#include "catalog/snapshot.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>

#include <boost/json.hpp>

#include "catalog/catalog.hpp"
#include "catalog/text.hpp"

namespace onboardd::catalog {
namespace {

namespace json = boost::json;

std::shared_ptr<const Snapshot> Bundled() {
  auto result = LoadBundled();
  if (!result) {
    ADD_FAILURE() << result.error().message.en;
    return nullptr;
  }
  return *result;
}

// Parses the bundled document after `edit` changed it; returns the refusal.
core::Error Refusal(const std::function<void(json::object&)>& edit) {
  json::value doc = json::parse(BundledCatalogJson());
  edit(doc.as_object());
  auto result = Snapshot::Parse(json::serialize(doc));
  EXPECT_FALSE(result.has_value()) << "the edited catalog was accepted";
  if (result) return {};
  return result.error();
}

bool Names(const core::Error& error, std::string_view path_part) {
  for (const core::FieldError& d : error.details) {
    if (d.path.find(path_part) != std::string::npos) return true;
  }
  return false;
}

json::object& Field(json::object& doc, std::size_t flow, std::size_t step, std::size_t field) {
  return doc["flows"]
      .as_array()[flow]
      .as_object()["steps"]
      .as_array()[step]
      .as_object()["fields"]
      .as_array()[field]
      .as_object();
}

TEST(Snapshot, BundledCatalogHasTheSpecIndustriesAndSizes) {
  auto s = Bundled();
  ASSERT_TRUE(s);
  std::set<std::string> ids;
  for (const Industry& i : s->industries()) ids.insert(i.id);
  EXPECT_EQ(ids, (std::set<std::string>{"technology", "finance", "healthcare", "education",
                                        "retail", "manufacturing", "consulting", "marketing",
                                        "real_estate", "food_beverage", "transportation", "energy",
                                        "media", "nonprofit", "government", "other"}));
  ASSERT_EQ(s->company_sizes().size(), 5u);
  const CompanySize* enterprise = s->FindCompanySize("enterprise");
  ASSERT_NE(enterprise, nullptr);
  EXPECT_FALSE(enterprise->max_employees.has_value());
  EXPECT_EQ(s->FindCompanySize("startup")->max_employees, 10);
  EXPECT_EQ(s->FindIndustry("real_estate")->name.es, "Inmobiliaria");
  EXPECT_EQ(s->FindIndustry("nope"), nullptr);
}

TEST(Snapshot, BundledFlows) {
  auto s = Bundled();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->default_flow().id, "wizard");
  const Flow* wizard = s->FindFlow("wizard");
  ASSERT_NE(wizard, nullptr);
  ASSERT_EQ(wizard->total_steps(), 4);
  EXPECT_EQ(wizard->FindStep(1)->id, "welcome");
  EXPECT_EQ(wizard->FindStep(2)->id, "company");
  EXPECT_EQ(wizard->FindStep(3)->id, "organization");
  EXPECT_EQ(wizard->FindStep(4)->id, "complete");
  EXPECT_TRUE(wizard->FindStep(4)->final);
  EXPECT_EQ(wizard->FindStep(0), nullptr);
  EXPECT_EQ(wizard->FindStep(5), nullptr);
  const FieldDef* level = wizard->FindStep(1)->FindField("experienceLevel");
  ASSERT_NE(level, nullptr);
  EXPECT_EQ(*level->default_value, json::value("intermediate"));
  const FieldDef* team = wizard->FindStep(3)->FindField("teamSize");
  ASSERT_NE(team, nullptr);
  EXPECT_EQ(*team->default_value, json::value(5));
  EXPECT_EQ(team->min, 1);
  EXPECT_EQ(team->max, 10000);
  const FieldDef* industry = wizard->FindStep("company")->FindField("industry");
  ASSERT_NE(industry, nullptr);
  EXPECT_EQ(industry->values.size(), 16u);
  EXPECT_TRUE(industry->required);

  const Flow* legacy = s->FindFlow("legacy");
  ASSERT_NE(legacy, nullptr);
  ASSERT_EQ(legacy->total_steps(), 5);
  EXPECT_EQ(legacy->FindStep(4)->id, "preferences");
  EXPECT_EQ(legacy->FindStep(5)->id, "review");
  EXPECT_EQ(legacy->FindStep(2)->FindField("company_name")->canonical, "company.name");
}

// LEGACY_API.md §2: the older session API's 5-step flow, field by field.
TEST(Snapshot, SessionFlowIsTheOriginalFiveStepFlow) {
  auto s = Bundled();
  ASSERT_TRUE(s);
  const Flow& flow = s->session_flow();
  EXPECT_EQ(flow.id, "legacy");
  ASSERT_EQ(flow.total_steps(), 5);
  struct Expected {
    int step;
    const char* key;
    bool required;
    std::vector<std::string> values;  // empty: not an enum
  };
  const std::vector<Expected> fields = {
      {1, "full_name", true, {}},
      {1, "job_title", true, {}},
      {1, "experience_with_okr", true, {"none", "beginner", "intermediate", "advanced"}},
      {1, "primary_goal", true, {}},
      {1, "urgency_level", true, {"low", "medium", "high", "critical"}},
      {2, "company_name", true, {}},
      {2, "industry_id", false, {}},
      {2, "company_size", true, {"startup", "pyme", "empresa", "corporacion"}},
      {2, "description", true, {}},
      {2, "website", false, {}},
      {2, "country", true, {}},
      {2, "employee_count", false, {}},
      {3, "department", false, {}},
      {3, "team_size", false, {}},
      {3, "okr_maturity", true, {"beginner", "intermediate", "advanced"}},
      {3,
       "current_challenges",
       true,
       {"alignment", "measurement", "focus", "communication", "execution", "culture", "resources",
        "growth"}},
      {3,
       "business_goals",
       true,
       {"revenue_growth", "market_expansion", "product_development", "operational_efficiency",
        "customer_satisfaction", "team_development", "innovation", "sustainability"}},
      {4, "communication_style", true, {"formal", "informal"}},
      {4, "language", true, {"es", "en"}},
      {4, "notification_frequency", true, {"daily", "weekly", "monthly"}},
      {4,
       "focus_areas",
       true,
       {"strategy", "execution", "analytics", "collaboration", "reporting"}},
      {4, "ai_assistance_level", true, {"minimal", "moderate", "extensive"}},
      {5, "confirmed", true, {"true"}},
      {5, "additional_notes", false, {}},
      {5, "setup_demo", false, {"yes", "no", "later"}},
      {5, "invite_team_members", false, {"immediately", "soon", "later", "no"}},
  };
  std::size_t count = 0;
  for (const Expected& e : fields) {
    const FieldDef* f = flow.FindStep(e.step)->FindField(e.key);
    ASSERT_NE(f, nullptr) << e.key;
    EXPECT_EQ(f->required, e.required) << e.key;
    if (!e.values.empty()) {
      EXPECT_EQ(f->values, e.values) << e.key;
    }
    ++count;
  }
  std::size_t total = 0;
  for (const StepDef& step : flow.steps) total += step.fields.size();
  EXPECT_EQ(total, count) << "no field beyond the original's";
  EXPECT_EQ(flow.FindStep(1)->id, "welcome");
  EXPECT_EQ(flow.FindStep(2)->id, "company");
  EXPECT_EQ(flow.FindStep(3)->id, "organization");
  EXPECT_EQ(flow.FindStep(4)->id, "preferences");
  EXPECT_EQ(flow.FindStep(5)->id, "review");
  EXPECT_EQ(flow.FindStep(3)->FindField("current_challenges")->min_items, 1u);
  EXPECT_EQ(flow.FindStep(3)->FindField("team_size")->min, 0);
  EXPECT_EQ(flow.FindStep(3)->FindField("team_size")->max, 500);
  EXPECT_EQ(flow.FindStep(2)->FindField("employee_count")->max, 100000);
  EXPECT_EQ(flow.FindStep(2)->FindField("description")->widget, "textarea");
  EXPECT_EQ(flow.FindStep(3)->FindField("business_goals")->widget, "multiselect");
  EXPECT_EQ(flow.FindStep(3)->FindField("team_size")->widget, "number");
  EXPECT_FALSE(flow.FindStep(1)->description.es.empty());
  EXPECT_FALSE(flow.FindStep(1)->feedback.en.empty());
}

TEST(Snapshot, TemplatesForTheSessionTexts) {
  auto s = Bundled();
  ASSERT_TRUE(s);
  const Templates& t = s->templates();
  EXPECT_FALSE(t.greeting_formal.es.empty());
  EXPECT_FALSE(t.greeting_informal.en.empty());
  EXPECT_NE(t.greeting_formal.es, t.greeting_informal.es);
  EXPECT_NE(t.resume_formal.en.find("{{step}}"), std::string::npos);
  EXPECT_EQ(t.next_steps.size(), 6u);
  ASSERT_FALSE(t.okrs.empty());
  EXPECT_TRUE(t.okrs.back().goals.empty()) << "a fallback for anyone";
  for (const OkrTemplate& okr : t.okrs) EXPECT_FALSE(okr.key_results.empty());
}

TEST(Snapshot, RefusesBadTemplatesWidgetsAndItemBounds) {
  EXPECT_TRUE(Names(Refusal([](json::object& doc) { doc.erase("templates"); }), "templates"));
  EXPECT_TRUE(Names(Refusal([](json::object& doc) {
                      doc["templates"].as_object()["greeting"].as_object().erase("informal");
                    }),
                    "templates.greeting.informal"));
  EXPECT_TRUE(Names(
      Refusal([](json::object& doc) { doc["templates"].as_object()["nextSteps"] = json::array{}; }),
      "templates.nextSteps"));
  EXPECT_TRUE(Names(Refusal([](json::object& doc) {
                      json::array& okrs = doc["templates"].as_object()["okrs"].as_array();
                      okrs.erase(okrs.end() - 1);
                    }),
                    "templates.okrs"));
  EXPECT_TRUE(Names(Refusal([](json::object& doc) { Field(doc, 1, 0, 0)["widget"] = "slider"; }),
                    "flows[1].steps[0].fields[0].widget"));
  EXPECT_TRUE(Names(Refusal([](json::object& doc) {
                      Field(doc, 1, 2, 3)["minItems"] = 20;  // current_challenges: maxItems 8
                    }),
                    "flows[1].steps[2].fields[3].minItems"));
  EXPECT_TRUE(
      Names(Refusal([](json::object& doc) { doc["sessionFlow"] = "nope"; }), "sessionFlow"));
}

TEST(Snapshot, SessionFlowDefaultsToTheDefaultFlow) {
  json::value doc = json::parse(BundledCatalogJson());
  doc.as_object().erase("sessionFlow");
  auto s = Snapshot::FromJson(doc);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ((*s)->session_flow().id, (*s)->default_flow().id);
}

TEST(Snapshot, FlagsMessagesLimitsPrompts) {
  auto s = Bundled();
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->FeatureEnabled("aiSuggestions"));
  EXPECT_FALSE(s->FeatureEnabled("noSuchFlag"));
  ASSERT_NE(s->FindMessage("step_saved"), nullptr);
  EXPECT_EQ(s->FindMessage("step_saved")->en, "Step saved successfully");
  EXPECT_EQ(s->FindRateLimit("ai.suggest")->limit, 20);
  EXPECT_EQ(s->FindRateLimit("ai.validate")->limit, 30);
  EXPECT_EQ(s->FindRateLimit("ai.complete")->limit, 15);
  EXPECT_EQ(s->FindRateLimit("ai.complete")->window_seconds, 3600);
  ASSERT_NE(s->FindPrompt("industry_analysis"), nullptr);
  EXPECT_FALSE(s->FindPrompt("industry_analysis")->version.empty());
}

TEST(Snapshot, PublicRateLimitIsBundledAndOptional) {
  auto s = Bundled();
  ASSERT_TRUE(s);
  const RateLimit* limit = s->FindRateLimit(kPublicRateLimitId);
  ASSERT_NE(limit, nullptr);
  EXPECT_EQ(limit->limit, 300);
  EXPECT_EQ(limit->window_seconds, 60);

  json::value doc = json::parse(BundledCatalogJson());
  json::array& limits = doc.as_object()["rateLimits"].as_array();
  limits.erase(limits.end() - 1);
  auto without = Snapshot::FromJson(doc);
  ASSERT_TRUE(without.has_value());
  EXPECT_EQ((*without)->FindRateLimit(kPublicRateLimitId), nullptr);
}

TEST(Snapshot, RefusesRateLimitsOutOfBounds) {
  // The public limit is the last entry of the bundled list.
  auto public_ip = [](json::object& doc) -> json::object& {
    return doc["rateLimits"].as_array().back().as_object();
  };
  for (std::int64_t bad :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1'000'001}, std::int64_t{4'294'967'596}}) {
    EXPECT_TRUE(
        Names(Refusal([&](json::object& doc) { public_ip(doc)["limit"] = bad; }), "rateLimits[3]"))
        << bad;
  }
  for (std::int64_t bad : {std::int64_t{0}, std::int64_t{86'401}}) {
    EXPECT_TRUE(Names(Refusal([&](json::object& doc) { public_ip(doc)["windowSeconds"] = bad; }),
                      "rateLimits[3]"))
        << bad;
  }
  EXPECT_TRUE(Names(Refusal([&](json::object& doc) { public_ip(doc)["limit"] = "300"; }),
                    "rateLimits[3].limit"));
  EXPECT_TRUE(Names(Refusal([&](json::object& doc) {
                      json::array& limits = doc["rateLimits"].as_array();
                      limits.push_back(limits.back());
                    }),
                    "rateLimits[4].id"));
}

TEST(Snapshot, RefusesMalformedJson) {
  auto result = Snapshot::Parse("{\"schema\": 1,");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, core::ErrorCode::kInternal);
  EXPECT_NE(result.error().message.en.find("malformed JSON"), std::string::npos);
  EXPECT_FALSE(Snapshot::Parse("[]"));
}

TEST(Snapshot, FromParsedDocument) {
  auto result = Snapshot::FromJson(json::parse(BundledCatalogJson()));
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)->ConfigBody().etag, Bundled()->ConfigBody().etag);
  EXPECT_FALSE(Snapshot::FromJson(json::value(3)));
}

TEST(Snapshot, RefusesDuplicateIndustry) {
  core::Error e = Refusal(
      [](json::object& doc) { doc["industries"].as_array()[1].as_object()["id"] = "technology"; });
  EXPECT_TRUE(Names(e, "industries[1].id"));
  EXPECT_NE(e.message.en.find("duplicate id: technology"), std::string::npos);
}

TEST(Snapshot, RefusesUnknownEnumDefault) {
  core::Error e = Refusal([](json::object& doc) { Field(doc, 0, 0, 2)["default"] = "guru"; });
  EXPECT_TRUE(Names(e, "flows[0].steps[0].fields[2].default"));
}

TEST(Snapshot, RefusesOutOfRangeIntegerDefault) {
  core::Error e = Refusal([](json::object& doc) { Field(doc, 0, 2, 0)["default"] = 0; });
  EXPECT_TRUE(Names(e, "fields[0].default"));
}

TEST(Snapshot, RefusesFlowWithoutSteps) {
  core::Error e = Refusal(
      [](json::object& doc) { doc["flows"].as_array()[1].as_object()["steps"] = json::array(); });
  EXPECT_TRUE(Names(e, "flows[1].steps"));
}

TEST(Snapshot, RefusesBadStepNumbering) {
  core::Error e = Refusal([](json::object& doc) {
    doc["flows"].as_array()[0].as_object()["steps"].as_array()[2].as_object()["number"] = 7;
  });
  EXPECT_TRUE(Names(e, "flows[0].steps[2].number"));
}

TEST(Snapshot, RefusesUnknownTypeAndDuplicateField) {
  EXPECT_TRUE(Names(Refusal([](json::object& doc) { Field(doc, 0, 0, 0)["type"] = "blob"; }),
                    "fields[0].type"));
  EXPECT_TRUE(Names(Refusal([](json::object& doc) { Field(doc, 0, 1, 1)["key"] = "name"; }),
                    "fields[1].key"));
}

TEST(Snapshot, RefusesEnumWithoutValuesAndSvgLogo) {
  EXPECT_TRUE(
      Names(Refusal([](json::object& doc) { Field(doc, 0, 0, 0)["values"] = json::array(); }),
            "fields[0].values"));
  EXPECT_TRUE(Names(Refusal([](json::object& doc) {
                      Field(doc, 0, 1, 4)["contentTypes"] = json::array{"image/svg+xml"};
                    }),
                    "contentTypes"));
}

TEST(Snapshot, RefusesUnknownDefaultFlowCategoryAndMissingLanguage) {
  EXPECT_TRUE(
      Names(Refusal([](json::object& doc) { doc["defaultFlow"] = "nope"; }), "defaultFlow"));
  EXPECT_TRUE(Names(Refusal([](json::object& doc) {
                      doc["industries"].as_array()[0].as_object()["category"] = "space";
                    }),
                    "industries[0].category"));
  EXPECT_TRUE(Names(Refusal([](json::object& doc) {
                      doc["industries"].as_array()[0].as_object()["name"].as_object().erase("en");
                    }),
                    "industries[0].name.en"));
}

TEST(Snapshot, CollectsEveryFault) {
  core::Error e = Refusal([](json::object& doc) {
    doc["industries"].as_array()[1].as_object()["id"] = "technology";
    doc["defaultFlow"] = "nope";
  });
  EXPECT_GE(e.details.size(), 2u);
}

TEST(Snapshot, IndustriesBodyUnfiltered) {
  auto s = Bundled();
  ASSERT_TRUE(s);
  JsonBody body = s->IndustriesBody("", "", false);
  ASSERT_TRUE(body.body);
  json::value v = json::parse(*body.body);
  EXPECT_EQ(v.at("total").as_int64(), 16);
  EXPECT_EQ(v.at("industries").as_array().size(), 16u);
  EXPECT_EQ(v.at("industries").as_array()[0].at("id"), "technology");
  EXPECT_EQ(v.at("industries").as_array()[0].at("name"), "Tecnología");
  EXPECT_TRUE(v.at("categorized").as_object().contains("public"));
  EXPECT_FALSE(v.at("categories").as_array().empty());
  // Pre-serialized: the same buffer each call.
  EXPECT_EQ(body.body, s->IndustriesBody("", "", false).body);
  JsonBody english = s->IndustriesBody("", "", true);
  EXPECT_EQ(json::parse(*english.body).at("industries").as_array()[0].at("name"), "Technology");
  EXPECT_NE(english.etag, body.etag);
  EXPECT_EQ(body.etag.front(), '"');
  EXPECT_EQ(body.etag.back(), '"');
}

TEST(Snapshot, IndustriesBodyFilters) {
  auto s = Bundled();
  ASSERT_TRUE(s);
  // Matches the technology name, the consulting description ("... y tecnología") and media
  // through its category's name ("Tecnología y medios").
  json::value v = json::parse(*s->IndustriesBody("TECNOLOGIA", "", false).body);
  EXPECT_EQ(v.at("total").as_int64(), 3);
  EXPECT_EQ(v.at("industries").as_array()[0].at("id"), "technology");
  std::set<std::string> ids;
  for (const auto& i : v.at("industries").as_array()) ids.emplace(i.at("id").as_string());
  EXPECT_EQ(ids, (std::set<std::string>{"technology", "consulting", "media"}));
  // A category id alone matches its members (LEGACY_API §3: q matches the category too).
  v = json::parse(*s->IndustriesBody("industrial", "", true).body);
  EXPECT_EQ(v.at("total").as_int64(), 3);

  v = json::parse(*s->IndustriesBody("", "public", false).body);
  EXPECT_EQ(v.at("total").as_int64(), 4);
  EXPECT_EQ(v.at("categories").as_array().size(), 1u);
  EXPECT_EQ(v.at("categorized").as_object().size(), 1u);

  v = json::parse(*s->IndustriesBody("salud", "industrial", false).body);
  EXPECT_EQ(v.at("total").as_int64(), 0);
  v = json::parse(*s->IndustriesBody("", "no-such-category", false).body);
  EXPECT_EQ(v.at("total").as_int64(), 0);
  EXPECT_EQ(s->IndustriesBody("  ", "", false).body, s->IndustriesBody("", "", false).body);
  v = json::parse(*s->IndustriesBody(" real ", "", true).body);
  EXPECT_EQ(v.at("industries").as_array()[0].at("id"), "real_estate");
}

TEST(Snapshot, ConfigBody) {
  auto s = Bundled();
  ASSERT_TRUE(s);
  const JsonBody& body = s->ConfigBody();
  json::value v = json::parse(*body.body);
  EXPECT_EQ(v.at("defaultFlow"), "wizard");
  EXPECT_EQ(v.at("flows").as_array().size(), 2u);
  EXPECT_EQ(v.at("flows").as_array()[0].at("totalSteps").as_int64(), 4);
  EXPECT_EQ(v.at("enums").at("industries").as_array().size(), 16u);
  EXPECT_EQ(v.at("rateLimits").at("ai.suggest").at("limit").as_int64(), 20);
  EXPECT_TRUE(v.at("featureFlags").at("aiSuggestions").as_bool());
  EXPECT_EQ(v.at("messages").at("step_saved").at("es"), "Paso guardado correctamente");
  EXPECT_EQ(body.etag, StrongEtag(*body.body));
}

TEST(Snapshot, BundledAiCatalog) {
  auto s = Bundled();
  ASSERT_TRUE(s);
  const AiPrice* mini = s->FindAiPrice("openai", "gpt-4o-mini");
  ASSERT_NE(mini, nullptr);
  EXPECT_DOUBLE_EQ(mini->input_per_million_usd, 0.15);
  EXPECT_DOUBLE_EQ(mini->output_per_million_usd, 0.60);
  EXPECT_EQ(s->FindAiPrice("openai", "no-such-model"), nullptr);
  EXPECT_EQ(s->FindAiPrice("rules", "gpt-4o-mini"), nullptr);
  for (std::string_view id : kAiPromptIds) EXPECT_NE(s->FindPrompt(id), nullptr) << id;
  // Keywords are folded at parse time: "aplicación" was written "aplicacion" anyway, and
  // nothing keeps upper case or accents.
  const auto& keywords = s->ai().industry_keywords;
  ASSERT_TRUE(keywords.contains("technology"));
  for (const auto& [industry, list] : keywords) {
    for (const std::string& k : list) EXPECT_EQ(k, FoldForSearch(k)) << industry;
  }
  for (const Category& c : s->categories()) {
    ASSERT_TRUE(s->ai().category_insights.contains(c.id)) << c.id;
    EXPECT_FALSE(s->ai().category_insights.at(c.id).market_trends.empty());
  }
  EXPECT_EQ(s->ai().goal_categories.at("revenue_growth"), "growth");
  EXPECT_EQ(s->ai().maturity_challenges.at("beginner"),
            (std::vector<std::string>{"alignment", "measurement"}));
  for (std::string_view key : kAiTextKeys) EXPECT_FALSE(s->ai().Text(key).es.empty()) << key;
  EXPECT_TRUE(s->ai().Text("no-such-text").es.empty());
}

TEST(Snapshot, RefusesBrokenAiSections) {
  EXPECT_TRUE(
      Names(Refusal([](json::object& doc) {
              doc["ai"].as_object()["prices"].as_array()[0].as_object()["inputPerMillionUsd"] = -1;
            }),
            "ai.prices[0].inputPerMillionUsd"));
  EXPECT_TRUE(Names(Refusal([](json::object& doc) {
                      doc["ai"].as_object()["industryKeywords"].as_object()["spaceships"] =
                          json::array{"rocket"};
                    }),
                    "ai.industryKeywords.spaceships"));
  EXPECT_TRUE(Names(Refusal([](json::object& doc) {
                      doc["ai"].as_object()["categoryGoals"].as_object()["other"] =
                          json::array{"world_domination"};
                    }),
                    "ai.categoryGoals.other[0]"));
  EXPECT_TRUE(Names(Refusal([](json::object& doc) {
                      doc["ai"].as_object()["goalCategories"].as_object()["revenue_growth"] = "fun";
                    }),
                    "ai.goalCategories.revenue_growth"));
  EXPECT_TRUE(Names(Refusal([](json::object& doc) {
                      doc["ai"].as_object()["categoryInsights"].as_object().erase("public");
                    }),
                    "ai.categoryInsights"));
  EXPECT_TRUE(Names(Refusal([](json::object& doc) {
                      doc["ai"].as_object()["texts"].as_object().erase("lowScore");
                    }),
                    "ai.texts.lowScore"));
  EXPECT_TRUE(Names(Refusal([](json::object& doc) {
                      auto& prompts = doc["prompts"].as_array();
                      prompts.erase(prompts.begin() + 3);  // completion_analysis
                    }),
                    "prompts"));
  EXPECT_TRUE(Names(Refusal([](json::object& doc) { doc.erase("ai"); }), "ai"));
}

TEST(Etag, StableAndSensitive) {
  EXPECT_EQ(StrongEtag("abc"), StrongEtag("abc"));
  EXPECT_NE(StrongEtag("abc"), StrongEtag("abd"));
  EXPECT_EQ(StrongEtag("").size(), 34u);
}

}  // namespace
}  // namespace onboardd::catalog
