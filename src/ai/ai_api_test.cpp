// The AI routes over real sockets, against real PostgreSQL as the app role, with a local
// OpenAI-compatible fake upstream (tests/support/fake_http_server.hpp). Each test starts its
// own server (a Router with the AI and session routes, a Server on port 0 with two I/O
// threads and a db::Pool each, as onboarding_api_server.hpp does) and its own fake, so a
// breaker opened or an answer cached by one test never leaks into another. Database facts are
// read as the superuser.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>

#include "ai/ai_routes.hpp"
#include "ai/openai_provider.hpp"
#include "observability/metrics.hpp"
#include "support/fake_http_server.hpp"
#include "support/onboarding_api_server.hpp"

namespace onboardd::ai {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using testing::ApiReply;

constexpr std::string_view kPath = "/v1/chat/completions";
// The AI deadline in these tests: long enough that a busy 2-core machine never misses it on a
// good answer, short enough that the past-deadline test stays quick.
constexpr auto kTimeout = 1000ms;

// A chat completion whose content is `content`, with token usage.
std::string Completion(std::string_view content, int tokens_in = 321, int tokens_out = 123) {
  return json::serialize(json::object{
      {"id", "chatcmpl-1"},
      {"model", "gpt-4o-mini-2024-07-18"},
      {"choices", json::array{json::object{
                      {"index", 0},
                      {"message", json::object{{"role", "assistant"}, {"content", content}}},
                      {"finish_reason", "stop"}}}},
      {"usage", json::object{{"prompt_tokens", tokens_in}, {"completion_tokens", tokens_out}}}});
}

std::string Analysis(std::string_view id, int confidence, std::string_view alternatives = "[]") {
  return std::string(R"({"industry": {"id": ")") + std::string(id) + R"(", "confidence": )" +
         std::to_string(confidence) + R"(, "rationale": "del modelo"}, "alternatives": )" +
         std::string(alternatives) +
         R"(, "insights": {"market_trends": ["IA"], "competitive_landscape": "fragmentado",
             "growth_opportunities": ["UE"], "potential_challenges": ["talento"]},
             "okrs": [{"objective": "Crecer", "key_results": ["+20% MRR"], "category": "growth",
             "priority": "high", "rationale": "r"}]})";
}

bool IsUuid(const json::value& v) { return v.is_string() && core::IsUuid(v.as_string()); }

struct ServerOptions {
  std::string base_url;  // empty: rules only
  std::string fallback_model;
};

class AiApiTest : public ::testing::Test {
 protected:
  static constexpr int kThreads = 2;

  static void SetUpTestSuite() {
    app_url_ = testing::RequireEnv("DATABASE_URL");
    db::PoolOptions super;
    super.conninfo = testing::RequireEnv("DATABASE_SUPERUSER_URL");
    super.connections = 1;
    super.use_prepared = false;
    super_ = new testing::PoolHarness(super);
    catalog_ = std::make_shared<catalog::Catalog>(*catalog::LoadBundled());
  }
  static void TearDownTestSuite() { delete super_; }

  void SetUp() override {
    upstream_ = std::make_unique<test::FakeHttpServer>();
    Start({upstream_->Url("/v1")});
  }
  void TearDown() override { Stop(); }

  void Start(ServerOptions options) {
    auto client = std::make_shared<const http_client::Client>();
    std::shared_ptr<const Provider> provider;
    if (!options.base_url.empty()) {
      provider = std::make_shared<OpenAiProvider>(
          client,
          OpenAiOptions{options.base_url, "test-key", "gpt-4o-mini", options.fallback_model});
    }
    AssistantOptions ai;
    ai.timeout = kTimeout;
    ai.breaker = {.failure_threshold = 3, .cool_down = 300ms};
    assistant_ =
        std::make_shared<Assistant>(provider, std::make_shared<InProcessResponseCache>(), ai);
    pools_ = std::make_shared<db::Pools>(kThreads);
    router_ = std::make_unique<http::Router>();
    RegisterAiRoutes(*router_, Dependencies{catalog_, pools_, assistant_,
                                            std::make_shared<InProcessQuotaCounter>()});
    onboarding::RegisterSessionRoutes(*router_, onboarding::Dependencies{catalog_, pools_});
    router_->SetAuthenticate(testing::TestAuthenticate);
    http::ServerOptions server_options;
    server_options.port = 0;
    server_options.threads = kThreads;
    server_options.access_log = false;
    server_options.request_deadline = 20s;
    server_ = std::make_unique<http::Server>(server_options, *router_);
    auto pools = pools_;
    const std::string url = app_url_;
    server_->OnThreadStart([pools, url](int index, asio::io_context& io) {
      db::PoolOptions pool_options;
      pool_options.conninfo = url;
      pool_options.connections = 2;
      pool_options.use_prepared = testing::PreparedStatementsFromEnv();
      // As the app does: this thread accepts only once its pool has connected.
      auto started =
          asio::co_spawn(io, pools->Emplace(index, io, pool_options).Start(), asio::use_future);
      http::RunUntilReady(io, started);
    });
    server_->OnThreadStop([pools](int index) { pools->Reset(index); });
    server_->Listen();
    port_ = server_->port();
    runner_ = std::thread([this] { server_->Run(); });
  }

  void Stop() {
    if (!server_) return;
    server_->Stop();
    runner_.join();
    server_.reset();
    router_.reset();
  }

  // A server whose provider is `options` instead (the default one is stopped).
  void Restart(ServerOptions options) {
    Stop();
    Start(std::move(options));
  }

  ApiReply Call(std::string method, std::string path, std::string body, std::string user,
                std::string extra_headers = "") {
    testing::RawConnection c(port_);
    std::string request = method + " " + path + " HTTP/1.1\r\nHost: t\r\n";
    if (!user.empty()) request += "Authorization: Bearer test:" + user + "\r\n";
    request += extra_headers;
    request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n\r\n" + body;
    ApiReply reply;
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
  ApiReply Post(std::string path, const json::value& body, std::string user) {
    return Call("POST", std::move(path), json::serialize(body), std::move(user));
  }
  ApiReply Put(std::string path, const json::value& body, std::string user) {
    return Call("PUT", std::move(path), json::serialize(body), std::move(user));
  }
  ApiReply Get(std::string path, std::string user) {
    return Call("GET", std::move(path), "", std::move(user));
  }
  ApiReply Suggest(const std::string& user, std::string company = "Acme",
                   std::string description = "Plataforma SaaS de software") {
    return Post("/api/onboarding/ai/suggest",
                json::object{{"company_name", company}, {"description", description}}, user);
  }

  void Answer(std::string_view content, int status = 200) {
    upstream_->SetResponse(std::string(kPath), status,
                           status == 200 ? Completion(content) : std::string(content));
  }
  int UpstreamCalls() const { return upstream_->RequestCount(std::string(kPath)); }

  static std::string Scalar(const std::string& sql, std::string arg = "") {
    return testing::Scalar(*super_, sql, std::move(arg));
  }
  static int Count(const std::string& sql, std::string arg) {
    return std::atoi(Scalar(sql, std::move(arg)).c_str());
  }
  static std::string NewUser(std::string_view name) {
    return "ai-" + std::string(name) + "-" + core::NewUuid().substr(0, 8);
  }
  static std::uint64_t RoundTrips() {
    return observability::Metrics()
        .GetCounter("onboardd_db_round_trips_total",
                    "Pipelines sent to PostgreSQL (one network round trip each).")
        .Value();
  }
  std::string StartSession(const std::string& user) {
    ApiReply started = Post("/api/onboarding/start", json::object{}, user);
    EXPECT_EQ(started.status, 201) << started.body;
    return started.Str({"session", "id"});
  }
  void DisableAi(const std::string& user) {
    ASSERT_EQ(Put("/api/ai/preferences", json::object{{"enabled", false}}, user).status, 200);
  }

  static inline std::string app_url_;
  static inline testing::PoolHarness* super_ = nullptr;
  static inline std::shared_ptr<catalog::Catalog> catalog_;

  std::unique_ptr<test::FakeHttpServer> upstream_;
  std::shared_ptr<Assistant> assistant_;
  std::shared_ptr<db::Pools> pools_;
  std::unique_ptr<http::Router> router_;
  std::unique_ptr<http::Server> server_;
  std::thread runner_;
  unsigned short port_ = 0;
};

// --- the provider answers -------------------------------------------------------------------

TEST_F(AiApiTest, AGoodModelAnswerIsServedRecordedPricedAndThenCached) {
  Answer(Analysis("finance", 88, R"([{"id": "technology", "confidence": 60, "rationale": "x"}])"));
  const std::string user = NewUser("good");
  ApiReply r = Suggest(user);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.At({"success"}), json::value(true));
  EXPECT_EQ(r.Str({"suggested_industry", "id"}), "finance");
  EXPECT_EQ(r.Str({"suggested_industry", "name"}), "Finanzas");
  EXPECT_EQ(r.At({"suggested_industry", "confidence"}), 88);
  EXPECT_TRUE(IsUuid(r.At({"suggested_industry", "suggestion_id"})));
  EXPECT_EQ(r.At({"alternatives"}).as_array().size(), 1u);
  EXPECT_TRUE(IsUuid(r.At({"alternatives"}).at(0).at("suggestion_id")));
  EXPECT_EQ(r.At({"business_insights", "market_trends"}).at(0), "IA");
  EXPECT_TRUE(IsUuid(r.At({"okr_suggestions"}).at(0).at("suggestion_id")));
  EXPECT_EQ(r.Str({"ai", "provider"}), "openai");
  EXPECT_EQ(r.Str({"ai", "outcome"}), "success");
  EXPECT_EQ(r.Str({"ai", "prompt_version"}), "2.0.0");
  EXPECT_EQ(r.Header("X-RateLimit-Remaining"), "19");

  // What the upstream received: one POST with the key, the model, the strict schema and the
  // company in the prompt.
  ASSERT_EQ(UpstreamCalls(), 1);
  const test::RecordedRequest sent = upstream_->Requests().back();
  EXPECT_EQ(sent.method, "POST");
  bool bearer = false;
  for (const auto& [name, value] : sent.headers)
    bearer |= name == "Authorization" && value == "Bearer test-key";
  EXPECT_TRUE(bearer);
  json::value body = json::parse(sent.body);
  EXPECT_EQ(body.at("model"), "gpt-4o-mini");
  EXPECT_EQ(body.at("response_format").at("type"), "json_schema");
  EXPECT_NE(std::string(body.at("messages").at(1).at("content").as_string()).find("Acme"),
            std::string::npos);

  // The interaction and its three suggestions, as PostgreSQL has them.
  const std::string id = r.Str({"ai", "interaction_id"});
  EXPECT_EQ(
      Scalar("select concat_ws('|', user_id, feature, provider, model, prompt_version, cached, "
             "tokens_in, tokens_out, cost_usd, outcome) from ai_interactions where id = $1::uuid",
             id),
      user + "|suggest|openai|gpt-4o-mini|2.0.0|f|321|123|0.000122|success");
  EXPECT_EQ(Count("select count(*) from ai_suggestions where interaction_id = $1::uuid", id), 3);
  EXPECT_EQ(Scalar("select suggested_value #>> '{}' from ai_suggestions where id = $1::uuid",
                   r.Str({"suggested_industry", "suggestion_id"})),
            "finance");

  // The same question again (other spacing): from the cache, no second upstream call.
  ApiReply again = Suggest(user, " Acme ", "Plataforma   SaaS de software");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.Str({"ai", "outcome"}), "cached");
  EXPECT_EQ(again.At({"ai", "cached"}), json::value(true));
  EXPECT_EQ(again.Str({"suggested_industry", "id"}), "finance");
  EXPECT_NE(again.Str({"suggested_industry", "suggestion_id"}),
            r.Str({"suggested_industry", "suggestion_id"}));
  EXPECT_EQ(UpstreamCalls(), 1);
  EXPECT_EQ(Scalar("select cached::text || cost_usd from ai_interactions where id = $1::uuid",
                   again.Str({"ai", "interaction_id"})),
            "true0.000000");
}

TEST_F(AiApiTest, InventedIdsAreReplacedByRealOnes) {
  Answer(Analysis("spaceships", 90,
                  R"([{"id": "asteroid_mining", "confidence": 50, "rationale": "x"}])"));
  ApiReply r = Suggest(NewUser("invented"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Str({"ai", "outcome"}), "success");
  EXPECT_EQ(r.Str({"suggested_industry", "id"}), "technology");  // the rules' pick for the text
  EXPECT_EQ(r.At({"suggested_industry", "confidence"}), 70);     // max(50, 90 − 20)
  EXPECT_TRUE(r.At({"alternatives"}).as_array().empty());
}

// --- every failure: 200 from the rules -------------------------------------------------------

TEST_F(AiApiTest, MalformedOutputFallsBackAfterTheFallbackModel) {
  Restart({upstream_->Url("/v1"), "gpt-4o"});
  Answer("Claro, aquí tienes: {\"industry\": ");
  ApiReply r = Suggest(NewUser("malformed"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Str({"ai", "outcome"}), "fallback_malformed");
  EXPECT_EQ(r.Str({"suggested_industry", "id"}), "technology");
  EXPECT_EQ(r.Str({"ai", "model"}), "gpt-4o");
  ASSERT_EQ(UpstreamCalls(), 2);
  EXPECT_EQ(json::parse(upstream_->Requests()[0].body).at("model"), "gpt-4o-mini");
  EXPECT_EQ(json::parse(upstream_->Requests()[1].body).at("model"), "gpt-4o");
  // Both attempts' tokens are paid for.
  EXPECT_EQ(Scalar("select tokens_in from ai_interactions where id = $1::uuid",
                   r.Str({"ai", "interaction_id"})),
            "642");
}

TEST_F(AiApiTest, AnAnswerPastTheDeadlineIsNotAwaited) {
  Answer(Analysis("finance", 90));
  upstream_->SetDelay(kTimeout + 1000ms);
  const auto start = std::chrono::steady_clock::now();
  ApiReply r = Suggest(NewUser("slow"));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Str({"ai", "outcome"}), "fallback_timeout");
  EXPECT_EQ(r.Str({"suggested_industry", "id"}), "technology");
  EXPECT_LT(took, kTimeout + 900ms);  // not the upstream's 2 s
  EXPECT_GE(took, kTimeout - 50ms);
}

TEST_F(AiApiTest, UpstreamErrorsOpenTheBreakerWhichClosesAgain) {
  Answer(R"({"error": {"message": "boom"}})", 500);
  const std::string user = NewUser("breaker");
  for (int i = 0; i < 3; ++i) {
    ApiReply r = Suggest(user, "Acme " + std::to_string(i));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Str({"ai", "outcome"}), "fallback_upstream");
  }
  EXPECT_EQ(UpstreamCalls(), 3);
  ApiReply blocked = Suggest(user, "Acme blocked");
  ASSERT_EQ(blocked.status, 200);
  EXPECT_EQ(blocked.Str({"ai", "outcome"}), "fallback_breaker_open");
  EXPECT_EQ(UpstreamCalls(), 3) << "an open breaker sends nothing";
  ApiReply status = Get("/api/onboarding/ai/suggest", user);
  EXPECT_EQ(status.Str({"services", "ai_gateway"}), "degraded");
  EXPECT_EQ(status.Str({"breaker"}), "open");
  EXPECT_NE(
      observability::Metrics().Render().find("onboardd_ai_breaker_state{provider=\"openai\"} 1"),
      std::string::npos);

  Answer(Analysis("finance", 80));
  std::this_thread::sleep_for(350ms);  // the cool-down
  ApiReply probe = Suggest(user, "Acme probe");
  ASSERT_EQ(probe.status, 200);
  EXPECT_EQ(probe.Str({"ai", "outcome"}), "success");
  EXPECT_EQ(probe.Str({"suggested_industry", "id"}), "finance");
  EXPECT_EQ(Get("/api/onboarding/ai/suggest", user).Str({"breaker"}), "closed");
  EXPECT_EQ(
      Count("select count(*) from ai_interactions where user_id = $1 and outcome like 'fallback%'",
            user),
      4);
}

TEST_F(AiApiTest, AnEndpointThatRefusesSchemasIsAskedForJsonObjectsFromThenOn) {
  Answer(
      R"({"error": {"message": "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model."}})",
      400);
  ApiReply refused = Suggest(NewUser("schema"));
  ASSERT_EQ(refused.status, 200) << refused.body;
  EXPECT_EQ(refused.Str({"ai", "outcome"}), "fallback_upstream");
  ASSERT_EQ(UpstreamCalls(), 2);
  const auto format = [&](std::size_t i) {
    return std::string(
        json::parse(upstream_->Requests()[i].body).at("response_format").at("type").as_string());
  };
  EXPECT_EQ(format(0), "json_schema");
  EXPECT_EQ(format(1), "json_object");
  Answer(Analysis("finance", 80));
  ApiReply ok = Suggest(NewUser("schema2"), "Other Co");
  EXPECT_EQ(ok.Str({"ai", "outcome"}), "success");
  ASSERT_EQ(UpstreamCalls(), 3);
  EXPECT_EQ(format(2), "json_object") << "remembered: no second refusal to pay for";
}

TEST_F(AiApiTest, UpstreamRateLimitFallsBack) {
  Answer(R"({"error": {"message": "slow down"}})", 429);
  ApiReply r = Suggest(NewUser("upstream429"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Str({"ai", "outcome"}), "fallback_rate_limited");
}

TEST_F(AiApiTest, ARefusedConnectionFallsBack) {
  const std::string dead = upstream_->Url("/v1");
  upstream_->Stop();  // nothing listens on that port any more
  Restart({dead});
  ApiReply r = Suggest(NewUser("refused"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Str({"ai", "outcome"}), "fallback_unavailable");
  EXPECT_EQ(r.Str({"suggested_industry", "id"}), "technology");
  ApiReply complete = Post("/api/onboarding/ai/complete",
                           json::object{{"partial_data", json::object{{"employee_count", 8}}}},
                           NewUser("refused2"));
  ASSERT_EQ(complete.status, 200) << complete.body;
  EXPECT_EQ(complete.At({"completed_fields", "company_size"}), "startup");
}

// --- preferences, decisions, quotas ----------------------------------------------------------

TEST_F(AiApiTest, PreferencesRoundTripAndDisabledAiCallsNoProvider) {
  Answer(Analysis("finance", 90));
  const std::string user = NewUser("prefs");
  ApiReply defaults = Get("/api/ai/preferences", user);
  ASSERT_EQ(defaults.status, 200);
  EXPECT_EQ(defaults.At({"enabled"}), json::value(true));
  EXPECT_EQ(defaults.Str({"assistance_level"}), "moderate");
  ApiReply off = Put("/api/ai/preferences", json::object{{"enabled", false}}, user);
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(off.At({"enabled"}), json::value(false));
  EXPECT_EQ(off.Str({"assistance_level"}), "moderate");
  ApiReply level = Put("/api/ai/preferences", json::object{{"assistance_level", "minimal"}}, user);
  EXPECT_EQ(level.At({"enabled"}), json::value(false));
  EXPECT_EQ(level.Str({"assistance_level"}), "minimal");
  EXPECT_EQ(Get("/api/ai/preferences", user).Str({"assistance_level"}), "minimal");
  EXPECT_EQ(Put("/api/ai/preferences", json::object{{"enabled", "no"}}, user).DetailPaths(),
            std::vector<std::string>{"enabled"});
  EXPECT_EQ(Put("/api/ai/preferences", json::object{{"assistance_level", "max"}}, user).status,
            400);
  EXPECT_EQ(Put("/api/ai/preferences", json::object{}, user).status, 400);

  ApiReply r = Suggest(user);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Str({"ai", "provider"}), "rules");
  EXPECT_EQ(r.Str({"ai", "outcome"}), "disabled");
  EXPECT_EQ(r.Str({"suggested_industry", "id"}), "technology");
  EXPECT_EQ(r.At({"okr_suggestions"}).as_array().size(), 1u) << "minimal assistance";
  ApiReply v = Post(
      "/api/onboarding/ai/validate",
      json::object{{"step_name", "company"}, {"step_data", json::object{{"company_name", "A"}}}},
      user);
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_EQ(UpstreamCalls(), 0) << "AI off: the fake received nothing";
  EXPECT_EQ(Count("select count(*) from ai_interactions where user_id = $1 and provider = 'rules' "
                  "and outcome = 'disabled'",
                  user),
            2);
  // Switched back on, the model is asked.
  ASSERT_EQ(Put("/api/ai/preferences", json::object{{"enabled", true}}, user).status, 200);
  EXPECT_EQ(Suggest(user).Str({"ai", "outcome"}), "success");
  EXPECT_EQ(UpstreamCalls(), 1);
}

TEST_F(AiApiTest, DecisionsAreRecordedOnceAndOnlyByTheirOwner) {
  const std::string user = NewUser("decide");
  const std::string other = NewUser("intruder");
  ApiReply r = Suggest(user);
  ASSERT_EQ(r.status, 200);
  const std::string industry = r.Str({"suggested_industry", "suggestion_id"});
  const std::string okr = r.At({"okr_suggestions"}).at(0).at("suggestion_id").as_string().c_str();
  const auto decide = [&](const std::string& id, json::object body, const std::string& who) {
    return Post("/api/ai/suggestions/" + id + "/decision", body, who);
  };
  // Someone else's suggestion does not exist for them, whatever they send.
  EXPECT_EQ(decide(industry, {{"decision", "accepted"}}, other).status, 404);
  EXPECT_EQ(decide(industry, {{"decision", "modified"}, {"value", "x"}}, other).status, 404);
  EXPECT_EQ(decide(core::NewUuid(), {{"decision", "accepted"}}, user).status, 404);
  EXPECT_EQ(decide("not-a-uuid", {{"decision", "accepted"}}, user).status, 404);
  EXPECT_EQ(decide(industry, {{"decision", "maybe"}}, user).DetailPaths(),
            std::vector<std::string>{"decision"});
  EXPECT_EQ(decide(industry, {{"decision", "modified"}}, user).DetailPaths(),
            std::vector<std::string>{"value"});

  ApiReply accepted = decide(industry, {{"decision", "accepted"}}, user);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.Str({"suggestion", "decision"}), "accepted");
  EXPECT_EQ(accepted.At({"suggestion", "final_value"}), "technology");
  EXPECT_EQ(accepted.Str({"suggestion", "feature"}), "suggest");
  EXPECT_EQ(decide(industry, {{"decision", "accepted"}}, user).status, 200) << "a retry";
  EXPECT_EQ(decide(industry, {{"decision", "declined"}}, user).status, 409);

  json::object mine{{"objective", "Mi objetivo"}, {"key_results", json::array{"kr"}}};
  ApiReply modified = decide(okr, {{"decision", "modified"}, {"value", mine}}, user);
  ASSERT_EQ(modified.status, 200) << modified.body;
  EXPECT_EQ(modified.At({"suggestion", "final_value", "objective"}), "Mi objetivo");
  EXPECT_EQ(Scalar("select decision || ':' || (final_value ->> 'objective') from ai_suggestions "
                   "where id = $1::uuid",
                   okr),
            "modified:Mi objetivo");
  EXPECT_EQ(Scalar("select decision from ai_suggestions where id = $1::uuid", industry),
            "accepted");
  EXPECT_EQ(Count("select count(*) from audit_log where actor_id = $1 and action = "
                  "'ai.suggestion_decided'",
                  user),
            2);
  EXPECT_EQ(Count("select count(*) from ai_suggestions where user_id = $1 and decision is not null",
                  other),
            0);
}

TEST_F(AiApiTest, QuotasRefuseWithTheThreeHeadersAndHoldAcrossThreads) {
  Answer(Analysis("finance", 80));
  const std::string user = NewUser("quota");
  const auto before = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  // Every call opens a new connection, so the kernel spreads them over both I/O threads.
  for (int i = 0; i < 20; ++i) {
    ApiReply ok = Suggest(user);
    ASSERT_EQ(ok.status, 200) << i << ": " << ok.body;
    EXPECT_EQ(ok.Header("X-RateLimit-Remaining"), std::to_string(19 - i));
  }
  ApiReply refused = Suggest(user);
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.Str({"code"}), "RATE_LIMITED");
  EXPECT_EQ(refused.At({"success"}), json::value(false));
  EXPECT_EQ(refused.Header("X-RateLimit-Remaining"), "0");
  const long reset = std::stol(refused.Header("X-RateLimit-Reset"));
  EXPECT_GT(reset, before);
  EXPECT_LE(reset, before + 3601);
  const int retry = std::stoi(refused.Header("Retry-After"));
  EXPECT_GE(retry, 3590);
  EXPECT_LE(retry, 3600);
  EXPECT_EQ(Count("select count(*) from ai_interactions where user_id = $1", user), 20)
      << "a refused call is not an interaction";
  ApiReply status = Get("/api/onboarding/ai/suggest", user);
  EXPECT_EQ(status.At({"limits", "requests_per_hour"}), 20);
  EXPECT_EQ(status.At({"limits", "remaining"}), 0);
  EXPECT_EQ(status.At({"limits", "current_usage"}), 20);
  EXPECT_EQ(status.Header("X-RateLimit-Remaining"), "0");
  // Other features and other users have their own quota.
  EXPECT_EQ(Get("/api/onboarding/ai/complete", user).At({"rate_limit", "remaining"}), 15);
  EXPECT_EQ(Get("/api/onboarding/ai/validate", user).At({"rate_limit", "requests_per_hour"}), 30);
  EXPECT_EQ(Suggest(NewUser("quota-other")).status, 200);
  EXPECT_NE(observability::Metrics().Render().find(
                "onboardd_ai_quota_refusals_total{feature=\"suggest\"}"),
            std::string::npos);
}

// --- validate and complete ---------------------------------------------------------------------

TEST_F(AiApiTest, ValidateReviewsAStepOfTheSessionsFlow) {
  const std::string user = NewUser("validate");
  DisableAi(user);  // the rules' answer, deterministic
  const std::string session = StartSession(user);
  ApiReply r = Post("/api/onboarding/ai/validate",
                    json::object{{"session_id", session},
                                 {"step_name", "company"},
                                 {"step_data", json::object{{"company_name", "Acme"},
                                                            {"company_size", "startup"},
                                                            {"employee_count", 30},
                                                            {"description", "Software"},
                                                            {"country", "ES"}}}},
                    user);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.At({"is_valid"}), json::value(true));
  EXPECT_EQ(r.At({"validation_score"}), 100);
  EXPECT_EQ(r.At({"auto_corrections", "company_size"}), "pyme");
  EXPECT_TRUE(IsUuid(r.At({"auto_correction_ids", "company_size"})));
  EXPECT_EQ(r.At({"suggestions"}).as_array().size(), r.At({"suggestion_ids"}).as_array().size());
  EXPECT_TRUE(r.At({"next_step_hints"}).is_array());
  EXPECT_EQ(r.Str({"session_id"}), session);
  EXPECT_EQ(Scalar("select session_id::text from ai_interactions where id = $1::uuid",
                   r.Str({"ai", "interaction_id"})),
            session);

  ApiReply empty = Post("/api/onboarding/ai/validate",
                        json::object{{"session_id", session}, {"step_name", "welcome"}}, user);
  ASSERT_EQ(empty.status, 200);
  EXPECT_EQ(empty.At({"is_valid"}), json::value(false));
  EXPECT_EQ(empty.At({"validation_score"}), 0);
  EXPECT_FALSE(empty.At({"warnings"}).as_array().empty());

  ApiReply wrong_step = Post("/api/onboarding/ai/validate",
                             json::object{{"session_id", session}, {"step_name", "payment"}}, user);
  EXPECT_EQ(wrong_step.status, 400);
  EXPECT_EQ(wrong_step.DetailPaths(), std::vector<std::string>{"step_name"});
  // The wizard's "complete" step is not a step of the session's (legacy) flow.
  EXPECT_EQ(Post("/api/onboarding/ai/validate",
                 json::object{{"session_id", session}, {"step_name", "complete"}}, user)
                .status,
            400);
  const std::string other = NewUser("validate-other");
  EXPECT_EQ(Post("/api/onboarding/ai/validate",
                 json::object{{"session_id", session}, {"step_name", "company"}}, other)
                .status,
            404);
  EXPECT_EQ(Post("/api/onboarding/ai/validate",
                 json::object{{"session_id", "nope"}, {"step_name", "company"}}, user)
                .DetailPaths(),
            std::vector<std::string>{"session_id"});
  ApiReply info = Get("/api/onboarding/ai/validate?step=company", user);
  EXPECT_EQ(info.Str({"step_name"}), "company");
  EXPECT_TRUE(testing::Contains(
      [&] {
        std::vector<std::string> v;
        for (const auto& x : info.At({"available_validations"}).as_array())
          v.emplace_back(x.as_string());
        return v;
      }(),
      "size_consistency"));
  EXPECT_EQ(Get("/api/onboarding/ai/validate?step=payment", user).status, 400);
}

TEST_F(AiApiTest, CompleteInItsThreeModes) {
  const std::string user = NewUser("complete");
  DisableAi(user);
  const std::string session = StartSession(user);
  ApiReply smart = Post(
      "/api/onboarding/ai/complete",
      json::object{
          {"session_id", session},
          {"partial_data", json::object{{"employee_count", 120}, {"experience_with_okr", "none"}}},
          {"fields_to_complete", json::array{"company_size", "okr_maturity"}}},
      user);
  ASSERT_EQ(smart.status, 200) << smart.body;
  EXPECT_EQ(smart.Str({"completion_type"}), "smart_fill");
  EXPECT_EQ(smart.Str({"session_id"}), session);
  EXPECT_FALSE(smart.Str({"timestamp"}).empty());
  EXPECT_EQ(smart.At({"completed_fields", "company_size"}), "empresa");
  EXPECT_EQ(smart.At({"completed_fields", "okr_maturity"}), "beginner");
  EXPECT_EQ(smart.At({"confidence_scores", "company_size"}), 95);
  EXPECT_TRUE(smart.At({"rationale", "company_size"}).is_string());
  EXPECT_EQ(smart.At({"suggestions"}).as_array().size(), 2u);
  EXPECT_TRUE(IsUuid(smart.At({"suggestions"}).at(0).at("suggestion_id")));

  ApiReply full = Post("/api/onboarding/ai/complete",
                       json::object{{"completion_type", "full_analysis"},
                                    {"partial_data", json::object{{"company_name", "Acme"}}}},
                       user);
  ASSERT_EQ(full.status, 200) << full.body;
  EXPECT_EQ(full.At({"session_id"}), json::value(nullptr));
  EXPECT_TRUE(full.At({"completeness_score"}).is_int64());
  EXPECT_FALSE(full.At({"missing_critical_fields"}).as_array().empty());
  for (const char* key : {"recommendations", "risk_factors", "success_predictors"}) {
    EXPECT_TRUE(full.At({key}).is_array()) << key;
  }
  ApiReply plain =
      Post("/api/onboarding/ai/complete", json::object{{"completion_type", "suggestions"}}, user);
  ASSERT_EQ(plain.status, 200);
  EXPECT_TRUE(plain.At({"suggestions"}).is_array());
  EXPECT_FALSE(plain.Has({"completed_fields"}));

  EXPECT_EQ(Post("/api/onboarding/ai/complete", json::object{{"completion_type", "magic"}}, user)
                .DetailPaths(),
            std::vector<std::string>{"completion_type"});
  EXPECT_EQ(Post("/api/onboarding/ai/complete",
                 json::object{{"fields_to_complete", json::array{"company_size", "salary"}}}, user)
                .DetailPaths(),
            std::vector<std::string>{"fields_to_complete[1]"});
  EXPECT_EQ(
      Post("/api/onboarding/ai/complete", json::object{{"partial_data", "x"}}, user).DetailPaths(),
      std::vector<std::string>{"partial_data"});
  ApiReply info = Get("/api/onboarding/ai/complete", user);
  EXPECT_EQ(info.At({"rate_limit", "requests_per_hour"}), 15);
  EXPECT_EQ(info.At({"rate_limit", "remaining"}), 12);
  EXPECT_EQ(info.At({"supported_fields"}).as_array().size(), 6u);
}

TEST_F(AiApiTest, BadInputIsA400NamingTheField) {
  const std::string user = NewUser("bad");
  const auto paths = [&](json::value body) {
    ApiReply r = Post("/api/onboarding/ai/suggest", body, user);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.Str({"code"}), "VALIDATION_ERROR");
    return r.DetailPaths();
  };
  EXPECT_EQ(paths(json::object{{"company_name", std::string(256, 'a')}}),
            std::vector<std::string>{"company_name"});
  EXPECT_EQ(paths(json::object{{"company_name", 42}}), std::vector<std::string>{"company_name"});
  EXPECT_EQ(paths(json::object{{"company_name", "   "}}), std::vector<std::string>{"company_name"});
  EXPECT_EQ(paths(json::object{{"description", "x"}}), std::vector<std::string>{"company_name"});
  EXPECT_EQ(paths(json::object{{"company_name", "A"}, {"website", json::array{}}}),
            std::vector<std::string>{"website"});
  EXPECT_EQ(paths(json::array{1, 2}), std::vector<std::string>{"body"});
  // 255 characters (not bytes: ñ is two bytes) is fine.
  std::string longest;
  for (int i = 0; i < 255; ++i) longest += "ñ";
  EXPECT_EQ(Suggest(user, longest).status, 200);
  EXPECT_EQ(Call("POST", "/api/onboarding/ai/suggest", "{\"company_name\": ", user).status, 400);
  EXPECT_EQ(Get("/api/onboarding/ai/suggest", "").status, 401);
  EXPECT_EQ(UpstreamCalls(), 1) << "only the valid request reached the model";
}

// --- tenancy and cost ----------------------------------------------------------------------------

TEST_F(AiApiTest, OneUserNeverSeesAnothersInteractionsOrSuggestions) {
  const std::string alice = NewUser("alice");
  const std::string bob = NewUser("bob");
  ApiReply a = Suggest(alice);
  ASSERT_EQ(a.status, 200);
  const std::string alice_session = StartSession(alice);
  ASSERT_EQ(Put("/api/ai/preferences", json::object{{"enabled", false}}, alice).status, 200);
  // Bob cannot decide on, validate against, or complete into anything of Alice's.
  for (const auto& s : a.At({"okr_suggestions"}).as_array()) {
    EXPECT_EQ(
        Post("/api/ai/suggestions/" + std::string(s.at("suggestion_id").as_string()) + "/decision",
             json::object{{"decision", "declined"}}, bob)
            .status,
        404);
  }
  EXPECT_EQ(Post("/api/onboarding/ai/validate",
                 json::object{{"session_id", alice_session}, {"step_name", "company"}}, bob)
                .status,
            404);
  EXPECT_EQ(
      Post("/api/onboarding/ai/complete", json::object{{"session_id", alice_session}}, bob).status,
      404);
  // Alice's preferences are hers: Bob still has the defaults.
  EXPECT_EQ(Get("/api/ai/preferences", bob).At({"enabled"}), json::value(true));
  // Nothing of Bob's tries reached Alice's rows.
  EXPECT_EQ(Count("select count(*) from ai_suggestions where user_id = $1 and decision is not null",
                  alice),
            0);
  EXPECT_EQ(Count("select count(*) from ai_interactions where user_id = $1", bob), 0);
}

TEST_F(AiApiTest, TwoRoundTripsPerAiAnswerAndNoneForTheQuotaReport) {
  Answer(Analysis("finance", 80));
  const std::string user = NewUser("trips");
  Suggest(user);  // connections warm, statements prepared
  std::uint64_t before = RoundTrips();
  ASSERT_EQ(Suggest(user, "Other Co").status, 200);
  EXPECT_EQ(RoundTrips() - before, 2u) << "preferences, then the record";
  before = RoundTrips();
  ASSERT_EQ(Get("/api/onboarding/ai/suggest", user).status, 200);
  EXPECT_EQ(RoundTrips() - before, 0u);
}

TEST_F(AiApiTest, MetricsByProviderModelAndOutcome) {
  Answer(Analysis("finance", 80));
  Suggest(NewUser("metrics"));
  const std::string text = observability::Metrics().Render();
  EXPECT_NE(text.find("onboardd_ai_calls_total{feature=\"suggest\",provider=\"openai\",model=\"gpt-"
                      "4o-mini\",outcome=\"success\"}"),
            std::string::npos);
  EXPECT_NE(
      text.find(
          "onboardd_ai_tokens_total{provider=\"openai\",model=\"gpt-4o-mini\",direction=\"in\"}"),
      std::string::npos);
  EXPECT_NE(
      text.find("onboardd_ai_cost_microdollars_total{provider=\"openai\",model=\"gpt-4o-mini\"}"),
      std::string::npos);
  EXPECT_NE(text.find("onboardd_ai_cache_lookups_total{result=\"miss\"}"), std::string::npos);
  EXPECT_EQ(text.find("test-key"), std::string::npos);
}

}  // namespace
}  // namespace onboardd::ai
