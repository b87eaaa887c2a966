// The server over real sockets: keep-alive, pipelining, limits, timeouts, graceful stop.
#include "http/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <future>
#include <random>
#include <thread>

#include "support/raw_http.hpp"

namespace onboardd::http {
namespace {

namespace asio = boost::asio;
using beast_http::verb;
using testing::RawConnection;
using testing::StatusOf;
using namespace std::chrono_literals;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add(verb::get, "/hello", [](Request) -> asio::awaitable<core::Result<Response>> {
      co_return JsonResponse(boost::json::object{{"hello", "world"}});
    });
    router_.Add(verb::post, "/echo", [](Request r) -> asio::awaitable<core::Result<Response>> {
      co_return JsonResponse(boost::json::object{{"bytes", r.body().size()}});
    });
    router_.Add(verb::post, "/big",
                [](Request r) -> asio::awaitable<core::Result<Response>> {
                  co_return JsonResponse(boost::json::object{{"bytes", r.body().size()}});
                },
                {.max_body_bytes = 4 << 20});
    router_.Add(verb::get, "/slow", [](Request) -> asio::awaitable<core::Result<Response>> {
      asio::steady_timer timer(co_await asio::this_coro::executor, 300ms);
      co_await timer.async_wait(asio::use_awaitable);
      co_return JsonResponse(boost::json::object{{"slow", true}});
    });
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.header_timeout = 300ms;
    options.body_timeout = 300ms;
    options.idle_timeout = 500ms;
    options.shutdown_grace = 3s;
    options.access_log = false;
    server_ = std::make_unique<Server>(options, router_);
    server_->Listen();
    port_ = server_->port();
    runner_ = std::thread([this] { server_->Run(); });
  }

  void TearDown() override {
    server_->Stop();
    runner_.join();
  }

  Router router_;
  std::unique_ptr<Server> server_;
  std::thread runner_;
  unsigned short port_ = 0;
};

std::string Get(std::string path, std::string extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  RawConnection c(port_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Send(Get("/hello")));
  }
  auto responses = RawConnection::Split(c.ReadResponses(3));
  ASSERT_EQ(responses.size(), 3u);
  for (const auto& r : responses) {
    EXPECT_EQ(StatusOf(r), 200);
    EXPECT_NE(r.find("{\"hello\":\"world\"}"), std::string::npos);
  }
}

TEST_F(ServerTest, PipelinedRequestsAnswerInOrder) {
  RawConnection c(port_);
  std::string batch =
      Get("/hello", "X-Request-Id: first\r\n") +
      "POST /echo HTTP/1.1\r\nHost: t\r\nX-Request-Id: second\r\nContent-Length: 5\r\n\r\nabcde" +
      Get("/nope", "X-Request-Id: third\r\n");
  ASSERT_TRUE(c.Send(batch));
  auto responses = RawConnection::Split(c.ReadResponses(3));
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_NE(responses[0].find("X-Request-Id: first"), std::string::npos);
  EXPECT_EQ(StatusOf(responses[0]), 200);
  EXPECT_NE(responses[1].find("X-Request-Id: second"), std::string::npos);
  EXPECT_NE(responses[1].find("{\"bytes\":5}"), std::string::npos);
  EXPECT_NE(responses[2].find("X-Request-Id: third"), std::string::npos);
  EXPECT_EQ(StatusOf(responses[2]), 404);
}

TEST_F(ServerTest, NotFoundAndMethodNotAllowedUseTheEnvelope) {
  RawConnection c(port_);
  ASSERT_TRUE(c.Send(Get("/missing") + "DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto responses = RawConnection::Split(c.ReadResponses(2));
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(StatusOf(responses[0]), 404);
  EXPECT_NE(responses[0].find("\"code\":\"NOT_FOUND\""), std::string::npos);
  EXPECT_EQ(StatusOf(responses[1]), 405);
  EXPECT_NE(responses[1].find("Allow: GET"), std::string::npos);
}

TEST_F(ServerTest, RequestIdIsGeneratedOrEchoedButNeverInjected) {
  RawConnection c(port_);
  ASSERT_TRUE(c.Send(Get("/hello") + Get("/hello", "X-Request-Id: bad id with spaces\r\n")));
  auto responses = RawConnection::Split(c.ReadResponses(2));
  ASSERT_EQ(responses.size(), 2u);
  for (const auto& r : responses) {
    auto at = r.find("X-Request-Id: ");
    ASSERT_NE(at, std::string::npos);
    std::string id = r.substr(at + 14, r.find("\r\n", at) - at - 14);
    EXPECT_EQ(id.size(), 32u) << id;
  }
}

TEST_F(ServerTest, BodyOverTheRouteLimitIs413) {
  {
    RawConnection c(port_);
    ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 70000\r\n\r\n"));
    std::string r = c.ReadResponses(1);
    EXPECT_EQ(StatusOf(r), 413);
    EXPECT_NE(r.find("PAYLOAD_TOO_LARGE"), std::string::npos);
  }
  {  // chunked, so the size is only known while reading
    RawConnection c(port_);
    std::string chunk(40000, 'x');
    char size[16];
    std::snprintf(size, sizeof size, "%zx", chunk.size());
    std::string body = std::string(size) + "\r\n" + chunk + "\r\n";
    c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + body + body +
           "0\r\n\r\n");
    EXPECT_EQ(StatusOf(c.ReadResponses(1)), 413);
  }
  {  // the route that allows 4 MiB takes 3 MiB
    RawConnection c(port_);
    std::string body(3 << 20, 'y');
    ASSERT_TRUE(c.Send("POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body));
    std::string r = c.ReadResponses(1);
    EXPECT_EQ(StatusOf(r), 200);
    EXPECT_NE(r.find("{\"bytes\":3145728}"), std::string::npos);
  }
}

TEST_F(ServerTest, HeaderBlockOver8KiBIs431) {
  RawConnection c(port_);
  c.Send(Get("/hello", "X-Big: " + std::string(9000, 'a') + "\r\n"));
  std::string r = c.ReadResponses(1);
  EXPECT_EQ(StatusOf(r), 431);
  EXPECT_NE(r.find("PAYLOAD_TOO_LARGE"), std::string::npos);  // SPEC's closed list
}

TEST_F(ServerTest, MalformedRequestLineIs400AndCloses) {
  RawConnection c(port_);
  c.Send("THIS IS NOT HTTP\r\n\r\n");
  std::string r = c.ReadResponses(1);
  EXPECT_EQ(StatusOf(r), 400);
  EXPECT_NE(r.find("\"success\":false"), std::string::npos);
  EXPECT_TRUE(c.WaitClosed(2s));
}

TEST_F(ServerTest, SilentClientIsDisconnectedAfterTheIdleTimeout) {
  RawConnection c(port_);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.WaitClosed(3s));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 400ms);
  EXPECT_TRUE(c.received().empty());
}

TEST_F(ServerTest, TricklingHeaderGets408AtTheHeaderTimeout) {
  RawConnection c(port_);
  auto start = std::chrono::steady_clock::now();
  c.Send("GET /hello HTTP/1.1\r\n");
  for (int i = 0; i < 20; ++i) {  // one header line every 100 ms, never the end
    std::this_thread::sleep_for(100ms);
    if (!c.Send("X-Slow: " + std::to_string(i) + "\r\n")) break;
  }
  EXPECT_TRUE(c.WaitClosed(3s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);
  const std::string r = c.received();
  EXPECT_EQ(StatusOf(r), 408) << r;
  EXPECT_NE(r.find("\"code\":\"VALIDATION_ERROR\""), std::string::npos) << r;
  EXPECT_NE(r.find("Connection: close"), std::string::npos) << r;
}

TEST_F(ServerTest, ABodyThatStopsArrivingGets408AtTheBodyTimeout) {
  RawConnection c(port_);
  c.Send("POST /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{\"partial\":");
  EXPECT_TRUE(c.WaitClosed(3s));
  const std::string r = c.received();
  EXPECT_EQ(StatusOf(r), 408) << r;
  EXPECT_NE(r.find("\"success\":false"), std::string::npos) << r;
}

TEST_F(ServerTest, AfterAnAnsweredRequestTheNextReadHasItsOwnDeadline) {
  // The first request's header deadline must not cancel the next read on the connection.
  RawConnection c(port_);
  c.Send(Get("/hello"));
  EXPECT_EQ(StatusOf(c.ReadResponses(1)), 200);
  std::this_thread::sleep_for(400ms);  // past the 300 ms header timeout of the first request
  c.Send(Get("/hello"));
  EXPECT_EQ(StatusOf(c.ReadResponses(1)), 200);
}

TEST_F(ServerTest, StopLetsInFlightRequestsFinish) {
  std::vector<std::unique_ptr<RawConnection>> connections;
  for (int i = 0; i < 6; ++i) {
    connections.push_back(std::make_unique<RawConnection>(port_));
    ASSERT_TRUE(connections.back()->Send(Get("/slow")));
  }
  std::this_thread::sleep_for(100ms);  // the handlers are now waiting on their timers
  server_->Stop();
  for (auto& c : connections) {
    std::string r = c->ReadResponses(1, 3s);
    EXPECT_EQ(StatusOf(r), 200) << r;
    EXPECT_NE(r.find("Connection: close"), std::string::npos) << r;
  }
  runner_.join();
  runner_ = std::thread([] {});  // TearDown joins again
  EXPECT_THROW(RawConnection c(port_), std::runtime_error);
}

TEST_F(ServerTest, MutatedRequestsNeverGet5xxAndTheServerSurvives) {
  // Random byte flips, insertions and truncations of valid requests: every answer is a
  // 2xx/4xx (or the connection closes), never a 5xx, and the server keeps serving.
  const std::vector<std::string> seeds = {
      Get("/hello", "X-Request-Id: abc\r\nAccept-Language: en\r\n"),
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: "
      "13\r\n\r\n"
      "{\"step\": 1}  ",
      "POST /big HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n"};
  std::mt19937 random(7);
  int answered = 0;
  for (int i = 0; i < 300; ++i) {
    std::string request = seeds[random() % seeds.size()];
    for (int m = 0, n = 1 + random() % 4; m < n; ++m) {
      std::size_t at = random() % request.size();
      switch (random() % 3) {
        case 0:
          request[at] = static_cast<char>(random() % 256);
          break;
        case 1:
          request.insert(at, 1, static_cast<char>(random() % 256));
          break;
        default:
          request.resize(std::max<std::size_t>(1, at));
      }
    }
    RawConnection c(port_);
    c.Send(request);
    c.CloseWrite();  // an incomplete request then ends in end-of-stream, not a timeout
    std::string r = c.ReadResponses(1, 2s);
    if (r.empty()) continue;  // the server closed without an answer
    int status = StatusOf(r);
    EXPECT_TRUE(status >= 200 && status < 500) << status << " for " << request;
    ++answered;
  }
  EXPECT_GT(answered, 50);
  RawConnection after(port_);
  after.Send(Get("/hello"));
  EXPECT_EQ(StatusOf(after.ReadResponses(1)), 200);
}

TEST(ServerLimits, ConnectionsBeyondTheMaximumAreRefusedQuickly) {
  Router router;
  router.Add(verb::get, "/hello", [](Request) -> asio::awaitable<core::Result<Response>> {
    co_return JsonResponse(boost::json::object{{"ok", true}});
  });
  ServerOptions options;
  options.port = 0;
  options.threads = 1;
  options.max_connections = 2;
  options.access_log = false;
  Server server(options, router);
  server.Listen();
  std::thread runner([&] { server.Run(); });
  RawConnection a(server.port()), b(server.port());
  std::this_thread::sleep_for(100ms);
  RawConnection c(server.port());
  EXPECT_EQ(StatusOf(c.ReadResponses(1)), 503);
  a.Send(Get("/hello"));
  EXPECT_EQ(StatusOf(a.ReadResponses(1)), 200);
  server.Stop();
  runner.join();
}

TEST(ServerLifecycle, APortAnotherServerListensOnIsRefusedNotShared) {
  Router router;
  ServerOptions options;
  options.port = 0;
  options.threads = 2;
  options.access_log = false;
  Server first(options, router);
  first.Listen();
  options.port = first.port();
  Server second(options, router);
  EXPECT_THROW(second.Listen(), std::system_error)
      << "SO_REUSEPORT would have split the connections between the two";
}

// A thread-start hook may run its io_context until something it started is ready (the app
// waits there for its database pool). A stop that arrives meanwhile must still end Run():
// before, Run() stopped each io_context once, the hook's loop then spun on a stopped
// io_context and the process never exited (dev_test hung after SIGTERM).
TEST(ServerLifecycle, StopDuringAThreadStartHookThatRunsTheIoContextEndsRun) {
  Router router;
  ServerOptions options;
  options.port = 0;
  options.threads = 2;
  options.shutdown_grace = 1s;
  options.access_log = false;
  Server server(options, router);
  std::atomic<int> hooks_in{0};
  server.OnThreadStart([&](int, asio::io_context& io) {
    hooks_in.fetch_add(1);
    auto slow_start = asio::co_spawn(
        io,
        [&io]() -> asio::awaitable<void> {
          asio::steady_timer timer(io, 400ms);
          co_await timer.async_wait(asio::use_awaitable);
        },
        asio::use_future);
    RunUntilReady(io, slow_start);
  });
  server.Listen();
  auto finished = std::async(std::launch::async, [&] { server.Run(); });
  while (hooks_in.load() < 2) std::this_thread::sleep_for(1ms);
  server.Stop();
  if (finished.wait_for(5s) != std::future_status::ready) {
    ADD_FAILURE() << "Run() did not return 5 s after Stop()";
    std::fflush(nullptr);
    std::_Exit(1);  // the stuck thread cannot be joined
  }
}

}  // namespace
}  // namespace onboardd::http
