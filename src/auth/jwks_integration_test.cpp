// The Authenticator against a JWKS served over a real socket (FakeHttpServer on 127.0.0.1)
// through the real http_client: key types, rotation, the endpoint going down.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "auth/authenticator.hpp"
#include "http_client/http_client.hpp"
#include "support/fake_http_server.hpp"
#include "support/jwks_test_keys.hpp"

namespace onboardd::auth {
namespace {

using namespace std::chrono_literals;
using test::FakeHttpServer;
using test::KeyType;
using test::RunSync;
using test::TestKey;

constexpr std::string_view kIssuer = "https://issuer.test";
constexpr std::string_view kAudience = "proj-1";
constexpr std::string_view kPath = "/.well-known/jwks.json";

class JwksIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.SetResponse(std::string(kPath), 200, test::JwksJson({&ec_, &rsa_, &ed_}));
    options_.issuer = kIssuer;
    options_.audiences = {std::string(kAudience)};
  }

  std::unique_ptr<Authenticator> Make() {
    return std::make_unique<Authenticator>(options_,
                                           MakeHttpJwksFetcher(client_, server_.Url(kPath), 2s));
  }

  // A token no cache has seen: each call gets a distinct subject.
  std::string Fresh(const TestKey& key) {
    auto claims = test::GoodClaims(kIssuer, kAudience);
    claims["sub"] = "user-" + std::to_string(++counter_);
    return key.Sign({}, claims);
  }

  static core::Result<Identity> Check(Authenticator& auth, std::string token) {
    return RunSync(auth.Authenticate("Bearer " + token, ""));
  }

  FakeHttpServer server_;
  std::shared_ptr<const http_client::Client> client_ = std::make_shared<http_client::Client>();
  AuthOptions options_;
  TestKey ec_ = TestKey::Generate(KeyType::kEcP256, "ec-1");
  TestKey rsa_ = TestKey::Generate(KeyType::kRsa2048, "rsa-1");
  TestKey ed_ = TestKey::Generate(KeyType::kEd25519, "ed-1");
  int counter_ = 0;
};

TEST_F(JwksIntegrationTest, AllThreeKeyTypesAccepted) {
  auto auth = Make();
  for (const TestKey* key : {&ec_, &rsa_, &ed_}) {
    auto identity = Check(*auth, Fresh(*key));
    ASSERT_TRUE(identity) << key->alg();
    EXPECT_EQ(identity->email, "ana@example.com");
  }
  EXPECT_EQ(server_.RequestCount(std::string(kPath)), 1);
}

TEST_F(JwksIntegrationTest, PrefetchLoadsKeysBeforeTheFirstRequest) {
  auto auth = Make();
  EXPECT_TRUE(RunSync(auth->Prefetch()));
  EXPECT_EQ(server_.RequestCount(std::string(kPath)), 1);
  EXPECT_TRUE(Check(*auth, Fresh(rsa_)));
  EXPECT_EQ(server_.RequestCount(std::string(kPath)), 1);
  server_.Stop();
  auto cold = Make();
  EXPECT_FALSE(RunSync(cold->Prefetch()));
}

TEST_F(JwksIntegrationTest, RotatedKeyAcceptedWithoutRestart) {
  options_.jwks.min_refresh_interval = 0ms;
  auto auth = Make();
  ASSERT_TRUE(Check(*auth, Fresh(ec_)));
  TestKey rotated = TestKey::Generate(KeyType::kEcP256, "ec-2");
  server_.SetResponse(std::string(kPath), 200, test::JwksJson({&rotated, &rsa_, &ed_}));
  EXPECT_TRUE(Check(*auth, Fresh(rotated)));
  EXPECT_EQ(server_.RequestCount(std::string(kPath)), 2);
}

TEST_F(JwksIntegrationTest, EndpointDownCachedKeysKeepWorking) {
  options_.jwks.min_refresh_interval = 0ms;
  options_.jwks.max_age = 0ms;  // every request wants a refresh: each one fails
  auto auth = Make();
  ASSERT_TRUE(Check(*auth, Fresh(ec_)));
  server_.Stop();
  for (const TestKey* key : {&ec_, &rsa_, &ed_}) {
    EXPECT_TRUE(Check(*auth, Fresh(*key))) << key->alg();
  }
  TestKey stranger = TestKey::Generate(KeyType::kEd25519, "stranger");
  EXPECT_FALSE(Check(*auth, Fresh(stranger)));
  EXPECT_EQ(auth->jwks().Current()->size(), 3u);
}

TEST_F(JwksIntegrationTest, ServerErrorKeepsKeysToo) {
  options_.jwks.min_refresh_interval = 0ms;
  auto auth = Make();
  ASSERT_TRUE(Check(*auth, Fresh(rsa_)));
  server_.SetResponse(std::string(kPath), 500, "oops");
  TestKey stranger = TestKey::Generate(KeyType::kEcP256, "stranger");
  EXPECT_FALSE(Check(*auth, Fresh(stranger)));
  EXPECT_TRUE(Check(*auth, Fresh(rsa_)));
  EXPECT_EQ(server_.RequestCount(std::string(kPath)), 2);
}

TEST_F(JwksIntegrationTest, UnknownKidAfterRefreshIs401AndRefreshIsRateLimited) {
  options_.jwks.min_refresh_interval = 400ms;
  auto auth = Make();
  ASSERT_TRUE(Check(*auth, Fresh(ed_)));
  TestKey stranger = TestKey::Generate(KeyType::kEcP256, "stranger");
  // Within the interval of the initial fetch: no refetch, refused.
  EXPECT_FALSE(Check(*auth, Fresh(stranger)));
  EXPECT_EQ(server_.RequestCount(std::string(kPath)), 1);
  std::this_thread::sleep_for(450ms);
  // After it: one refresh, still unknown, refused with 401.
  auto refused = Check(*auth, Fresh(stranger));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::kUnauthenticated);
  EXPECT_EQ(server_.RequestCount(std::string(kPath)), 2);
  // A burst of unknown kids right after does not hammer the endpoint.
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(Check(*auth, Fresh(stranger)));
  EXPECT_EQ(server_.RequestCount(std::string(kPath)), 2);
}

TEST_F(JwksIntegrationTest, EndpointDownAtStartIs401NotAnError) {
  server_.Stop();
  auto auth = Make();
  auto refused = Check(*auth, Fresh(ec_));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::kUnauthenticated);
}

TEST_F(JwksIntegrationTest, ManyIoThreadsShareOneAuthenticator) {
  server_.SetDelay(50ms);  // so that the first requests overlap the fetch
  auto auth = Make();
  std::vector<std::string> tokens;
  for (int i = 0; i < 40; ++i) tokens.push_back(Fresh(i % 2 ? ec_ : ed_));
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      boost::asio::io_context io;  // one io_context per thread, as the server runs
      for (int i = t; i < 40; i += 2) {
        boost::asio::co_spawn(io, auth->Authenticate("Bearer " + tokens[i], ""),
                              [&accepted](std::exception_ptr, core::Result<Identity> result) {
                                if (result) ++accepted;
                              });
      }
      io.run();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), 40);
  EXPECT_EQ(server_.RequestCount(std::string(kPath)), 1);
}

}  // namespace
}  // namespace onboardd::auth
