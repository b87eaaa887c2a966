// Open-loop overload (issue 14, SPEC §7): requests are sent at a fixed rate whatever the
// server answers, as real users arrive, so that a server slower than the rate sees its queue
// grow instead of slowing the generator down (wrk is closed-loop: it waits for answers).
// A request that finds no idle keep-alive connection opens a new one, up to a cap. Route
// `hello` sends GET /hello, for bench/hello_server: the same server stack with a no-op
// handler, whose answers at the same rate are the floor any route's answers can reach here.
// The requests are written out before the run and the answers read without keeping their
// fields, so that the generator takes as little as it can of the CPU it shares with the server.
//
//   AUTH_DEV_SECRET=... overload_load --port P --rate R --seconds S --route step|status|hello
//       [--users N] [--prefix PREFIX] [--max-connections M] [--timeout-ms T]
//       [--settle-seconds S]
//
// Latency is measured from the moment a request was due, not from when it was written, so
// time spent waiting in the generator counts (no coordinated omission). Prints one
// `OVERLOAD ...` line (200s and 503s separately; settled_*: without the requests due in the
// first --settle-seconds), one `SECOND t=...` line per second of the run (the requests due in
// it: how the answers evolve, e.g. before the server's admission control finds the queue
// standing), and one `ERROR ...` line per distinct failure.
// Exits 1 when an answer was neither 200 nor 503, or a request failed at the socket level.
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/dev_token.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

struct Options {
  unsigned short port = 0;
  double rate = 0;
  double seconds = 0;
  std::string route;
  int users = 300;
  std::string prefix = "overload";
  int max_connections = 4096;
  int timeout_ms = 10'000;
  // The settled_* figures leave out requests due in the first this many seconds: while the
  // server's admission control has not yet told overload from a pause (DB_QUEUE_INTERVAL_MS,
  // by default 1 s, from the first wait above target).
  double settle_seconds = 2;
};

// A keep-alive connection, reused by later requests once its answer is in. Connections are
// never freed during the run: a closed one is reopened by the next request that needs one.
struct Connection {
  explicit Connection(asio::any_io_executor executor) : socket(std::move(executor)) {}
  tcp::socket socket;
  beast::flat_buffer buffer;
  bool busy = false;
  bool timed_out = false;
  Clock::time_point busy_since;
};

// Reads an answer's status line and framing, keeping no field and no body: the generator
// must cost as little CPU as it can, since it shares the machine with the server it measures.
class StatusParser final : public bhttp::basic_parser<false> {
 public:
  int status() const { return status_; }

 private:
  void on_request_impl(bhttp::verb, beast::string_view, beast::string_view, int,
                       beast::error_code&) override {}
  void on_response_impl(int code, beast::string_view, int, beast::error_code&) override {
    status_ = code;
  }
  void on_field_impl(bhttp::field, beast::string_view, beast::string_view,
                     beast::error_code&) override {}
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, beast::error_code&) override {}
  std::size_t on_body_impl(beast::string_view body, beast::error_code&) override {
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                 beast::error_code&) override {
    return body.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  int status_ = 0;
};

// Everything on the one driver thread (no locks).
struct State {
  std::vector<std::unique_ptr<Connection>> all;  // every connection ever made, open or not
  std::vector<Connection*> idle;                 // open, no request on them
  std::vector<Connection*> closed;               // to reopen
  int open = 0;                                  // connections open (idle or busy)
  int peak_open = 0;
  long sent = 0;
  long unsent = 0;  // due while every allowed connection was busy
  bool done = false;
  std::vector<double> ok_ms, shed_ms;
  // The same latencies by the second of the run they were due in (SECOND lines).
  std::vector<std::vector<double>> ok_ms_by_second, shed_ms_by_second;
  Clock::time_point start;
  std::map<std::string, long> errors;  // "what" → count
};

const char* kStepBodies[] = {
    R"({"step":1,"data":{"role":"manager","experienceLevel":"advanced","hasSeenWelcome":true}})",
    R"({"step":2,"data":{"name":"Acme Overload","industry":"technology","size":"small"}})",
    R"({"step":3,"data":{"teamSize":12,"structure":"flat","methodology":"okrs",)"
    R"("collaborationStyle":"hybrid","integrations":["slack"],"departments":["Ventas"]}})",
};
constexpr long kStepBodyCount = 3;

// Every request the run can send, written out once: request n is requests[n % size()] (user
// n % users, and for /step body n % 3).
std::vector<std::string> RenderRequests(const Options& options,
                                        const std::vector<std::string>& tokens) {
  std::vector<std::string> requests;
  const long users = static_cast<long>(tokens.size());
  const long count = options.route == "step" ? users * kStepBodyCount : users;
  requests.reserve(static_cast<std::size_t>(count));
  for (long n = 0; n < count; ++n) {
    const std::string& token = tokens[static_cast<std::size_t>(n % users)];
    std::string request;
    if (options.route == "step") {
      const std::string_view body = kStepBodies[n % kStepBodyCount];
      request = "POST /api/onboarding/step HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                token + "\r\nContent-Type: application/json\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
    } else if (options.route == "status") {
      request = "GET /api/onboarding/status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                token + "\r\n\r\n";
    } else {  // hello: bench/hello_server, the same server stack with a no-op handler
      request =
          "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n\r\n";
    }
    requests.push_back(std::move(request));
  }
  return requests;
}

void Discard(Connection& connection, State& state) {
  boost::system::error_code ignored;
  connection.socket.close(ignored);
  connection.buffer.clear();
  connection.busy = false;
  --state.open;
  state.closed.push_back(&connection);
}

asio::awaitable<void> Fire(long n, Clock::time_point due, const Options& options,
                           const std::vector<std::string>& requests, State& state) {
  Connection* connection = nullptr;
  bool fresh = false;
  if (!state.idle.empty()) {
    connection = state.idle.back();
    state.idle.pop_back();
  } else if (state.open < options.max_connections) {
    if (!state.closed.empty()) {
      connection = state.closed.back();
      state.closed.pop_back();
    } else {
      auto executor = co_await asio::this_coro::executor;
      state.all.push_back(std::make_unique<Connection>(executor));
      connection = state.all.back().get();
    }
    ++state.open;
    state.peak_open = std::max(state.peak_open, state.open);
    fresh = true;
  } else {
    ++state.unsent;
    co_return;
  }
  connection->busy = true;
  connection->timed_out = false;
  connection->busy_since = Clock::now();
  if (fresh) {
    const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), options.port);
    auto [ec] = co_await connection->socket.async_connect(server, kNoThrow);
    if (ec) {
      ++state.errors[connection->timed_out ? "connect timeout" : "connect " + ec.message()];
      Discard(*connection, state);
      co_return;
    }
    connection->socket.set_option(tcp::no_delay(true), ec);
  }
  ++state.sent;
  const std::string& request = requests[static_cast<std::size_t>(n) % requests.size()];
  auto [write_error, written] =
      co_await asio::async_write(connection->socket, asio::buffer(request), kNoThrow);
  StatusParser parser;
  boost::system::error_code read_error;
  if (!write_error) {
    auto [ec, read] =
        co_await bhttp::async_read(connection->socket, connection->buffer, parser, kNoThrow);
    read_error = ec;
  }
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
  if (write_error || read_error) {
    ++state.errors[connection->timed_out ? std::string("timeout")
                                         : std::string(write_error ? "write " : "read ") +
                                               (write_error ? write_error : read_error).message()];
    Discard(*connection, state);
    co_return;
  }
  const int status = parser.status();
  const auto second = static_cast<std::size_t>(
      std::chrono::duration_cast<std::chrono::seconds>(due - state.start).count());
  if (state.ok_ms_by_second.size() <= second) {
    state.ok_ms_by_second.resize(second + 1);
    state.shed_ms_by_second.resize(second + 1);
  }
  if (status == 200) {
    state.ok_ms.push_back(ms);
    state.ok_ms_by_second[second].push_back(ms);
  } else if (status == 503) {
    state.shed_ms.push_back(ms);
    state.shed_ms_by_second[second].push_back(ms);
  } else {
    ++state.errors["HTTP " + std::to_string(status)];
  }
  if (parser.keep_alive()) {
    connection->busy = false;
    state.idle.push_back(connection);
  } else {
    Discard(*connection, state);
  }
}

// One timer for every connection (a timer per request would cost the generator more than
// the rest of its work): a request still unanswered after --timeout-ms has its socket
// closed, and fails as a timeout.
asio::awaitable<void> Watch(const Options& options, State& state) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto timeout = std::chrono::milliseconds(options.timeout_ms);
  while (!state.done || state.open > static_cast<int>(state.idle.size())) {
    timer.expires_after(std::chrono::milliseconds(100));
    co_await timer.async_wait(kNoThrow);
    const auto now = Clock::now();
    for (auto& connection : state.all) {
      if (connection->busy && !connection->timed_out && now - connection->busy_since > timeout) {
        connection->timed_out = true;
        boost::system::error_code ignored;
        connection->socket.cancel(ignored);
      }
    }
  }
  // Idle keep-alive connections end with the run.
  for (Connection* connection : state.idle) {
    boost::system::error_code ignored;
    connection->socket.close(ignored);
  }
}

// Sends request n at start + n / rate, for the whole duration.
asio::awaitable<void> Schedule(const Options& options, const std::vector<std::string>& requests,
                               State& state) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  const auto start = Clock::now();
  state.start = start;
  const long total = static_cast<long>(options.rate * options.seconds);
  const auto interval = std::chrono::duration<double>(1.0 / options.rate);
  for (long n = 0; n < total; ++n) {
    const auto due = start + std::chrono::duration_cast<Clock::duration>(interval * n);
    if (due > Clock::now()) {
      timer.expires_at(due);
      co_await timer.async_wait(kNoThrow);
    }
    asio::co_spawn(executor, Fire(n, due, options, requests, state), asio::detached);
  }
  state.done = true;
}

double Percentile(std::vector<double>& samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(samples.size() - 1));
  return samples[index];
}

bool ParseOptions(int argc, char** argv, Options& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view name = argv[i];
    const char* value = argv[i + 1];
    if (name == "--port") {
      options.port = static_cast<unsigned short>(std::atoi(value));
    } else if (name == "--rate") {
      options.rate = std::atof(value);
    } else if (name == "--seconds") {
      options.seconds = std::atof(value);
    } else if (name == "--route") {
      options.route = value;
    } else if (name == "--users") {
      options.users = std::atoi(value);
    } else if (name == "--prefix") {
      options.prefix = value;
    } else if (name == "--max-connections") {
      options.max_connections = std::atoi(value);
    } else if (name == "--timeout-ms") {
      options.timeout_ms = std::atoi(value);
    } else if (name == "--settle-seconds") {
      options.settle_seconds = std::atof(value);
    } else {
      return false;
    }
  }
  return options.port != 0 && options.rate > 0 && options.seconds > 0 && options.users > 0 &&
         options.max_connections > 0 &&
         (options.route == "step" || options.route == "status" || options.route == "hello");
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  const char* secret = std::getenv("AUTH_DEV_SECRET");
  if (!ParseOptions(argc, argv, options) || secret == nullptr || *secret == '\0') {
    std::fputs(
        "usage: AUTH_DEV_SECRET=... overload_load --port P --rate R --seconds S "
        "--route step|status|hello\n"
        "         [--users N] [--prefix PREFIX] [--max-connections M] [--timeout-ms T]\n"
        "         [--settle-seconds S]\n",
        stderr);
    return 2;
  }
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  options.max_connections =
      std::min<long>(options.max_connections, static_cast<long>(files.rlim_cur) - 64);

  std::vector<std::string> tokens;
  onboardd::auth::DevClaims claims;
  claims.ttl_seconds = 3600;
  for (int i = 1; i <= options.users; ++i) {
    claims.sub = options.prefix + "-" + std::to_string(i);
    tokens.push_back(onboardd::auth::SignDevToken(secret, claims));
  }
  asio::io_context io(1);
  State state;
  const std::vector<std::string> requests = RenderRequests(options, tokens);
  asio::co_spawn(io, Schedule(options, requests, state), asio::detached);
  asio::co_spawn(io, Watch(options, state), asio::detached);
  const auto start = Clock::now();
  io.run();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  long failed = 0;
  for (const auto& [what, count] : state.errors) failed += count;
  const auto ok = static_cast<long>(state.ok_ms.size());
  const auto shed = static_cast<long>(state.shed_ms.size());
  const double ok_p50 = Percentile(state.ok_ms, 50), ok_p99 = Percentile(state.ok_ms, 99);
  const double shed_p50 = Percentile(state.shed_ms, 50), shed_p99 = Percentile(state.shed_ms, 99);
  const double ok_max = state.ok_ms.empty() ? 0.0 : state.ok_ms.back();  // sorted above
  const double shed_max = state.shed_ms.empty() ? 0.0 : state.shed_ms.back();
  std::vector<double> settled_ok, settled_shed;
  for (std::size_t second = 0; second < state.ok_ms_by_second.size(); ++second) {
    if (static_cast<double>(second) < options.settle_seconds) continue;
    const auto& ok_ms = state.ok_ms_by_second[second];
    const auto& shed_ms = state.shed_ms_by_second[second];
    settled_ok.insert(settled_ok.end(), ok_ms.begin(), ok_ms.end());
    settled_shed.insert(settled_shed.end(), shed_ms.begin(), shed_ms.end());
  }
  std::printf(
      "OVERLOAD route=%s rate=%.0f seconds=%.1f due=%ld sent=%ld unsent=%ld ok=%ld shed=%ld "
      "errors=%ld ok_p50_ms=%.2f ok_p99_ms=%.2f ok_max_ms=%.2f shed_p50_ms=%.2f "
      "shed_p99_ms=%.2f shed_max_ms=%.2f peak_connections=%d settled_ok_p99_ms=%.2f "
      "settled_shed_p99_ms=%.2f\n",
      options.route.c_str(), options.rate, seconds,
      static_cast<long>(options.rate * options.seconds), state.sent, state.unsent, ok, shed, failed,
      ok_p50, ok_p99, ok_max, shed_p50, shed_p99, shed_max, state.peak_open,
      Percentile(settled_ok, 99), Percentile(settled_shed, 99));
  for (std::size_t second = 0; second < state.ok_ms_by_second.size(); ++second) {
    auto& ok_ms = state.ok_ms_by_second[second];
    auto& shed_ms = state.shed_ms_by_second[second];
    std::printf("SECOND t=%zu ok=%zu ok_p99_ms=%.2f shed=%zu shed_p50_ms=%.2f shed_p99_ms=%.2f\n",
                second, ok_ms.size(), Percentile(ok_ms, 99), shed_ms.size(),
                Percentile(shed_ms, 50), Percentile(shed_ms, 99));
  }
  for (const auto& [what, count] : state.errors)
    std::printf("ERROR count=%ld what=%s\n", count, what.c_str());
  return failed == 0 ? 0 : 1;
}
