// The wizard's HTTP contract (SPEC §4.1, §4.2, §4.4), over real sockets, against real
// PostgreSQL as the app role (the server: tests/support/onboarding_api_server.hpp). Database
// facts are checked as the superuser, which bypasses RLS.
#include "onboarding/onboarding_routes.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <future>
#include <set>
#include <thread>

#include "core/ids.hpp"
#include "onboarding/onboarding_store.hpp"
#include "support/db_harness.hpp"
#include "support/onboarding_api_server.hpp"
#include "support/onboarding_fixtures.hpp"

namespace onboardd::onboarding {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using Reply = testing::ApiReply;
using testing::Base64;
using testing::Contains;
using testing::PoolHarness;

// A PNG-signed image of `size` bytes.
std::string PngBytes(std::size_t size) {
  std::string bytes("\x89PNG\r\n\x1a\n", 8);
  bytes.resize(size);
  for (std::size_t i = 8; i < size; ++i) bytes[i] = static_cast<char>((i * 131) & 0xff);
  return bytes;
}

class OnboardingApiTest : public testing::OnboardingApiServer {
 protected:
  static json::object Welcome() {
    return {{"role", "ceo"},
            {"customRole", ""},
            {"experienceLevel", "intermediate"},
            {"hasSeenWelcome", true}};
  }
  static json::object Company(std::string name = "Acme Labs") {
    return {{"name", name},
            {"industry", "technology"},
            {"size", "startup"},
            {"description", ""},
            {"logo", ""}};
  }
  static json::object Organization() {
    return {{"teamSize", 5},
            {"structure", "flat"},
            {"methodology", "okrs"},
            {"collaborationStyle", "hybrid"},
            {"integrations", json::array{}},
            {"departments", json::array{}}};
  }
  static json::object Step(int n, json::object data) {
    return {{"step", n}, {"data", std::move(data)}};
  }
  static json::object Everything(std::string name = "Acme Labs") {
    return {{"data", json::object{{"welcome", Welcome()},
                                  {"company", Company(std::move(name))},
                                  {"organization", Organization()}}}};
  }
};

TEST_F(OnboardingApiTest, WizardStepsWithDefaultsAndLogoThenComplete) {
  const std::string user = NewUser("wizard");
  const std::string png = PngBytes(1'850'000);
  const std::string logo = "data:image/png;base64," + Base64(png);
  ASSERT_GT(logo.size(), 2'400'000u);

  Reply s1 = Post("/api/onboarding/step", Step(1, Welcome()), user);
  ASSERT_EQ(s1.status, 200) << s1.body;
  EXPECT_EQ(s1.At({"success"}), json::value(true));
  EXPECT_EQ(s1.Str({"message"}), "Step 1 saved successfully");
  EXPECT_EQ(s1.At({"step"}), json::value(1));
  EXPECT_EQ(s1.Str({"data", "role"}), "ceo");
  EXPECT_TRUE(s1.At({"data", "customRole"}).is_null()) << "empty optional means absent";

  json::object company = Company();
  company["logo"] = logo;
  Reply s2 = Post("/api/onboarding/step", Step(2, company), user);
  ASSERT_EQ(s2.status, 200) << s2.body.substr(0, 500);
  EXPECT_EQ(s2.Str({"message"}), "Step 2 saved successfully");
  EXPECT_EQ(s2.Str({"data", "logo"}), logo);
  EXPECT_EQ(s2.Str({"data", "name"}), "Acme Labs");

  Reply s3 = Post("/api/onboarding/step", Step(3, Organization()), user);
  ASSERT_EQ(s3.status, 200) << s3.body;
  EXPECT_EQ(s3.At({"data", "teamSize"}), json::value(5));
  EXPECT_EQ(s3.At({"data", "departments"}), json::value(json::array{}));

  Reply status = Get("/api/onboarding/status", user);
  ASSERT_EQ(status.status, 200) << status.body.substr(0, 500);
  EXPECT_EQ(status.Str({"status"}), "in_progress");
  EXPECT_EQ(status.At({"progress", "completedSteps"}), json::parse("[1,2,3]"));
  EXPECT_EQ(status.Str({"redirectTo"}), "/onboarding/complete");
  EXPECT_EQ(status.At({"flags", "canResume"}), json::value(true));
  // Three steps of four done in order: on step 4, and (LEGACY_API §2's rule: the step
  // reached counts) 4/4.
  EXPECT_EQ(status.At({"session", "completionPercentage"}), json::value(100));
  EXPECT_EQ(status.At({"session", "currentStep"}), json::value(4));
  EXPECT_EQ(Count("select count(*) from public.onboarding_progress where user_id = $1", user), 3);

  Reply done = Post("/api/onboarding/complete", json::parse(R"({"data": {}})"), user);
  ASSERT_EQ(done.status, 200) << done.body.substr(0, 500);
  EXPECT_EQ(done.Str({"message"}), "Onboarding completed successfully");
  EXPECT_EQ(done.Str({"profile", "roleType"}), "corporativo");
  EXPECT_EQ(done.Str({"profile", "department"}), "General");
  EXPECT_EQ(done.Str({"profile", "fullName"}), "Test " + user);
  EXPECT_EQ(done.Str({"profile", "userId"}), user);
  const std::string company_id = done.Str({"company_id"});
  EXPECT_TRUE(core::IsUuid(company_id));
  EXPECT_EQ(done.Str({"profile", "companyId"}), company_id);
  EXPECT_EQ(done.Str({"organization", "id"}), company_id);
  EXPECT_EQ(done.Str({"organization", "name"}), "Acme Labs");
  EXPECT_FALSE(done.Str({"organization", "slug"}).empty());
  EXPECT_FALSE(done.Str({"profile", "createdAt"}).empty());

  EXPECT_EQ(
      Scalar("select octet_length(data) from public.organization_logos where organization_id = $1",
             company_id),
      std::to_string(png.size()));
  EXPECT_EQ(Scalar("select content_type || ' ' || encode(substring(data from 1 for 8), 'hex') "
                   "from public.organization_logos where organization_id = $1",
                   company_id),
            "image/png 89504e470d0a1a0a");
  EXPECT_EQ(Count("select count(*) from public.roles where organization_id = $1", company_id), 3);
  EXPECT_EQ(
      Scalar("select role from public.organization_members where organization_id = $1", company_id),
      "owner");
  EXPECT_EQ(
      Scalar("select string_agg(status, ',') from public.onboarding_sessions where user_id = $1",
             user),
      "completed");
  EXPECT_EQ(Count("select count(*) from public.audit_log where organization_id = $1", company_id),
            2);

  Reply after = Get("/api/onboarding/status", user);
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.Str({"status"}), "completed");
  EXPECT_TRUE(after.At({"redirectTo"}).is_null());
  EXPECT_EQ(after.Str({"organization", "id"}), company_id);
  EXPECT_EQ(after.At({"flags", "shouldRedirect"}), json::value(false));
}

// Issue 11: status is read on every navigation; a 2 MB logo in the draft must not ride along.
// It is named by a path that serves it (ETag, 304), and that path sent back keeps it.
TEST_F(OnboardingApiTest, StatusNamesTheDraftLogoInsteadOfCarryingIt) {
  const std::string user = NewUser("statuslogo");
  const std::string png = PngBytes(2'000'000);
  json::object company = Company("Logo Co");
  company["logo"] = "data:image/png;base64," + Base64(png);
  ASSERT_EQ(Post("/api/onboarding/step", Step(1, Welcome()), user).status, 200);
  ASSERT_EQ(Post("/api/onboarding/step", Step(2, company), user).status, 200);

  Reply status = Get("/api/onboarding/status", user);
  ASSERT_EQ(status.status, 200);
  EXPECT_LT(status.body.size(), 4096u) << "a few KB, not the 2.7 MB image";
  const std::string path = "/api/onboarding/draft/image/company/logo";
  EXPECT_EQ(status.Str({"session", "formData", "company", "logo"}), path);
  EXPECT_EQ(status.Str({"session", "formData", "company", "name"}), "Logo Co");

  Reply image = Get(path, user);
  ASSERT_EQ(image.status, 200) << image.body.substr(0, 200);
  EXPECT_EQ(image.Header("Content-Type"), "image/png");
  EXPECT_EQ(image.body, png);
  const std::string etag = image.Header("ETag");
  ASSERT_EQ(etag.size(), 34u);
  Reply again = Get(path, user, "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(Get(path, NewUser("stranger")).status, 404) << "only the caller's own draft";
  EXPECT_EQ(Get("/api/onboarding/draft/image/company/name", user).status, 404)
      << "a field without an inline image";
  EXPECT_EQ(Get("/api/onboarding/draft/image/x'%20or%201=1/logo", user).status, 404);

  // The step sent again as the status shows it (the path instead of the bytes) keeps the
  // image, and the completion stores it.
  json::object resent = Company("Logo Co 2");
  resent["logo"] = path;
  Reply saved = Post("/api/onboarding/step", Step(2, resent), user);
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(Get(path, user).body, png);
  json::object foreign = Company("Logo Co 3");
  foreign["logo"] = "/api/onboarding/draft/image/welcome/logo";
  EXPECT_EQ(Post("/api/onboarding/step", Step(2, foreign), user).status, 400)
      << "another field's path is not an image URL";
  Reply done =
      Post("/api/onboarding/complete",
           json::object{{"data", json::object{{"company", json::object{{"logo", path}}}}}}, user);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(Scalar("select octet_length(data) from public.organization_logos where "
                   "organization_id = $1::uuid",
                   done.Str({"company_id"})),
            std::to_string(png.size()));
}

TEST_F(OnboardingApiTest, ResumeFromAnotherDeviceSeesTheSavedDraft) {
  const std::string user = NewUser("resume");
  ASSERT_EQ(Post("/api/onboarding/step", Step(1, Welcome()), user).status, 200);
  ASSERT_EQ(Post("/api/onboarding/step", Step(2, Company("Resume Co")), user).status, 200);
  // Each Call is a new connection: the "other device" shares nothing with the first.
  Reply status = Get("/api/onboarding/status", user);
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.Str({"status"}), "in_progress");
  EXPECT_EQ(status.Str({"session", "formData", "company", "name"}), "Resume Co");
  EXPECT_EQ(status.Str({"session", "formData", "welcome", "role"}), "ceo");
  EXPECT_EQ(status.Str({"redirectTo"}), "/onboarding/organization");
  EXPECT_EQ(status.At({"progress", "nextStep", "number"}), json::value(3));
  EXPECT_EQ(status.At({"session", "completionPercentage"}), json::value(75)) << "step 3 of 4";
  // The same step again replaces its data; nothing is duplicated.
  ASSERT_EQ(Post("/api/onboarding/step", Step(2, Company("Resume Co 2")), user).status, 200);
  Reply again = Get("/api/onboarding/status", user);
  EXPECT_EQ(again.Str({"session", "formData", "company", "name"}), "Resume Co 2");
  EXPECT_EQ(Count("select count(*) from public.onboarding_progress where user_id = $1", user), 2);
  EXPECT_EQ(Count("select count(*) from public.onboarding_sessions where user_id = $1", user), 1);
}

TEST_F(OnboardingApiTest, NotStartedStatusAndUnauthenticated) {
  const std::string user = NewUser("fresh");
  Reply status = Get("/api/onboarding/status", user);
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.Str({"status"}), "not_started");
  EXPECT_TRUE(status.At({"session"}).is_null());
  EXPECT_TRUE(status.At({"organization"}).is_null());
  EXPECT_EQ(status.Str({"redirectTo"}), "/onboarding/welcome");
  EXPECT_EQ(status.At({"metadata", "fromCache"}), json::value(false));
  EXPECT_FALSE(status.Str({"metadata", "lastChecked"}).empty());
  EXPECT_TRUE(status.At({"metadata", "checkDuration"}).is_number());

  Reply anonymous = Get("/api/onboarding/status", "");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.Str({"code"}), "UNAUTHENTICATED");
  EXPECT_EQ(Post("/api/onboarding/step", Step(1, Welcome()), "").status, 401);
  EXPECT_EQ(Post("/api/onboarding/complete", Everything(), "").status, 401);
}

TEST_F(OnboardingApiTest, CompleteWithoutAnyStepInOneRoundTripThenTwice) {
  const std::string user = NewUser("direct");
  json::object body = Everything("Direct Company");
  body["data"].as_object()["organization"].as_object()["departments"] = json::parse(
      R"([{"id": "d1", "name": "Ventas"}, {"id": "d2", "name": "Ventas Norte", "parentId": "d1"}, "Ingeniería"])");
  body["data"].as_object()["welcome"].as_object()["role"] = "team_lead";
  const std::uint64_t before = RoundTrips();
  Reply done = Post("/api/onboarding/complete", body, user);
  const std::uint64_t used = RoundTrips() - before;
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(used, 1u) << "a complete body needs no draft read";
  EXPECT_EQ(done.Str({"message"}), "Onboarding completed successfully");
  EXPECT_EQ(done.Str({"profile", "roleType"}), "gerente");
  EXPECT_EQ(done.Str({"profile", "department"}), "Ventas");
  const std::string org = done.Str({"company_id"});
  EXPECT_EQ(Count("select count(*) from public.departments where organization_id = $1", org), 3);
  EXPECT_EQ(
      Scalar(
          "select p.name from public.departments c join public.departments p on p.id = c.parent_id "
          "where c.organization_id = $1",
          org),
      "Ventas");
  EXPECT_EQ(Scalar("select status from public.onboarding_sessions where organization_id = $1", org),
            "completed");

  const std::uint64_t before_second = RoundTrips();
  Reply second = Post("/api/onboarding/complete", body, user);
  EXPECT_EQ(RoundTrips() - before_second, 1u);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.Str({"message"}), "Profile already exists");
  EXPECT_EQ(second.Str({"profile", "companyId"}), org);
  // An empty body for an onboarded user: also "already exists", not a 400.
  Reply third = Post("/api/onboarding/complete", json::parse(R"({"data": {}})"), user);
  ASSERT_EQ(third.status, 200) << third.body;
  EXPECT_EQ(third.Str({"message"}), "Profile already exists");
  EXPECT_EQ(Organizations(user), 1);
  EXPECT_EQ(Profiles(user), 1);
}

TEST_F(OnboardingApiTest, CompleteTakesMissingKeysFromTheDraft) {
  const std::string user = NewUser("merge");
  json::object company = Company("Draft Name");
  company["description"] = "Saved in step 2";
  company["logo"] = "https://example.com/draft-logo.png";
  ASSERT_EQ(Post("/api/onboarding/step", Step(2, company), user).status, 200);
  // Every section, but company lacks description and logo: those come from the draft.
  json::object body = Everything("Final Name");
  body["data"].as_object()["company"].as_object().erase("description");
  body["data"].as_object()["company"].as_object().erase("logo");
  const std::uint64_t before = RoundTrips();
  Reply done = Post("/api/onboarding/complete", body, user);
  EXPECT_EQ(RoundTrips() - before, 2u) << "a body with missing keys reads the draft first";
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.Str({"organization", "name"}), "Final Name");
  EXPECT_EQ(done.Str({"organization", "description"}), "Saved in step 2");
  EXPECT_EQ(Scalar("select source_url from public.organization_logos where organization_id = $1",
                   done.Str({"company_id"})),
            "https://example.com/draft-logo.png");
}

TEST_F(OnboardingApiTest, TenParallelCompletesCreateOneOrganization) {
  const std::string user = NewUser("parallel");
  const json::object body = Everything("Parallel Inc");
  std::vector<std::future<Reply>> replies;
  for (int i = 0; i < 10; ++i) {
    replies.push_back(std::async(std::launch::async,
                                 [&] { return Post("/api/onboarding/complete", body, user); }));
  }
  int created = 0, existing = 0;
  std::set<std::string> company_ids;
  for (auto& f : replies) {
    Reply r = f.get();
    ASSERT_EQ(r.status, 200) << r.body;
    if (r.Str({"message"}) == "Onboarding completed successfully") ++created;
    if (r.Str({"message"}) == "Profile already exists") ++existing;
    company_ids.insert(r.Str({"profile", "companyId"}));
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(existing, 9);
  EXPECT_EQ(company_ids.size(), 1u);
  EXPECT_EQ(Organizations(user), 1);
  EXPECT_EQ(Profiles(user), 1);
  EXPECT_EQ(Count("select count(*) from public.organization_members where user_id = $1", user), 1);
}

TEST_F(OnboardingApiTest, ManyUsersCompletingWithTheSameCompanyNameAllSucceed) {
  // They race for the same slug; the losers retry with a random suffix instead of a 409.
  const std::string name = "Same Name " + NewUser("n").substr(0, 8);
  const json::object body = Everything(name);
  std::vector<std::string> users;
  for (int i = 0; i < 16; ++i) users.push_back(NewUser("samename"));
  std::vector<std::future<Reply>> replies;
  for (const auto& user : users) {
    replies.push_back(std::async(
        std::launch::async, [&, user] { return Post("/api/onboarding/complete", body, user); }));
  }
  std::set<std::string> slugs;
  for (auto& f : replies) {
    Reply r = f.get();
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Str({"message"}), "Onboarding completed successfully");
    slugs.insert(r.Str({"organization", "slug"}));
  }
  EXPECT_EQ(slugs.size(), users.size()) << "every organization has its own slug";
}

TEST_F(OnboardingApiTest, CreateOrganizationFalseIsRefusedNotIgnored) {
  const std::string user = NewUser("noorg");
  json::object body = Everything("No Org Inc");
  body["create_organization"] = false;
  Reply refused = Post("/api/onboarding/complete", body, user);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("create_organization"), std::string::npos);
  EXPECT_EQ(Organizations(user), 0);
  EXPECT_EQ(Profiles(user), 0);
  body["create_organization"] = true;
  EXPECT_EQ(Post("/api/onboarding/complete", body, user).status, 200);
}

TEST_F(OnboardingApiTest, ConcurrentStepSavesLoseNothing) {
  const std::string user = NewUser("race");
  std::vector<std::future<Reply>> replies;
  for (int round = 0; round < 4; ++round) {
    replies.push_back(std::async(std::launch::async, [&] {
      return Post("/api/onboarding/step", Step(1, Welcome()), user);
    }));
    replies.push_back(std::async(std::launch::async, [&] {
      return Post("/api/onboarding/step", Step(2, Company("Race Co")), user);
    }));
    replies.push_back(std::async(std::launch::async, [&] {
      return Post("/api/onboarding/step", Step(3, Organization()), user);
    }));
  }
  for (auto& f : replies) {
    Reply r = f.get();
    EXPECT_EQ(r.status, 200) << r.body;
  }
  Reply status = Get("/api/onboarding/status", user);
  EXPECT_EQ(status.At({"progress", "completedSteps"}), json::parse("[1,2,3]"));
  EXPECT_EQ(status.At({"session", "currentStep"}), json::value(4)) << "in any order";
  EXPECT_EQ(status.Str({"session", "formData", "company", "name"}), "Race Co");
  EXPECT_EQ(status.Str({"session", "formData", "welcome", "role"}), "ceo");
  EXPECT_EQ(status.At({"session", "formData", "organization", "teamSize"}), json::value(5));
  EXPECT_EQ(status.At({"session", "version"}), json::value(13)) << "every save is one update";
  EXPECT_EQ(Count("select count(*) from public.onboarding_sessions where user_id = $1", user), 1);
  EXPECT_EQ(Count("select count(*) from public.onboarding_progress where user_id = $1", user), 3);
}

TEST_F(OnboardingApiTest, IncompleteMergedDataNamesEachMissingFieldAndCreatesNothing) {
  const std::string user = NewUser("incomplete");
  ASSERT_EQ(Post("/api/onboarding/step", Step(1, Welcome()), user).status, 200);
  Reply r = Post("/api/onboarding/complete",
                 json::parse(R"({"data": {"company": {"name": "Half Done"}}})"), user);
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.Str({"code"}), "VALIDATION_ERROR");
  auto paths = r.DetailPaths();
  EXPECT_TRUE(Contains(paths, "company.industry")) << r.body;
  EXPECT_TRUE(Contains(paths, "company.size")) << r.body;
  EXPECT_FALSE(Contains(paths, "welcome.role")) << "the draft has it";
  EXPECT_FALSE(Contains(paths, "company.name"));
  EXPECT_EQ(Organizations(user), 0);
  EXPECT_EQ(Profiles(user), 0);
  EXPECT_EQ(Scalar("select status from public.onboarding_sessions where user_id = $1", user),
            "in_progress");

  // Nothing saved at all: every required field is named.
  const std::string nobody = NewUser("empty");
  Reply empty = Post("/api/onboarding/complete", json::parse(R"({"data": {}})"), nobody);
  ASSERT_EQ(empty.status, 400);
  auto all = empty.DetailPaths();
  for (auto p : {"welcome.role", "company.name", "company.industry", "company.size"}) {
    EXPECT_TRUE(Contains(all, p)) << p << " in " << empty.body;
  }
  EXPECT_EQ(Organizations(nobody), 0);
}

TEST_F(OnboardingApiTest, BadInputNamesTheFieldAndLeavesTheDraftUnchanged) {
  const std::string user = NewUser("bad");
  ASSERT_EQ(Post("/api/onboarding/step", Step(2, Company("Good Name")), user).status, 200);
  const std::string draft_before =
      Scalar("select form_data::text from public.onboarding_sessions where user_id = $1", user);

  struct Case {
    json::value data;
    std::string path;
  };
  std::vector<Case> cases = {
      {json::object{{"name", "X"}, {"industry", "technology"}, {"size", "startup"}},
       "company.name"},
      {json::object{
           {"name", std::string(5000, 'a')}, {"industry", "technology"}, {"size", "startup"}},
       "company.name"},
      {json::object{
           {"name", std::string("A\0B", 3)}, {"industry", "technology"}, {"size", "startup"}},
       "company.name"},
      {json::object{
           {"name", "Okay"}, {"industry", "'; drop table organizations; --"}, {"size", "startup"}},
       "company.industry"},
      {json::object{{"name", "Okay"}, {"industry", "technology"}, {"size", 5}}, "company.size"},
      {json::object{{"name", "Okay"},
                    {"industry", "technology"},
                    {"size", "startup"},
                    {"logo", "data:image/png;base64,@@@@"}},
       "company.logo"},
      {json::object{{"name", "Okay"},
                    {"industry", "technology"},
                    {"size", "startup"},
                    {"logo", "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="}},
       "company.logo"},
      {json::object{{"name", "Okay"},
                    {"industry", "technology"},
                    {"size", "startup"},
                    {"description", std::string(501, 'd')}},
       "company.description"},
  };
  for (const auto& c : cases) {
    Reply r = Post("/api/onboarding/step", json::object{{"step", 2}, {"data", c.data}}, user);
    EXPECT_EQ(r.status, 400) << c.path << ": " << r.body.substr(0, 300);
    EXPECT_TRUE(Contains(r.DetailPaths(), c.path)) << c.path << ": " << r.body.substr(0, 300);
  }
  json::array many;
  for (int i = 0; i < 10000; ++i) many.emplace_back("slack");
  Reply big = Post("/api/onboarding/step",
                   Step(3, json::object{{"integrations", many}, {"teamSize", 5}}), user);
  EXPECT_EQ(big.status, 400);
  EXPECT_TRUE(Contains(big.DetailPaths(), "organization.integrations")) << big.body.substr(0, 300);
  Reply huge = Post("/api/onboarding/step", Step(3, json::object{{"teamSize", 1e300}}), user);
  EXPECT_EQ(huge.status, 400);
  EXPECT_TRUE(Contains(huge.DetailPaths(), "organization.teamSize")) << huge.body;

  // Malformed bodies: still 400 in the envelope.
  EXPECT_EQ(Call("POST", "/api/onboarding/step", "{\"step\": 2, \"data\": ", user).status, 400);
  EXPECT_EQ(Call("POST", "/api/onboarding/step",
                 "{\"step\": 2, \"data\": {\"name\": \"\xff\xfe\"}}", user)
                .status,
            400);
  EXPECT_EQ(
      Call("POST", "/api/onboarding/step", std::string(100, '[') + std::string(100, ']'), user)
          .status,
      400);
  EXPECT_EQ(Call("POST", "/api/onboarding/step", "{\"step\": \"2\", \"data\": {}}", user).status,
            400);
  EXPECT_EQ(Call("POST", "/api/onboarding/step", "{\"step\": 9, \"data\": {}}", user).status, 400);
  EXPECT_EQ(Call("POST", "/api/onboarding/step", "{\"step\": 1e400}", user).status, 400);

  EXPECT_EQ(
      Scalar("select form_data::text from public.onboarding_sessions where user_id = $1", user),
      draft_before);
}

TEST_F(OnboardingApiTest, OtherTenantsSeeNothing) {
  const std::string alice = NewUser("alice"), bob = NewUser("bob");
  Reply done = Post("/api/onboarding/complete", Everything("Alice Corp"), alice);
  ASSERT_EQ(done.status, 200) << done.body;
  const std::string org = done.Str({"company_id"});

  Reply bob_list = Get("/api/onboarding/organization", bob);
  ASSERT_EQ(bob_list.status, 200);
  EXPECT_EQ(bob_list.At({"total"}), json::value(0));
  // Naming another tenant's organization as the active one: 404, and nothing of it shown.
  Reply bob_status = Get("/api/onboarding/status", bob, "X-Organization-Id: " + org + "\r\n");
  EXPECT_EQ(bob_status.status, 404) << bob_status.body;
  EXPECT_EQ(bob_status.body.find("Alice Corp"), std::string::npos);
  Reply bob_orgs = Get("/api/onboarding/organization", bob, "X-Organization-Id: " + org + "\r\n");
  EXPECT_EQ(bob_orgs.status, 404) << bob_orgs.body;
  EXPECT_EQ(bob_orgs.body.find("Alice Corp"), std::string::npos);
  EXPECT_EQ(Get("/api/onboarding/status", bob, "X-Organization-Id: not-a-uuid\r\n").status, 404);
  Reply bob_plain = Get("/api/onboarding/status", bob);
  ASSERT_EQ(bob_plain.status, 200);
  EXPECT_EQ(bob_plain.Str({"status"}), "not_started");
  EXPECT_TRUE(bob_plain.At({"organization"}).is_null());

  Reply alice_list = Get("/api/onboarding/organization", alice);
  ASSERT_EQ(alice_list.status, 200);
  EXPECT_EQ(alice_list.At({"total"}), json::value(1));
  const auto& first = alice_list.At({"organizations"}).as_array().at(0).as_object();
  EXPECT_EQ(first.at("id"), json::value(org));
  EXPECT_EQ(first.at("member_count"), json::value(1));
  EXPECT_EQ(first.at("user_role"), json::value("owner"));

  // Hostile ids in paths never reach SQL and never cause a 5xx.
  for (std::string id :
       {std::string("1' or '1'='1"), std::string("%00"), std::string(5000, 'a'), org}) {
    Reply r = Get("/api/onboarding/session/" + id, bob);
    EXPECT_GE(r.status, 400) << id.substr(0, 40);
    EXPECT_LT(r.status, 500) << id.substr(0, 40);
  }
}

// SPEC §2: a user in several organizations names the active one with X-Organization-Id;
// without it, the primary profile's organization is the active one.
TEST_F(OnboardingApiTest, TheActiveOrganizationIsTheOneTheHeaderNames) {
  const std::string user = NewUser("multi");
  Reply done = Post("/api/onboarding/complete", Everything("First Org"), user);
  ASSERT_EQ(done.status, 200) << done.body;
  const std::string first = done.Str({"company_id"});
  Reply created = Post(
      "/api/onboarding/organization",
      json::object{{"name", "Second Org"}, {"industry_id", "finance"}, {"size", "pyme"}}, user);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string second = created.Str({"organization", "id"});
  ASSERT_NE(first, second);

  Reply plain = Get("/api/onboarding/status", user);
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.Str({"organization", "id"}), first) << "the primary profile's";
  Reply named = Get("/api/onboarding/status", user, "X-Organization-Id: " + second + "\r\n");
  ASSERT_EQ(named.status, 200) << named.body;
  EXPECT_EQ(named.Str({"organization", "id"}), second);
  EXPECT_EQ(named.Str({"organization", "name"}), "Second Org");
  EXPECT_EQ(named.Str({"status"}), "completed");

  Reply list = Get("/api/onboarding/organization", user, "X-Organization-Id: " + second + "\r\n");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.At({"total"}), json::value(2));
  // An organization that does not exist is as unknown as another tenant's.
  EXPECT_EQ(
      Get("/api/onboarding/status", user, "X-Organization-Id: " + core::NewUuid() + "\r\n").status,
      404);
}

TEST_F(OnboardingApiTest, ExpiredSessionReportsExpiredAndASaveStartsAnew) {
  const std::string user = NewUser("expired");
  ASSERT_EQ(Post("/api/onboarding/step", Step(1, Welcome()), user).status, 200);
  Scalar(
      "update public.onboarding_sessions set expires_at = now() - interval '1 day' where user_id = "
      "$1 "
      "returning 1",
      user);
  Reply status = Get("/api/onboarding/status", user);
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.Str({"status"}), "expired");
  EXPECT_EQ(status.At({"flags", "hasExpired"}), json::value(true));
  EXPECT_EQ(status.Str({"redirectTo"}), "/onboarding/welcome");
  ASSERT_EQ(Post("/api/onboarding/step", Step(1, Welcome()), user).status, 200);
  EXPECT_EQ(
      Scalar("select string_agg(status, ',' order by created_at) from public.onboarding_sessions "
             "where user_id = $1",
             user),
      "expired,in_progress");
}

TEST_F(OnboardingApiTest, ExpiryJobMarksStaleSessionsOfEveryUser) {
  const std::string user = NewUser("job");
  ASSERT_EQ(Post("/api/onboarding/step", Step(1, Welcome()), user).status, 200);
  Scalar(
      "update public.onboarding_sessions set expires_at = now() - interval '1 minute' "
      "where user_id = $1 returning 1",
      user);
  db::PoolOptions options;
  options.conninfo = app_url_;
  options.connections = 1;
  options.use_prepared = testing::PreparedStatementsFromEnv();
  PoolHarness app(options);
  auto marked = app.Await(ExpireStaleSessions(app.pool(), core::SteadyClock::now() + 5s));
  ASSERT_TRUE(marked.has_value()) << marked.error().message.en;
  EXPECT_GE(*marked, 1);
  EXPECT_EQ(Scalar("select status from public.onboarding_sessions where user_id = $1", user),
            "expired");
  const std::string version_after =
      Scalar("select version from public.onboarding_sessions where user_id = $1", user);
  // A second run leaves that session alone (other tests' stale sessions may still appear).
  auto again = app.Await(ExpireStaleSessions(app.pool(), core::SteadyClock::now() + 5s));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(Scalar("select version from public.onboarding_sessions where user_id = $1", user),
            version_after);
  EXPECT_EQ(Get("/api/onboarding/status", user).Str({"status"}), "expired");
}

TEST_F(OnboardingApiTest, CatalogRoutesArePublicAndCacheable) {
  Reply industries = Get("/api/onboarding/industries", "");
  ASSERT_EQ(industries.status, 200);
  EXPECT_EQ(industries.Header("Cache-Control"), "public, max-age=3600");
  EXPECT_EQ(industries.Header("Vary"), "Accept-Language");
  const std::string etag = industries.Header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');
  EXPECT_TRUE(industries.At({"industries"}).is_array());
  EXPECT_TRUE(industries.At({"total"}).is_number());
  Reply again = Get("/api/onboarding/industries", "", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.Header("ETag"), etag);
  Reply english = Get("/api/onboarding/industries", "", "Accept-Language: en\r\n");
  EXPECT_NE(english.Header("ETag"), etag);
  Reply filtered = Get("/api/onboarding/industries?q=tecno", "");
  ASSERT_EQ(filtered.status, 200);
  EXPECT_LT(filtered.At({"total"}).to_number<int>(), industries.At({"total"}).to_number<int>());

  Reply config = Get("/api/onboarding/config", "");
  ASSERT_EQ(config.status, 200);
  EXPECT_EQ(config.Header("Cache-Control"), "public, max-age=3600");
  EXPECT_TRUE(config.At({"flows"}).is_array() || config.At({"flows"}).is_object());
  Reply config_again =
      Get("/api/onboarding/config", "", "If-None-Match: W/" + config.Header("ETag") + "\r\n");
  EXPECT_EQ(config_again.status, 304);
}

TEST_F(OnboardingApiTest, StatusAndStepAreOneRoundTripEach) {
  const std::string user = NewUser("trips");
  std::uint64_t before = RoundTrips();
  ASSERT_EQ(Post("/api/onboarding/step", Step(1, Welcome()), user).status, 200);
  EXPECT_EQ(RoundTrips() - before, 1u);
  before = RoundTrips();
  ASSERT_EQ(Get("/api/onboarding/status", user).status, 200);
  EXPECT_EQ(RoundTrips() - before, 1u);
  before = RoundTrips();
  ASSERT_EQ(Post("/api/onboarding/complete", Everything("Trips Co"), user).status, 200);
  EXPECT_EQ(RoundTrips() - before, 1u);
}

TEST_F(OnboardingApiTest, IdempotencyKeyReplaysTheFirstAnswer) {
  const std::string user = NewUser("idem"), other = NewUser("idem-other");
  const std::string key = "Idempotency-Key: create-" + core::NewUuid() + "\r\n";
  const json::object body{{"name", "Idem Org"}, {"industry_id", "finance"}, {"size", "pyme"}};
  Reply first = Post("/api/onboarding/organization", body, user, key);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_TRUE(first.Header("Idempotent-Replayed").empty());
  Reply second = Post("/api/onboarding/organization", body, user, key);
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(second.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(second.Str({"organization", "id"}), first.Str({"organization", "id"}));
  EXPECT_EQ(Organizations(user), 1);

  Reply changed = Post(
      "/api/onboarding/organization",
      json::object{{"name", "Other Org"}, {"industry_id", "finance"}, {"size", "pyme"}}, user, key);
  EXPECT_EQ(changed.status, 400);
  EXPECT_TRUE(Contains(changed.DetailPaths(), "Idempotency-Key")) << changed.body;
  EXPECT_EQ(Organizations(user), 1);
  // Keys are per user: another user's identical key is a new request.
  Reply theirs = Post("/api/onboarding/organization", body, other, key);
  ASSERT_EQ(theirs.status, 201);
  EXPECT_NE(theirs.Str({"organization", "id"}), first.Str({"organization", "id"}));
  EXPECT_TRUE(theirs.Header("Idempotent-Replayed").empty());

  // A remembered 400 replays as the same 400; a fixed body needs a new key.
  const std::string bad_key = "Idempotency-Key: bad-" + core::NewUuid() + "\r\n";
  Reply invalid =
      Post("/api/onboarding/step", Step(1, json::object{{"role", "pope"}}), user, bad_key);
  EXPECT_EQ(invalid.status, 400);
  Reply invalid_again =
      Post("/api/onboarding/step", Step(1, json::object{{"role", "pope"}}), user, bad_key);
  EXPECT_EQ(invalid_again.status, 400);
  EXPECT_EQ(invalid_again.Header("Idempotent-Replayed"), "true");

  EXPECT_EQ(Post("/api/onboarding/step", Step(1, Welcome()), user, "Idempotency-Key: has space\r\n")
                .status,
            400);
  EXPECT_EQ(Post("/api/onboarding/step", Step(1, Welcome()), user,
                 "Idempotency-Key: " + std::string(300, 'k') + "\r\n")
                .status,
            400);

  const std::string complete_key = "Idempotency-Key: complete-" + core::NewUuid() + "\r\n";
  const std::string fresh = NewUser("idem-complete");
  Reply done = Post("/api/onboarding/complete", Everything("Idem Complete"), fresh, complete_key);
  ASSERT_EQ(done.status, 200) << done.body;
  Reply replay = Post("/api/onboarding/complete", Everything("Idem Complete"), fresh, complete_key);
  EXPECT_EQ(replay.Str({"message"}), "Onboarding completed successfully");
  EXPECT_EQ(replay.Str({"company_id"}), done.Str({"company_id"}));
  EXPECT_EQ(Organizations(fresh), 1);
}

}  // namespace
}  // namespace onboardd::onboarding
