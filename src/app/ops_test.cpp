// The operations side of the real binary (issue 13), against the PostgreSQL of scripts/test:
// `onboardd serve` with every secret set (database passwords, AUTH_DEV_SECRET, OPS_TOKEN,
// AI_API_KEY, an Edge Config token) and its JWKS and Edge Config on fake servers:
//   - /metrics carries every family operations reads, in valid text format;
//   - W3C traceparent: accepted (or replaced when invalid), in the access log with our span,
//     sent to the JWKS endpoint and Edge Config; the request id on every line of a request;
//   - the operator's analytics;
//   - `onboardd audit verify` passes a clean chain and names a tampered row;
//   - and last, after flows that used every secret, token and step content: no log line holds
//     any of them (and the same scan does catch one that does).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "auth/dev_token.hpp"
#include "catalog/catalog.hpp"
#include "core/ids.hpp"
#include "support/db_harness.hpp"
#include "support/fake_http_server.hpp"
#include "support/jwks_test_keys.hpp"
#include "support/log_scan.hpp"
#include "support/raw_http.hpp"
#include "support/serve_process.hpp"

extern char** environ;

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace json = boost::json;
using onboardd::test::FakeHttpServer;
using onboardd::testing::FindInLog;
using onboardd::testing::RawConnection;
using onboardd::testing::StatusOf;

// Secrets of this run: long, random, and nowhere else.
const std::string kDevSecret = "dev-secret-" + onboardd::core::NewRequestId() + "-x";
const std::string kOpsToken = "ops-token-" + onboardd::core::NewRequestId();
const std::string kAiKey = "sk-test-" + onboardd::core::NewRequestId();
const std::string kEdgeToken = "edge-token-" + onboardd::core::NewRequestId();
constexpr std::string_view kCallerTrace = "0af7651916cd43dd8448eb211c80319c";
constexpr std::string_view kCallerSpan = "b7ad6b7169203331";

using onboardd::testing::FreePort;
using onboardd::testing::ReadFile;
using onboardd::testing::Spawn;
using onboardd::testing::WaitExit;

struct Reply {
  int status = 0;
  std::string head;
  std::string body;
  json::value json;
};

// The password of a postgresql://user:password@host/... URL ("" without one).
std::string PasswordOf(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return "";
  const auto colon = url.find(':', scheme + 3);
  return colon == std::string::npos || colon > at ? "" : url.substr(colon + 1, at - colon - 1);
}

// One `onboardd audit verify` run: exit code and stdout.
std::pair<int, std::string> AuditVerify(const fs::path& dir, std::vector<std::string> extra_args) {
  std::vector<std::string> args{ONBOARDD_BIN, "audit", "verify"};
  for (auto& a : extra_args) args.push_back(std::move(a));
  pid_t pid = Spawn(args, {}, (dir / "audit.out").string(), (dir / "audit.err").string());
  int code = WaitExit(pid, 60s);
  return {code, ReadFile(dir / "audit.out") + ReadFile(dir / "audit.err")};
}

TEST(LogScan, CatchesASecretInAnyForm) {
  const std::string password = "s3cr3t p@ss/word";
  const std::string lines =
      "{\"event\":\"ok\"}\n"
      "{\"event\":\"db\",\"dsn\":\"postgresql://app:s3cr3t p@ss/word@db/x\"}\n"
      "{\"event\":\"cookie\",\"raw\":\"s3cr3t%20p%40ss%2Fword\"}\n"
      "{\"event\":\"json\",\"v\":\"s3cr3t p@ss\\/word\"}\n";
  auto found = FindInLog(lines, {password});
  ASSERT_EQ(found.size(), 2u) << "raw and percent-encoded";
  EXPECT_NE(found[0].line.find("postgresql://"), std::string::npos);
  EXPECT_TRUE(FindInLog(lines, {"\"quoted\""}).empty());
  EXPECT_EQ(FindInLog("{\"k\":\"say \\\"quoted\\\"\"}", {"say \"quoted\""}).size(), 1u)
      << "JSON-escaped";
  EXPECT_TRUE(FindInLog(lines, {"nothing-like-it"}).empty());
}

class OpsServe : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_url_ = onboardd::testing::RequireEnv("DATABASE_URL");
    owner_url_ = onboardd::testing::RequireEnv("DATABASE_OWNER_URL");
    super_url_ = onboardd::testing::RequireEnv("DATABASE_SUPERUSER_URL");
    jwks_ = new FakeHttpServer();
    jwks_->SetResponse("/jwks.json", 200, onboardd::test::JwksJson({&RsaKey()}));
    edge_ = new FakeHttpServer();
    edge_->SetResponse("/ecfg_ops/digest", 200, R"("d-1")");
    edge_->SetResponse("/ecfg_ops/items", 200,
                       std::string(onboardd::catalog::BundledCatalogJson()));
    char templ[] = "/tmp/onboardd-opstest.XXXXXX";
    dir_ = ::mkdtemp(templ);
    port_ = FreePort();
    pid_ = Spawn({ONBOARDD_BIN, "serve", "--host", "127.0.0.1", "--port", std::to_string(port_),
                  "--threads", "2"},
                 {"AUTH_JWKS_URL=" + jwks_->Url("/jwks.json"), "AUTH_DEV_SECRET=" + kDevSecret,
                  "OPS_TOKEN=" + kOpsToken, "AI_API_KEY=" + kAiKey,
                  "EDGE_CONFIG=" + edge_->Url("/ecfg_ops?token=" + kEdgeToken),
                  "EDGE_CONFIG_POLL_SECONDS=1", "LOG_LEVEL=debug", "ACCESS_LOG=true"},
                 Log().string());
    bool up = false;
    for (int i = 0; i < 200 && !up; ++i) {
      std::this_thread::sleep_for(50ms);
      up = Call("GET", "/readyz").status == 200;
    }
    ASSERT_TRUE(up) << ReadFile(Log());
  }

  static void TearDownTestSuite() {
    StopServer();
    delete jwks_;
    delete edge_;
    fs::remove_all(dir_);
  }

  static int StopServer() {
    if (pid_ <= 0) return exit_code_;
    ::kill(pid_, SIGTERM);
    exit_code_ = WaitExit(pid_, 30s);
    pid_ = -1;
    return exit_code_;
  }

  static const onboardd::test::TestKey& RsaKey() {
    static const auto key =
        onboardd::test::TestKey::Generate(onboardd::test::KeyType::kRsa2048, "ops-rsa");
    return key;
  }

  static fs::path Log() { return dir_ / "serve.log"; }

  static std::string DevToken(const std::string& sub, const std::string& email = "") {
    onboardd::auth::DevClaims claims;
    claims.sub = sub;
    claims.email = email;
    claims.name = "Persona " + sub;
    return onboardd::auth::SignDevToken(kDevSecret, claims);
  }

  static Reply Call(const std::string& method, const std::string& path,
                    const std::string& body = "", const std::string& headers = "") {
    Reply reply;
    try {
      RawConnection c(port_);
      c.Send(method + " " + path + " HTTP/1.1\r\nHost: t\r\n" + headers +
             "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n\r\n" + body);
      std::string raw = c.ReadResponses(1, 20s);
      reply.status = StatusOf(raw);
      auto end = raw.find("\r\n\r\n");
      if (end == std::string::npos) return reply;
      reply.head = raw.substr(0, end);
      reply.body = raw.substr(end + 4);
      boost::system::error_code ec;
      reply.json = json::parse(reply.body, ec);
    } catch (const std::runtime_error&) {
    }
    return reply;
  }
  static std::string Bearer(const std::string& token) {
    return "Authorization: Bearer " + token + "\r\n";
  }

  // The log's lines that are JSON objects with request_id == `request_id`.
  static std::vector<json::object> LinesOf(const std::string& request_id) {
    std::vector<json::object> out;
    std::istringstream log(ReadFile(Log()));
    for (std::string line; std::getline(log, line);) {
      boost::system::error_code ec;
      json::value v = json::parse(line, ec);
      if (ec || !v.is_object()) continue;
      const json::value* id = v.as_object().if_contains("request_id");
      if (id && id->is_string() && id->as_string() == request_id) {
        out.push_back(std::move(v.as_object()));
      }
    }
    return out;
  }

  // The superuser's session, for facts and tampering behind the triggers' back.
  static std::vector<onboardd::db::Rows> AsSuperuser(
      std::vector<std::pair<std::string, std::vector<std::string>>> statements) {
    onboardd::db::PoolOptions options;
    options.conninfo = super_url_;
    options.connections = 1;
    options.use_prepared = false;
    onboardd::testing::PoolHarness super(options);
    onboardd::db::TenantTransaction tx(onboardd::testing::Context("", false));
    for (auto& [sql, args] : statements) {
      std::vector<onboardd::db::Param> params;
      for (auto& a : args) params.emplace_back(a);
      tx.Add(onboardd::db::Statement{"ops_test", sql}, std::move(params));
    }
    auto rows = super.Commit(std::move(tx));
    EXPECT_TRUE(rows.has_value()) << rows.error().message.en;
    return rows ? std::move(*rows) : std::vector<onboardd::db::Rows>{};
  }

  static inline std::string database_url_, owner_url_, super_url_;
  static inline FakeHttpServer* jwks_ = nullptr;
  static inline FakeHttpServer* edge_ = nullptr;
  static inline fs::path dir_;
  static inline unsigned short port_ = 0;
  static inline pid_t pid_ = -1;
  static inline int exit_code_ = -1;
};

TEST_F(OpsServe, MetricsCarryEveryFamilyInTextFormat) {
  const std::string user = "ops-metrics-" + onboardd::core::NewUuid().substr(0, 8);
  const std::string auth = Bearer(DevToken(user));
  ASSERT_EQ(Call("GET", "/api/onboarding/status", "", auth).status, 200);
  ASSERT_EQ(
      Call("POST", "/api/onboarding/step", R"({"step":1,"data":{"role":"ceo"}})", auth).status,
      200);
  ASSERT_EQ(
      Call("POST", "/api/onboarding/complete",
           R"({"data":{"company":{"name":"Metrics Co","industry":"retail","size":"small"}}})", auth)
          .status,
      200);
  // One AI answer (the rules provider here), so that the AI call families have series (tokens,
  // cost and the breaker exist with a model provider: ai_api_test scrapes those).
  ASSERT_EQ(Call("POST", "/api/onboarding/ai/suggest",
                 R"({"company_name":"Metrics Co","description":"Tienda online"})", auth)
                .status,
            200);
  Reply metrics = Call("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.head.find("text/plain; version=0.0.4"), std::string::npos);
  const std::string& text = metrics.body;

  // Every line is a comment or `name{labels} value`; every family says HELP and TYPE once.
  const std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eE]+(Inf)?$)");
  std::map<std::string, int> help, type;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# HELP ")) {
      ++help[line.substr(7, line.find(' ', 7) - 7)];
    } else if (line.starts_with("# TYPE ")) {
      ++type[line.substr(7, line.find(' ', 7) - 7)];
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
    }
  }
  for (const auto& [family, n] : type) {
    EXPECT_EQ(n, 1) << family;
    EXPECT_EQ(help[family], 1) << family;
  }
  for (const char* family : {"onboardd_http_requests_total",
                             "onboardd_http_request_duration_seconds",
                             "onboardd_http_requests_in_flight",
                             "onboardd_http_connections",
                             "onboardd_db_round_trips_total",
                             "onboardd_db_pipeline_duration_seconds",
                             "onboardd_db_pool_connections",
                             "onboardd_db_pool_connections_in_use",
                             "onboardd_db_pool_waiting",
                             "onboardd_db_pool_wait_seconds",
                             "onboardd_funnel_sessions_started_total",
                             "onboardd_funnel_steps_saved_total",
                             "onboardd_funnel_completions_total",
                             "onboardd_catalog_info",
                             "onboardd_edge_config_polls_total",
                             "onboardd_build_info",
                             "onboardd_cache_requests_total",
                             "onboardd_cache_loads_total",
                             "onboardd_cache_invalidations_total",
                             "onboardd_cache_shared_ready",
                             "onboardd_ai_calls_total",
                             "onboardd_ai_call_seconds",
                             "process_cpu_seconds_total",
                             "process_resident_memory_bytes",
                             "process_open_fds",
                             "process_max_fds",
                             "process_start_time_seconds"}) {
    EXPECT_EQ(type.count(family), 1u) << family << " missing\n" << text;
  }
  for (const char* series :
       {"onboardd_http_request_duration_seconds_bucket{route=\"/api/onboarding/status\","
        "status=\"200\",le=\"+Inf\"} ",
        "onboardd_http_requests_total{route=\"/api/onboarding/step\",method=\"POST\","
        "status=\"200\"} ",
        "\nonboardd_db_pool_connections 8\n",  // 2 threads × 4 connections
        "onboardd_funnel_sessions_started_total{api=\"wizard\"} ",
        "onboardd_funnel_steps_saved_total{step=\"1\"} ",
        "onboardd_funnel_completions_total{api=\"wizard\"} "}) {
    EXPECT_NE(text.find(series), std::string::npos) << series;
  }
}

TEST_F(OpsServe, TraceparentIsAcceptedLoggedAndPropagated) {
  // An RS256 token: its key is fetched from the JWKS endpoint while serving this request.
  auto claims = onboardd::test::GoodClaims("", "");
  claims.erase("iss");
  claims.erase("aud");
  claims["sub"] = "ops-trace-user";
  const std::string token = RsaKey().Sign({}, claims);
  const std::string caller =
      "00-" + std::string(kCallerTrace) + "-" + std::string(kCallerSpan) + "-01";
  Reply traced =
      Call("GET", "/api/onboarding/status", "",
           Bearer(token) + "traceparent: " + caller + "\r\nX-Request-Id: ops-trace-1\r\n");
  ASSERT_EQ(traced.status, 200) << traced.body;

  // The JWKS endpoint saw the caller's trace with our span as its parent.
  std::string sent;
  for (const auto& request : jwks_->Requests()) {
    for (const auto& [name, value] : request.headers) {
      if (name == "traceparent" || name == "Traceparent") sent = value;
    }
  }
  ASSERT_EQ(sent.size(), 55u) << "the JWKS fetch carried a traceparent: '" << sent << "'";
  EXPECT_EQ(sent.substr(0, 36), "00-" + std::string(kCallerTrace) + "-");
  const std::string our_span = sent.substr(36, 16);
  EXPECT_NE(our_span, kCallerSpan) << "our span, not the caller's";
  EXPECT_EQ(sent.substr(52), "-01") << "the caller's flags";

  // The access log names the trace and our span; every line of the request its request id.
  std::vector<json::object> lines;
  for (int i = 0; i < 200 && lines.size() < 2; ++i) {  // access lines: out within 1 s
    lines = LinesOf("ops-trace-1");
    std::this_thread::sleep_for(20ms);
  }
  bool access = false, jwks = false;
  for (const auto& line : lines) {
    EXPECT_EQ(line.at("trace_id"), json::value(kCallerTrace)) << json::serialize(line);
    if (line.at("event") == "request") {
      access = true;
      EXPECT_EQ(line.at("span_id"), json::value(our_span));
      EXPECT_EQ(line.at("route"), "/api/onboarding/status");
    }
    if (line.at("event") == "jwks_refreshed") jwks = true;
  }
  EXPECT_TRUE(access) << "the access-log line";
  EXPECT_TRUE(jwks) << "the JWKS refresh, logged while serving the request, names it";

  // An invalid traceparent starts a new trace.
  ASSERT_EQ(Call("GET", "/healthz", "",
                 "traceparent: 00-" + std::string(32, '0') + "-" + std::string(kCallerSpan) +
                     "-01\r\nX-Request-Id: ops-trace-2\r\n")
                .status,
            200);
  std::vector<json::object> fresh;
  for (int i = 0; i < 200 && fresh.empty(); ++i) {
    fresh = LinesOf("ops-trace-2");
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(fresh.size(), 1u);
  const std::string fresh_trace(fresh[0].at("trace_id").as_string());
  EXPECT_EQ(fresh_trace.size(), 32u);
  EXPECT_NE(fresh_trace, std::string(32, '0'));

  // Each Edge Config check is a trace of its own.
  bool edge_traced = false;
  for (const auto& request : edge_->Requests()) {
    for (const auto& [name, value] : request.headers) {
      if ((name == "traceparent" || name == "Traceparent") && value.size() == 55)
        edge_traced = true;
    }
  }
  EXPECT_TRUE(edge_traced);
}

TEST_F(OpsServe, TheOperatorGetsEveryOrganizationsAnalytics) {
  Reply all =
      Call("GET", "/api/onboarding/analytics?from=2026-01-01&to=2026-12-31", "", Bearer(kOpsToken));
  if (all.status == 400) {  // a run after 2026: the same over the last 366 days
    all = Call("GET", "/api/onboarding/analytics?from=", "", Bearer(kOpsToken));
  }
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.json.at("scope").at("allOrganizations"), true);
  EXPECT_EQ(Call("GET", "/api/onboarding/analytics", "", Bearer(kOpsToken + "-not")).status, 401);
  EXPECT_EQ(Call("GET", "/api/onboarding/analytics").status, 401);
}

TEST_F(OpsServe, AuditVerifyPassesACleanChainAndNamesATamperedRow) {
  const std::string org = onboardd::core::NewUuid();
  AsSuperuser(
      {{"insert into audit_log (organization_id, actor_id, action, entity_type, "
        "entity_id) select $1::uuid, 'ops-test', 'test.row', 'test', g::text "
        "from generate_series(1, 3) g",
        {org}}});
  auto clean = AuditVerify(dir_, {"--org", org});
  EXPECT_EQ(clean.first, 0) << clean.second;
  EXPECT_NE(clean.second.find("org:" + org + "  3 rows  ok"), std::string::npos) << clean.second;

  AsSuperuser({{"select set_config('session_replication_role', 'replica', true)", {}},
               {"update audit_log set details = '{\"tampered\": true}' "
                "where organization_id = $1::uuid and chain_seq = 2",
                {org}}});
  auto tampered = AuditVerify(dir_, {"--org", org});
  EXPECT_EQ(tampered.first, 1) << tampered.second;
  EXPECT_NE(tampered.second.find("org:" + org + "  3 rows  BROKEN at seq 2"), std::string::npos)
      << tampered.second;
  EXPECT_NE(tampered.second.find("does not match its contents"), std::string::npos);
  auto everything = AuditVerify(dir_, {});
  EXPECT_EQ(everything.first, 1) << "the whole log has a broken chain";
  EXPECT_NE(everything.second.find("org:" + org + "  3 rows  BROKEN"), std::string::npos);

  // Leave the log as it was (behind the triggers' back again).
  AsSuperuser(
      {{"select set_config('session_replication_role', 'replica', true)", {}},
       {"delete from audit_log where organization_id = $1::uuid", {org}},
       {"delete from onboardd_private.audit_chain_heads where chain_key = 'org:' || $1", {org}}});
  auto gone = AuditVerify(dir_, {"--org", org});
  EXPECT_EQ(gone.first, 1) << "an organization without audit rows is reported";
  EXPECT_EQ(AuditVerify(dir_, {"--org", "nope"}).first, 2) << "usage";
}

// Last: stops the server and reads everything it wrote.
TEST_F(OpsServe, NoLogLineHoldsASecretATokenOrStepContents) {
  const std::string suffix = onboardd::core::NewUuid().substr(0, 8);
  const std::string user = "ops-secret-" + suffix;
  const std::string email = "persona.secreta." + suffix + "@example.com";
  const std::string token = DevToken(user, email);
  const std::string company = "Zebra Unicornio Ltda " + suffix;
  const std::string description = "descripcion-privada-del-paso-" + suffix;
  const std::string custom_role = "rol-secreto-" + suffix;
  const std::string auth = Bearer(token);

  json::object step1{{"step", 1},
                     {"data", json::object{{"role", "custom"}, {"customRole", custom_role}}}};
  json::object step2{{"step", 2},
                     {"data", json::object{{"name", company},
                                           {"industry", "technology"},
                                           {"size", "small"},
                                           {"description", description}}}};
  EXPECT_EQ(Call("POST", "/api/onboarding/step", json::serialize(step1), auth).status, 200);
  EXPECT_EQ(Call("POST", "/api/onboarding/step", json::serialize(step2),
                 auth + "Idempotency-Key: k-" + suffix + "\r\n")
                .status,
            200);
  EXPECT_EQ(Call("POST", "/api/onboarding/step", json::serialize(step2),
                 auth + "Idempotency-Key: k-" + suffix + "\r\n")
                .status,
            200);
  EXPECT_EQ(Call("GET", "/api/onboarding/status", "",
                 "Cookie: stack-access=" +
                     onboardd::testing::PercentEncoded("[\"x\",\"" + token + "\"]") + "\r\n")
                .status,
            200);
  EXPECT_EQ(Call("POST", "/api/onboarding/complete", R"({"data":{}})", auth).status, 200);
  EXPECT_EQ(Call("GET", "/api/onboarding/analytics", "", auth).status, 200);
  EXPECT_EQ(Call("GET", "/api/onboarding/analytics", "", Bearer(kOpsToken)).status, 200);
  // The session API with its own contents.
  const std::string other = DevToken(user + "-s", "otra." + email);
  Reply started = Call("POST", "/api/onboarding/start", "{}", Bearer(other));
  EXPECT_EQ(started.status, 201) << started.body;
  if (started.status == 201) {
    json::object progress{
        {"session_id", started.json.at("session").at("id")},
        {"step_number", 2},
        {"step_data", json::object{{"company_name", company}, {"description", description}}},
        {"completed", true}};
    EXPECT_EQ(
        Call("PUT", "/api/onboarding/progress", json::serialize(progress), Bearer(other)).status,
        200);
  }
  // Failures log too: a forged token, a wrong operator token, bad JSON, an unknown route.
  std::string forged = token;
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Call("GET", "/api/onboarding/status", "", Bearer(forged)).status, 401);
  EXPECT_EQ(Call("GET", "/api/onboarding/analytics", "", Bearer(kOpsToken + "x")).status, 401);
  EXPECT_EQ(
      Call("POST", "/api/onboarding/step", "{\"step\": 2, \"data\": {\"name\": \"" + company, auth)
          .status,
      400);
  EXPECT_EQ(Call("GET", "/nowhere/" + description).status, 404);

  ASSERT_EQ(StopServer(), 0);
  const std::string log = ReadFile(Log());
  ASSERT_GT(log.size(), 1000u);
  int lines = 0;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    ++lines;
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    EXPECT_TRUE(!ec && v.is_object()) << "every line is one JSON object: " << line;
  }
  EXPECT_GT(lines, 20);

  const auto signature = [](const std::string& jwt) { return jwt.substr(jwt.rfind('.') + 1); };
  const auto payload = [](const std::string& jwt) {
    const auto first = jwt.find('.');
    return jwt.substr(first + 1, jwt.rfind('.') - first - 1);
  };
  const std::vector<std::string> needles = {kDevSecret,
                                            kOpsToken,
                                            kAiKey,
                                            kEdgeToken,
                                            PasswordOf(database_url_),
                                            PasswordOf(owner_url_),
                                            token,
                                            signature(token),
                                            payload(token),
                                            other,
                                            signature(other),
                                            forged,
                                            email,
                                            company,
                                            description,
                                            custom_role};
  ASSERT_FALSE(PasswordOf(database_url_).empty()) << "scripts/test's app role has a password";
  for (const auto& finding : FindInLog(log, needles)) {
    ADD_FAILURE() << "a log line holds '" << finding.needle << "':\n" << finding.line;
  }
}

}  // namespace
