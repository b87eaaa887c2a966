// The client against a real socket: tests/support's FakeHttpServer on 127.0.0.1.
#include "http_client/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <thread>

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

// Sends `requests` one after the other from one coroutine, so they share one io_context and
// its idle connections; `before(i)` runs (blocking that io_context) before request i.
// Requests are named locals when awaited: GCC 12 destroys a braced temporary in a co_await
// expression twice.
std::vector<core::Result<Response>> FetchInTurn(
    const Client& client, std::vector<Request> requests,
    const std::function<void(std::size_t)>& before = {}) {
  return RunSync([&]() -> boost::asio::awaitable<std::vector<core::Result<Response>>> {
    std::vector<core::Result<Response>> results;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      if (before) before(i);
      Request request = std::move(requests[i]);
      auto result = co_await client.Fetch(std::move(request), In(2000ms));
      results.push_back(std::move(result));
    }
    co_return results;
  }());
}

std::vector<Request> Gets(const std::string& url, int n) {
  return std::vector<Request>(n, Request{.url = url});
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

TEST_F(HttpsTest, ReusesTlsConnectionsAndNoticesTheirClose) {
  const auto tls = test::MakeTestCertificate({"localhost"});
  FakeHttpServer server(tls);
  server.SetResponse("/items", 200, R"({"schema":1})");
  Client client({.use_system_ca = false, .ca_file = WriteCa(tls)});
  auto results =
      FetchInTurn(client, Gets(server.Url("/items", "localhost"), 6), [&](std::size_t i) {
        if (i == 4) {
          server.CloseIdleConnections();
          std::this_thread::sleep_for(50ms);
        }
        if (i == 5) server.DropNextRequests(1);
      });
  for (const auto& result : results) {
    ASSERT_TRUE(result) << result.error().message.en;
    EXPECT_EQ(result->body, R"({"schema":1})");
  }
  // One connection for four requests, one after the server closed it, one for the retry.
  EXPECT_EQ(server.ConnectionCount(), 3);
  EXPECT_EQ(client.Stats().stale_retries, 1u);
}

TEST(HttpClient, MissingCaFileThrowsAtConstruction) {
  EXPECT_ANY_THROW(Client({.ca_file = "/nonexistent/ca.pem"}));
}

// --- Keep-alive connection reuse

TEST(HttpClientReuse, SequentialRequestsShareOneConnection) {
  FakeHttpServer server;
  server.SetResponse("/v1/chat/completions", 200, R"({"ok":true})");
  Client client;
  auto results = FetchInTurn(client, Gets(server.Url("/v1/chat/completions"), 5));
  for (const auto& result : results) {
    ASSERT_TRUE(result) << result.error().message.en;
    EXPECT_EQ(result->body, R"({"ok":true})");
  }
  EXPECT_EQ(server.ConnectionCount(), 1);
  EXPECT_EQ(server.RequestCount("/v1/chat/completions"), 5);
  EXPECT_EQ(client.Stats().connections_opened, 1u);
  EXPECT_EQ(client.Stats().requests_reused, 4u);
}

TEST(HttpClientReuse, HeadAnswersAreReadWithoutABodyAndTheConnectionReused) {
  FakeHttpServer server;
  server.SetResponse("/item/x", 200, "0123456789");
  Client client;
  auto results = FetchInTurn(
      client, {{.method = "HEAD", .url = server.Url("/item/x")}, {.url = server.Url("/item/x")}});
  ASSERT_TRUE(results[0]) << results[0].error().message.en;
  EXPECT_EQ(results[0]->Header("Content-Length"), "10");
  EXPECT_EQ(results[0]->body, "");
  ASSERT_TRUE(results[1]);
  EXPECT_EQ(results[1]->body, "0123456789");
  EXPECT_EQ(server.ConnectionCount(), 1);
}

TEST(HttpClientReuse, ConnectionCloseFromEitherSideIsNeverReused) {
  FakeHttpServer server;
  server.SetResponse("/x", 200, "{}");
  server.SetKeepAlive(false);
  Client client;
  for (const auto& result : FetchInTurn(client, Gets(server.Url("/x"), 3))) ASSERT_TRUE(result);
  EXPECT_EQ(server.ConnectionCount(), 3);

  server.SetKeepAlive(true);
  std::vector<Request> closing(
      3, Request{.url = server.Url("/x"), .headers = {{"Connection", "close"}}});
  for (const auto& result : FetchInTurn(client, closing)) ASSERT_TRUE(result);
  EXPECT_EQ(server.ConnectionCount(), 6);
  EXPECT_EQ(client.Stats().requests_reused, 0u);
}

TEST(HttpClientReuse, NoIdleConnectionsWhenReuseIsOff) {
  FakeHttpServer server;
  server.SetResponse("/x", 200, "{}");
  Client client({.max_idle_per_host = 0});
  for (const auto& result : FetchInTurn(client, Gets(server.Url("/x"), 3))) ASSERT_TRUE(result);
  EXPECT_EQ(server.ConnectionCount(), 3);
}

TEST(HttpClientReuse, AnErrorLeavesNoConnectionToReuse) {
  FakeHttpServer server;
  server.SetResponse("/big", 200, std::string(5000, 'x'));
  server.SetResponse("/small", 200, "{}");
  Client client({.max_body_bytes = 1000});
  auto results = FetchInTurn(client, {{.url = server.Url("/big")}, {.url = server.Url("/small")}});
  EXPECT_FALSE(results[0]);  // the unread rest of the body stays on that connection: dropped
  ASSERT_TRUE(results[1]);
  EXPECT_EQ(server.ConnectionCount(), 2);
}

// Runs `rounds` rounds of `concurrency` simultaneous requests on `io`.
void ConcurrentRounds(boost::asio::io_context& io, const Client& client, const std::string& url,
                      int concurrency, int rounds) {
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::future<core::Result<Response>>> pending;
    for (int i = 0; i < concurrency; ++i) {
      pending.push_back(boost::asio::co_spawn(io, client.Fetch({.url = url}, In(2000ms)),
                                              boost::asio::use_future));
    }
    io.run();
    io.restart();
    for (auto& f : pending) {
      auto result = f.get();
      ASSERT_TRUE(result) << result.error().message.en;
    }
  }
}

TEST(HttpClientReuse, ConcurrentRequestsOpenOnlyAsManyConnectionsAsAreInFlight) {
  FakeHttpServer server;
  server.SetResponse("/x", 200, "{}");
  server.SetDelay(20ms);  // all eight are in flight at once
  Client client;
  boost::asio::io_context io;
  ConcurrentRounds(io, client, server.Url("/x"), 8, 3);
  EXPECT_EQ(server.RequestCount("/x"), 24);
  EXPECT_EQ(server.ConnectionCount(), 8);
}

TEST(HttpClientReuse, IdleConnectionsAreBoundedPerHost) {
  FakeHttpServer server;
  server.SetResponse("/x", 200, "{}");
  server.SetDelay(20ms);
  Client client({.max_idle_per_host = 2});
  {
    boost::asio::io_context io;
    // Three rounds of eight: eight connections, then two idle ones reused and six new, twice.
    ConcurrentRounds(io, client, server.Url("/x"), 8, 3);
    EXPECT_EQ(server.ConnectionCount(), 8 + 6 + 6);
    // Only two stay open on the client's side while `io` lives.
    for (int i = 0; i < 100 && server.OpenConnections() != 2; ++i)
      std::this_thread::sleep_for(10ms);
    EXPECT_EQ(server.OpenConnections(), 2);
  }
  // The io_context is gone and its idle connections with it.
  for (int i = 0; i < 100 && server.OpenConnections() != 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(server.OpenConnections(), 0);
}

TEST(HttpClientReuse, AConnectionTheServerClosedWhileIdleIsNotUsed) {
  FakeHttpServer server;
  server.SetResponse("/v1/chat/completions", 200, "{}");
  Client client;
  Request post{.method = "POST", .url = server.Url("/v1/chat/completions"), .body = "{}"};
  auto results = FetchInTurn(client, {post, post}, [&](std::size_t i) {
    if (i != 1) return;
    EXPECT_EQ(server.CloseIdleConnections(), 1);
    std::this_thread::sleep_for(50ms);  // the FIN reaches the client's socket
  });
  ASSERT_TRUE(results[0]);
  ASSERT_TRUE(results[1]) << results[1].error().message.en;
  EXPECT_EQ(server.ConnectionCount(), 2);
  EXPECT_EQ(server.RequestCount("/v1/chat/completions"), 2) << "a POST is never sent twice";
  EXPECT_EQ(client.Stats().stale_retries, 0u);
}

TEST(HttpClientReuse, AnIdempotentRequestLostOnAReusedConnectionIsSentOnceMore) {
  FakeHttpServer server;
  server.SetResponse("/digest", 200, R"("d1")");
  Client client;
  auto results = FetchInTurn(client, Gets(server.Url("/digest"), 2), [&](std::size_t i) {
    if (i == 1) server.DropNextRequests(1);
  });
  ASSERT_TRUE(results[0]);
  ASSERT_TRUE(results[1]) << results[1].error().message.en;
  EXPECT_EQ(results[1]->body, R"("d1")");
  EXPECT_EQ(server.RequestCount("/digest"), 3);  // the dropped one, then its retry
  EXPECT_EQ(server.ConnectionCount(), 2);
  EXPECT_EQ(client.Stats().stale_retries, 1u);
}

TEST(HttpClientReuse, APostLostOnAReusedConnectionIsRetriedOnlyWhenMarkedIdempotent) {
  FakeHttpServer server;
  server.SetResponse("/v1/chat/completions", 200, "{}");
  Client client;
  Request post{.method = "POST", .url = server.Url("/v1/chat/completions"), .body = "{}"};
  Request harmless = post;
  harmless.idempotent = true;
  auto results = FetchInTurn(client, {post, post, post, harmless}, [&](std::size_t i) {
    if (i == 1 || i == 3) server.DropNextRequests(1);
  });
  ASSERT_TRUE(results[0]);
  ASSERT_FALSE(results[1]) << "the server may have applied it: not replayed";
  EXPECT_EQ(results[1].error().code, core::ErrorCode::kUnavailable);
  ASSERT_TRUE(results[2]);
  ASSERT_TRUE(results[3]) << results[3].error().message.en;
  EXPECT_EQ(client.Stats().stale_retries, 1u);
  EXPECT_EQ(server.RequestCount("/v1/chat/completions"), 5);
}

TEST(HttpClientReuse, AFailureOnANewConnectionIsNotRetried) {
  FakeHttpServer server;
  server.SetResponse("/x", 200, "{}");
  server.DropNextRequests(1);
  Client client;
  auto result = FetchSync(client, {.url = server.Url("/x")});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(server.RequestCount("/x"), 1);
}

TEST(HttpClientReuse, IdleConnectionsExpire) {
  FakeHttpServer server;
  server.SetResponse("/x", 200, "{}");
  Client client({.idle_timeout = 50ms});
  auto results = FetchInTurn(client, Gets(server.Url("/x"), 3), [](std::size_t i) {
    if (i == 2) std::this_thread::sleep_for(120ms);
  });
  for (const auto& result : results) ASSERT_TRUE(result);
  EXPECT_EQ(server.ConnectionCount(), 2);
}

TEST(HttpClientReuse, EachIoContextKeepsItsOwnConnections) {
  FakeHttpServer server;
  server.SetResponse("/x", 200, "{}");
  Client client;  // one client shared by two threads, as by the server's I/O threads
  std::atomic<int> failures{0};
  auto worker = [&] {
    for (const auto& result : FetchInTurn(client, Gets(server.Url("/x"), 30))) {
      if (!result) ++failures;
    }
  };
  std::thread a(worker), b(worker);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server.RequestCount("/x"), 60);
  EXPECT_EQ(server.ConnectionCount(), 2) << "one per io_context, never shared between them";
  EXPECT_EQ(client.Stats().connections_opened, 2u);
}

TEST(HttpClientReuse, TwoClientsNeverShareAConnection) {
  FakeHttpServer server;
  server.SetResponse("/x", 200, "{}");
  Client first, second;
  Request get{.url = server.Url("/x")};
  auto results = RunSync([&]() -> boost::asio::awaitable<std::vector<core::Result<Response>>> {
    std::vector<core::Result<Response>> out;
    for (const Client* client : {&first, &second, &first}) {
      Request request = get;
      auto result = co_await client->Fetch(std::move(request), In(2000ms));
      out.push_back(std::move(result));
    }
    co_return out;
  }());
  for (const auto& result : results) ASSERT_TRUE(result);
  EXPECT_EQ(server.ConnectionCount(), 2);
}

TEST(HttpClientReuse, StopClosesConnectionsSoAReusedOneFailsFast) {
  FakeHttpServer server;
  server.SetResponse("/x", 200, "{}");
  Client client;
  core::SteadyClock::time_point stopped;
  auto results = FetchInTurn(client, Gets(server.Url("/x"), 2), [&](std::size_t i) {
    if (i != 1) return;
    server.Stop();
    stopped = core::SteadyClock::now();
  });
  ASSERT_TRUE(results[0]);
  ASSERT_FALSE(results[1]);
  EXPECT_EQ(results[1].error().code, core::ErrorCode::kUnavailable);
  EXPECT_LT(core::SteadyClock::now() - stopped, 1000ms) << "failed at once, not at the deadline";
}

}  // namespace
}  // namespace onboardd::http_client
