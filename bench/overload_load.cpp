// Open-loop overload (issue 14, SPEC §7): requests are sent at a fixed rate whatever the
// server answers, as real users arrive, so that a server slower than the rate sees its queue
// grow instead of slowing the generator down (wrk is closed-loop: it waits for answers).
// A request that finds no idle keep-alive connection opens a new one, up to a cap.
//
//   AUTH_DEV_SECRET=... overload_load --port P --rate R --seconds S --route step|status
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
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
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

struct Connection {
  explicit Connection(asio::any_io_executor executor) : stream(std::move(executor)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
};

// Everything on the one driver thread (no locks).
struct State {
  std::vector<std::unique_ptr<Connection>> idle;
  int open = 0;  // connections open (idle or busy)
  int peak_open = 0;
  long sent = 0;
  long unsent = 0;  // due while every allowed connection was busy
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

asio::awaitable<void> Fire(long n, Clock::time_point due, const Options& options,
                           const std::vector<std::string>& tokens, State& state) {
  auto executor = co_await asio::this_coro::executor;
  std::unique_ptr<Connection> connection;
  if (!state.idle.empty()) {
    connection = std::move(state.idle.back());
    state.idle.pop_back();
  } else if (state.open < options.max_connections) {
    connection = std::make_unique<Connection>(executor);
    ++state.open;
    state.peak_open = std::max(state.peak_open, state.open);
    const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), options.port);
    connection->stream.expires_after(std::chrono::milliseconds(options.timeout_ms));
    if (auto [ec] = co_await connection->stream.async_connect(server, kNoThrow); ec) {
      ++state.errors["connect " + ec.message()];
      --state.open;
      co_return;
    }
  } else {
    ++state.unsent;
    co_return;
  }
  ++state.sent;
  const bool step = options.route == "step";
  bhttp::request<bhttp::string_body> request{
      step ? bhttp::verb::post : bhttp::verb::get,
      step ? "/api/onboarding/step" : "/api/onboarding/status", 11};
  request.set(bhttp::field::host, "127.0.0.1");
  request.set(bhttp::field::authorization,
              "Bearer " + tokens[static_cast<std::size_t>(n) % tokens.size()]);
  if (step) {
    request.set(bhttp::field::content_type, "application/json");
    request.body() = kStepBodies[n % 3];
    request.prepare_payload();
  }
  connection->stream.expires_after(std::chrono::milliseconds(options.timeout_ms));
  auto [write_error, written] = co_await bhttp::async_write(connection->stream, request, kNoThrow);
  bhttp::response<bhttp::string_body> response;
  boost::system::error_code read_error;
  if (!write_error) {
    auto [ec, read] =
        co_await bhttp::async_read(connection->stream, connection->buffer, response, kNoThrow);
    read_error = ec;
  }
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
  if (write_error || read_error) {
    ++state.errors[std::string(write_error ? "write " : "read ") +
                   (write_error ? write_error : read_error).message()];
    --state.open;
    co_return;
  }
  const int status = response.result_int();
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
  if (response.keep_alive()) {
    state.idle.push_back(std::move(connection));
  } else {
    --state.open;
  }
}

// Sends request n at start + n / rate, for the whole duration.
asio::awaitable<void> Schedule(const Options& options, const std::vector<std::string>& tokens,
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
    asio::co_spawn(executor, Fire(n, due, options, tokens, state), asio::detached);
  }
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
         options.max_connections > 0 && (options.route == "step" || options.route == "status");
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  const char* secret = std::getenv("AUTH_DEV_SECRET");
  if (!ParseOptions(argc, argv, options) || secret == nullptr || *secret == '\0') {
    std::fputs(
        "usage: AUTH_DEV_SECRET=... overload_load --port P --rate R --seconds S "
        "--route step|status\n"
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
  asio::co_spawn(io, Schedule(options, tokens, state), asio::detached);
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
