// What issue 13 added to the onboarding routes, over sockets against PostgreSQL as the app
// role: Idempotency-Key replays keep their significant headers and never store image bytes;
// expired keys are purged by the periodic job; the wizard's session start and every expiry
// (a request's, the job's) write their audit rows; each step save is logged and the completion
// seals the log; the funnel counters count.
#include <gtest/gtest.h>

#include "observability/metrics.hpp"
#include "onboarding/idempotency.hpp"
#include "onboarding/onboarding_store.hpp"
#include "support/onboarding_api_server.hpp"
#include "support/onboarding_fixtures.hpp"

namespace onboardd::testing {
namespace {

namespace json = boost::json;

std::string PngDataUrl(std::size_t size) {
  std::string bytes("\x89PNG\r\n\x1a\n", 8);
  bytes.resize(size);
  for (std::size_t i = 8; i < size; ++i) bytes[i] = static_cast<char>((i * 131) & 0xff);
  return "data:image/png;base64," + Base64(bytes);
}

std::string Key(std::string_view name) {
  return "Idempotency-Key: " + std::string(name) + "-" + core::NewUuid() + "\r\n";
}

std::uint64_t CounterValue(std::string_view name, const observability::Labels& labels) {
  return observability::Metrics().GetCounter(name, "", labels).Value();
}

class OperationsApi : public OnboardingApiServer {
 protected:
  static json::object Company(std::string logo = "") {
    return {{"name", "Replay Co"},
            {"industry", "technology"},
            {"size", "startup"},
            {"logo", std::move(logo)}};
  }
  static json::object Step(int n, json::object data) {
    return {{"step", n}, {"data", std::move(data)}};
  }
  // The stored reply of (user, key) as the superuser sees it: size of the body, headers.
  static std::string Stored(const std::string& column, const std::string& user) {
    return Scalar("select " + column + " from idempotency_keys where user_id = $1", user);
  }
};

TEST_F(OperationsApi, AStepReplayKeepsItsHeadersAndStoresNoImageBytes) {
  const std::string user = NewUser("replay-step");
  const std::string logo = PngDataUrl(1'900'000);
  ASSERT_GT(logo.size(), 2'500'000u);
  const std::string key = Key("step");
  ApiReply first = Post("/api/onboarding/step", Step(2, Company(logo)), user, key);
  ASSERT_EQ(first.status, 200) << first.body.substr(0, 300);
  EXPECT_EQ(first.Str({"data", "logo"}), logo) << "the first answer echoes what was saved";
  ASSERT_FALSE(first.Header("ETag").empty());

  EXPECT_LT(std::stoll(Stored("octet_length(response_body)", user)), 4096)
      << "the stored reply holds no image bytes";
  EXPECT_EQ(Stored("response_headers::text", user),
            "[[\"ETag\", " + json::serialize(json::value(first.Header("ETag"))) + "]]")
      << "with its significant headers";

  ApiReply replay = Post("/api/onboarding/step", Step(2, Company(logo)), user, key);
  ASSERT_EQ(replay.status, 200) << replay.body.substr(0, 300);
  EXPECT_EQ(replay.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(replay.Header("ETag"), first.Header("ETag")) << "the original's version";
  EXPECT_EQ(replay.Str({"data", "logo"}), "/api/onboarding/draft/image/company/logo")
      << "the path that serves the saved image, as GET /status names it";
  EXPECT_EQ(replay.Str({"data", "name"}), "Replay Co");
  EXPECT_LT(replay.body.size(), 4096u);
  ApiReply image = Get(replay.Str({"data", "logo"}), user);
  EXPECT_EQ(image.status, 200) << "and it serves the image";
  EXPECT_EQ(image.body.size(), 1'900'000u);
}

TEST_F(OperationsApi, SessionReplaysCarryTheOriginalsHeaders) {
  const std::string user = NewUser("replay-start");
  const std::string key = Key("start");
  ApiReply first = Post("/api/onboarding/start", json::object{}, user, key);
  ASSERT_EQ(first.status, 201) << first.body;
  ApiReply replay = Post("/api/onboarding/start", json::object{}, user, key);
  ASSERT_EQ(replay.status, 201) << replay.body;
  EXPECT_EQ(replay.Header("Idempotent-Replayed"), "true");
  for (const char* header : {"ETag", "x-session-id", "x-step-number"}) {
    EXPECT_FALSE(first.Header(header).empty()) << header;
    EXPECT_EQ(replay.Header(header), first.Header(header)) << header;
  }
  EXPECT_EQ(replay.body, first.body);

  const std::string org_key = Key("organization");
  json::object organization{
      {"name", "Replayed Org"}, {"industry", "technology"}, {"size", "startup"}};
  ApiReply created = Post("/api/onboarding/organization", organization, user, org_key);
  ASSERT_EQ(created.status, 201) << created.body;
  ApiReply again = Post("/api/onboarding/organization", organization, user, org_key);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.Header("x-organization-id"), created.Header("x-organization-id"));
  EXPECT_EQ(Organizations(user), 1);
}

TEST_F(OperationsApi, ExpiredKeysArePurgedByTheJob) {
  const std::string a = NewUser("purge-a"), b = NewUser("purge-b");
  ASSERT_EQ(Post("/api/onboarding/step", Step(1, {{"role", "ceo"}}), a, Key("fresh")).status, 200);
  Scalar(
      "insert into idempotency_keys (user_id, key, route, request_hash, expires_at) "
      "select $1, 'old-' || g, 'POST /x', 'h', now() - interval '1 minute' "
      "from generate_series(1, 3) g",
      a);
  Scalar(
      "insert into idempotency_keys (user_id, key, route, request_hash, expires_at) "
      "values ($1, 'old', 'POST /x', 'h', now() - interval '1 minute')",
      b);
  db::PoolOptions options;
  options.conninfo = app_url_;  // the job runs as the app role, without identity
  options.connections = 1;
  options.use_prepared = testing::PreparedStatementsFromEnv();
  PoolHarness app(options);
  int purged = 0;
  for (int round = 0; round < 100; ++round) {  // other tests' expired keys may come first
    auto done = app.Await(onboarding::PurgeIdempotencyKeys(
        app.pool(), core::SteadyClock::now() + std::chrono::seconds(5), 1000));
    ASSERT_TRUE(done.has_value()) << done.error().message.en;
    purged += *done;
    if (*done == 0) break;
  }
  EXPECT_GE(purged, 4);
  EXPECT_EQ(
      Count("select count(*) from idempotency_keys where user_id = $1 and key like 'old%'", a), 0);
  EXPECT_EQ(Count("select count(*) from idempotency_keys where user_id = $1", b), 0);
  EXPECT_EQ(Count("select count(*) from idempotency_keys where user_id = $1", a), 1)
      << "the key that has not expired stays";
}

TEST_F(OperationsApi, SessionStartAndEveryExpiryAreAudited) {
  const std::string user = NewUser("audited");
  const auto audited = [&](const std::string& action) {
    return Count("select count(*) from audit_log where actor_id = $1 and action = '" + action + "'",
                 user);
  };
  ASSERT_EQ(Post("/api/onboarding/step", Step(1, {{"role", "ceo"}}), user).status, 200);
  EXPECT_EQ(audited("onboarding.session_started"), 1) << "the wizard's first save starts it";
  ASSERT_EQ(Post("/api/onboarding/step", Step(1, {{"role", "ceo"}}), user).status, 200);
  EXPECT_EQ(audited("onboarding.session_started"), 1) << "later saves do not";

  // A save that finds its session stale expires it (audited) and starts another.
  Scalar(
      "update onboarding_sessions set expires_at = now() - interval '1 minute' "
      "where user_id = $1",
      user);
  ASSERT_EQ(Post("/api/onboarding/step", Step(1, {{"role", "ceo"}}), user).status, 200);
  EXPECT_EQ(audited("onboarding.session_expired"), 1);
  EXPECT_EQ(Scalar("select details ->> 'by' from audit_log where actor_id = $1 and action = "
                   "'onboarding.session_expired'",
                   user),
            "request");
  EXPECT_EQ(audited("onboarding.session_started"), 2);

  // The periodic job, as the server runs it.
  Scalar(
      "update onboarding_sessions set expires_at = now() - interval '1 minute' "
      "where user_id = $1 and status = 'in_progress'",
      user);
  db::PoolOptions options;
  options.conninfo = app_url_;
  options.connections = 1;
  options.use_prepared = testing::PreparedStatementsFromEnv();
  PoolHarness app(options);
  for (int round = 0; round < 100; ++round) {
    auto done = app.Await(onboarding::ExpireStaleSessions(
        app.pool(), core::SteadyClock::now() + std::chrono::seconds(5), 1000));
    ASSERT_TRUE(done.has_value()) << done.error().message.en;
    if (*done == 0) break;
  }
  EXPECT_EQ(audited("onboarding.session_expired"), 2);
  EXPECT_EQ(Count("select count(*) from audit_log where actor_id = $1 and details ->> 'by' = "
                  "'expire_stale_sessions'",
                  user),
            1);
  EXPECT_EQ(Count("select count(*) from onboarding_sessions where user_id = $1 and status = "
                  "'in_progress'",
                  user),
            0);
}

// Issue 15: a draft save's audit row is one row of onboarding_step_saves (no chain), in the
// caller's name; the completion seals them into the organization's chain (0019).
TEST_F(OperationsApi, EachStepSaveIsLoggedInTheCallersNameAndTheCompletionSealsThem) {
  const std::string user = NewUser("step-log");
  const std::string other = NewUser("step-log-other");
  ApiReply first = Post("/api/onboarding/step", Step(1, {{"role", "ceo"}}), user);
  ApiReply second = Post("/api/onboarding/step", Step(2, Company()), user);
  ApiReply others = Post("/api/onboarding/step", Step(1, {{"role", "manager"}}), other);
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(second.status, 200) << second.body;
  ASSERT_EQ(others.status, 200) << others.body;
  EXPECT_EQ(Scalar("select string_agg(step || ' ' || request_id, ', ' order by saved_at, step) "
                   "from onboarding_step_saves where user_id = $1",
                   user),
            "1 " + first.Header("X-Request-Id") + ", 2 " + second.Header("X-Request-Id"));
  EXPECT_EQ(Scalar("select string_agg(step || ' ' || request_id, ', ') from onboarding_step_saves "
                   "where user_id = $1",
                   other),
            "1 " + others.Header("X-Request-Id"));
  EXPECT_EQ(Count("select count(*) from onboarding_step_saves v join onboarding_sessions s on "
                  "s.id = v.session_id where v.user_id = $1 and s.user_id <> v.user_id",
                  user),
            0)
      << "each save is logged against the caller's own session";
  EXPECT_EQ(
      Count("select count(*) from audit_log where actor_id = $1 and action like '%step%'", user), 0)
      << "and not in the user's chain";

  json::object data{{"welcome", json::object{{"role", "ceo"}}},
                    {"company", Company()},
                    {"organization", json::object{{"teamSize", 3}}}};
  ApiReply done = Post("/api/onboarding/complete", json::object{{"data", data}}, user);
  ASSERT_EQ(done.status, 200) << done.body;
  const std::string org = Scalar("select id from organizations where created_by = $1", user);
  ASSERT_FALSE(org.empty());
  EXPECT_EQ(Scalar("select concat_ws(' ', details -> 'stepSaves' ->> 'count', "
                   "((details -> 'stepSaves' -> 'sessions') = (select jsonb_agg(s.id) from "
                   "onboarding_sessions s where s.organization_id = a.organization_id))::text) "
                   "from audit_log a where a.organization_id = $1 and "
                   "a.action = 'onboarding.completed'",
                   org),
            "2 true")
      << "the completion's audit row seals the two saves of the session it completed";
  const std::string verify =
      "select coalesce(problem, 'ok') from onboardd_private.audit_verify_chains('org:' || $1)";
  EXPECT_EQ(Scalar(verify, org), "ok");
  // A save forged into the sealed session afterwards is found; then taken out again (behind
  // the triggers' back), so that the log is whole for the tests that check all of it.
  const std::string session = Scalar(
      "select details -> 'stepSaves' -> 'sessions' ->> 0 from audit_log where organization_id = "
      "$1::uuid and action = 'onboarding.completed'",
      org);
  Scalar(
      "insert into onboarding_step_saves (session_id, user_id, step, request_id) "
      "select $1::uuid, s.user_id, 3, 'forged' from onboarding_sessions s where s.id = $1::uuid",
      session);
  EXPECT_EQ(Scalar(verify, org), "step_saves") << "a save added to the sealed session is found";
  Scalar(
      "with off as (select set_config('session_replication_role', 'replica', true)) "
      "delete from onboarding_step_saves where session_id = $1::uuid and request_id = 'forged' "
      "and exists (select from off)",
      session);
  EXPECT_EQ(Scalar(verify, org), "ok") << "and the log is whole again";
}

TEST_F(OperationsApi, TheFunnelCountersCount) {
  const std::string user = NewUser("funnel");
  const auto started = CounterValue("onboardd_funnel_sessions_started_total", {{"api", "wizard"}});
  const auto step2 = CounterValue("onboardd_funnel_steps_saved_total", {{"step", "2"}});
  const auto completed = CounterValue("onboardd_funnel_completions_total", {{"api", "wizard"}});
  ASSERT_EQ(Post("/api/onboarding/step", Step(2, Company()), user).status, 200);
  ASSERT_EQ(Post("/api/onboarding/step", Step(2, Company()), user).status, 200);
  json::object data{{"welcome", json::object{{"role", "ceo"}}},
                    {"organization", json::object{{"teamSize", 3}}}};
  ASSERT_EQ(Post("/api/onboarding/complete", json::object{{"data", data}}, user).status, 200);
  EXPECT_EQ(CounterValue("onboardd_funnel_sessions_started_total", {{"api", "wizard"}}),
            started + 1);
  EXPECT_EQ(CounterValue("onboardd_funnel_steps_saved_total", {{"step", "2"}}), step2 + 2);
  EXPECT_EQ(CounterValue("onboardd_funnel_completions_total", {{"api", "wizard"}}), completed + 1);
}

}  // namespace
}  // namespace onboardd::testing
