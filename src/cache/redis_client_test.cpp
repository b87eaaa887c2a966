#include "cache/redis_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <fstream>
#include <mutex>

#include "observability/metrics.hpp"
#include "support/fake_http_server.hpp"
#include "support/io_workers.hpp"
#include "support/redis_server.hpp"

namespace onboardd::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = core::SteadyClock;
using test::IoWorkers;
using test::RedisServerOptions;
using test::RedisServerProcess;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

RedisOptions OptionsFor(const std::string& url, std::chrono::milliseconds command_timeout = 300ms) {
  auto endpoint = ParseRedisUrl(url);
  EXPECT_TRUE(endpoint) << url;
  RedisOptions options;
  if (endpoint) options.endpoint = *endpoint;
  options.command_timeout = command_timeout;
  options.connect_timeout = 500ms;
  options.backoff_min = 10ms;
  options.backoff_max = 100ms;
  options.heartbeat_interval = 200ms;
  options.heartbeat_timeout = 200ms;
  return options;
}

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::uint64_t AuthErrors() {
  return observability::Metrics()
      .GetCounter("onboardd_redis_errors_total", "", {{"kind", "auth"}})
      .Value();
}

// One RedisConnection on its own I/O thread, created, used and stopped there.
class Client {
 public:
  explicit Client(RedisOptions options) {
    workers_.Run(0, [&] {
      connection_ = std::make_unique<RedisConnection>(workers_.io(0), std::move(options));
      connection_->Start();
    });
  }
  ~Client() {
    workers_.Run(0, [&] { connection_.reset(); });
    EXPECT_TRUE(workers_.Join(2s)) << "a coroutine of the connection outlived Stop()";
  }

  bool WaitConnected(std::chrono::milliseconds within = 3s) {
    return workers_.Await(0, connection_->WaitConnected(Clock::now() + within));
  }
  core::Result<RedisReply> Run(RedisCommand command,
                               core::Deadline deadline = core::Deadline::max()) {
    return workers_.Await(0, connection_->Execute(std::move(command), deadline));
  }
  core::Result<std::vector<RedisReply>> RunAll(std::vector<RedisCommand> commands) {
    return workers_.Await(0, connection_->ExecuteAll(std::move(commands)));
  }
  bool connected() {
    bool c = false;
    workers_.Run(0, [&] { c = connection_->connected(); });
    return c;
  }
  std::uint64_t connects() {
    std::uint64_t n = 0;
    workers_.Run(0, [&] { n = connection_->connects(); });
    return n;
  }
  RedisConnection& connection() { return *connection_; }
  IoWorkers& workers() { return workers_; }

 private:
  IoWorkers workers_{1};
  std::unique_ptr<RedisConnection> connection_;
};

std::string TextOf(const core::Result<RedisReply>& reply) {
  if (!reply) return "<" + reply.error().message.en + ">";
  return reply->text;
}

TEST(RedisClient, SetGetAndReplyTypes) {
  RedisServerProcess server;
  Client client(OptionsFor(server.Url()));
  ASSERT_TRUE(client.WaitConnected());
  EXPECT_EQ(TextOf(client.Run(RedisCommand{"SET", "k", std::string("a\0b", 3)})), "OK");
  EXPECT_EQ(TextOf(client.Run(RedisCommand{"GET", "k"})), std::string("a\0b", 3));
  EXPECT_TRUE(client.Run(RedisCommand{"GET", "missing"})->IsNil());
  EXPECT_EQ(client.Run(RedisCommand{"INCR", "n"})->integer, 1);
  auto error = client.Run(RedisCommand{"INCR", "k"});
  ASSERT_TRUE(error);  // an error reply is a reply
  EXPECT_TRUE(error->IsError());
  EXPECT_NE(error->text.find("ERR"), std::string::npos);
  auto array = client.Run(RedisCommand{"MGET", "k", "missing", "n"});
  ASSERT_EQ(array->type, RedisReply::Type::kArray);
  ASSERT_EQ(array->elements.size(), 3u);
  EXPECT_TRUE(array->elements[1].IsNil());
  EXPECT_EQ(array->elements[2].text, "1");
}

TEST(RedisClient, MultiExecInOneCall) {
  RedisServerProcess server;
  Client client(OptionsFor(server.Url()));
  ASSERT_TRUE(client.WaitConnected());
  std::vector<RedisCommand> commands;
  commands.push_back(RedisCommand{"MULTI"});
  commands.push_back(RedisCommand{"INCR", "c"});
  commands.push_back(RedisCommand{"INCR", "c"});
  commands.push_back(RedisCommand{"EXEC"});
  auto replies = client.RunAll(std::move(commands));
  ASSERT_TRUE(replies);
  ASSERT_EQ(replies->size(), 4u);
  EXPECT_EQ((*replies)[1].text, "QUEUED");
  ASSERT_EQ((*replies)[3].elements.size(), 2u);
  EXPECT_EQ((*replies)[3].elements[1].integer, 2);
}

constexpr int kCallers = 5000;

// Many commands in flight from many coroutines: every reply reaches its own caller.
TEST(RedisClient, PipelinesThousandsOfCommandsInOrder) {
  RedisServerProcess server;
  Client client(OptionsFor(server.Url(), 5s));
  ASSERT_TRUE(client.WaitConnected());
  auto& connection = client.connection();
  const auto start = Clock::now();
  const int matched = client.workers().Await(0, [&]() -> asio::awaitable<int> {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer all_done(executor, Clock::time_point::max());
    int ok = 0;
    int finished = 0;
    for (int i = 0; i < kCallers; ++i) {
      // Parameters, not captures: the lambda is gone before its coroutine runs.
      asio::co_spawn(
          executor,
          [](RedisConnection& connection, int i, int& ok, int& finished,
             asio::steady_timer& all_done) -> asio::awaitable<void> {
            const std::string key = "key:" + std::to_string(i);
            const std::string value = "value:" + std::to_string(i * 7);
            auto set = co_await connection.Execute(RedisCommand{"SET", key, value});
            auto get = co_await connection.Execute(RedisCommand{"GET", key});
            if (set && get && get->text == value) ++ok;
            if (++finished == kCallers) all_done.cancel();
          }(connection, i, ok, finished, all_done),
          asio::detached);
    }
    co_await all_done.async_wait(kTuple);
    co_return ok;
  }());
  const double ms = MsSince(start);
  EXPECT_EQ(matched, kCallers);
  EXPECT_EQ(client.connects(), 1u);
  std::printf("[ measure  ] %d SET+GET from concurrent callers: %.0f ms (%.0f commands/s)\n",
              kCallers, ms, 2 * kCallers / (ms / 1000));
}

TEST(RedisClient, MeasureRoundTripAndPipelinedThroughput) {
  RedisServerProcess server;
  Client client(OptionsFor(server.Url(), 5s));
  ASSERT_TRUE(client.WaitConnected());
  ASSERT_TRUE(client.Run(RedisCommand{"SET", "status:u1", std::string(800, 'j')}));
  auto& connection = client.connection();
  constexpr int kSequential = 2000;
  const double sequential_ms = [&] {
    const auto start = Clock::now();
    const int ok = client.workers().Await(0, [&]() -> asio::awaitable<int> {
      int n = 0;
      for (int i = 0; i < kSequential; ++i) {
        auto reply = co_await connection.Execute(RedisCommand{"GET", "status:u1"});
        n += reply && reply->text.size() == 800;
      }
      co_return n;
    }());
    EXPECT_EQ(ok, kSequential);
    return MsSince(start);
  }();
  constexpr int kBatch = 100;
  constexpr int kBatches = 200;
  const double pipelined_ms = [&] {
    const auto start = Clock::now();
    const int ok = client.workers().Await(0, [&]() -> asio::awaitable<int> {
      int n = 0;
      for (int b = 0; b < kBatches; ++b) {
        std::vector<RedisCommand> batch;
        for (int i = 0; i < kBatch; ++i) batch.push_back(RedisCommand{"GET", "status:u1"});
        auto replies = co_await connection.ExecuteAll(std::move(batch));
        if (replies) n += static_cast<int>(replies->size());
      }
      co_return n;
    }());
    EXPECT_EQ(ok, kBatch * kBatches);
    return MsSince(start);
  }();
  std::printf("[ measure  ] GET 800 B, one at a time: %.1f us per round trip\n",
              1000 * sequential_ms / kSequential);
  std::printf("[ measure  ] GET 800 B, pipelined by %d: %.0f GET/s\n", kBatch,
              kBatch * kBatches / (pipelined_ms / 1000));
}

TEST(RedisClient, InFlightLimitRefusesAtOnce) {
  RedisServerProcess server;
  RedisOptions options = OptionsFor(server.Url(), 2s);
  options.max_in_flight = 3;
  Client client(options);
  ASSERT_TRUE(client.WaitConnected());
  std::vector<RedisCommand> too_many;
  for (int i = 0; i < 4; ++i) too_many.push_back(RedisCommand{"PING"});
  auto refused = client.RunAll(std::move(too_many));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::kUnavailable);
  std::vector<RedisCommand> fits;
  for (int i = 0; i < 3; ++i) fits.push_back(RedisCommand{"PING"});
  EXPECT_TRUE(client.RunAll(std::move(fits)));
}

// A caller that gives up early (its deadline, not the server's stall) leaves the reply slot
// in place: the late reply is dropped and the next command gets its own reply.
TEST(RedisClient, AbandonedCommandDoesNotDesynchronizeReplies) {
  RedisServerProcess server;
  Client client(OptionsFor(server.Url(), 2s));
  ASSERT_TRUE(client.WaitConnected());
  ASSERT_TRUE(client.Run(RedisCommand{"SET", "k", "mine"}));
  const auto start = Clock::now();
  auto blocked = client.Run(RedisCommand{"BLPOP", "empty-list", "0.3"}, Clock::now() + 50ms);
  ASSERT_FALSE(blocked);
  EXPECT_LT(MsSince(start), 250);
  // Queued behind the BLPOP on the same connection: answered after it, correctly paired.
  EXPECT_EQ(TextOf(client.Run(RedisCommand{"GET", "k"})), "mine");
  EXPECT_EQ(client.connects(), 1u);  // not a stall: the connection was kept
}

TEST(RedisClient, StalledServerCostsOneTimeoutThenFailsFastAndRecovers) {
  RedisServerProcess server;
  Client client(OptionsFor(server.Url(), 200ms));
  ASSERT_TRUE(client.WaitConnected());
  ASSERT_TRUE(client.Run(RedisCommand{"SET", "k", "before"}));
  server.Pause();
  auto start = Clock::now();
  auto stalled = client.Run(RedisCommand{"GET", "k"});
  const double stalled_ms = MsSince(start);
  ASSERT_FALSE(stalled);
  EXPECT_EQ(stalled.error().code, core::ErrorCode::kUnavailable);
  EXPECT_GE(stalled_ms, 190);
  EXPECT_LT(stalled_ms, 600);
  // The connection was dropped: the next calls do not wait.
  start = Clock::now();
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(client.Run(RedisCommand{"GET", "k"}));
  EXPECT_LT(MsSince(start), 150);  // ten calls in less than one timeout
  server.Resume();
  ASSERT_TRUE(client.WaitConnected(5s));
  EXPECT_EQ(client.connects(), 2u);
  EXPECT_EQ(TextOf(client.Run(RedisCommand{"SET", "k", "after"})), "OK");
  EXPECT_EQ(TextOf(client.Run(RedisCommand{"GET", "k"})), "after");
}

TEST(RedisClient, ReconnectsAfterRestartAndFailsFastMeanwhile) {
  RedisServerProcess server;
  Client client(OptionsFor(server.Url()));
  ASSERT_TRUE(client.WaitConnected());
  server.Stop();
  // The reader sees the connection close; calls then fail without waiting.
  const auto give_up = Clock::now() + 2s;
  while (client.connected() && Clock::now() < give_up) std::this_thread::sleep_for(1ms);
  ASSERT_FALSE(client.connected());
  const auto start = Clock::now();
  auto down = client.Run(RedisCommand{"PING"});
  EXPECT_LT(MsSince(start), 150);  // well below the 300 ms command timeout
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, core::ErrorCode::kUnavailable);
  server.Start();
  ASSERT_TRUE(client.WaitConnected(5s));
  EXPECT_EQ(client.connects(), 2u);
  EXPECT_EQ(TextOf(client.Run(RedisCommand{"PING"})), "PONG");
}

TEST(RedisClient, UnixSocketWithDatabase) {
  RedisServerOptions options;
  options.unix_socket = true;
  RedisServerProcess server(options);
  Client client(OptionsFor("unix://" + server.unix_path() + "?db=2"));
  ASSERT_TRUE(client.WaitConnected());
  ASSERT_TRUE(client.Run(RedisCommand{"SET", "where", "db2"}));
  EXPECT_EQ(server.Cli({"-n", "2", "GET", "where"}), "db2");
  EXPECT_EQ(server.Cli({"-n", "0", "EXISTS", "where"}), "0");
}

TEST(RedisClient, PasswordAndAclUser) {
  RedisServerOptions options;
  options.password = "pw-default";
  options.acl_users = {"alice on >alice-secret ~* &* +@all"};
  RedisServerProcess server(options);
  const std::string host = "127.0.0.1:" + std::to_string(server.port());
  {
    Client client(OptionsFor("redis://:pw-default@" + host));
    ASSERT_TRUE(client.WaitConnected());
    EXPECT_EQ(TextOf(client.Run(RedisCommand{"ACL", "WHOAMI"})), "default");
  }
  {
    Client client(OptionsFor("redis://alice:alice-secret@" + host + "/1"));
    ASSERT_TRUE(client.WaitConnected());
    EXPECT_EQ(TextOf(client.Run(RedisCommand{"ACL", "WHOAMI"})), "alice");
    ASSERT_TRUE(client.Run(RedisCommand{"SET", "who", "alice"}));
    EXPECT_EQ(server.Cli({"-n", "1", "GET", "who"}), "alice");
  }
  const auto refused_before = AuthErrors();
  for (const std::string& url :
       {"redis://:wrong@" + host, "redis://" + host, "redis://alice:wrong@" + host}) {
    Client client(OptionsFor(url));
    EXPECT_FALSE(client.WaitConnected(400ms)) << url;
    auto reply = client.Run(RedisCommand{"PING"});
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, core::ErrorCode::kUnavailable);
  }
  EXPECT_GE(AuthErrors(), refused_before + 3);
}

TEST(RedisClient, TlsVerifiesThePeer) {
  const auto good = test::MakeTestCertificate({"127.0.0.1", "localhost"});
  RedisServerOptions options;
  options.tls_cert_pem = good.cert_pem;
  options.tls_key_pem = good.key_pem;
  RedisServerProcess server(options);
  const std::string ca_file = server.dir() + "/ca.pem";
  std::ofstream(ca_file) << good.ca_pem;
  {
    RedisOptions trusted = OptionsFor(server.Url());
    trusted.ca_file = ca_file;
    Client client(trusted);
    ASSERT_TRUE(client.WaitConnected());
    ASSERT_TRUE(client.Run(RedisCommand{"SET", "tls", "yes"}));
    EXPECT_EQ(TextOf(client.Run(RedisCommand{"GET", "tls"})), "yes");
    EXPECT_EQ(server.Cli({"GET", "tls"}), "yes");
  }
  {
    RedisOptions by_name = OptionsFor("rediss://localhost:" + std::to_string(server.port()));
    by_name.ca_file = ca_file;
    Client client(by_name);
    EXPECT_TRUE(client.WaitConnected());
  }
  {
    Client untrusted(OptionsFor(server.Url()));  // system CAs only
    EXPECT_FALSE(untrusted.WaitConnected(500ms));
  }
  {
    // Signed by the trusted CA, but for another name.
    const auto other = test::MakeTestCertificate({"redis.example"});
    RedisServerOptions other_options;
    other_options.tls_cert_pem = other.cert_pem;
    other_options.tls_key_pem = other.key_pem;
    RedisServerProcess other_server(other_options);
    const std::string other_ca = other_server.dir() + "/ca.pem";
    std::ofstream(other_ca) << other.ca_pem;
    RedisOptions wrong_name = OptionsFor(other_server.Url());
    wrong_name.ca_file = other_ca;
    Client client(wrong_name);
    EXPECT_FALSE(client.WaitConnected(500ms));
  }
}

TEST(RedisClient, PlainClientAgainstTlsServerNeverConnects) {
  const auto cert = test::MakeTestCertificate({"127.0.0.1"});
  RedisServerOptions options;
  options.tls_cert_pem = cert.cert_pem;
  options.tls_key_pem = cert.key_pem;
  RedisServerProcess server(options);
  Client client(OptionsFor("redis://127.0.0.1:" + std::to_string(server.port())));
  EXPECT_FALSE(client.WaitConnected(500ms));
}

// Subscriber events and messages, recorded from the I/O thread.
struct Recorder {
  std::mutex mu;
  std::vector<RedisSubscriber::Event> events;
  std::vector<std::string> messages;

  RedisSubscriber::Handlers Handlers() {
    return {[this](std::string_view channel, std::string_view message) {
              std::lock_guard lock(mu);
              messages.push_back(std::string(channel) + "=" + std::string(message));
            },
            [this](RedisSubscriber::Event event) {
              std::lock_guard lock(mu);
              events.push_back(event);
            }};
  }
  std::size_t Count(RedisSubscriber::Event event) {
    std::lock_guard lock(mu);
    return static_cast<std::size_t>(std::count(events.begin(), events.end(), event));
  }
  bool HasMessage(const std::string& m) {
    std::lock_guard lock(mu);
    return std::find(messages.begin(), messages.end(), m) != messages.end();
  }
  template <class Pred>
  bool WaitFor(Pred pred, std::chrono::milliseconds within) {
    const auto give_up = Clock::now() + within;
    while (Clock::now() < give_up) {
      if (pred()) return true;
      std::this_thread::sleep_for(2ms);
    }
    return pred();
  }
};

TEST(RedisSubscriber, DeliversResubscribesAndNoticesAStall) {
  RedisServerProcess server;
  Recorder recorder;
  IoWorkers workers(1);
  std::unique_ptr<RedisSubscriber> subscriber;
  RedisOptions options = OptionsFor(server.Url());
  options.role = "subscriber";
  workers.Run(0, [&] {
    subscriber = std::make_unique<RedisSubscriber>(
        workers.io(0), options, std::vector<std::string>{"ch-a", "ch-b"}, recorder.Handlers());
    subscriber->Start();
  });
  using Event = RedisSubscriber::Event;
  ASSERT_TRUE(recorder.WaitFor([&] { return recorder.Count(Event::kSubscribed) == 1; }, 3s));
  server.Cli({"PUBLISH", "ch-a", "hello"});
  server.Cli({"PUBLISH", "ch-b", "world"});
  server.Cli({"PUBLISH", "ch-c", "not for us"});
  EXPECT_TRUE(recorder.WaitFor([&] { return recorder.HasMessage("ch-b=world"); }, 2s));
  EXPECT_TRUE(recorder.HasMessage("ch-a=hello"));
  EXPECT_FALSE(recorder.HasMessage("ch-c=not for us"));

  // Restart: disconnected, then subscribed again, and messages flow again.
  server.Restart();
  ASSERT_TRUE(recorder.WaitFor([&] { return recorder.Count(Event::kSubscribed) == 2; }, 5s));
  EXPECT_EQ(recorder.Count(Event::kDisconnected), 1u);
  server.Cli({"PUBLISH", "ch-a", "again"});
  EXPECT_TRUE(recorder.WaitFor([&] { return recorder.HasMessage("ch-a=again"); }, 2s));

  // Stalled server: no traffic flows, yet the heartbeat notices within interval + timeout.
  const auto paused_at = Clock::now();
  server.Pause();
  ASSERT_TRUE(recorder.WaitFor([&] { return recorder.Count(Event::kDisconnected) == 2; }, 3s));
  const double noticed_ms = MsSince(paused_at);
  EXPECT_LT(noticed_ms, 200 + 200 + 300);  // heartbeat interval + timeout + scheduling slack
  server.Resume();
  ASSERT_TRUE(recorder.WaitFor([&] { return recorder.Count(Event::kSubscribed) == 3; }, 5s));
  std::printf("[ measure  ] subscriber noticed a stalled server after %.0f ms\n", noticed_ms);

  workers.Run(0, [&] { subscriber.reset(); });
  EXPECT_TRUE(workers.Join(2s));
  // No event after Stop.
  EXPECT_EQ(recorder.Count(Event::kDisconnected), 2u);
}

TEST(RedisSubscriber, ReportsFailedAttemptsWhileRedisIsDown) {
  RedisServerProcess server;
  server.Stop();
  Recorder recorder;
  IoWorkers workers(1);
  std::unique_ptr<RedisSubscriber> subscriber;
  workers.Run(0, [&] {
    subscriber =
        std::make_unique<RedisSubscriber>(workers.io(0), OptionsFor(server.Url()),
                                          std::vector<std::string>{"ch"}, recorder.Handlers());
    subscriber->Start();
  });
  using Event = RedisSubscriber::Event;
  EXPECT_TRUE(recorder.WaitFor([&] { return recorder.Count(Event::kConnectFailed) >= 2; }, 3s));
  EXPECT_EQ(recorder.Count(Event::kSubscribed), 0u);
  server.Start();
  EXPECT_TRUE(recorder.WaitFor([&] { return recorder.Count(Event::kSubscribed) == 1; }, 3s));
  workers.Run(0, [&] { subscriber.reset(); });
  EXPECT_TRUE(workers.Join(2s));
}

}  // namespace
}  // namespace onboardd::cache
