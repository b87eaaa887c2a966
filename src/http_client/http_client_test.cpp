// The client against a real socket: tests/support's FakeHttpServer on 127.0.0.1.
#include "http_client/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>
#include "support/fake_http_server.hpp"

namespace onboardd::http_client {
namespace {

using namespace std::chrono_literals;
using test::FakeHttpServer;
using test::RunSync;

core::Deadline In(std::chrono::milliseconds ms) { return core::SteadyClock::now() + ms; }

core::Result<Response> FetchSync(const Client& client, Request request,
                                 std::chrono::milliseconds timeout = 2000ms) {
  return RunSync(client.Fetch(std::move(request), In(timeout)));
}

TEST(HttpClient, GetsStatusHeadersAndBody) {
  FakeHttpServer server;
  server.SetResponse("/jwks", 200, R"({"keys":[]})");
  Client client;
  auto response = FetchSync(client, {.url = server.Url("/jwks?probe=1")});
  ASSERT_TRUE(response) << response.error().message.en;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"keys":[]})");
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_EQ(server.RequestCount("/jwks"), 1);
  auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/jwks?probe=1");
}

TEST(HttpClient, NonSuccessStatusIsAResponseNotAnError) {
  FakeHttpServer server;
  Client client;
  auto response = FetchSync(client, {.url = server.Url("/missing")});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
}

TEST(HttpClient, SendsMethodBodyAndCallerHeadersIncludingTraceparent) {
  FakeHttpServer server;
  server.SetResponse("/v1/chat/completions", 201, "{}");
  Client client;
  const std::string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto response = FetchSync(client, {.method = "POST",
                                     .url = server.Url("/v1/chat/completions"),
                                     .headers = {{"traceparent", traceparent},
                                                 {"Content-Type", "application/json"},
                                                 {"User-Agent", "custom/1"}},
                                     .body = R"({"model":"m"})"});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 201);
  auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].body, R"({"model":"m"})");
  auto header = [&](std::string_view name) {
    for (const auto& [n, v] : requests[0].headers) {
      if (n == name) return v;
    }
    return std::string();
  };
  EXPECT_EQ(header("traceparent"), traceparent);
  EXPECT_EQ(header("User-Agent"), "custom/1");
  EXPECT_EQ(header("Content-Length"), "13");
  EXPECT_EQ(header("Host"), "127.0.0.1:" + std::to_string(server.port()));
}

TEST(HttpClient, BodyOverTheCapFails) {
  FakeHttpServer server;
  server.SetResponse("/big", 200, std::string(10'000, 'x'));
  Client client({.max_body_bytes = 1000});
  auto response = FetchSync(client, {.url = server.Url("/big")});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, core::ErrorCode::kInternal);
  Client roomy({.max_body_bytes = 10'000});
  EXPECT_TRUE(FetchSync(roomy, {.url = server.Url("/big")}));
}

TEST(HttpClient, DeadlineBoundsASlowServer) {
  FakeHttpServer server;
  server.SetResponse("/slow", 200, "late");
  server.SetDelay(2000ms);
  Client client;
  const auto started = core::SteadyClock::now();
  auto response = FetchSync(client, {.url = server.Url("/slow")}, 200ms);
  const auto took = core::SteadyClock::now() - started;
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, core::ErrorCode::kUnavailable);
  EXPECT_LT(took, 1500ms);
}

TEST(HttpClient, ConnectionRefusedIsUnavailable) {
  unsigned short port;
  {
    FakeHttpServer server;
    port = server.port();
  }
  Client client;
  auto response = FetchSync(client, {.url = "http://127.0.0.1:" + std::to_string(port) + "/jwks"});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, core::ErrorCode::kUnavailable);
}

TEST(HttpClient, PlainHttpToAPublicHostIsRefusedBeforeAnyIo) {
  Client client;
  auto response = FetchSync(client, {.url = "http://192.0.2.1/jwks"}, 100ms);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, core::ErrorCode::kInternal);
}

TEST(HttpClient, HttpsToAPlainServerFailsTheHandshake) {
  FakeHttpServer server;
  server.SetResponse("/jwks", 200, "{}");
  Client client;
  auto response =
      FetchSync(client, {.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/jwks"});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, core::ErrorCode::kUnavailable);
}

TEST(HttpClient, UnknownMethodIsRefused) {
  FakeHttpServer server;
  Client client;
  auto response = FetchSync(client, {.method = "FROB", .url = server.Url("/")});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, core::ErrorCode::kInternal);
}

// A CA file on disk for ClientOptions::ca_file, removed with the fixture.
class HttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_file_ = std::filesystem::temp_directory_path() /
               ("onboardd-test-ca-" + std::to_string(::getpid()) + ".pem");
  }
  void TearDown() override { std::filesystem::remove(ca_file_); }
  std::string WriteCa(const test::TlsCertificate& tls) {
    std::ofstream(ca_file_) << tls.ca_pem;
    return ca_file_.string();
  }
  std::filesystem::path ca_file_;
};

TEST_F(HttpsTest, VerifiesChainAndHostnameByNameAndByAddress) {
  const auto tls = test::MakeTestCertificate({"localhost", "127.0.0.1"});
  FakeHttpServer server(tls);
  server.SetResponse("/jwks", 200, R"({"keys":[]})");
  Client client({.use_system_ca = false, .ca_file = WriteCa(tls)});
  for (std::string_view host : {"localhost", "127.0.0.1"}) {
    auto response = FetchSync(client, {.url = server.Url("/jwks", host)});
    ASSERT_TRUE(response) << host << ": " << response.error().message.en;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, R"({"keys":[]})");
  }
}

TEST_F(HttpsTest, RefusesACertificateForAnotherHost) {
  const auto tls = test::MakeTestCertificate({"jwks.example.test"});
  FakeHttpServer server(tls);
  server.SetResponse("/jwks", 200, "{}");
  Client client({.ca_file = WriteCa(tls)});
  auto response = FetchSync(client, {.url = server.Url("/jwks", "localhost")});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(server.RequestCount("/jwks"), 0);
}

TEST_F(HttpsTest, RefusesAnUntrustedIssuer) {
  const auto tls = test::MakeTestCertificate({"localhost"});
  FakeHttpServer server(tls);
  server.SetResponse("/jwks", 200, "{}");
  Client client;  // system CAs only: the test CA is unknown
  auto response = FetchSync(client, {.url = server.Url("/jwks", "localhost")});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(server.RequestCount("/jwks"), 0);
}

TEST(HttpClient, MissingCaFileThrowsAtConstruction) {
  EXPECT_ANY_THROW(Client({.ca_file = "/nonexistent/ca.pem"}));
}

}  // namespace
}  // namespace onboardd::http_client
