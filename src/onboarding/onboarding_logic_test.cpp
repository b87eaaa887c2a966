#include "onboarding/onboarding_logic.hpp"

#include <gtest/gtest.h>

#include <string>

#include <boost/json.hpp>

#include "catalog/catalog.hpp"
#include "support/onboarding_fixtures.hpp"

namespace onboardd::onboarding {
namespace {

namespace json = boost::json;

using testing::Legacy;
using testing::Wizard;

bool Names(const core::Error& error, std::string_view path) {
  for (const core::FieldError& d : error.details) {
    if (d.path == path) return true;
  }
  return false;
}

// --- Completion merge -------------------------------------------------------------------

TEST(MergeCompletion, EverythingSubmittedWithoutDraft) {
  auto r = MergeCompletion(Wizard(), {}, json::parse(R"({
      "welcome": {"role": "team_lead", "customRole": "", "experienceLevel": "", "hasSeenWelcome": true},
      "company": {"name": "Compañía Ñandú", "industry": "technology", "size": "small",
                  "description": "", "logo": "https://cdn.example.com/l.png"},
      "organization": {"teamSize": 12, "structure": "flat", "methodology": "okrs",
                       "collaborationStyle": "hybrid", "integrations": ["slack", "slack"],
                       "departments": ["Ventas", {"name": "Inside Sales", "parentId": "ventas"}]}})"));
  ASSERT_TRUE(r) << r.error().details.front().path;
  EXPECT_EQ(r->welcome.role, "team_lead");
  EXPECT_EQ(r->welcome.experience_level, "intermediate");
  EXPECT_TRUE(r->welcome.has_seen_welcome);
  EXPECT_EQ(r->company.name, "Compañía Ñandú");
  EXPECT_EQ(r->company.industry, "technology");
  EXPECT_EQ(r->company.size, "small");
  EXPECT_EQ(r->company.description, "");
  EXPECT_EQ(r->company.logo_url, "https://cdn.example.com/l.png");
  EXPECT_FALSE(r->company.logo);
  EXPECT_EQ(r->organization.team_size, 12);
  EXPECT_EQ(r->organization.integrations, std::vector<std::string>{"slack"});
  ASSERT_EQ(r->organization.departments.size(), 2u);
  EXPECT_EQ(r->organization.departments[1].parent_id, "Ventas");
  EXPECT_TRUE(r->sections.contains("welcome"));
  EXPECT_TRUE(r->sections.contains("organization"));
  EXPECT_FALSE(r->sections.contains("complete"));
}

TEST(MergeCompletion, SectionsOverTheDraftKeyByKey) {
  const json::object draft = json::parse(R"({
      "welcome": {"role": "ceo", "experienceLevel": "advanced"},
      "company": {"name": "Old name", "industry": "finance", "size": "large",
                  "description": "Keep me"}})")
                                 .as_object();
  auto r = MergeCompletion(Wizard(), draft,
                           json::parse(R"({"company": {"name": "New name", "extra": 1}})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->welcome.role, "ceo");
  EXPECT_EQ(r->welcome.experience_level, "advanced");  // not reset to the default
  EXPECT_EQ(r->company.name, "New name");
  EXPECT_EQ(r->company.industry, "finance");
  EXPECT_EQ(r->company.description, "Keep me");
  EXPECT_EQ(r->organization.team_size, 5);  // step 3 never sent: defaults
  EXPECT_TRUE(r->organization.departments.empty());
  EXPECT_FALSE(r->sections.at("company").as_object().contains("extra"));

  // An empty string clears a drafted optional field.
  auto cleared =
      MergeCompletion(Wizard(), draft, json::parse(R"({"company": {"description": ""}})"));
  ASSERT_TRUE(cleared);
  EXPECT_EQ(cleared->company.description, "");
}

TEST(MergeCompletion, NamesEachMissingRequiredField) {
  auto r = MergeCompletion(Wizard(), {}, json::parse(R"({"organization": {"teamSize": 3}})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::kValidation);
  EXPECT_TRUE(Names(r.error(), "welcome.role"));
  EXPECT_TRUE(Names(r.error(), "company.name"));
  EXPECT_TRUE(Names(r.error(), "company.industry"));
  EXPECT_TRUE(Names(r.error(), "company.size"));
  EXPECT_EQ(r.error().details.size(), 4u);

  auto half = MergeCompletion(
      Wizard(),
      json::parse(R"({"welcome": {"role": "ceo"}, "company": {"name": "Acme"}})").as_object(),
      json::value(nullptr));
  ASSERT_FALSE(half);
  EXPECT_FALSE(Names(half.error(), "company.name"));
  EXPECT_TRUE(Names(half.error(), "company.industry"));
}

TEST(MergeCompletion, BadShapesAndValues) {
  EXPECT_TRUE(Names(MergeCompletion(Wizard(), {}, json::value("x")).error(), "data"));
  EXPECT_TRUE(
      Names(MergeCompletion(Wizard(), {}, json::parse(R"({"company": []})")).error(), "company"));
  auto r = MergeCompletion(Wizard(), {}, json::parse(R"({
      "welcome": {"role": "ceo"},
      "company": {"name": "Acme", "industry": "technology", "size": "startup"},
      "organization": {"teamSize": 5.5}})"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(Names(r.error(), "organization.teamSize"));
  // A corrupt draft section (not an object) is ignored, not fatal.
  auto corrupt = MergeCompletion(Wizard(), json::parse(R"({"welcome": 7})").as_object(),
                                 json::parse(R"({"welcome": {"role": "manager"},
                                    "company": {"name": "Acme", "industry": "other",
                                                "size": "medium"}})"));
  ASSERT_TRUE(corrupt);
  EXPECT_EQ(corrupt->welcome.role, "manager");
}

TEST(MergeCompletion, InlineLogoIsDecoded) {
  auto r = MergeCompletion(Wizard(), {}, json::parse(R"({
      "welcome": {"role": "ceo"},
      "company": {"name": "Acme", "industry": "technology", "size": "startup",
                  "logo": "data:image/jpeg;base64,/9j/4AAQ"}})"));
  ASSERT_TRUE(r) << r.error().details.front().message.en;
  ASSERT_TRUE(r->company.logo);
  EXPECT_EQ(r->company.logo->content_type, "image/jpeg");
  EXPECT_EQ(r->company.logo_url, "");
}

// The session API's 5-step flow (LEGACY_API §2): its snake_case answers land in the same
// typed data; what the typed data does not model goes to the organization's settings.
const char* kLegacyAnswers = R"({
    "welcome": {"full_name": "Ana Pérez", "job_title": "COO", "experience_with_okr": "none",
                "primary_goal": "Alinear equipos", "urgency_level": "high"},
    "company": {"company_name": "Acme", "industry_id": "energy", "company_size": "pyme",
                "description": "Renovables", "website": "https://acme.example", "country": "España",
                "employee_count": 42},
    "organization": {"department": "Operaciones", "team_size": 0, "okr_maturity": "beginner",
                     "current_challenges": ["focus"], "business_goals": ["revenue_growth"]},
    "preferences": {"communication_style": "informal", "language": "en",
                    "notification_frequency": "weekly", "focus_areas": ["strategy"],
                    "ai_assistance_level": "moderate"},
    "review": {"confirmed": "true"}})";

TEST(MergeCompletion, SessionFlowMapsCanonicalNames) {
  auto r = MergeCompletion(Legacy(), {}, json::parse(kLegacyAnswers));
  ASSERT_TRUE(r) << r.error().details.front().path;
  EXPECT_EQ(r->company.name, "Acme");
  EXPECT_EQ(r->company.industry, "energy");
  EXPECT_EQ(r->company.size, "pyme");
  EXPECT_EQ(r->company.description, "Renovables");
  EXPECT_FALSE(r->organization.team_size) << "0 means unknown: organizations hold 1..10000";
  EXPECT_EQ(r->organization.department, "Operaciones");
  EXPECT_EQ(r->welcome.full_name, "Ana Pérez");
  EXPECT_EQ(r->welcome.job_title, "COO");
  EXPECT_EQ(r->extras.at("company.country"), "España");
  EXPECT_EQ(r->extras.at("company.employeeCount"), 42);
  EXPECT_EQ(r->extras.at("company.website"), "https://acme.example");
  EXPECT_EQ(r->extras.at("organization.businessGoals"), json::parse(R"(["revenue_growth"])"));
  EXPECT_EQ(r->extras.at("preferences.language"), "en");
  EXPECT_FALSE(r->extras.contains("company.name")) << "typed values stay out of the extras";

  ProfilePlan plan = PlanProfile(*r, "Token Name", "");
  EXPECT_EQ(plan.full_name, "Ana Pérez");
  EXPECT_EQ(plan.role_type, RoleType::kCorporativo) << "no role asked: the creator leads";
  EXPECT_EQ(plan.experience_level, "beginner") << "experience_with_okr none";
  EXPECT_EQ(plan.department, "Operaciones");
  EXPECT_EQ(plan.job_title, "COO");

  auto unconfirmed = MergeCompletion(Legacy(), {}, json::object());
  ASSERT_FALSE(unconfirmed);
  EXPECT_TRUE(Names(unconfirmed.error(), "review.confirmed"));
  EXPECT_TRUE(Names(unconfirmed.error(), "company.company_name"));
  json::value boolean = json::parse(kLegacyAnswers);
  boolean.as_object()["review"].as_object()["confirmed"] = true;
  auto strict = MergeCompletion(Legacy(), {}, boolean);
  ASSERT_FALSE(strict);
  EXPECT_TRUE(Names(strict.error(), "review.confirmed")) << "confirmed is the string \"true\"";
  json::value no_goals = json::parse(kLegacyAnswers);
  no_goals.as_object()["organization"].as_object()["business_goals"] = json::array{};
  auto empty = MergeCompletion(Legacy(), {}, no_goals);
  ASSERT_FALSE(empty);
  EXPECT_TRUE(Names(empty.error(), "organization.business_goals")) << "at least one";
}

// --- Profile ----------------------------------------------------------------------------

TEST(Profile, RoleMapping) {
  EXPECT_EQ(MapRole("ceo"), RoleType::kCorporativo);
  EXPECT_EQ(MapRole("custom"), RoleType::kCorporativo);
  EXPECT_EQ(MapRole("manager"), RoleType::kGerente);
  EXPECT_EQ(MapRole("team_lead"), RoleType::kGerente);
  EXPECT_EQ(MapRole("individual"), RoleType::kEmpleado);
  EXPECT_EQ(MapRole(""), RoleType::kEmpleado);
  EXPECT_EQ(MapRole("CEO"), RoleType::kEmpleado);
  EXPECT_EQ(ToString(RoleType::kCorporativo), "corporativo");
  EXPECT_EQ(ToString(RoleType::kGerente), "gerente");
  EXPECT_EQ(ToString(RoleType::kEmpleado), "empleado");
}

TEST(Profile, FullName) {
  EXPECT_EQ(FullName("  Ana Pérez ", "ana@example.com"), "Ana Pérez");
  EXPECT_EQ(FullName("", "ana.perez@example.com"), "ana.perez");
  EXPECT_EQ(FullName("   ", "noatsign"), "noatsign");
  EXPECT_EQ(FullName("", "@example.com"), "User");
  EXPECT_EQ(FullName("", ""), "User");
  EXPECT_EQ(FullName("\xff\xfe", ""), "User");
  EXPECT_EQ(FullName(std::string("a\0b", 3), "bob@x.io"), "bob");
  EXPECT_EQ(FullName(std::string(300, 'n'), ""), std::string(200, 'n'));
}

TEST(Profile, DepartmentAndRole) {
  CompletionData data;
  data.welcome.role = "manager";
  data.welcome.experience_level = "beginner";
  ProfilePlan plan = PlanProfile(data, "", "x@y.z");
  EXPECT_EQ(plan.department, "General");
  EXPECT_EQ(plan.role_type, RoleType::kGerente);
  EXPECT_EQ(plan.full_name, "x");
  EXPECT_EQ(plan.experience_level, "beginner");
  data.organization.departments.push_back({std::nullopt, "Finanzas", std::nullopt, std::nullopt});
  data.organization.departments.push_back({std::nullopt, "Legal", std::nullopt, std::nullopt});
  EXPECT_EQ(PlanProfile(data, "N", "").department, "Finanzas");
}

// --- Slugs ------------------------------------------------------------------------------

TEST(Slug, Folding) {
  EXPECT_EQ(Slugify("Compañía Ñandú"), "compania-nandu");
  EXPECT_EQ(Slugify("  Acme, S.L. "), "acme-s-l");
  EXPECT_EQ(Slugify("ÉCOLE--Française!!"), "ecole-francaise");
  EXPECT_EQ(Slugify("Straße 42"), "strasse-42");
  EXPECT_EQ(Slugify("日本の会社"), "organizacion");
  EXPECT_EQ(Slugify("株式会社 Sony"), "sony");
  EXPECT_EQ(Slugify(""), "organizacion");
  EXPECT_EQ(Slugify("--"), "organizacion");
}

TEST(Slug, Length) {
  const std::string slug = Slugify(std::string(40, 'a') + " " + std::string(40, 'b'));
  EXPECT_LE(slug.size(), kMaxSlugLength);
  EXPECT_NE(slug.back(), '-');
  EXPECT_EQ(Slugify("abcde fgh", 6), "abcde");
  EXPECT_EQ(Slugify("abcdefgh", 4), "abcd");
}

TEST(Slug, Suffix) {
  EXPECT_EQ(SlugWithSuffix("acme", 2), "acme-2");
  EXPECT_EQ(SlugWithSuffix(std::string(50, 'a'), 12), std::string(47, 'a') + "-12");
  EXPECT_EQ(SlugWithSuffix("abc-defg", 3, 6), "abc-3");
}

// --- Departments ------------------------------------------------------------------------

TEST(DepartmentsPlan, ParentsFirst) {
  std::vector<Department> list = {
      {"c", "Child", std::nullopt, "p"},
      {"g", "Grandchild", "deep", "c"},
      {"p", "Parent", std::nullopt, std::nullopt},
      {std::nullopt, "Solo", std::nullopt, std::nullopt},
  };
  auto normalized = NormalizeDepartments(list, "organization.departments");
  ASSERT_TRUE(normalized);
  std::vector<PlannedDepartment> plan = PlanDepartments(*normalized);
  ASSERT_EQ(plan.size(), 4u);
  EXPECT_EQ(plan[0].name, "Parent");
  EXPECT_EQ(plan[1].name, "Solo");
  EXPECT_EQ(plan[2].name, "Child");
  EXPECT_EQ(plan[2].parent, 0u);
  EXPECT_EQ(plan[3].name, "Grandchild");
  EXPECT_EQ(plan[3].parent, 2u);
  EXPECT_EQ(plan[3].description, "deep");
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (plan[i].parent) {
      EXPECT_LT(*plan[i].parent, i);
    }
  }
}

TEST(DepartmentsPlan, RefusesUnnormalizedInput) {
  std::vector<Department> cycle = {{"a", "A", std::nullopt, "b"}, {"b", "B", std::nullopt, "a"}};
  EXPECT_FALSE(NormalizeDepartments(cycle, "x"));
  EXPECT_THROW(PlanDepartments(cycle), std::logic_error);
  std::vector<Department> orphan = {{"a", "A", std::nullopt, "zzz"}};
  EXPECT_THROW(PlanDepartments(orphan), std::logic_error);
}

TEST(DepartmentsPlan, NormalizationIsIdempotent) {
  std::vector<Department> list = {{"1", "Ventas", std::nullopt, std::nullopt},
                                  {"2", "VENTAS", std::nullopt, std::nullopt},
                                  {std::nullopt, "Norte", std::nullopt, "2"}};
  auto once = NormalizeDepartments(list, "d");
  ASSERT_TRUE(once);
  ASSERT_EQ(once->size(), 2u);
  EXPECT_EQ((*once)[1].parent_id, "1");
  auto twice = NormalizeDepartments(*once, "d");
  ASSERT_TRUE(twice);
  EXPECT_EQ((*twice)[1].parent_id, "1");
}

// --- Progression ------------------------------------------------------------------------
// Which step and what percentage: migration 0012's SQL functions (pgTAP 90). Here: whether a
// save counts as done.

TEST(Progression, CanAdvance) {
  EXPECT_TRUE(CanAdvance({1, true, false, true}));
  EXPECT_TRUE(CanAdvance({3, false, true, true}));
  EXPECT_FALSE(CanAdvance({1, true, false, false}));  // invalid
  EXPECT_FALSE(CanAdvance({1, false, false, true}));  // neither completed nor skipped
  EXPECT_FALSE(CanAdvance({3, false, true, false}));  // skipped but invalid
}

// --- Status -----------------------------------------------------------------------------

TEST(Status, StringsRoundTrip) {
  for (SessionStatus s :
       {SessionStatus::kNotStarted, SessionStatus::kInProgress, SessionStatus::kCompleted,
        SessionStatus::kAbandoned, SessionStatus::kExpired}) {
    EXPECT_EQ(ParseSessionStatus(ToString(s)), s);
  }
  EXPECT_FALSE(ParseSessionStatus("done"));
  EXPECT_EQ(ToString(SessionStatus::kInProgress), "in_progress");
}

TEST(Status, Redirects) {
  RedirectDecision d = DecideRedirect(SessionStatus::kNotStarted, Wizard(), 0);
  EXPECT_EQ(d.redirect_to, "/onboarding/welcome");
  EXPECT_TRUE(d.should_redirect);
  EXPECT_FALSE(d.can_resume);

  d = DecideRedirect(SessionStatus::kInProgress, Wizard(), 2);
  EXPECT_EQ(d.redirect_to, "/onboarding/company");
  EXPECT_TRUE(d.can_resume);
  EXPECT_EQ(DecideRedirect(SessionStatus::kInProgress, Wizard(), 3).redirect_to,
            "/onboarding/organization");
  EXPECT_EQ(DecideRedirect(SessionStatus::kInProgress, Wizard(), 4).redirect_to,
            "/onboarding/complete");
  EXPECT_EQ(DecideRedirect(SessionStatus::kInProgress, Wizard(), 99).redirect_to,
            "/onboarding/welcome");

  d = DecideRedirect(SessionStatus::kCompleted, Wizard(), 4);
  EXPECT_FALSE(d.redirect_to);
  EXPECT_FALSE(d.should_redirect);

  d = DecideRedirect(SessionStatus::kExpired, Wizard(), 2);
  EXPECT_EQ(d.redirect_to, "/onboarding/welcome");
  EXPECT_TRUE(d.has_expired);
  EXPECT_FALSE(d.can_resume);
  EXPECT_EQ(DecideRedirect(SessionStatus::kAbandoned, Wizard(), 2).redirect_to,
            "/onboarding/welcome");
}

std::optional<std::string> Session(std::string_view json_text) { return std::string(json_text); }

// RenderStatus over texts as the store gives them (nullopt: none), parsed back for the checks.
json::object BuildStatus(std::optional<std::string> session,
                         std::optional<std::string> organization, bool has_profile,
                         const catalog::Snapshot& snapshot, bool english,
                         const StatusMetadata& metadata) {
  json::value parsed_session;
  if (session) parsed_session = json::parse(*session);
  std::string body =
      RenderStatus(session.value_or(""), parsed_session.if_object(), organization.value_or(""),
                   has_profile, snapshot, english, metadata);
  return json::parse(body).as_object();
}

TEST(Status, NotStartedSendsToTheFirstStep) {
  StatusMetadata metadata{"2026-12-03T10:00:00Z", false, 1.5};
  json::object s =
      BuildStatus(std::nullopt, std::nullopt, false, testing::BundledCatalog(), false, metadata);
  EXPECT_EQ(s.at("status"), "not_started");
  EXPECT_TRUE(s.at("session").is_null());
  EXPECT_EQ(s.at("redirectTo"), "/onboarding/welcome");
  EXPECT_EQ(s.at("progress").at("nextStep").at("number"), 1);
  EXPECT_EQ(s.at("progress").at("nextStep").at("title"), "Bienvenida");
  EXPECT_EQ(s.at("flags").at("shouldRedirect"), true);
  EXPECT_EQ(s.at("metadata").at("lastChecked"), "2026-12-03T10:00:00Z");
  EXPECT_EQ(s.at("metadata").at("fromCache"), false);
  EXPECT_EQ(s.at("metadata").at("checkDuration"), 1.5);
}

TEST(Status, InProgressResumesTheCurrentStepWithItsData) {
  json::object s =
      BuildStatus(Session(R"({"flow": "wizard", "status": "in_progress", "currentStep": 2,
                  "completedSteps": [1], "formData": {"welcome": {"role": "ceo"},
                  "company": {"name": "Acme"}}})"),
                  std::nullopt, false, testing::BundledCatalog(), true, {});
  EXPECT_EQ(s.at("status"), "in_progress");
  EXPECT_EQ(s.at("redirectTo"), "/onboarding/company");
  EXPECT_EQ(s.at("flags").at("canResume"), true);
  EXPECT_EQ(s.at("progress").at("completedSteps"), json::parse("[1]"));
  EXPECT_EQ(s.at("progress").at("currentStepData"), json::parse(R"({"name": "Acme"})"));
  EXPECT_EQ(s.at("progress").at("nextStep").at("id"), "company");
  EXPECT_EQ(s.at("progress").at("nextStep").at("title"), "Company") << "English asked";
}

TEST(Status, AProfileWithAnOrganizationIsCompleted) {
  json::object s = BuildStatus(
      Session(R"({"flow": "wizard", "status": "in_progress", "currentStep": 3})"),
      Session(R"({"id": "o1", "name": "Acme"})"), true, testing::BundledCatalog(), false, {});
  EXPECT_EQ(s.at("status"), "completed");
  EXPECT_TRUE(s.at("redirectTo").is_null());
  EXPECT_TRUE(s.at("progress").at("nextStep").is_null());
  EXPECT_EQ(s.at("organization").at("name"), "Acme");
  // The organization alone (no profile: a membership elsewhere) does not complete anything.
  json::object member = BuildStatus(std::nullopt, Session(R"({"id": "o1"})"), false,
                                    testing::BundledCatalog(), false, {});
  EXPECT_EQ(member.at("status"), "not_started");
}

TEST(Status, ExpiredAndAbandonedStartOverInTheirOwnFlow) {
  json::object expired =
      BuildStatus(Session(R"({"flow": "legacy", "status": "expired", "currentStep": 4})"),
                  std::nullopt, false, testing::BundledCatalog(), false, {});
  EXPECT_EQ(expired.at("flags").at("hasExpired"), true);
  EXPECT_EQ(expired.at("redirectTo"), "/onboarding/welcome");
  EXPECT_EQ(expired.at("progress").at("nextStep").at("number"), 1);
  json::object unknown_flow =
      BuildStatus(Session(R"({"flow": "gone", "status": "in_progress", "currentStep": 4})"),
                  std::nullopt, false, testing::BundledCatalog(), false, {});
  EXPECT_EQ(unknown_flow.at("redirectTo"), "/onboarding/complete") << "the default flow's step 4";
}

TEST(Replay, AStepsReplayNamesItsImagesInsteadOfCarryingThem) {
  json::object data{{"name", "Acme"},
                    {"logo", "data:image/png;base64,iVBORw0KGgo="},
                    {"website", "https://acme.test/logo.png"}};
  json::object replay = WithoutInlineImages(data, "company");
  EXPECT_EQ(replay.at("logo"), "/api/onboarding/draft/image/company/logo");
  EXPECT_EQ(replay.at("name"), "Acme");
  EXPECT_EQ(replay.at("website"), "https://acme.test/logo.png") << "a URL is not an image";
}

}  // namespace
}  // namespace onboardd::onboarding
