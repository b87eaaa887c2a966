// The onboarding API's HTTP contract, over real sockets, against real PostgreSQL as the app
// role: a Router with the onboarding routes and a Server on port 0 in this process, one
// db::Pool per server thread, and a test authenticator ("Authorization: Bearer test:<user>").
// Database facts are checked as the superuser (DATABASE_SUPERUSER_URL), which bypasses RLS.
#include "onboarding/onboarding_routes.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <future>
#include <thread>

#include "core/ids.hpp"
#include "db/pg_pool.hpp"
#include "http/server.hpp"
#include "observability/metrics.hpp"
#include "onboarding/onboarding_store.hpp"
#include "support/db_harness.hpp"
#include "support/onboarding_fixtures.hpp"
#include "support/raw_http.hpp"

namespace onboardd::onboarding {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using testing::PoolHarness;
using testing::RawConnection;
using testing::RequireEnv;
using namespace std::chrono_literals;

struct Reply {
  int status = 0;
  std::string head;
  std::string body;
  json::value json;

  std::string Header(std::string_view name) const {
    std::string lower_head, lower_name;
    for (char c : head) lower_head.push_back(static_cast<char>(std::tolower(c)));
    for (char c : name) lower_name.push_back(static_cast<char>(std::tolower(c)));
    auto at = lower_head.find("\r\n" + lower_name + ":");
    if (at == std::string::npos) return "";
    auto start = at + 2 + name.size() + 1;
    auto end = head.find("\r\n", start);
    std::string value = head.substr(start, end - start);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    return value;
  }
  const json::value& At(std::initializer_list<std::string_view> path) const {
    static const json::value kNull;
    const json::value* v = &json;
    for (auto key : path) {
      if (!v->is_object() || !v->as_object().contains(key)) return kNull;
      v = &v->as_object().at(key);
    }
    return *v;
  }
  std::string Str(std::initializer_list<std::string_view> path) const {
    const json::value& v = At(path);
    return v.is_string() ? std::string(v.as_string()) : "";
  }
  // Every details[].path of an error envelope.
  std::vector<std::string> DetailPaths() const {
    std::vector<std::string> out;
    const json::value& d = At({"details"});
    if (!d.is_array()) return out;
    for (const auto& e : d.as_array()) out.emplace_back(e.as_object().at("path").as_string());
    return out;
  }
};

bool Contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

using testing::Base64;

// A PNG-signed image of `size` bytes.
std::string PngBytes(std::size_t size) {
  std::string bytes("\x89PNG\r\n\x1a\n", 8);
  bytes.resize(size);
  for (std::size_t i = 8; i < size; ++i) bytes[i] = static_cast<char>((i * 131) & 0xff);
  return bytes;
}

class OnboardingApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    app_url_ = RequireEnv("DATABASE_URL");
    super_url_ = RequireEnv("DATABASE_SUPERUSER_URL");
    auto snapshot = catalog::LoadBundled();
    ASSERT_TRUE(snapshot.has_value());
    catalog_ = std::make_shared<catalog::Catalog>(std::move(*snapshot));
    router_ = new http::Router();
    RegisterRoutes(*router_, catalog_);
    router_->SetAuthenticate([](std::string authorization,
                                std::string) -> asio::awaitable<core::Result<http::Principal>> {
      constexpr std::string_view kPrefix = "Bearer test:";
      if (!authorization.starts_with(kPrefix) || authorization.size() == kPrefix.size()) {
        co_return core::MakeError(core::ErrorCode::kUnauthenticated);
      }
      std::string user = authorization.substr(kPrefix.size());
      co_return http::Principal{user, user + "@example.com", "Test " + user};
    });
    http::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.access_log = false;
    options.request_deadline = 20s;
    server_ = new http::Server(options, *router_);
    pools_.resize(options.threads);
    server_->OnThreadStart([](int index, asio::io_context& io) {
      db::PoolOptions pool_options;
      pool_options.conninfo = app_url_;
      pool_options.connections = 4;
      pool_options.acquire_timeout = 5s;
      pools_[index] = std::make_unique<db::Pool>(io, pool_options);
      db::Pool::SetCurrent(pools_[index].get());
      asio::co_spawn(io, pools_[index]->Start(), asio::detached);
    });
    server_->OnThreadStop([](int index) {
      pools_[index]->Shutdown();
      pools_[index].reset();
      db::Pool::SetCurrent(nullptr);
    });
    server_->Listen();
    port_ = server_->port();
    runner_ = new std::thread([] { server_->Run(); });
    db::PoolOptions super;
    super.conninfo = super_url_;
    super.connections = 1;
    super.use_prepared = false;
    super_ = new PoolHarness(super);
    // Wait until both threads' pools answer.
    for (int i = 0; i < 100; ++i) {
      int ok = 0;
      for (int j = 0; j < 4; ++j)
        ok += Call("GET", "/api/onboarding/status", "", "warmup").status == 200;
      if (ok == 4) break;
      std::this_thread::sleep_for(50ms);
    }
  }

  static void TearDownTestSuite() {
    server_->Stop();
    runner_->join();
    delete runner_;
    delete server_;
    delete router_;
    delete super_;
  }

  static Reply Call(std::string method, std::string path, std::string body, std::string user,
                    std::string extra_headers = "") {
    RawConnection c(port_);
    std::string request = method + " " + path + " HTTP/1.1\r\nHost: t\r\n";
    if (!user.empty()) request += "Authorization: Bearer test:" + user + "\r\n";
    request += extra_headers;
    request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n\r\n" + body;
    Reply reply;
    if (!c.Send(request)) return reply;
    std::string raw = c.ReadResponses(1, 30s);
    reply.status = testing::StatusOf(raw);
    auto end = raw.find("\r\n\r\n");
    if (end == std::string::npos) return reply;
    reply.head = raw.substr(0, end);
    reply.body = raw.substr(end + 4);
    boost::system::error_code ec;
    reply.json = json::parse(reply.body, ec);
    return reply;
  }
  static Reply Post(std::string path, const json::value& body, std::string user,
                    std::string extra_headers = "") {
    return Call("POST", std::move(path), json::serialize(body), std::move(user),
                std::move(extra_headers));
  }
  static Reply Get(std::string path, std::string user, std::string extra_headers = "") {
    return Call("GET", std::move(path), "", std::move(user), std::move(extra_headers));
  }

  // The first cell of `sql` run as the superuser; $1 is `arg`.
  static std::string Scalar(const std::string& sql, std::string arg = "") {
    db::TenantTransaction tx(testing::Context("", /*read_only=*/false));
    std::vector<db::Param> params;
    if (sql.find("$1") != std::string::npos) params.emplace_back(arg);
    tx.Add(db::Statement{"test_scalar", sql}, std::move(params));
    auto rows = super_->Commit(std::move(tx));
    if (!rows) {
      ADD_FAILURE() << "query failed: " << sql << ": " << rows.error().message.en;
      return "";
    }
    if ((*rows)[0].empty() || (*rows)[0].IsNull(0, 0)) return "";
    return std::string((*rows)[0].Get(0, 0));
  }
  static int Count(const std::string& sql, std::string arg) {
    return std::atoi(Scalar(sql, arg).c_str());
  }
  static int Organizations(const std::string& user) {
    return Count("select count(*) from public.organizations where created_by = $1", user);
  }
  static int Profiles(const std::string& user) {
    return Count("select count(*) from public.profiles where user_id = $1", user);
  }

  static std::uint64_t RoundTrips() {
    return observability::Metrics()
        .GetCounter("onboardd_db_round_trips_total",
                    "Pipelines sent to PostgreSQL (one network round trip each).")
        .Value();
  }

  static std::string NewUser(std::string_view name) {
    return "api-" + std::string(name) + "-" + core::NewUuid().substr(0, 8);
  }

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

  static inline std::string app_url_, super_url_;
  static inline std::shared_ptr<catalog::Catalog> catalog_;
  static inline http::Router* router_ = nullptr;
  static inline http::Server* server_ = nullptr;
  static inline std::thread* runner_ = nullptr;
  static inline std::vector<std::unique_ptr<db::Pool>> pools_;
  static inline PoolHarness* super_ = nullptr;
  static inline unsigned short port_ = 0;
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
  EXPECT_EQ(status.At({"session", "completionPercentage"}), json::value(75));
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
  EXPECT_EQ(status.At({"session", "completionPercentage"}), json::value(50));
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
  Reply bob_status = Get("/api/onboarding/status", bob, "X-Organization-Id: " + org + "\r\n");
  ASSERT_EQ(bob_status.status, 200);
  EXPECT_EQ(bob_status.Str({"status"}), "not_started");
  EXPECT_TRUE(bob_status.At({"organization"}).is_null());

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

TEST_F(OnboardingApiTest, CreateAndListOrganizations) {
  const std::string user = NewUser("orgapi");
  Reply created = Post("/api/onboarding/organization",
                       json::object{{"name", "Second Org"},
                                    {"industry", "finance"},
                                    {"size", "small"},
                                    {"logo", "https://example.com/logo.png"}},
                       user);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Str({"organization", "name"}), "Second Org");
  EXPECT_EQ(created.Str({"membership", "role"}), "owner");
  EXPECT_FALSE(created.Str({"message"}).empty());
  const std::string org = created.Str({"organization", "id"});
  EXPECT_EQ(
      Scalar("select source_url from public.organization_logos where organization_id = $1", org),
      "https://example.com/logo.png");
  Reply same_name =
      Post("/api/onboarding/organization",
           json::object{{"name", "Second Org"}, {"industry", "finance"}, {"size", "small"}}, user);
  ASSERT_EQ(same_name.status, 201) << same_name.body;
  EXPECT_NE(same_name.Str({"organization", "slug"}), created.Str({"organization", "slug"}));
  Reply list = Get("/api/onboarding/organization", user);
  EXPECT_EQ(list.At({"total"}), json::value(2));
  Reply bad = Post("/api/onboarding/organization", json::object{{"name", "Z"}}, user);
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(Contains(bad.DetailPaths(), "company.industry")) << bad.body;
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

TEST_F(OnboardingApiTest, SessionApiResumesVersionsAndRefusesStaleWrites) {
  const std::string user = NewUser("session");
  Reply started = Call("POST", "/api/onboarding/start", "", user);
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string id = started.Str({"session", "id"});
  ASSERT_TRUE(core::IsUuid(id));
  EXPECT_EQ(started.Header("ETag"), "\"1\"");
  EXPECT_EQ(started.At({"resumed"}), json::value(false));
  Reply resumed = Post("/api/onboarding/start",
                       json::object{{"context", json::object{{"source", "email"}}}}, user);
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  EXPECT_EQ(resumed.Str({"session", "id"}), id);
  EXPECT_EQ(resumed.At({"resumed"}), json::value(true));

  Reply saved = Call("PUT", "/api/onboarding/progress",
                     json::serialize(json::object{{"step", 1}, {"data", Welcome()}}), user,
                     "If-Match: \"1\"\r\n");
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.Header("ETag"), "\"2\"");
  EXPECT_EQ(saved.At({"session", "completedSteps"}), json::parse("[1]"));
  EXPECT_EQ(saved.At({"session", "currentStep"}), json::value(2));
  EXPECT_EQ(saved.At({"session", "completionPercentage"}), json::value(25));

  Reply stale = Call("PUT", "/api/onboarding/progress",
                     json::serialize(json::object{{"step", 2}, {"data", Company()}}), user,
                     "If-Match: \"1\"\r\n");
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(stale.Str({"code"}), "PRECONDITION_FAILED");
  Reply invalid =
      Call("PUT", "/api/onboarding/progress",
           json::serialize(json::object{{"step", 2}, {"data", json::object{{"name", "X"}}}}), user);
  EXPECT_EQ(invalid.status, 400);
  EXPECT_TRUE(Contains(invalid.DetailPaths(), "company.name")) << invalid.body;
  Reply partial = Call("PUT", "/api/onboarding/progress",
                       json::serialize(json::object{
                           {"step", 2}, {"data", Company("Partial")}, {"completed", false}}),
                       user);
  ASSERT_EQ(partial.status, 200) << partial.body;
  EXPECT_EQ(partial.At({"session", "currentStep"}), json::value(2)) << "not completed: no advance";
  EXPECT_EQ(partial.At({"session", "completionPercentage"}), json::value(25));

  Reply progress = Get("/api/onboarding/progress", user);
  ASSERT_EQ(progress.status, 200) << progress.body;
  ASSERT_TRUE(progress.At({"session", "steps"}).is_array());
  EXPECT_EQ(progress.At({"session", "steps"}).as_array().size(), 2u);
  const std::string etag = progress.Header("ETag");

  Reply got = Get("/api/onboarding/session/" + id, user);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.Header("ETag"), etag);
  Reply patch_stale = Call("PATCH", "/api/onboarding/session/" + id, R"({"current_step": 1})", user,
                           "If-Match: \"1\"\r\n");
  EXPECT_EQ(patch_stale.status, 412);
  Reply back = Call("PATCH", "/api/onboarding/session/" + id, R"({"current_step": 1})", user,
                    "If-Match: " + etag + "\r\n");
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(back.At({"session", "currentStep"}), json::value(1));
  Reply ahead = Call("PATCH", "/api/onboarding/session/" + id, R"({"currentStep": 4})", user);
  ASSERT_EQ(ahead.status, 200);
  EXPECT_EQ(ahead.At({"session", "currentStep"}), json::value(2))
      << "cannot jump past undone steps";

  Reply deleted = Call("DELETE", "/api/onboarding/session/" + id, "", user, "If-Match: \"1\"\r\n");
  EXPECT_EQ(deleted.status, 412);
  deleted = Call("DELETE", "/api/onboarding/session/" + id, "", user);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.Str({"session", "status"}), "abandoned");
  EXPECT_EQ(Get("/api/onboarding/status", user).Str({"status"}), "abandoned");
  Reply again = Call(
      "PUT", "/api/onboarding/progress",
      json::serialize(json::object{{"session_id", id}, {"step", 1}, {"data", Welcome()}}), user);
  EXPECT_EQ(again.status, 409) << again.body;
  Reply fresh = Post("/api/onboarding/start", json::object{{"restart", true}}, user);
  ASSERT_EQ(fresh.status, 201);
  EXPECT_NE(fresh.Str({"session", "id"}), id);
  Reply current = Get("/api/onboarding/start", user);
  EXPECT_EQ(current.Str({"session", "id"}), fresh.Str({"session", "id"}));
  EXPECT_EQ(Scalar("select string_agg(action, ',' order by chain_seq) from public.audit_log "
                   "where actor_id = $1 and action like 'onboarding.session%'",
                   user),
            "onboarding.session_started,onboarding.session_updated,onboarding.session_updated,"
            "onboarding.session_abandoned,onboarding.session_started");
}

TEST_F(OnboardingApiTest, SessionIdsOfOthersAndHostileIdsAreNotFound) {
  const std::string alice = NewUser("alice-s"), bob = NewUser("bob-s");
  Reply started = Call("POST", "/api/onboarding/start", "", alice);
  ASSERT_EQ(started.status, 201);
  const std::string id = started.Str({"session", "id"});
  std::vector<std::string> ids = {id,
                                  "1'%20or%20'1'='1",
                                  "%00",
                                  std::string(5000, 'a'),
                                  "00000000-0000-0000-0000-000000000000",
                                  "../../etc/passwd"};
  for (const std::string& probe : ids) {
    const std::string what = probe.substr(0, 40);
    for (const Reply& r :
         {Get("/api/onboarding/session/" + probe, bob),
          Call("PATCH", "/api/onboarding/session/" + probe, R"({"current_step": 1})", bob),
          Call("DELETE", "/api/onboarding/session/" + probe, "", bob),
          Get("/api/onboarding/progress?session_id=" + probe, bob),
          Get("/api/onboarding/complete?session_id=" + probe, bob),
          Call("PUT", "/api/onboarding/progress",
               json::serialize(
                   json::object{{"session_id", probe}, {"step", 1}, {"data", Welcome()}}),
               bob)}) {
      EXPECT_GE(r.status, 400) << what << ": " << r.body.substr(0, 200);
      EXPECT_LT(r.status, 500) << what << ": " << r.body.substr(0, 200);
      if (probe == id) {
        EXPECT_EQ(r.status, 404) << r.body;
      }
    }
  }
  // Alice's session is untouched by all of that.
  Reply mine = Get("/api/onboarding/session/" + id, alice);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.Str({"session", "status"}), "in_progress");
  EXPECT_EQ(mine.Header("ETag"), "\"1\"");
  EXPECT_EQ(Count("select count(*) from public.onboarding_sessions where user_id = $1", bob), 0);
}

TEST_F(OnboardingApiTest, LegacyFlowSessionValidatesWithItsOwnFields) {
  const std::string user = NewUser("legacy");
  Reply started = Post("/api/onboarding/start", json::object{{"flow", "legacy"}}, user);
  ASSERT_EQ(started.status, 201) << started.body;
  EXPECT_EQ(started.At({"session", "totalSteps"}), json::value(5));
  Reply saved = Call(
      "PUT", "/api/onboarding/progress",
      R"({"step": 2, "data": {"company_name": "Legacy SL", "industry": "retail", "company_size": "small"}})",
      user);
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.Str({"session", "formData", "company", "company_name"}), "Legacy SL");
  EXPECT_EQ(saved.At({"session", "completionPercentage"}), json::value(20));
  Reply bad = Call("PUT", "/api/onboarding/progress",
                   R"({"step": 2, "data": {"company_name": "L"}})", user);
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(Contains(bad.DetailPaths(), "company.company_name")) << bad.body;
}

TEST_F(OnboardingApiTest, IdempotencyKeyReplaysTheFirstAnswer) {
  const std::string user = NewUser("idem"), other = NewUser("idem-other");
  const std::string key = "Idempotency-Key: create-" + core::NewUuid() + "\r\n";
  const json::object body{{"name", "Idem Org"}, {"industry", "finance"}, {"size", "small"}};
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
      json::object{{"name", "Other Org"}, {"industry", "finance"}, {"size", "small"}}, user, key);
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
