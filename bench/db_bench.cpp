// The data layer under load: GET /status's exact transaction (identity settings + the status
// read, one pipeline) through src/db at a given concurrency, and the pgbench script that runs
// the same SQL in the same pipeline shape, so that bench/db-bench compares like with like.
//
//   db_bench --print-pgbench FILE --users N         write the pgbench script
//   db_bench --print-pgbench-step PREFIX --users N  write PREFIX-{1,2,3}.pgbench: POST /step's
//                                                   transaction for each wizard step
//   db_bench --print-pgbench-step-floor PREFIX --users N
//                                                   the same steps as the smallest durable write
//                                                   of the same data: one upsert of the draft
//                                                   row with RLS context, one commit (SPEC §9's
//                                                   baseline for POST /step)
//   db_bench --seed --users N                       give N bench users a draft (half complete)
//   db_bench --concurrency C --threads T --seconds S --users N [--step]
//                                                   measure GET /status's read (with --step:
//                                                   POST /step's write, steps 1-3 at random,
//                                                   SaveStep); prints one result line
// The connection string comes from DATABASE_URL (the app role: RLS on) or BENCH_URL.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.hpp"
#include "db/pg_pool.hpp"
#include "db/tenant_transaction.hpp"
#include "onboarding/onboarding_store.hpp"
#include "onboarding/step_validation.hpp"

namespace {

// Seeded and benchmarked sessions live as long as the server's default (SESSION_TTL_HOURS).
constexpr std::chrono::hours kSessionTtl{168};

namespace asio = boost::asio;
using namespace onboardd;
using Clock = std::chrono::steady_clock;

std::string Arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (name == argv[i]) return argv[i + 1];
  }
  return fallback;
}
bool Flag(int argc, char** argv, const std::string& name) {
  for (int i = 1; i < argc; ++i) {
    if (name == argv[i]) return true;
  }
  return false;
}

std::string User(int i) { return "bench-user-" + std::to_string(i); }

db::TenantContext Context(const std::string& user, bool read_only) {
  db::TenantContext c;
  c.user_id = user;
  c.request_id = "bench";
  c.deadline = Clock::now() + std::chrono::seconds(5);
  c.read_only = read_only;
  return c;
}

int PrintPgbench(const std::string& path, int users) {
  std::ofstream out(path);
  // The identity statement TenantTransaction sends, then the status read, as one pipeline:
  // pgbench runs a pipeline as one implicit transaction, as the server does.
  out << "\\set uid random(1, " << users << ")\n"
      << "\\startpipeline\n"
      << "select set_config('app.user_id', 'bench-user-' || :uid, true), "
         "set_config('app.org_id', '', true), set_config('app.request_id', 'bench', true), "
         "set_config('statement_timeout', '5000ms', true), "
         "set_config('transaction_read_only', 'on', true);\n"
      << onboarding::StatusStatement().sql << ";\n"
      << "\\endpipeline\n";
  return out ? 0 : 1;
}

// `statement` with $1..$n replaced by SQL literals of `params` (NULL, or quoted text: the server
// sends text parameters, which PostgreSQL types from the statement's casts, as it does a
// literal), highest number first so that $1 does not eat $10's prefix.
std::string Inline(std::string_view statement, const std::vector<db::Param>& params) {
  std::string sql(statement);
  for (std::size_t n = params.size(); n >= 1; --n) {
    std::string literal = "NULL";
    if (const auto& value = params[n - 1].value) {
      // pgbench reads ":name" as a variable even inside a literal: in JSON (the only values
      // here with colons), a space after each colon means the same and is left alone.
      const bool json = !value->empty() && (value->front() == '{' || value->front() == '[');
      literal = "'";
      for (char c : *value) {
        literal += c == '\'' ? std::string("''") : std::string(1, c);
        if (json && c == ':') literal += ' ';
      }
      literal += "'";
    }
    const std::string placeholder = "$" + std::to_string(n);
    for (std::size_t at = sql.find(placeholder); at != std::string::npos;
         at = sql.find(placeholder, at + literal.size())) {
      sql.replace(at, placeholder.size(), literal);
    }
  }
  return sql;
}

// Steps 1-3 as bench/wrk/step.lua sends them.
constexpr const char* kStepBodies[] = {
    R"({"role":"manager","customRole":"","experienceLevel":"advanced","hasSeenWelcome":true})",
    R"({"name":"Acme Bench","industry":"technology","size":"small","description":"","logo":""})",
    R"({"teamSize":12,"structure":"flat","methodology":"okrs","collaborationStyle":"hybrid",)"
    R"("integrations":["slack","jira"],"departments":["Ventas","Producto"]})"};

// The smallest durable write of a step's data, the baseline SPEC §9 holds POST /step to: the
// draft row upserted under the same identity settings and policies (insert and update as the
// app role, the row's triggers and indexes), in one statement and one commit. No session
// bookkeeping, no progress row, no audit row: what PostgreSQL cannot avoid doing to keep the
// data. $1 step id, $2 the step's data, $3 flow, $4 total steps, $5 hours until it expires.
constexpr std::string_view kDraftUpsert =
    "insert into public.onboarding_sessions as s (user_id, flow, total_steps, form_data, "
    "expires_at) values (onboardd_private.current_user_id(), $3, $4::int, "
    "jsonb_build_object($1::text, $2::jsonb), now() + make_interval(hours => $5::int)) "
    "on conflict (user_id) where status = 'in_progress' "
    "do update set form_data = s.form_data || excluded.form_data";

// POST /step's transaction for steps 1-3 of the default flow, with the values bench/wrk/
// step.lua sends, as SaveStepTransaction builds it: the identity settings (the user random
// per transaction, as the wrk run's users are), then its statements in one pipeline. Seeded
// users always have an in-progress session, so the new session's id is never used. With
// `floor`, the identity settings and kDraftUpsert instead.
int PrintPgbenchStep(const std::string& prefix, int users, bool floor) {
  auto snapshot = catalog::LoadBundled();
  if (!snapshot) return 1;
  const catalog::Flow& flow = (*snapshot)->default_flow();
  for (int number = 1; number <= 3; ++number) {
    auto step = onboarding::ValidateStep(flow, number, boost::json::parse(kStepBodies[number - 1]));
    if (!step) return 1;
    db::TenantTransaction tx =
        onboarding::SaveStepTransaction(Context("pgbench", false), flow, *step, kSessionTtl);
    const auto& steps = tx.Steps();
    std::ofstream out(prefix + "-" + std::to_string(number) + ".pgbench");
    // The user is a pgbench expression, outside quotes (pgbench does not look into literals).
    std::string identity =
        Inline(steps[0].statement.sql,
               {db::Param("USER"), db::Param(""), db::Param("bench"), db::Param("5000ms")});
    identity.replace(identity.find("'USER'"), 6, "('bench-user-' || :uid)");
    out << "\\set uid random(1, " << users << ")\n"
        << "\\startpipeline\n"
        << identity << ";\n";
    if (floor) {
      out << Inline(kDraftUpsert,
                    {db::Param(step->step_id), db::Param(boost::json::serialize(step->data)),
                     db::Param(flow.id), db::Param(std::to_string(flow.total_steps())),
                     db::Param(std::to_string(kSessionTtl.count()))})
          << ";\n";
    } else {
      for (std::size_t i = 1; i < steps.size(); ++i) {
        out << Inline(steps[i].statement.sql, steps[i].params) << ";\n";
      }
    }
    out << "\\endpipeline\n";
    if (!out) return 1;
  }
  return 0;
}

int Seed(const std::string& url, int users) {
  auto snapshot = catalog::LoadBundled();
  if (!snapshot) return 1;
  const catalog::Flow* flow = &(*snapshot)->default_flow();
  asio::io_context io;
  db::PoolOptions options;
  options.conninfo = url;
  options.connections = 4;
  db::Pool pool(io, options);
  auto run = [&]() -> asio::awaitable<int> {
    if (co_await pool.Start() == 0) co_return 1;
    for (int i = 1; i <= users; ++i) {
      auto welcome =
          onboarding::ValidateStep(*flow, 1, boost::json::parse(R"({"role":"manager"})"));
      auto company = onboarding::ValidateStep(
          *flow, 2,
          boost::json::parse(R"({"name":"Bench Co","industry":"technology","size":"small"})"));
      if (!welcome || !company) co_return 1;
      if (!co_await onboarding::SaveStep(pool, Context(User(i), false), *flow, *welcome,
                                         kSessionTtl))
        co_return 1;
      if (!co_await onboarding::SaveStep(pool, Context(User(i), false), *flow, *company,
                                         kSessionTtl))
        co_return 1;
    }
    co_return 0;
  };
  auto done = asio::co_spawn(io, run(), asio::use_future);
  while (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready) io.run_one();
  pool.Shutdown();
  return done.get();
}

// The steps --step saves: the bodies bench/wrk/step.lua sends, validated once.
std::vector<onboarding::ValidatedStep> BenchSteps(const catalog::Flow& flow) {
  std::vector<onboarding::ValidatedStep> steps;
  for (int number = 1; number <= 3; ++number) {
    auto step = onboarding::ValidateStep(flow, number, boost::json::parse(kStepBodies[number - 1]));
    if (step) steps.push_back(std::move(*step));
  }
  return steps;
}

int Measure(const std::string& url, int concurrency, int threads, int seconds, int users,
            bool step) {
  auto snapshot = catalog::LoadBundled();
  if (!snapshot) return 1;
  const catalog::Flow& flow = (*snapshot)->default_flow();
  const std::vector<onboarding::ValidatedStep> steps = BenchSteps(flow);
  if (steps.size() != 3) return 1;
  struct Thread {
    asio::io_context io{1};
    std::unique_ptr<db::Pool> pool;
    std::vector<double> latencies_ms;
    long errors = 0;
  };
  std::vector<std::unique_ptr<Thread>> workers;
  auto end = Clock::now() + std::chrono::seconds(seconds) + std::chrono::milliseconds(500);
  auto measure_from = Clock::now() + std::chrono::milliseconds(500);  // warm-up
  for (int t = 0; t < threads; ++t) {
    auto w = std::make_unique<Thread>();
    db::PoolOptions options;
    options.conninfo = url;
    options.connections = std::max(1, concurrency / threads);
    w->pool = std::make_unique<db::Pool>(w->io, options);
    workers.push_back(std::move(w));
  }
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&, t] {
      Thread& w = *workers[t];
      auto started = asio::co_spawn(w.io, w.pool->Start(), asio::use_future);
      while (started.wait_for(std::chrono::seconds(0)) != std::future_status::ready) w.io.run_one();
      for (int c = 0; c < std::max(1, concurrency / threads); ++c) {
        asio::co_spawn(
            w.io,
            [&w, &end, &measure_from, &flow, &steps, users, step,
             seed = t * 1000 + c]() -> asio::awaitable<void> {
              std::mt19937 random(seed);
              while (Clock::now() < end) {
                auto begin = Clock::now();
                bool ok = false;
                db::TenantContext context = Context(User(1 + random() % users), !step);
                if (step) {
                  onboarding::ValidatedStep saved = steps[random() % steps.size()];
                  auto done = co_await onboarding::SaveStep(*w.pool, std::move(context), flow,
                                                            std::move(saved), kSessionTtl);
                  ok = done.has_value();
                } else {
                  auto status = co_await onboarding::ReadStatus(*w.pool, std::move(context));
                  ok = status.has_value();
                }
                if (begin < measure_from) continue;
                if (!ok) {
                  ++w.errors;
                } else {
                  w.latencies_ms.push_back(
                      std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
                }
              }
            },
            asio::detached);
      }
      w.io.run_until(end + std::chrono::seconds(1));
      w.pool->Shutdown();
    });
  }
  for (auto& t : running) t.join();
  std::vector<double> all;
  long errors = 0;
  for (auto& w : workers) {
    all.insert(all.end(), w->latencies_ms.begin(), w->latencies_ms.end());
    errors += w->errors;
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0
                       : all[std::min(all.size() - 1, static_cast<std::size_t>(p * all.size()))];
  };
  std::printf("db_bench concurrency=%d threads=%d tps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%ld\n",
              concurrency, threads, all.size() / static_cast<double>(seconds), pct(0.50), pct(0.99),
              errors);
  return errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  int users = std::stoi(Arg(argc, argv, "--users", "1000"));
  std::string pgbench_file = Arg(argc, argv, "--print-pgbench", "");
  if (!pgbench_file.empty()) return PrintPgbench(pgbench_file, users);
  std::string step_prefix = Arg(argc, argv, "--print-pgbench-step", "");
  if (!step_prefix.empty()) return PrintPgbenchStep(step_prefix, users, false);
  std::string floor_prefix = Arg(argc, argv, "--print-pgbench-step-floor", "");
  if (!floor_prefix.empty()) return PrintPgbenchStep(floor_prefix, users, true);
  const char* env = std::getenv("BENCH_URL");
  if (!env || !*env) env = std::getenv("DATABASE_URL");
  if (!env || !*env) {
    std::fprintf(stderr, "db_bench: set DATABASE_URL (or BENCH_URL)\n");
    return 2;
  }
  if (Flag(argc, argv, "--seed")) return Seed(env, users);
  return Measure(env, std::stoi(Arg(argc, argv, "--concurrency", "16")),
                 std::stoi(Arg(argc, argv, "--threads", "2")),
                 std::stoi(Arg(argc, argv, "--seconds", "10")), users, Flag(argc, argv, "--step"));
}
