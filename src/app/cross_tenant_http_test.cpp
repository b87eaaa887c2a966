// A property-based cross-tenant run through HTTP, on a real `onboardd serve`: owners of
// several organizations and outsiders, each operation a random user reading the status, the
// organization list or the analytics with a random active organization (their own, a foreign
// one, none) or saving a step, from a seeded RNG. No answer may carry the id of an
// organization the caller is not a member of. Then the run is repeated with the
// organizations' SELECT policy replaced by `using (true)`, and must catch it; the policy is
// restored. Runs alone (RUN_SERIAL): other tests must never see the disabled policy.
// ONBOARDD_CROSS_TENANT_OPS sets the number of operations (default 300; ≥ 100000 for a full
// run), ONBOARDD_CROSS_TENANT_SEED the seed.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "support/db_harness.hpp"
#include "support/serve_process.hpp"
#include "support/wizard_http.hpp"

namespace {

namespace json = boost::json;
using onboardd::testing::HttpReply;
using onboardd::testing::ServeProcess;

const std::string kDevSecret = "xtenant-secret-" + onboardd::core::NewRequestId();

long EnvOr(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atol(v) : fallback;
}

// Every string in `v` that is a UUID.
void CollectUuids(const json::value& v, std::set<std::string>& out) {
  if (v.is_string()) {
    if (onboardd::core::IsUuid(v.as_string())) out.insert(std::string(v.as_string()));
  } else if (v.is_array()) {
    for (const auto& e : v.as_array()) CollectUuids(e, out);
  } else if (v.is_object()) {
    for (const auto& [k, e] : v.as_object()) CollectUuids(e, out);
  }
}

class CrossTenantHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    onboardd::db::PoolOptions options;
    options.conninfo = onboardd::testing::RequireEnv("DATABASE_SUPERUSER_URL");
    options.connections = 1;
    options.use_prepared = false;
    super_ = std::make_unique<onboardd::testing::PoolHarness>(options);
    // The policy as the migrations left it, restored after the run.
    select_policy_ = onboardd::testing::Scalar(
        *super_,
        "select qual from pg_policies where schemaname = 'public' and tablename = "
        "'organizations' and policyname = 'organizations_select_app'");
    ASSERT_FALSE(select_policy_.empty());
    serve_ = std::make_unique<ServeProcess>(
        ONBOARDD_BIN,
        std::vector<std::string>{"AUTH_DEV_SECRET=" + kDevSecret, "AUTH_JWKS_URL=", "EDGE_CONFIG=",
                                 "REDIS_URL=", "ACCESS_LOG=false", "CACHE_STATUS_LOCAL_TTL_MS=0"},
        "xtenant");
    const std::string run = "xt-" + onboardd::core::NewRequestId().substr(0, 8) + "-";
    for (int i = 0; i < 4; ++i) {
      const std::string owner = run + "owner-" + std::to_string(i);
      const std::string body = json::serialize(json::object{
          {"data", json::object{{"welcome", onboardd::testing::WelcomeData()},
                                {"company", onboardd::testing::CompanyData("Tenant " + owner)},
                                {"organization", onboardd::testing::OrganizationData()}}}});
      HttpReply r = serve_->Call("POST", "/api/onboarding/complete", body, Auth(owner));
      ASSERT_EQ(r.status, 200) << r.body;
      const std::string org(r.json.at("company_id").as_string());
      users_.push_back(owner);
      org_of_[owner] = org;
      orgs_.push_back(org);
    }
    for (int i = 0; i < 2; ++i) users_.push_back(run + "outsider-" + std::to_string(i));
  }
  void TearDown() override {
    if (!select_policy_.empty()) SetSelectPolicy(select_policy_);
  }

  static std::string Auth(const std::string& user) {
    return onboardd::testing::DevBearer(kDevSecret, user);
  }

  void SetSelectPolicy(const std::string& expression) {
    onboardd::testing::Scalar(*super_,
                              "alter policy organizations_select_app on "
                              "public.organizations using (" +
                                  expression + ")");
  }

  // `ops` random operations; returns the answers that carried a foreign organization's id
  // (each described), and fails the test on any 5xx.
  std::vector<std::string> Run(long ops, unsigned seed) {
    std::mt19937 random(seed);
    auto pick = [&](const auto& v) { return v[random() % v.size()]; };
    std::vector<std::string> leaks;
    for (long op = 0; op < ops; ++op) {
      const std::string user = pick(users_);
      const std::string own = org_of_.count(user) ? org_of_[user] : "";
      const std::string target = pick(orgs_);
      const int claim = static_cast<int>(random() % 3);  // 0 none, 1 own, 2 the target
      std::string headers = Auth(user);
      if (claim == 1 && !own.empty()) headers += "X-Organization-Id: " + own + "\r\n";
      if (claim == 2) headers += "X-Organization-Id: " + target + "\r\n";
      HttpReply r;
      switch (random() % 4) {
        case 0:
          r = serve_->Call("GET", "/api/onboarding/status", "", headers);
          break;
        case 1:
          r = serve_->Call("GET", "/api/onboarding/organization", "", headers);
          break;
        case 2:
          r = serve_->Call("GET", "/api/onboarding/analytics", "", headers);
          break;
        default:
          r = serve_->Call("POST", "/api/onboarding/step",
                           onboardd::testing::StepBody(
                               2, onboardd::testing::CompanyData("Op " + std::to_string(op))),
                           headers);
      }
      EXPECT_TRUE(r.status >= 200 && r.status < 500) << r.status << " " << r.body;
      std::set<std::string> seen;
      CollectUuids(r.json, seen);
      for (const auto& org : orgs_) {
        if (org != own && seen.count(org)) {
          leaks.push_back("op " + std::to_string(op) + ": " + user + " saw " + org + ": " +
                          r.body.substr(0, 300));
        }
      }
    }
    return leaks;
  }

  std::unique_ptr<onboardd::testing::PoolHarness> super_;
  std::string select_policy_;  // organizations_select_app as found, restored in TearDown
  std::unique_ptr<ServeProcess> serve_;
  std::vector<std::string> users_, orgs_;
  std::map<std::string, std::string> org_of_;
};

TEST_F(CrossTenantHttp, NoAnswerCarriesAForeignOrganizationAndADisabledPolicyIsCaught) {
  const long ops = EnvOr("ONBOARDD_CROSS_TENANT_OPS", 300);
  const auto seed = static_cast<unsigned>(EnvOr("ONBOARDD_CROSS_TENANT_SEED", 20261203));
  RecordProperty("ops", static_cast<int>(ops));
  RecordProperty("seed", static_cast<int>(seed));
  const auto leaks = Run(ops, seed);
  EXPECT_TRUE(leaks.empty()) << leaks.size() << " leaks, first: " << leaks.front();

  // The same property must catch a policy that lets every organization through.
  SetSelectPolicy("true");
  const auto caught = Run(std::min(ops, 300L), seed);
  SetSelectPolicy(select_policy_);
  EXPECT_FALSE(caught.empty()) << "the run did not notice organizations_select_app disabled";
  RecordProperty("leaks_with_policy_disabled", static_cast<int>(caught.size()));
}

}  // namespace
