// GET /status through the cache (SPEC §6, issue 11), on real processes: two `onboardd serve`
// instances on one database and one private redis-server. A write on either instance is
// seen at once by a status read on the other; Redis stopped, paused (SIGSTOP), flushed or
// restarted costs no user-visible error, and once it is back the cache is used again
// without restarting onboardd. Needs DATABASE_URL and DATABASE_SUPERUSER_URL (scripts/test).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "auth/dev_token.hpp"
#include "core/ids.hpp"
#include "support/db_harness.hpp"
#include "support/redis_server.hpp"
#include "support/serve_process.hpp"

namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using onboardd::test::RedisServerProcess;
using onboardd::testing::HttpReply;
using onboardd::testing::ServeProcess;

const std::string kDevSecret = "status-cache-secret-" + onboardd::core::NewRequestId();

json::object Welcome() {
  return {{"role", "ceo"},
          {"customRole", ""},
          {"experienceLevel", "intermediate"},
          {"hasSeenWelcome", true}};
}
json::object Company(std::string name) {
  return {{"name", std::move(name)},
          {"industry", "technology"},
          {"size", "startup"},
          {"description", ""},
          {"logo", ""}};
}
std::string StepBody(int step, json::object data) {
  return json::serialize(json::object{{"step", step}, {"data", std::move(data)}});
}

class StatusCacheServe : public ::testing::Test {
 protected:
  void SetUp() override {
    database_url_ = onboardd::testing::RequireEnv("DATABASE_URL");
    super_url_ = onboardd::testing::RequireEnv("DATABASE_SUPERUSER_URL");
    ASSERT_FALSE(database_url_.empty());
    redis_ = std::make_unique<RedisServerProcess>();
  }

  std::unique_ptr<ServeProcess> Serve(const std::string& tag, std::string redis_url) {
    return std::make_unique<ServeProcess>(
        ONBOARDD_BIN,
        std::vector<std::string>{"REDIS_URL=" + redis_url, "AUTH_DEV_SECRET=" + kDevSecret,
                                 "AUTH_JWKS_URL=", "EDGE_CONFIG=", "ACCESS_LOG=false",
                                 "REDIS_COMMAND_TIMEOUT_MS=100", "REDIS_CONNECT_TIMEOUT_MS=200"},
        tag);
  }

  static std::string Auth(const std::string& user) {
    onboardd::auth::DevClaims claims;
    claims.sub = user;
    claims.email = user + "@example.com";
    claims.name = "Persona " + user;
    return "Authorization: Bearer " + onboardd::auth::SignDevToken(kDevSecret, claims) + "\r\n";
  }

  static std::string NewUser(const std::string& tag) {
    return "cache-" + tag + "-" + onboardd::core::NewRequestId();
  }

  // GET /status, which must answer 200.
  static json::object Status(const ServeProcess& server, const std::string& user,
                             const std::string& extra_headers = "") {
    HttpReply r = server.Call("GET", "/api/onboarding/status", "", Auth(user) + extra_headers);
    EXPECT_EQ(r.status, 200) << r.head << "\n" << r.body;
    return r.json.is_object() ? r.json.as_object() : json::object{};
  }
  static bool FromCache(const json::object& status) {
    const json::value* m = status.if_contains("metadata");
    return m && m->is_object() && m->as_object().contains("fromCache") &&
           m->at("fromCache") == json::value(true);
  }
  static json::value At(const json::object& o, std::initializer_list<std::string_view> path) {
    json::value v = o;
    for (auto key : path) {
      if (!v.is_object() || !v.as_object().contains(key)) return nullptr;
      v = v.at(key);
    }
    return v;
  }

  // Reads the status until it comes from the cache (the subscriber connects in the
  // background after start-up or after Redis comes back); false if it never does in 10 s.
  static bool CachedWithin(const ServeProcess& server, const std::string& user) {
    for (int i = 0; i < 200; ++i) {
      if (FromCache(Status(server, user))) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  static void SaveStep(const ServeProcess& server, const std::string& user, int step,
                       json::object data) {
    HttpReply r =
        server.Call("POST", "/api/onboarding/step", StepBody(step, std::move(data)), Auth(user));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  void Superuser(const std::string& sql) {
    const std::string command =
        "psql -X -q -v ON_ERROR_STOP=1 '" + super_url_ + "' -c \"" + sql + "\" >/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << sql;
  }

  std::string database_url_, super_url_;
  std::unique_ptr<RedisServerProcess> redis_;
};

TEST_F(StatusCacheServe, AWriteOnOneInstanceIsSeenAtOnceOnTheOther) {
  auto a = Serve("a", redis_->Url());
  auto b = Serve("b", redis_->Url());
  const std::string user = NewUser("two");

  json::object first = Status(*a, user);
  EXPECT_EQ(At(first, {"status"}), json::value("not_started")) << json::serialize(first);
  EXPECT_FALSE(FromCache(first)) << "the first read comes from the database";
  ASSERT_TRUE(CachedWithin(*a, user)) << a->Log();
  ASSERT_TRUE(CachedWithin(*b, user)) << b->Log();

  // Alternate: write on one, read on the other at once, several times.
  SaveStep(*b, user, 1, Welcome());
  json::object after_welcome = Status(*a, user);
  EXPECT_EQ(At(after_welcome, {"status"}), json::value("in_progress"))
      << json::serialize(after_welcome);
  EXPECT_EQ(At(after_welcome, {"session", "formData", "welcome", "role"}), json::value("ceo"));
  EXPECT_FALSE(FromCache(after_welcome)) << "the write invalidated every copy";

  ASSERT_TRUE(CachedWithin(*a, user));
  ASSERT_TRUE(CachedWithin(*b, user));
  for (int round = 0; round < 5; ++round) {
    const ServeProcess& writer = round % 2 == 0 ? *a : *b;
    const ServeProcess& reader = round % 2 == 0 ? *b : *a;
    const std::string name = "Empresa " + std::to_string(round);
    SaveStep(writer, user, 2, Company(name));
    json::object seen = Status(reader, user);
    EXPECT_EQ(At(seen, {"session", "formData", "company", "name"}), json::value(name))
        << "round " << round << ": " << json::serialize(seen);
    // And the reader's cache fills again with the new rows.
    ASSERT_TRUE(CachedWithin(reader, user));
    EXPECT_EQ(At(Status(reader, user), {"session", "formData", "company", "name"}),
              json::value(name));
  }
}

TEST_F(StatusCacheServe, AnOrganizationHeaderIsAlwaysCheckedInTheDatabase) {
  auto a = Serve("hdr", redis_->Url());
  const std::string user = NewUser("hdr");
  ASSERT_TRUE(CachedWithin(*a, user));
  const std::string header = "X-Organization-Id: 6f1c1d2e-0000-4000-8000-000000000001\r\n";
  HttpReply r = a->Call("GET", "/api/onboarding/status", "", Auth(user) + header);
  EXPECT_EQ(r.status, 404) << "an organization the user is not in, even with rows cached";
}

TEST_F(StatusCacheServe, ASessionThatExpiredSinceItWasCachedIsNotShownInProgress) {
  auto a = Serve("exp", redis_->Url());
  const std::string user = NewUser("exp");
  SaveStep(*a, user, 1, Welcome());
  // The session runs out in 2 s (set behind onboardd's back, before the status is cached).
  Superuser(
      "update onboarding_sessions set expires_at = now() + interval '2 seconds' where "
      "user_id = '" +
      user + "'");
  const auto expires = std::chrono::steady_clock::now() + 2s;
  ASSERT_TRUE(CachedWithin(*a, user));
  EXPECT_EQ(At(Status(*a, user), {"session", "status"}), json::value("in_progress"));
  // No request writes in between: only the clock changes what the status must say.
  std::this_thread::sleep_until(expires + 100ms);
  json::object status = Status(*a, user);
  EXPECT_EQ(At(status, {"session", "status"}), json::value("expired")) << json::serialize(status);
}

TEST_F(StatusCacheServe, RedisStoppedPausedFlushedOrRestartedCostsNoErrorAndIsUsedAgain) {
  auto a = Serve("faults", redis_->Url());
  const std::string user = NewUser("faults");
  SaveStep(*a, user, 1, Welcome());
  ASSERT_TRUE(CachedWithin(*a, user));

  // Stopped: answers from the database, writes still seen at once.
  redis_->Stop();
  SaveStep(*a, user, 2, Company("Sin Redis"));
  json::object down = Status(*a, user);
  EXPECT_EQ(At(down, {"session", "formData", "company", "name"}), json::value("Sin Redis"));
  EXPECT_FALSE(FromCache(Status(*a, user))) << "nothing is cached while Redis is away";

  // Back: used again, without restarting onboardd.
  redis_->Start();
  EXPECT_TRUE(CachedWithin(*a, user)) << a->Log();

  // Paused (SIGSTOP: connections open, nothing answered): still 200s with fresh data.
  redis_->Pause();
  const auto paused_at = std::chrono::steady_clock::now();
  SaveStep(*a, user, 2, Company("Redis en pausa"));
  json::object stalled = Status(*a, user);
  EXPECT_EQ(At(stalled, {"session", "formData", "company", "name"}), json::value("Redis en pausa"));
  const auto stalled_for = std::chrono::steady_clock::now() - paused_at;
  std::printf("write + status with Redis paused: %.0f ms\n",
              std::chrono::duration<double, std::milli>(stalled_for).count());
  redis_->Resume();
  EXPECT_TRUE(CachedWithin(*a, user)) << a->Log();

  // Flushed: the generations are gone; nothing stale comes back.
  SaveStep(*a, user, 2, Company("Antes del flush"));
  ASSERT_TRUE(CachedWithin(*a, user));
  redis_->Cli({"FLUSHALL"});
  SaveStep(*a, user, 2, Company("Tras el flush"));
  EXPECT_EQ(At(Status(*a, user), {"session", "formData", "company", "name"}),
            json::value("Tras el flush"));
  EXPECT_TRUE(CachedWithin(*a, user));

  // Restarted (no persistence): the same.
  redis_->Restart();
  EXPECT_EQ(At(Status(*a, user), {"session", "formData", "company", "name"}),
            json::value("Tras el flush"));
  EXPECT_TRUE(CachedWithin(*a, user)) << a->Log();
  EXPECT_EQ(a->Stop(), 0) << a->Log();
}

TEST_F(StatusCacheServe, WithoutRedisTheInstanceCachesInProcessAndStaysFresh) {
  auto a = Serve("local", "");
  const std::string user = NewUser("local");
  SaveStep(*a, user, 1, Welcome());
  ASSERT_TRUE(CachedWithin(*a, user));
  SaveStep(*a, user, 2, Company("Solo local"));
  json::object status = Status(*a, user);
  EXPECT_EQ(At(status, {"session", "formData", "company", "name"}), json::value("Solo local"));
}

}  // namespace

namespace {

// The other state instances share through the same Redis: AI quotas and the per-address limit
// of public routes.
TEST_F(StatusCacheServe, AiQuotasAndThePublicLimitAreSharedByInstances) {
  auto a = Serve("quota-a", redis_->Url());
  auto b = Serve("quota-b", redis_->Url());
  const std::string user = NewUser("quota");
  const std::string body = R"({"company_name": "Acme", "description": "Plataforma SaaS"})";
  HttpReply first = a->Call("POST", "/api/onboarding/ai/suggest", body, Auth(user));
  ASSERT_EQ(first.status, 200) << first.body;
  const int after_one = std::stoi(onboardd::testing::HeaderOf(first.head, "X-RateLimit-Remaining"));
  HttpReply second = b->Call("POST", "/api/onboarding/ai/suggest", body, Auth(user));
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(std::stoi(onboardd::testing::HeaderOf(second.head, "X-RateLimit-Remaining")),
            after_one - 1)
      << "b counted a's call";

  // public.ip (300 a minute in the bundled catalog), from 127.0.0.1, across both instances.
  // The window is a fixed minute: a boundary crossed mid-run restarts the count, so the test
  // looks for a 429 within twice the limit.
  // Counted apart, each instance would allow 300: the 601st request would be the first 429.
  bool refused = false;
  std::string refusal;
  for (int i = 0; i < 600 && !refused; ++i) {
    HttpReply r = (i % 2 == 0 ? *a : *b).Call("GET", "/api/onboarding/industries");
    refused = r.status == 429;
    if (refused) refusal = r.head + "\n" + r.body;
    if (!refused) {
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }
  EXPECT_TRUE(refused) << "no 429 within 600 requests: the limit is not shared";
  EXPECT_NE(onboardd::testing::HeaderOf(refusal, "Retry-After"), "") << refusal;
  EXPECT_NE(refusal.find("\"code\":\"RATE_LIMITED\""), std::string::npos) << refusal;
  // /healthz is not limited.
  EXPECT_EQ(a->Call("GET", "/healthz").status, 200);
}

}  // namespace
