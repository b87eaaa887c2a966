// The concurrency scenario of SPEC §9: many simultaneous users walking the wizard against a
// running onboardd, each on its own keep-alive connection, with think time between requests.
// Each user i (sub PREFIX-i) does, in order:
//
//   GET status (not_started) → POST step 1 → GET status (in_progress) → POST step 2 →
//   POST step 3 → GET status (in_progress) → POST complete {"data":{}} → GET status (completed)
//
// /complete sends no wizard data, so the organization can only be built from the three steps
// the server saved: bench/wizard_verify.sql then checks in the database that every user's
// profile, organization and departments carry exactly what that user sent (zero lost steps).
// The values are a function of i (see StepBody), which the SQL recomputes.
//
//   AUTH_DEV_SECRET=... wizard_load --port P --users N --prefix PREFIX
//       [--ramp-seconds R] [--think-ms MIN-MAX] [--timeout-seconds T]
//
// Prints one `WIZARD ...` summary line, one `ROUTE ...` line per request kind (latencies in
// ms) and one `ERROR ...` line per distinct failure; exits 1 when any request failed.
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
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "auth/dev_token.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace json = boost::json;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

struct Options {
  unsigned short port = 0;
  int users = 0;
  std::string prefix;
  double ramp_seconds = 10;
  int think_min_ms = 500;
  int think_max_ms = 3000;
  int timeout_seconds = 30;
};

// The request kinds, in the order a user sends them.
enum Kind { kStatus, kStep1, kStep2, kStep3, kComplete, kKinds };
constexpr const char* kKindNames[kKinds] = {"status", "step1", "step2", "step3", "complete"};

// Everything the users report, on the one driver thread (no locks).
struct Results {
  std::vector<double> latency_ms[kKinds];
  std::map<std::string, int> errors;  // "kind: what" → count
  int users_done = 0;
  int users_failed = 0;
  int connected = 0;       // users between connect and their last answer
  int peak_connected = 0;  // the most at once: "simultaneous users"
  void Error(Kind kind, const std::string& what) {
    ++errors[std::string(kKindNames[kind]) + ": " + what];
  }
};

// The three steps of user i: every value is a function of i, recomputed by wizard_verify.sql.
std::string StepBody(int step, int i) {
  static constexpr const char* kRoles[] = {"ceo", "manager", "team_lead", "individual"};
  static constexpr const char* kLevels[] = {"beginner", "intermediate", "advanced"};
  static constexpr const char* kIndustries[] = {"technology", "finance", "healthcare",
                                                "education",  "retail",  "consulting",
                                                "marketing",  "energy"};
  static constexpr const char* kSizes[] = {"startup", "small", "medium", "large", "enterprise"};
  static constexpr const char* kStructures[] = {"hierarchical", "flat", "matrix"};
  json::object data;
  if (step == 1) {
    data = {{"role", kRoles[i % 4]}, {"experienceLevel", kLevels[i % 3]}, {"hasSeenWelcome", true}};
  } else if (step == 2) {
    data = {{"name", "Empresa " + std::to_string(i)},
            {"industry", kIndustries[i % 8]},
            {"size", kSizes[i % 5]},
            {"description", "Carga " + std::to_string(i)}};
  } else {
    data = {{"teamSize", 1 + i % 500},
            {"structure", kStructures[i % 3]},
            {"methodology", "okrs"},
            {"collaborationStyle", "hybrid"},
            {"integrations", json::array{"slack", "jira"}},
            {"departments",
             json::array{"Ventas " + std::to_string(i), "Producto " + std::to_string(i)}}};
  }
  return json::serialize(json::object{{"step", step}, {"data", std::move(data)}});
}

// One request on the user's connection; false (and the error recorded) on anything but the
// expected status code, or a body whose "status" is not `want_state` when that is given.
asio::awaitable<bool> Call(beast::tcp_stream& stream, beast::flat_buffer& buffer, Results& results,
                           Kind kind, bhttp::verb verb, const char* target,
                           const std::string& token, std::string body, const char* want_state,
                           std::chrono::seconds timeout) {
  bhttp::request<bhttp::string_body> request{verb, target, 11};
  request.set(bhttp::field::host, "127.0.0.1");
  request.set(bhttp::field::authorization, "Bearer " + token);
  if (verb == bhttp::verb::post) {
    request.set(bhttp::field::content_type, "application/json");
    request.body() = std::move(body);
    request.prepare_payload();
  }
  const auto start = Clock::now();
  stream.expires_after(timeout);
  auto [write_error, written] = co_await bhttp::async_write(stream, request, kNoThrow);
  if (write_error) {
    results.Error(kind, "write " + write_error.message());
    co_return false;
  }
  bhttp::response<bhttp::string_body> response;
  auto [read_error, read] = co_await bhttp::async_read(stream, buffer, response, kNoThrow);
  if (read_error) {
    results.Error(kind, "read " + read_error.message());
    co_return false;
  }
  results.latency_ms[kind].push_back(
      std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  if (response.result_int() != 200) {
    results.Error(kind, "HTTP " + std::to_string(response.result_int()));
    co_return false;
  }
  if (want_state != nullptr) {
    boost::system::error_code ec;
    json::value parsed = json::parse(response.body(), ec);
    const json::string* state = nullptr;
    if (!ec && parsed.is_object()) {
      if (const json::value* s = parsed.as_object().if_contains("status")) state = s->if_string();
    }
    if (state == nullptr || *state != want_state) {
      results.Error(kind, std::string("status is not ") + want_state);
      co_return false;
    }
  }
  co_return true;
}

asio::awaitable<void> Think(asio::steady_timer& timer, std::mt19937& random,
                            const Options& options) {
  std::uniform_int_distribution<int> ms(options.think_min_ms, options.think_max_ms);
  timer.expires_after(std::chrono::milliseconds(ms(random)));
  co_await timer.async_wait(kNoThrow);
}

asio::awaitable<void> User(int i, std::string token, const Options& options, Results& results) {
  auto executor = co_await asio::this_coro::executor;
  std::mt19937 random(static_cast<unsigned>(i));
  asio::steady_timer timer(executor);
  // Arrivals spread evenly over the ramp, so that the users overlap but do not all connect in
  // the same millisecond.
  timer.expires_after(std::chrono::microseconds(
      static_cast<long long>(options.ramp_seconds * 1e6 * i / std::max(1, options.users))));
  co_await timer.async_wait(kNoThrow);

  beast::tcp_stream stream(executor);
  beast::flat_buffer buffer;
  const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), options.port);
  stream.expires_after(std::chrono::seconds(options.timeout_seconds));
  if (auto [ec] = co_await stream.async_connect(server, kNoThrow); ec) {
    results.Error(kStatus, "connect " + ec.message());
    ++results.users_failed;
    co_return;
  }
  results.peak_connected = std::max(results.peak_connected, ++results.connected);
  const std::chrono::seconds timeout(options.timeout_seconds);
  // The walk (see the header), a think time before every request but the first and the last.
  struct Visit {
    Kind kind;
    bhttp::verb verb;
    const char* target;
    std::string body;
    const char* want_state;  // the answer's "status", or nullptr: any 200
  };
  using bhttp::verb;
  constexpr const char* kStatusPath = "/api/onboarding/status";
  constexpr const char* kStepPath = "/api/onboarding/step";
  const Visit walk[] = {
      {kStatus, verb::get, kStatusPath, "", "not_started"},
      {kStep1, verb::post, kStepPath, StepBody(1, i), nullptr},
      {kStatus, verb::get, kStatusPath, "", "in_progress"},
      {kStep2, verb::post, kStepPath, StepBody(2, i), nullptr},
      {kStep3, verb::post, kStepPath, StepBody(3, i), nullptr},
      {kStatus, verb::get, kStatusPath, "", "in_progress"},
      {kComplete, verb::post, "/api/onboarding/complete", R"({"data":{}})", nullptr},
      {kStatus, verb::get, kStatusPath, "", "completed"},
  };
  bool ok = true;
  for (std::size_t v = 0; ok && v < std::size(walk); ++v) {
    if (v > 0 && v + 1 < std::size(walk)) co_await Think(timer, random, options);
    ok = co_await Call(stream, buffer, results, walk[v].kind, walk[v].verb, walk[v].target, token,
                       walk[v].body, walk[v].want_state, timeout);
  }
  ok ? ++results.users_done : ++results.users_failed;
  --results.connected;
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  std::size_t index =
      static_cast<std::size_t>(p / 100 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

bool ParseOptions(int argc, char** argv, Options& o) {
  for (int a = 1; a + 1 < argc; a += 2) {
    std::string flag = argv[a], value = argv[a + 1];
    if (flag == "--port")
      o.port = static_cast<unsigned short>(std::stoi(value));
    else if (flag == "--users")
      o.users = std::stoi(value);
    else if (flag == "--prefix")
      o.prefix = value;
    else if (flag == "--ramp-seconds")
      o.ramp_seconds = std::stod(value);
    else if (flag == "--timeout-seconds")
      o.timeout_seconds = std::stoi(value);
    else if (flag == "--think-ms") {
      std::size_t dash = value.find('-');
      if (dash == std::string::npos) return false;
      o.think_min_ms = std::stoi(value.substr(0, dash));
      o.think_max_ms = std::stoi(value.substr(dash + 1));
    } else
      return false;
  }
  return argc % 2 == 1 && o.port != 0 && o.users > 0 && !o.prefix.empty() && o.think_min_ms >= 0 &&
         o.think_max_ms >= o.think_min_ms;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  const char* secret = std::getenv("AUTH_DEV_SECRET");
  if (!ParseOptions(argc, argv, options) || secret == nullptr || *secret == '\0') {
    std::fputs(
        "usage: AUTH_DEV_SECRET=... wizard_load --port P --users N --prefix PREFIX\n"
        "         [--ramp-seconds R] [--think-ms MIN-MAX] [--timeout-seconds T]\n",
        stderr);
    return 2;
  }
  // One socket per user: ask for the hard limit of open files.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  if (files.rlim_cur < static_cast<rlim_t>(options.users) + 64) {
    std::fprintf(stderr, "wizard_load: %d users need %d open files; the limit is %llu\n",
                 options.users, options.users + 64,
                 static_cast<unsigned long long>(files.rlim_cur));
    return 2;
  }

  asio::io_context io(1);
  Results results;
  onboardd::auth::DevClaims claims;
  claims.ttl_seconds = 6 * 3600;
  for (int i = 1; i <= options.users; ++i) {
    claims.sub = options.prefix + "-" + std::to_string(i);
    claims.name = "Usuario " + std::to_string(i);
    asio::co_spawn(io, User(i, onboardd::auth::SignDevToken(secret, claims), options, results),
                   asio::detached);
  }
  const auto start = Clock::now();
  io.run();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::size_t requests = 0, failed = 0;
  for (auto& samples : results.latency_ms) requests += samples.size();
  for (const auto& [what, count] : results.errors) failed += static_cast<std::size_t>(count);
  std::printf(
      "WIZARD users=%d completed=%d failed_users=%d peak_connected=%d requests=%zu errors=%zu "
      "seconds=%.1f rps=%.1f\n",
      options.users, results.users_done, results.users_failed, results.peak_connected, requests,
      failed, seconds, static_cast<double>(requests) / seconds);
  for (int k = 0; k < kKinds; ++k) {
    auto& samples = results.latency_ms[k];
    std::sort(samples.begin(), samples.end());
    std::printf(
        "ROUTE kind=%s requests=%zu p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f\n",
        kKindNames[k], samples.size(), Percentile(samples, 50), Percentile(samples, 90),
        Percentile(samples, 99), Percentile(samples, 99.9), samples.empty() ? 0.0 : samples.back());
  }
  for (const auto& [what, count] : results.errors)
    std::printf("ERROR count=%d what=%s\n", count, what.c_str());
  return failed == 0 && results.users_done == options.users ? 0 : 1;
}
