// The onboarding API over real sockets, against real PostgreSQL as the app role, for the
// integration tests of src/onboarding: a Router with every onboarding route, a Server on port
// 0 in this process with one db::Pool per server thread (db::Pools, handed to the routes as
// the app does), and a test authenticator ("Authorization: Bearer test:<user>", name
// "Test <user>", email "<user>@example.com"). Database facts are checked as the superuser
// (DATABASE_SUPERUSER_URL), which bypasses RLS.
//
// Use: derive a fixture from OnboardingApiServer; the server starts once per test suite.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.hpp"
#include "core/ids.hpp"
#include "db/pg_pool.hpp"
#include "http/server.hpp"
#include "observability/metrics.hpp"
#include "onboarding/onboarding_routes.hpp"
#include "onboarding/session_routes.hpp"
#include "support/db_harness.hpp"
#include "support/raw_http.hpp"

namespace onboardd::testing {

// One HTTP answer, with its JSON parsed (null when the body is not JSON).
struct ApiReply {
  int status = 0;
  std::string head;
  std::string body;
  boost::json::value json;

  // The first header of that name (case-insensitive), or "".
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
  // The member at `path` (object keys), or null.
  const boost::json::value& At(std::initializer_list<std::string_view> path) const {
    static const boost::json::value kNull;
    const boost::json::value* v = &json;
    for (auto key : path) {
      if (!v->is_object() || !v->as_object().contains(key)) return kNull;
      v = &v->as_object().at(key);
    }
    return *v;
  }
  bool Has(std::initializer_list<std::string_view> path) const {
    const boost::json::value* v = &json;
    for (auto key : path) {
      if (!v->is_object() || !v->as_object().contains(key)) return false;
      v = &v->as_object().at(key);
    }
    return true;
  }
  std::string Str(std::initializer_list<std::string_view> path) const {
    const boost::json::value& v = At(path);
    return v.is_string() ? std::string(v.as_string()) : "";
  }
  // Every details[].path of an error envelope.
  std::vector<std::string> DetailPaths() const {
    std::vector<std::string> out;
    const boost::json::value& d = At({"details"});
    if (!d.is_array()) return out;
    for (const auto& e : d.as_array()) out.emplace_back(e.as_object().at("path").as_string());
    return out;
  }
};

inline bool Contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// The test servers' authentication: "Authorization: Bearer test:<user>" is user <user>
// (email <user>@example.com); anything else is 401.
inline boost::asio::awaitable<core::Result<http::Principal>> TestAuthenticate(
    std::string authorization, std::string /*cookie*/) {
  constexpr std::string_view kPrefix = "Bearer test:";
  if (!authorization.starts_with(kPrefix) || authorization.size() == kPrefix.size()) {
    co_return core::MakeError(core::ErrorCode::kUnauthenticated);
  }
  std::string user = authorization.substr(kPrefix.size());
  co_return http::Principal{user, user + "@example.com", "Test " + user};
}

class OnboardingApiServer : public ::testing::Test {
 protected:
  static constexpr int kThreads = 2;
  // SESSION_TTL_HOURS of this server: not the database's 7-day default, so that a test can
  // tell that the setting reached the SQL.
  static constexpr std::chrono::hours kSessionTtl{48};

  static void SetUpTestSuite() {
    using namespace std::chrono_literals;
    namespace asio = boost::asio;
    app_url_ = RequireEnv("DATABASE_URL");
    super_url_ = RequireEnv("DATABASE_SUPERUSER_URL");
    auto snapshot = catalog::LoadBundled();
    ASSERT_TRUE(snapshot.has_value());
    catalog_ = std::make_shared<catalog::Catalog>(std::move(*snapshot));
    pools_ = std::make_shared<db::Pools>(kThreads);
    router_ = new http::Router();
    const onboarding::Dependencies deps{catalog_, pools_, kSessionTtl};
    onboarding::RegisterRoutes(*router_, deps);
    onboarding::RegisterSessionRoutes(*router_, deps);
    if (extra_routes_) extra_routes_(*router_);
    router_->SetAuthenticate(TestAuthenticate);
    http::ServerOptions options;
    options.port = 0;
    options.threads = kThreads;
    options.access_log = false;
    options.request_deadline = 20s;
    server_ = new http::Server(options, *router_);
    server_->OnThreadStart([](int index, asio::io_context& io) {
      db::PoolOptions pool_options;
      pool_options.conninfo = app_url_;
      pool_options.connections = 4;
      pool_options.use_prepared = PreparedStatementsFromEnv();
      // As the app does: this thread accepts only once its pool has connected.
      auto started =
          asio::co_spawn(io, pools_->Emplace(index, io, pool_options).Start(), asio::use_future);
      http::RunUntilReady(io, started);
    });
    server_->OnThreadStop([](int index) { pools_->Reset(index); });
    server_->Listen();
    port_ = server_->port();
    runner_ = new std::thread([] { server_->Run(); });
    db::PoolOptions super;
    super.conninfo = super_url_;
    super.connections = 1;
    super.use_prepared = false;
    super_ = new PoolHarness(super);
  }

  static void TearDownTestSuite() {
    server_->Stop();
    runner_->join();
    delete runner_;
    delete server_;
    delete router_;
    delete super_;
  }

  static ApiReply Call(std::string method, std::string path, std::string body, std::string user,
                       std::string extra_headers = "") {
    RawConnection c(port_);
    std::string request = method + " " + path + " HTTP/1.1\r\nHost: t\r\n";
    if (!user.empty()) request += "Authorization: Bearer test:" + user + "\r\n";
    request += extra_headers;
    request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n\r\n" + body;
    ApiReply reply;
    if (!c.Send(request)) return reply;
    std::string raw = c.ReadResponses(1, std::chrono::seconds(30));
    reply.status = StatusOf(raw);
    auto end = raw.find("\r\n\r\n");
    if (end == std::string::npos) return reply;
    reply.head = raw.substr(0, end);
    reply.body = raw.substr(end + 4);
    boost::system::error_code ec;
    reply.json = boost::json::parse(reply.body, ec);
    return reply;
  }
  static ApiReply Post(std::string path, const boost::json::value& body, std::string user,
                       std::string extra_headers = "") {
    return Call("POST", std::move(path), boost::json::serialize(body), std::move(user),
                std::move(extra_headers));
  }
  static ApiReply Put(std::string path, const boost::json::value& body, std::string user,
                      std::string extra_headers = "") {
    return Call("PUT", std::move(path), boost::json::serialize(body), std::move(user),
                std::move(extra_headers));
  }
  static ApiReply Get(std::string path, std::string user, std::string extra_headers = "") {
    return Call("GET", std::move(path), "", std::move(user), std::move(extra_headers));
  }

  // The first cell of `sql` run as the superuser; $1 is `arg`.
  static std::string Scalar(const std::string& sql, std::string arg = "") {
    return testing::Scalar(*super_, sql, std::move(arg));
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

  // Routes of another feature to serve too (set before SetUpTestSuite runs, e.g. by a derived
  // fixture's own SetUpTestSuite): they get the same catalog and pools.
  static inline std::function<void(http::Router&)> extra_routes_;
  static inline std::string app_url_, super_url_;
  static inline std::shared_ptr<catalog::Catalog> catalog_;
  static inline std::shared_ptr<db::Pools> pools_;
  static inline http::Router* router_ = nullptr;
  static inline http::Server* server_ = nullptr;
  static inline std::thread* runner_ = nullptr;
  static inline PoolHarness* super_ = nullptr;
  static inline unsigned short port_ = 0;
};

}  // namespace onboardd::testing
