// The public rate limit over real sockets: the app's route table behind a Server, counted by
// a CacheSystem's RateLimiter in process or through a private redis-server shared by two
// instances. The limiter's clock is frozen just inside an hour-long window, so no window
// boundary can pass during a test and every header value is known exactly.
#include "app/public_rate_limit.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "app/routes.hpp"
#include "cache/cache_system.hpp"
#include "catalog/catalog.hpp"
#include "config/settings.hpp"
#include "db/pg_pool.hpp"
#include "http/server.hpp"
#include "support/raw_http.hpp"
#include "support/redis_server.hpp"

namespace onboardd::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr int kLimit = 5;
constexpr std::int64_t kWindowSeconds = 3600;
// 1 ms into the next hour-aligned window: later than now, so Redis keeps the counters (their
// expiry is the window's end) for the whole test.
const std::int64_t kNowMs = [] {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  const std::int64_t window = kWindowSeconds * 1000;
  return (now / window + 1) * window + 1;
}();
const std::int64_t kResetEpoch = kNowMs / 1000 + kWindowSeconds;

// The bundled catalog with `public.ip` at kLimit per hour.
std::shared_ptr<catalog::Catalog> TestCatalog() {
  json::value doc = json::parse(catalog::BundledCatalogJson());
  for (json::value& entry : doc.as_object()["rateLimits"].as_array()) {
    if (entry.at("id").as_string() == catalog::kPublicRateLimitId) {
      entry.as_object()["limit"] = kLimit;
      entry.as_object()["windowSeconds"] = kWindowSeconds;
    }
  }
  auto snapshot = catalog::Snapshot::FromJson(doc);
  if (!snapshot) throw std::runtime_error(snapshot.error().message.en);
  return std::make_shared<catalog::Catalog>(std::move(*snapshot));
}

// One onboardd instance as `serve` wires it, minus the database: the route table, a
// CacheSystem (Redis when `redis_url` is set), the public limit, a Server on a free port.
class Instance {
 public:
  Instance(std::shared_ptr<catalog::Catalog> catalog, std::string redis_url,
           int trusted_proxy_hops) {
    cache::CacheSystemOptions cache_options;
    cache_options.redis_url = std::move(redis_url);
    cache_options.prefix = "rltest:";
    cache_options.rate_limiter.now_ms = [] { return kNowMs; };
    auto caches = cache::CacheSystem::Create(std::move(cache_options), kThreads);
    if (!caches) throw std::runtime_error(caches.error().message.en);
    caches_ = std::move(*caches);

    services_.settings = &settings_;
    services_.catalog = catalog;
    services_.pools = std::make_shared<db::Pools>(kThreads);
    RegisterRoutes(router_, services_);
    router_.SetPublicRateLimit(MakePublicRateLimit(caches_->rate_limiter(), catalog));
    router_.SetAuthenticate([](std::string authorization,
                               std::string) -> asio::awaitable<core::Result<http::Principal>> {
      if (authorization == "Bearer test:alice") co_return http::Principal{"alice", "", ""};
      co_return core::MakeError(core::ErrorCode::kUnauthenticated);
    });

    http::ServerOptions options;
    options.port = 0;
    options.threads = kThreads;
    options.access_log = false;
    options.trusted_proxy_hops = trusted_proxy_hops;
    server_ = std::make_unique<http::Server>(options, router_);
    const bool with_redis = caches_->redis_configured();
    server_->OnThreadStart([this, with_redis](int index, asio::io_context& io) {
      caches_->StartWorker(index, io);
      // Counted in Redis from the first request: wait (bounded) for this thread's connection.
      const auto give_up = std::chrono::steady_clock::now() + 5s;
      while (with_redis && !caches_->connection(index)->connected() &&
             std::chrono::steady_clock::now() < give_up) {
        io.run_one_for(10ms);
      }
      if (io.stopped()) io.restart();
    });
    server_->OnThreadStop([this](int index) { caches_->StopWorker(index); });
    server_->Listen();
    runner_ = std::thread([this] { server_->Run(); });
  }
  ~Instance() {
    server_->Stop();
    runner_.join();
  }
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  unsigned short port() const { return server_->port(); }

 private:
  static constexpr int kThreads = 2;
  const config::Settings settings_;
  Services services_;
  std::unique_ptr<cache::CacheSystem> caches_;  // outlives the server's threads
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::thread runner_;
};

struct Reply {
  int status = 0;
  std::string head;
  json::value body;

  // The header's value, or "" when absent.
  std::string Header(std::string_view name) const {
    std::string lower_head;
    for (char c : head) lower_head.push_back(static_cast<char>(std::tolower(c)));
    std::string lower_name = "\r\n";
    for (char c : name) lower_name.push_back(static_cast<char>(std::tolower(c)));
    lower_name += ": ";
    const auto at = lower_head.find(lower_name);
    if (at == std::string::npos) return "";
    const auto start = at + lower_name.size();
    return head.substr(start, head.find("\r\n", start) - start);
  }
};

Reply Get(unsigned short port, const std::string& path, const std::string& headers = "") {
  testing::RawConnection connection(port);
  connection.Send("GET " + path + " HTTP/1.1\r\nHost: t\r\nAccept-Language: en\r\n" + headers +
                  "Connection: close\r\n\r\n");
  const std::string raw = connection.ReadResponses(1);
  Reply reply;
  reply.status = testing::StatusOf(raw);
  const auto end = raw.find("\r\n\r\n");
  reply.head = raw.substr(0, end);
  if (end != std::string::npos) {
    boost::system::error_code ec;
    reply.body = json::parse(raw.substr(end + 4), ec);
  }
  return reply;
}

std::string From(const std::string& address) { return "X-Forwarded-For: " + address + "\r\n"; }

// The N+1-th request of one address: 429 in the envelope, with Retry-After and X-RateLimit-*.
void ExpectRefused(const Reply& reply) {
  EXPECT_EQ(reply.status, 429) << reply.head;
  EXPECT_EQ(reply.Header("Retry-After"), std::to_string(kWindowSeconds));
  EXPECT_EQ(reply.Header("X-RateLimit-Limit"), std::to_string(kLimit));
  EXPECT_EQ(reply.Header("X-RateLimit-Remaining"), "0");
  EXPECT_EQ(reply.Header("X-RateLimit-Reset"), std::to_string(kResetEpoch));
  ASSERT_TRUE(reply.body.is_object()) << reply.head;
  EXPECT_EQ(reply.body.at("success"), false);
  EXPECT_EQ(reply.body.at("code"), "RATE_LIMITED");
  EXPECT_EQ(reply.body.at("error"), "Too many requests");
  EXPECT_FALSE(reply.body.at("request_id").as_string().empty());
  EXPECT_FALSE(reply.body.at("timestamp").as_string().empty());
  EXPECT_EQ(reply.body.at("message"), "Too many requests from this address; try again in 3600 s");
}

TEST(PublicRateLimit, TheRequestPastTheLimitIs429WithTheHeadersInTheEnvelope) {
  Instance instance(TestCatalog(), "", 0);
  for (int i = 1; i <= kLimit; ++i) {
    // Both public routes count against the same address.
    const Reply reply =
        Get(instance.port(), i % 2 ? "/api/onboarding/industries" : "/api/onboarding/config");
    ASSERT_EQ(reply.status, 200) << i << reply.head;
    EXPECT_EQ(reply.Header("X-RateLimit-Limit"), std::to_string(kLimit));
    EXPECT_EQ(reply.Header("X-RateLimit-Remaining"), std::to_string(kLimit - i));
    EXPECT_EQ(reply.Header("X-RateLimit-Reset"), std::to_string(kResetEpoch));
    EXPECT_EQ(reply.Header("Retry-After"), "");
  }
  ExpectRefused(Get(instance.port(), "/api/onboarding/industries"));
  ExpectRefused(Get(instance.port(), "/api/onboarding/config"));
}

TEST(PublicRateLimit, WithoutTrustedProxiesXForwardedForIsIgnored) {
  Instance instance(TestCatalog(), "", 0);
  for (int i = 1; i <= kLimit; ++i) {
    const std::string spoofed = "203.0.113." + std::to_string(i);
    ASSERT_EQ(Get(instance.port(), "/api/onboarding/config", From(spoofed)).status, 200);
  }
  ExpectRefused(Get(instance.port(), "/api/onboarding/config", From("198.51.100.1")));
}

TEST(PublicRateLimit, BehindATrustedProxyEachForwardedClientHasItsOwnCount) {
  Instance instance(TestCatalog(), "", 1);
  for (int i = 0; i < kLimit; ++i) {
    // What the client itself wrote (left of the proxy's entry) does not matter.
    const std::string chain = "10.9.9." + std::to_string(i) + ", 203.0.113.7";
    ASSERT_EQ(Get(instance.port(), "/api/onboarding/config", From(chain)).status, 200);
  }
  ExpectRefused(Get(instance.port(), "/api/onboarding/config", From("203.0.113.7")));
  const Reply other = Get(instance.port(), "/api/onboarding/config", From("203.0.113.8"));
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.Header("X-RateLimit-Remaining"), std::to_string(kLimit - 1));
  // A header that is not an address counts against the proxy (the socket's peer), which
  // still has its whole allowance.
  const Reply garbage = Get(instance.port(), "/api/onboarding/config", From("not-an-address"));
  EXPECT_EQ(garbage.status, 200);
  EXPECT_EQ(garbage.Header("X-RateLimit-Remaining"), std::to_string(kLimit - 1));
}

TEST(PublicRateLimit, AuthenticatedAndOperationalRoutesAreNotLimited) {
  Instance instance(TestCatalog(), "", 0);
  for (int i = 0; i <= kLimit; ++i) Get(instance.port(), "/api/onboarding/config");
  ExpectRefused(Get(instance.port(), "/api/onboarding/config"));
  for (int i = 0; i <= kLimit; ++i) {
    for (const std::string path : {"/healthz", "/readyz", "/metrics"}) {
      const Reply reply = Get(instance.port(), path);
      EXPECT_NE(reply.status, 429) << path;
      EXPECT_EQ(reply.Header("X-RateLimit-Remaining"), "") << path;
    }
    // Authenticated: 401 without a token (never 429), and no limit headers either way.
    const Reply anonymous = Get(instance.port(), "/api/onboarding/status");
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(anonymous.Header("X-RateLimit-Remaining"), "");
    const Reply preferences =
        Get(instance.port(), "/api/ai/preferences", "Authorization: Bearer test:alice\r\n");
    EXPECT_NE(preferences.status, 429);
    EXPECT_EQ(preferences.Header("X-RateLimit-Remaining"), "");
  }
  EXPECT_EQ(Get(instance.port(), "/healthz").status, 200);
}

TEST(PublicRateLimit, TwoInstancesSharingRedisShareTheCount) {
  test::RedisServerProcess redis;
  const auto catalog = TestCatalog();
  Instance first(catalog, redis.Url(), 0);
  Instance second(catalog, redis.Url(), 0);
  for (int i = 1; i <= kLimit; ++i) {
    const Reply reply = Get(i % 2 ? first.port() : second.port(), "/api/onboarding/industries");
    ASSERT_EQ(reply.status, 200) << i;
    EXPECT_EQ(reply.Header("X-RateLimit-Remaining"), std::to_string(kLimit - i)) << i;
  }
  ExpectRefused(Get(first.port(), "/api/onboarding/industries"));
  ExpectRefused(Get(second.port(), "/api/onboarding/industries"));
  // The count is Redis's: one key for this address and window, kLimit + 2 requests in it.
  const std::string key = "rltest:rl:public.ip:127.0.0.1:" +
                          std::to_string(kNowMs / 1000 - kNowMs / 1000 % kWindowSeconds);
  EXPECT_EQ(redis.Cli({"GET", key}), std::to_string(kLimit + 2));
}

TEST(PublicRateLimit, WithoutRedisEachInstanceCountsOnItsOwn) {
  const auto catalog = TestCatalog();
  Instance first(catalog, "", 0);
  Instance second(catalog, "", 0);
  for (int i = 0; i < kLimit; ++i) {
    ASSERT_EQ(Get(first.port(), "/api/onboarding/industries").status, 200);
  }
  ExpectRefused(Get(first.port(), "/api/onboarding/industries"));
  EXPECT_EQ(Get(second.port(), "/api/onboarding/industries").status, 200);
}

TEST(PublicRateLimit, ACatalogWithoutTheEntryLimitsNothing) {
  json::value doc = json::parse(catalog::BundledCatalogJson());
  json::array& limits = doc.as_object()["rateLimits"].as_array();
  limits.erase(limits.end() - 1);
  auto snapshot = catalog::Snapshot::FromJson(doc);
  ASSERT_TRUE(snapshot.has_value());
  Instance instance(std::make_shared<catalog::Catalog>(std::move(*snapshot)), "", 0);
  for (int i = 0; i <= kLimit + 1; ++i) {
    const Reply reply = Get(instance.port(), "/api/onboarding/config");
    ASSERT_EQ(reply.status, 200);
    EXPECT_EQ(reply.Header("X-RateLimit-Remaining"), "");
  }
}

}  // namespace
}  // namespace onboardd::app
