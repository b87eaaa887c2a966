// GET /api/onboarding/analytics over sockets against PostgreSQL as the app role: who gets a
// report (an organization's admins; the operator's token) and who gets 404 (members, strangers,
// unknown organizations), 401 without credentials, 400 naming a bad date, and the numbers of
// one organization end to end.
#include <gtest/gtest.h>

#include "analytics/analytics_routes.hpp"
#include "support/onboarding_api_server.hpp"

namespace onboardd::testing {
namespace {

namespace json = boost::json;

constexpr std::string_view kOpsToken = "ops-test-token-5f0c9a2e7b1d4c3a8e6f";

class AnalyticsApi : public OnboardingApiServer {
 protected:
  static void SetUpTestSuite() {
    extra_routes_ = [](http::Router& router) {
      analytics::RegisterAnalyticsRoutes(router, {catalog_, pools_, std::string(kOpsToken)});
    };
    OnboardingApiServer::SetUpTestSuite();
    owner_ = NewUser("owner");
    admin_ = NewUser("admin");
    member_ = NewUser("member");
    stranger_ = NewUser("stranger");
    other_ = NewUser("other");
    org_ = Complete(owner_, "Analytics Co", "technology");
    other_org_ = Complete(other_, "Other Co", "finance");
    Scalar("insert into organization_members (organization_id, user_id, role) values ('" + org_ +
               "', $1, 'admin')",
           admin_);
    Scalar("insert into organization_members (organization_id, user_id, role) values ('" + org_ +
               "', $1, 'member')",
           member_);
    // The member's own session: in progress on step 2 (counted in the organization's funnel).
    Post("/api/onboarding/step", Step1(), member_);
    // A stranger's session belongs to no organization: never in org's numbers.
    Post("/api/onboarding/step", Step1(), stranger_);
  }

  static json::object Step1() { return {{"step", 1}, {"data", json::object{{"role", "manager"}}}}; }

  // Completes onboarding for `user` with the whole wizard at once; the organization's id.
  static std::string Complete(const std::string& user, std::string name, std::string industry) {
    json::object data{{"welcome", json::object{{"role", "ceo"}}},
                      {"company", json::object{{"name", std::move(name)},
                                               {"industry", std::move(industry)},
                                               {"size", "small"}}},
                      {"organization", json::object{{"teamSize", 8}, {"structure", "flat"}}}};
    ApiReply reply = Post("/api/onboarding/complete", json::object{{"data", data}}, user);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.Str({"company_id"});
  }

  static ApiReply Analytics(const std::string& user, std::string query = "",
                            std::string headers = "") {
    return Get("/api/onboarding/analytics" + query, user, std::move(headers));
  }
  static ApiReply AsOperator(std::string query = "", std::string headers = "") {
    return Call("GET", "/api/onboarding/analytics" + query, "", "",
                "Authorization: Bearer " + std::string(kOpsToken) + "\r\n" + headers);
  }
  static std::string OrgHeader(const std::string& org) {
    return "X-Organization-Id: " + org + "\r\n";
  }

  static inline std::string owner_, admin_, member_, stranger_, other_, org_, other_org_;
};

TEST_F(AnalyticsApi, AnOrganizationsOwnerGetsItsFunnel) {
  ApiReply reply = Analytics(owner_);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Str({"scope", "organizationId"}), org_) << "the primary organization";
  EXPECT_EQ(reply.At({"scope", "allOrganizations"}), false);
  // The owner's session (completed into the organization) and the member's (in progress).
  EXPECT_EQ(reply.At({"sessionsStarted"}), 2) << reply.body;
  EXPECT_EQ(reply.At({"sessionsCompleted"}), 1);
  EXPECT_EQ(reply.At({"completionRate"}).to_number<double>(), 0.5);
  EXPECT_EQ(reply.At({"range", "days"}), 30);
  const json::array& industries = reply.At({"topIndustries"}).as_array();
  ASSERT_EQ(industries.size(), 1u);
  EXPECT_EQ(industries[0].at("industry"), "technology");
  EXPECT_TRUE(industries[0].at("name").is_string());
  // The wizard's four steps: both sessions reached step 2 (the member saved step 1 and is on
  // step 2), only the completed one went further.
  const json::array& steps = reply.At({"steps"}).as_array();
  ASSERT_EQ(steps.size(), 4u) << reply.body;
  EXPECT_EQ(steps[0].at("name"), "welcome");
  EXPECT_EQ(steps[1].at("reached"), 2);
  EXPECT_EQ(steps[1].at("inProgress"), 1);
  EXPECT_EQ(steps[2].at("reached"), 1);
  EXPECT_EQ(steps[3].at("dropped"), 0);
  EXPECT_EQ(reply.Header("Cache-Control"), "private, no-store");
}

TEST_F(AnalyticsApi, AnAdminNamesTheOrganizationByHeader) {
  ApiReply by_header = Analytics(admin_, "", OrgHeader(org_));
  ASSERT_EQ(by_header.status, 200) << by_header.body;
  EXPECT_EQ(by_header.At({"sessionsStarted"}), Analytics(owner_).At({"sessionsStarted"}));
  EXPECT_EQ(Analytics(admin_).status, 404) << "no primary organization of his own";
}

TEST_F(AnalyticsApi, EveryoneElseGets404NeverForbidden) {
  struct Case {
    const char* what;
    ApiReply reply;
  };
  const Case cases[] = {
      {"a member who is not admin", Analytics(member_, "", OrgHeader(org_))},
      {"a member, primary organization", Analytics(member_)},
      {"a stranger", Analytics(stranger_)},
      {"a stranger naming the organization", Analytics(stranger_, "", OrgHeader(org_))},
      {"another organization's owner", Analytics(other_, "", OrgHeader(org_))},
      {"an unknown organization", Analytics(owner_, "", OrgHeader(core::NewUuid()))},
      {"a malformed organization id", Analytics(owner_, "", OrgHeader("not-a-uuid"))},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.reply.status, 404) << c.what << ": " << c.reply.body;
    EXPECT_EQ(c.reply.Str({"code"}), "NOT_FOUND") << c.what;
  }
}

TEST_F(AnalyticsApi, NoCredentialsIs401) {
  EXPECT_EQ(Analytics("").status, 401);
  ApiReply wrong = Call("GET", "/api/onboarding/analytics", "", "",
                        "Authorization: Bearer " + std::string(kOpsToken) + "x\r\n");
  EXPECT_EQ(wrong.status, 401) << "a token that is not the operator's and not a user's";
  EXPECT_EQ(wrong.Str({"code"}), "UNAUTHENTICATED");
}

TEST_F(AnalyticsApi, ABadDateIs400NamingTheParameter) {
  ApiReply bad_from = Analytics(owner_, "?from=yesterday");
  EXPECT_EQ(bad_from.status, 400);
  EXPECT_EQ(bad_from.Str({"code"}), "VALIDATION_ERROR");
  EXPECT_TRUE(Contains(bad_from.DetailPaths(), "from")) << bad_from.body;
  EXPECT_TRUE(Contains(Analytics(owner_, "?to=2026-02-30").DetailPaths(), "to"));
  EXPECT_TRUE(Contains(Analytics(owner_, "?from=2026-05-02&to=2026-05-01").DetailPaths(), "from"));
  EXPECT_TRUE(Contains(Analytics(owner_, "?from=2020-01-01&to=2026-01-01").DetailPaths(), "to"));
  ApiReply range = Analytics(owner_, "?from=2020-01-01&to=2020-01-31");
  ASSERT_EQ(range.status, 200);
  EXPECT_EQ(range.At({"sessionsStarted"}), 0) << "nothing started in 2020";
  EXPECT_TRUE(range.At({"completionRate"}).is_null());
}

TEST_F(AnalyticsApi, TheOperatorSeesEveryOrganizationOrAnyOne) {
  ApiReply all = AsOperator();
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.At({"scope", "allOrganizations"}), true);
  EXPECT_GE(all.At({"sessionsStarted"}).to_number<std::int64_t>(), 4)
      << "both organizations and the stranger";
  ApiReply one = AsOperator("", OrgHeader(org_));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.Str({"scope", "organizationId"}), org_);
  EXPECT_EQ(one.At({"sessionsStarted"}), Analytics(owner_).At({"sessionsStarted"}));
  EXPECT_EQ(AsOperator("", OrgHeader(core::NewUuid())).status, 404);
}

}  // namespace
}  // namespace onboardd::testing
