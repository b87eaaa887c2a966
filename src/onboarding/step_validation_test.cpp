#include "onboarding/step_validation.hpp"

#include <gtest/gtest.h>

#include <string>

#include <boost/json.hpp>

#include "catalog/catalog.hpp"
#include "support/onboarding_fixtures.hpp"

namespace onboardd::onboarding {
namespace {

namespace json = boost::json;

using testing::Base64;
using testing::Legacy;
using testing::Wizard;

const std::string kPngMagic("\x89PNG\r\n\x1a\n", 8);

std::string PngDataUrl(std::size_t decoded_size) {
  std::string bytes = kPngMagic;
  bytes.resize(decoded_size, 'x');
  return "data:image/png;base64," + Base64(bytes);
}

// The details' paths of a failed validation ("" when it succeeded).
std::vector<std::string> Paths(const core::Result<ValidatedStep>& result) {
  std::vector<std::string> paths;
  if (result) return paths;
  for (const core::FieldError& d : result.error().details) paths.push_back(d.path);
  return paths;
}

bool Fails(const core::Result<ValidatedStep>& result, std::string_view path) {
  if (result) return false;
  EXPECT_EQ(result.error().code, core::ErrorCode::kValidation);
  for (const core::FieldError& d : result.error().details) {
    EXPECT_FALSE(d.message.es.empty());
    EXPECT_FALSE(d.message.en.empty());
    if (d.path == path) return true;
  }
  return false;
}

core::Result<ValidatedStep> Step(int n, std::string_view body) {
  return ValidateStep(Wizard(), n, json::parse(body));
}

json::object ValidCompany() {
  return {{"name", "Acme"}, {"industry", "technology"}, {"size", "startup"}};
}

core::Result<ValidatedStep> Company(const json::object& overrides) {
  json::object data = ValidCompany();
  for (const auto& [k, v] : overrides) data[k] = v;
  return ValidateStep(Wizard(), 2, data);
}

core::Result<ValidatedStep> Organization(json::value departments_or_field, std::string key) {
  json::object data;
  data[key] = std::move(departments_or_field);
  return ValidateStep(Wizard(), 3, data);
}

// --- Step and shape ---------------------------------------------------------------------

TEST(StepValidation, StepOutsideTheFlow) {
  EXPECT_TRUE(Fails(Step(0, "{}"), "step"));
  EXPECT_TRUE(Fails(Step(5, "{}"), "step"));
  EXPECT_TRUE(Fails(ValidateStep(Wizard(), "nope", json::object()), "step"));
  EXPECT_TRUE(ValidateStep(Wizard(), 4, json::object()));  // the summary step has no fields
}

TEST(StepValidation, DataMustBeAnObject) {
  EXPECT_TRUE(Fails(Step(1, "[]"), "welcome"));
  EXPECT_TRUE(Fails(Step(2, "\"x\""), "company"));
  EXPECT_TRUE(Fails(Step(1, "null"), "welcome.role"));  // null counts as {}
}

// --- Step 1 welcome ---------------------------------------------------------------------

TEST(Welcome, SpecBodyWithDefaults) {
  auto r = Step(1, R"({"role": "ceo", "customRole": "", "experienceLevel": "",
                        "hasSeenWelcome": true, "extra": {"deep": [1, 2]}})");
  ASSERT_TRUE(r) << Paths(r).front();
  EXPECT_EQ(r->step_id, "welcome");
  EXPECT_EQ(r->number, 1);
  EXPECT_EQ(json::value(r->data), json::parse(R"({"role": "ceo", "experienceLevel": "intermediate",
                                                   "hasSeenWelcome": true})"));
}

TEST(Welcome, RoleRequiredAndEnumerated) {
  EXPECT_TRUE(Fails(Step(1, "{}"), "welcome.role"));
  EXPECT_TRUE(Fails(Step(1, R"({"role": ""})"), "welcome.role"));
  EXPECT_TRUE(Fails(Step(1, R"({"role": "   "})"), "welcome.role"));
  EXPECT_TRUE(Fails(Step(1, R"({"role": null})"), "welcome.role"));
  EXPECT_TRUE(Fails(Step(1, R"({"role": "king"})"), "welcome.role"));
  EXPECT_TRUE(Fails(Step(1, R"({"role": "CEO"})"), "welcome.role"));
  EXPECT_TRUE(Fails(Step(1, R"({"role": 1})"), "welcome.role"));
  EXPECT_TRUE(Fails(Step(1, R"({"role": ["ceo"]})"), "welcome.role"));
  EXPECT_TRUE(Fails(Step(1, R"({"role": {"a": {"b": {"c": {}}}}})"), "welcome.role"));
  for (const char* role : {"ceo", "manager", "team_lead", "individual", "custom"}) {
    EXPECT_TRUE(ValidateStep(Wizard(), 1, json::object{{"role", role}})) << role;
  }
}

TEST(Welcome, OtherFields) {
  EXPECT_TRUE(
      Fails(Step(1, R"({"role": "ceo", "experienceLevel": "guru"})"), "welcome.experienceLevel"));
  EXPECT_TRUE(
      Fails(Step(1, R"({"role": "ceo", "hasSeenWelcome": "true"})"), "welcome.hasSeenWelcome"));
  EXPECT_TRUE(Fails(Step(1, R"({"role": "ceo", "hasSeenWelcome": 1})"), "welcome.hasSeenWelcome"));
  EXPECT_TRUE(Fails(Step(1, R"({"role": "ceo", "customRole": 7})"), "welcome.customRole"));
  json::object data{{"role", "custom"}, {"customRole", std::string(101, 'a')}};
  EXPECT_TRUE(Fails(ValidateStep(Wizard(), 1, data), "welcome.customRole"));
  data["customRole"] = "  Head of Growth ";
  auto r = ValidateStep(Wizard(), 1, data);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->data.at("customRole"), "Head of Growth");
  EXPECT_EQ(r->data.at("experienceLevel"), "intermediate");
  EXPECT_FALSE(r->data.contains("hasSeenWelcome"));
}

TEST(Welcome, ReportsEveryFieldAtOnce) {
  auto r = Step(1, R"({"experienceLevel": 3, "hasSeenWelcome": "no"})");
  EXPECT_TRUE(Fails(r, "welcome.role"));
  EXPECT_TRUE(Fails(r, "welcome.experienceLevel"));
  EXPECT_TRUE(Fails(r, "welcome.hasSeenWelcome"));
}

// --- Step 2 company ---------------------------------------------------------------------

TEST(Company, SpecBody) {
  auto r = Step(2, R"({"name": "Compañía Ñandú", "industry": "real_estate", "size": "medium",
                        "description": "", "logo": ""})");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::value(r->data), json::parse(R"({"name": "Compañía Ñandú",
                                                   "industry": "real_estate", "size": "medium"})"));
  EXPECT_FALSE(r->logo);
}

TEST(Company, RequiredFieldsNamedEach) {
  auto r = Step(2, "{}");
  EXPECT_TRUE(Fails(r, "company.name"));
  EXPECT_TRUE(Fails(r, "company.industry"));
  EXPECT_TRUE(Fails(r, "company.size"));
  EXPECT_EQ(r.error().details.size(), 3u);
}

TEST(Company, NameLengthInCodePoints) {
  EXPECT_TRUE(Fails(Company({{"name", "A"}}), "company.name"));
  EXPECT_TRUE(Fails(Company({{"name", " A "}}), "company.name"));
  EXPECT_TRUE(Company({{"name", "Añ"}}));
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "ñ";  // 200 bytes, 100 code points
  EXPECT_TRUE(Company({{"name", hundred}}));
  EXPECT_TRUE(Fails(Company({{"name", hundred + "a"}}), "company.name"));
  EXPECT_TRUE(Fails(Company({{"name", std::string(1'000'000, 'a')}}), "company.name"));
  EXPECT_TRUE(Fails(Company({{"name", 42}}), "company.name"));
}

TEST(Company, InvalidUtf8AndNul) {
  // Boost.JSON's parser refuses invalid UTF-8 by default; values built in code are checked
  // here too.
  boost::system::error_code ec;
  json::parse("{\"name\": \"\xff\xfe\"}", ec);
  EXPECT_TRUE(ec);
  EXPECT_TRUE(Fails(Company({{"name", "Ac\xc3me"}}), "company.name"));
  EXPECT_TRUE(Fails(Company({{"description", "\xed\xa0\x80"}}), "company.description"));
  EXPECT_TRUE(Fails(Company({{"name", std::string("Ac\0me", 5)}}), "company.name"));
  EXPECT_TRUE(Fails(Step(2, R"({"name": "Ac\u0000me", "industry": "other", "size": "small"})"),
                    "company.name"));
}

TEST(Company, IndustryAndSizeFromTheCatalog) {
  EXPECT_TRUE(Fails(Company({{"industry", "space"}}), "company.industry"));
  EXPECT_TRUE(Fails(Company({{"industry", 3}}), "company.industry"));
  EXPECT_TRUE(Fails(Company({{"size", "huge"}}), "company.size"));
  EXPECT_TRUE(Fails(Company({{"size", "1-10"}}), "company.size"));
  for (const auto& industry : testing::BundledCatalog().industries()) {
    EXPECT_TRUE(Company({{"industry", industry.id}})) << industry.id;
  }
  for (const char* size : {"startup", "small", "medium", "large", "enterprise"}) {
    EXPECT_TRUE(Company({{"size", size}})) << size;
  }
}

TEST(Company, DescriptionBound) {
  EXPECT_TRUE(Company({{"description", std::string(500, 'd')}}));
  EXPECT_TRUE(Fails(Company({{"description", std::string(501, 'd')}}), "company.description"));
  auto r = Company({{"description", nullptr}});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->data.contains("description"));
}

TEST(Logo, HttpUrl) {
  auto r = Company({{"logo", "https://cdn.example.com/logo.png"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->data.at("logo"), "https://cdn.example.com/logo.png");
  EXPECT_FALSE(r->logo);
  EXPECT_TRUE(Company({{"logo", "http://example.com/a.webp?v=2"}}));
  EXPECT_TRUE(Fails(Company({{"logo", "ftp://example.com/logo.png"}}), "company.logo"));
  EXPECT_TRUE(Fails(Company({{"logo", "javascript:alert(1)"}}), "company.logo"));
  EXPECT_TRUE(Fails(Company({{"logo", "logo.png"}}), "company.logo"));
  EXPECT_TRUE(Fails(Company({{"logo", "https://exa mple.com/x"}}), "company.logo"));
  EXPECT_TRUE(Fails(Company({{"logo", "https://"}}), "company.logo"));
  EXPECT_TRUE(
      Fails(Company({{"logo", "https://example.com/" + std::string(3000, 'a')}}), "company.logo"));
  EXPECT_TRUE(Fails(Company({{"logo", json::object{{"url", "x"}}}}), "company.logo"));
}

TEST(Logo, DataUrlAroundTwoAndAHalfMegabytesOfBase64) {
  // ~2.5 MB of base64 decodes to ~1.9 MB: accepted, and the bytes are handed over.
  const std::string url = PngDataUrl(1'900'000);
  EXPECT_GT(url.size(), 2'500'000u);
  auto r = Company({{"logo", url}});
  ASSERT_TRUE(r) << r.error().details.front().message.en;
  ASSERT_TRUE(r->logo);
  EXPECT_EQ(r->logo->content_type, "image/png");
  EXPECT_EQ(r->logo->bytes.size(), 1'900'000u);
  EXPECT_EQ(r->logo->bytes.substr(0, 8), kPngMagic);
  EXPECT_EQ(r->data.at("logo").as_string().size(), url.size());
}

TEST(Logo, DataUrlLimitsAndTypes) {
  EXPECT_TRUE(Company({{"logo", PngDataUrl(2 * 1024 * 1024)}}));
  EXPECT_TRUE(Fails(Company({{"logo", PngDataUrl(2 * 1024 * 1024 + 1)}}), "company.logo"));
  EXPECT_TRUE(Fails(Company({{"logo", PngDataUrl(3'500'000)}}), "company.logo"));
  const std::string svg = "<svg xmlns='http://www.w3.org/2000/svg'></svg>";
  EXPECT_TRUE(
      Fails(Company({{"logo", "data:image/svg+xml;base64," + Base64(svg)}}), "company.logo"));
  EXPECT_TRUE(
      Fails(Company({{"logo", "data:image/gif;base64," + Base64("GIF89a....")}}), "company.logo"));
  // Declared JPEG, PNG bytes.
  EXPECT_TRUE(Fails(Company({{"logo", "data:image/jpeg;base64," + Base64(kPngMagic + "xxxx")}}),
                    "company.logo"));
  // SVG pretending to be PNG.
  EXPECT_TRUE(Fails(Company({{"logo", "data:image/png;base64," + Base64(svg)}}), "company.logo"));
  EXPECT_TRUE(Fails(Company({{"logo", "data:image/png," + kPngMagic}}), "company.logo"));
  EXPECT_TRUE(Fails(Company({{"logo", "data:image/png;base64,"}}), "company.logo"));
  EXPECT_TRUE(Fails(Company({{"logo", "data:image/png;base64,iVBO!!Rw0KGgo="}}), "company.logo"));
  EXPECT_TRUE(Fails(Company({{"logo", "data:image/png;base64"}}), "company.logo"));

  auto jpeg = Company({{"logo", "data:image/jpeg;base64," + Base64("\xff\xd8\xff\xe0 jfif")}});
  ASSERT_TRUE(jpeg);
  EXPECT_EQ(jpeg->logo->content_type, "image/jpeg");
  auto webp = Company(
      {{"logo", "data:image/webp;base64," + Base64(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16))}});
  ASSERT_TRUE(webp);
  EXPECT_EQ(webp->logo->content_type, "image/webp");
  EXPECT_TRUE(Company({{"logo", "DATA:IMAGE/PNG;BASE64," + Base64(kPngMagic)}}));
}

TEST(Base64, Strict) {
  EXPECT_EQ(DecodeBase64("aGVsbG8="), "hello");
  EXPECT_EQ(DecodeBase64("aGVsbG8"), "hello");  // padding optional
  EXPECT_EQ(DecodeBase64("aGVsbG8h"), "hello!");
  EXPECT_EQ(DecodeBase64(""), "");
  EXPECT_EQ(DecodeBase64("aA=="), "h");
  EXPECT_EQ(DecodeBase64("aA"), "h");
  EXPECT_EQ(DecodeBase64("/9j/"), "\xff\xd8\xff");
  EXPECT_FALSE(DecodeBase64("aB=="));  // non-zero leftover bits
  EXPECT_FALSE(
      DecodeBase64("a\xc3\xa9"
                   "A"));
  EXPECT_FALSE(DecodeBase64(std::string("aGVs\0G8=", 8)));
  EXPECT_FALSE(DecodeBase64("aGVsbG8=="));  // wrong padding
  EXPECT_FALSE(DecodeBase64("aGVs bG8="));  // whitespace
  EXPECT_FALSE(DecodeBase64("aGVsbG8-"));   // URL alphabet
  EXPECT_FALSE(DecodeBase64("a"));          // impossible length
  EXPECT_FALSE(DecodeBase64("aGVsbG9="));   // non-zero leftover bits
  EXPECT_FALSE(DecodeBase64("a=bc"));
  EXPECT_FALSE(DecodeBase64("===="));
}

TEST(Url, HttpOnly) {
  EXPECT_TRUE(IsHttpUrl("https://example.com"));
  EXPECT_TRUE(IsHttpUrl("HTTP://example.com/x?y#z"));
  EXPECT_FALSE(IsHttpUrl("mailto:a@b.c"));
  EXPECT_FALSE(IsHttpUrl("https:///path"));
  EXPECT_FALSE(IsHttpUrl("https://a.com/\n"));
  EXPECT_FALSE(IsHttpUrl(""));
}

// --- Step 3 organization ----------------------------------------------------------------

TEST(Organization, SpecBodyWithDefaults) {
  auto r = Step(3, R"({"teamSize": "", "structure": "", "methodology": "okrs",
                        "collaborationStyle": "hybrid", "integrations": [], "departments": []})");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::value(r->data),
            json::parse(R"({"teamSize": 5, "methodology": "okrs", "collaborationStyle": "hybrid",
                            "integrations": [], "departments": []})"));
  auto empty = Step(3, "{}");
  ASSERT_TRUE(empty);
  EXPECT_EQ(json::value(empty->data),
            json::parse(R"({"teamSize": 5, "integrations": [], "departments": []})"));
}

TEST(Organization, TeamSizeIntegers) {
  const auto team = [](json::value v) { return Organization(std::move(v), "teamSize"); };
  EXPECT_EQ(team(1)->data.at("teamSize"), 1);
  EXPECT_EQ(team(10000)->data.at("teamSize"), 10000);
  EXPECT_EQ(team(json::value(12.0))->data.at("teamSize"), 12);  // 12.0 is a whole number
  EXPECT_TRUE(Fails(team(0), "organization.teamSize"));
  EXPECT_TRUE(Fails(team(-5), "organization.teamSize"));
  EXPECT_TRUE(Fails(team(10001), "organization.teamSize"));
  EXPECT_TRUE(Fails(team(5.5), "organization.teamSize"));
  EXPECT_TRUE(Fails(team("5"), "organization.teamSize"));
  EXPECT_TRUE(Fails(team(true), "organization.teamSize"));
  EXPECT_TRUE(Fails(team(json::array{5}), "organization.teamSize"));
  EXPECT_TRUE(Fails(Step(3, R"({"teamSize": 18446744073709551615})"), "organization.teamSize"));
  EXPECT_TRUE(Fails(Step(3, R"({"teamSize": 99999999999999999999999})"), "organization.teamSize"));
  EXPECT_TRUE(Fails(Step(3, R"({"teamSize": 1e400})"), "organization.teamSize"));
  EXPECT_TRUE(Fails(Step(3, R"({"teamSize": -1e400})"), "organization.teamSize"));
  EXPECT_TRUE(Fails(Step(3, R"({"teamSize": 1e-300})"), "organization.teamSize"));
}

TEST(Organization, Enums) {
  EXPECT_TRUE(Fails(Organization("tree", "structure"), "organization.structure"));
  EXPECT_TRUE(Fails(Organization("okr", "methodology"), "organization.methodology"));
  EXPECT_TRUE(Fails(Organization(1, "collaborationStyle"), "organization.collaborationStyle"));
  EXPECT_TRUE(Organization("matrix", "structure"));
}

TEST(Organization, IntegrationsSubsetDeduplicated) {
  auto r = Organization(json::array{"slack", "github", "slack", "jira"}, "integrations");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->data.at("integrations"), (json::array{"slack", "github", "jira"}));
  EXPECT_TRUE(Fails(Organization(json::array{"slack", "myspace"}, "integrations"),
                    "organization.integrations[1]"));
  EXPECT_TRUE(
      Fails(Organization(json::array{"slack", 3}, "integrations"), "organization.integrations[1]"));
  EXPECT_TRUE(Fails(Organization("slack", "integrations"), "organization.integrations"));
  json::array many(10'000, json::value("slack"));
  auto big = Organization(many, "integrations");
  EXPECT_TRUE(Fails(big, "organization.integrations"));
  EXPECT_EQ(big.error().details.size(), 1u);
  json::array bad(30, json::value("nope"));
  auto capped = Organization(bad, "integrations");
  ASSERT_FALSE(capped);
  EXPECT_EQ(capped.error().details.size(), kMaxDetails);
}

TEST(Departments, NamesNormalizedToObjects) {
  auto r = Organization(json::array{" Ventas ", "Marketing"}, "departments");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->data.at("departments"),
            json::parse(R"([{"name": "Ventas"}, {"name": "Marketing"}])"));
}

TEST(Departments, ObjectsWithParents) {
  auto r = Organization(json::parse(R"([
      {"id": "d1", "name": "Ingeniería", "description": "Producto y plataforma", "extra": 1},
      {"id": 2, "name": "Backend", "parentId": "d1", "description": ""},
      {"name": "Frontend", "parentId": "Ingenieria"},
      {"id": "d4", "name": "ventas", "parentId": null}])"),
                        "departments");
  ASSERT_TRUE(r) << r.error().details.front().path;
  EXPECT_EQ(r->data.at("departments"), json::parse(R"([
      {"id": "d1", "name": "Ingeniería", "description": "Producto y plataforma"},
      {"id": "2", "name": "Backend", "parentId": "d1"},
      {"name": "Frontend", "parentId": "d1"},
      {"id": "d4", "name": "ventas"}])"));
}

TEST(Departments, DeduplicatedCaseAndAccentInsensitively) {
  auto r = Organization(json::parse(R"([
      {"id": "a", "name": "Diseño"}, {"id": "b", "name": "DISEÑO"},
      {"name": "UX", "parentId": "b"}, "diseno"])"),
                        "departments");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->data.at("departments"), json::parse(R"([
      {"id": "a", "name": "Diseño"}, {"name": "UX", "parentId": "a"}])"));
}

TEST(Departments, Errors) {
  const auto deps = [](std::string_view body) {
    return Organization(json::parse(body), "departments");
  };
  EXPECT_TRUE(Fails(deps(R"(["", "x"])"), "organization.departments[0]"));
  EXPECT_TRUE(Fails(deps(R"([{"description": "no name"}])"), "organization.departments[0].name"));
  EXPECT_TRUE(Fails(deps(R"([{"name": 5}])"), "organization.departments[0].name"));
  EXPECT_TRUE(Fails(deps(R"([7])"), "organization.departments[0]"));
  EXPECT_TRUE(Fails(deps(R"([[["deep"]]])"), "organization.departments[0]"));
  EXPECT_TRUE(Fails(deps(R"({"name": "x"})"), "organization.departments"));
  EXPECT_TRUE(Fails(deps(R"([{"name": "x", "id": true}])"), "organization.departments[0].id"));
  EXPECT_TRUE(Fails(deps(R"([{"name": "x", "description": 3}])"),
                    "organization.departments[0].description"));
  EXPECT_TRUE(Fails(deps(R"([{"name": "x", "parentId": "ghost"}])"),
                    "organization.departments[0].parentId"));
  EXPECT_TRUE(Fails(deps(R"([{"id": "a", "name": "A", "parentId": "a"}])"),
                    "organization.departments[0].parentId"));
  auto cycle = deps(R"([{"id": "a", "name": "A", "parentId": "c"},
                        {"id": "b", "name": "B", "parentId": "a"},
                        {"id": "c", "name": "C", "parentId": "b"},
                        {"id": "d", "name": "D", "parentId": "c"}])");
  EXPECT_TRUE(Fails(cycle, "organization.departments[0].parentId"));
  EXPECT_TRUE(Fails(cycle, "organization.departments[2].parentId"));
  EXPECT_FALSE(Fails(cycle, "organization.departments[3].parentId"));  // below, not on it
  EXPECT_TRUE(Fails(deps(R"([{"id": "a", "name": "A"}, {"id": "a", "name": "B"}])"),
                    "organization.departments[1].id"));
  EXPECT_TRUE(Fails(Organization(json::array{std::string(101, 'n')}, "departments"),
                    "organization.departments[0]"));
  EXPECT_TRUE(Fails(
      Organization(json::array{json::object{{"name", "x"}, {"description", std::string(501, 'd')}}},
                   "departments"),
      "organization.departments[0].description"));
}

TEST(Departments, ArrayBounds) {
  json::array hundred;
  for (int i = 0; i < 100; ++i) hundred.emplace_back("Dept " + std::to_string(i));
  EXPECT_TRUE(Organization(hundred, "departments"));
  hundred.emplace_back("One too many");
  EXPECT_TRUE(Fails(Organization(hundred, "departments"), "organization.departments"));
  json::array huge(10'000, json::value("x"));
  auto r = Organization(huge, "departments");
  EXPECT_TRUE(Fails(r, "organization.departments"));
  EXPECT_EQ(r.error().details.size(), 1u);
}

// --- The legacy flow uses the same machinery with its own field names --------------------

TEST(Legacy, SnakeCaseFields) {
  auto r =
      ValidateStep(Legacy(), 2, json::parse(R"({"company_name": "Acme", "industry_id": "finance",
                                        "company_size": "empresa", "website": "https://acme.io",
                                        "description": "Banca", "country": "ES",
                                        "employee_count": 120, "name": "ignored"})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(json::value(r->data), json::parse(R"({"company_name": "Acme", "industry_id": "finance",
                                                   "company_size": "empresa",
                                                   "description": "Banca",
                                                   "website": "https://acme.io", "country": "ES",
                                                   "employee_count": 120})"));
  auto missing = ValidateStep(Legacy(), 2, json::parse(R"({"name": "Acme"})"));
  EXPECT_TRUE(Fails(missing, "company.company_name"));
  EXPECT_TRUE(Fails(missing, "company.company_size"));
  EXPECT_TRUE(Fails(missing, "company.country"));
  EXPECT_TRUE(Fails(ValidateStep(Legacy(), 2, json::parse(R"({"company_size": "small"})")),
                    "company.company_size"))
      << "the session flow's sizes are startup/pyme/empresa/corporacion";
  EXPECT_TRUE(Fails(ValidateStep(Legacy(), 5, json::object()), "review.confirmed"));
  EXPECT_TRUE(ValidateStep(Legacy(), 5, json::parse(R"({"confirmed": "true"})")));
  EXPECT_TRUE(Fails(ValidateStep(Legacy(), 5, json::parse(R"({"confirmed": "false"})")),
                    "review.confirmed"));
  EXPECT_TRUE(Fails(ValidateStep(Legacy(), 1, json::parse(R"({"experience_with_okr": "x"})")),
                    "welcome.experience_with_okr"));
  EXPECT_TRUE(Fails(ValidateStep(Legacy(), 3, json::parse(R"({"team_size": 501})")),
                    "organization.team_size"));
  auto challenges = ValidateStep(
      Legacy(), 3,
      json::parse(R"({"okr_maturity": "beginner", "current_challenges": ["focus", "focus"],
                      "business_goals": ["innovation"], "team_size": 0})"));
  ASSERT_TRUE(challenges);
  EXPECT_EQ(challenges->data.at("current_challenges"), json::parse(R"(["focus"])"));
  EXPECT_TRUE(Fails(ValidateStep(Legacy(), 3, json::parse(R"({"okr_maturity": "beginner",
                                                 "current_challenges": [],
                                                 "business_goals": ["innovation"]})")),
                    "organization.current_challenges"))
      << "at least one challenge";
}

}  // namespace
}  // namespace onboardd::onboarding

namespace onboardd::onboarding {
namespace {

json::value Nested(int depth, json::value leaf) {
  for (int i = 0; i < depth; ++i) leaf = json::array{std::move(leaf)};
  return leaf;
}

TEST(StepValidation, DeepNesting) {
  // Boost.JSON's parser stops at max_depth (32 by default) before validation sees anything.
  boost::system::error_code ec;
  json::parse(std::string(1000, '[') + std::string(1000, ']'), ec);
  EXPECT_TRUE(ec);
  // Values built deeper in code: unknown keys are dropped, known ones fail on their type.
  json::object data{{"role", "ceo"}, {"junk", Nested(500, json::value("x"))}};
  auto r = ValidateStep(Wizard(), 1, data);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->data.contains("junk"));
  data["customRole"] = Nested(500, json::value("x"));
  EXPECT_TRUE(Fails(ValidateStep(Wizard(), 1, data), "welcome.customRole"));
  EXPECT_TRUE(Fails(Organization(Nested(200, json::value("slack")), "integrations"),
                    "organization.integrations[0]"));
  EXPECT_TRUE(Fails(Organization(Nested(200, json::value("x")), "departments"),
                    "organization.departments[0]"));
}

TEST(StepValidation, ManyBadElementsAreCapped) {
  json::array departments(100, json::value(7));
  auto r = Organization(departments, "departments");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details.size(), kMaxDetails);
}

}  // namespace
}  // namespace onboardd::onboarding
