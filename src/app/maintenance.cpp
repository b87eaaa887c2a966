// One coroutine per job: wait, run, repeat while the run was full. Failures are logged and
// retried at the next interval (the database may be restarting).
#include "app/maintenance.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "analytics/analytics_store.hpp"
#include "observability/log.hpp"
#include "onboarding/idempotency.hpp"
#include "onboarding/onboarding_store.hpp"

namespace onboardd::app {
namespace {

namespace asio = boost::asio;
using Job = std::function<asio::awaitable<core::Result<int>>(db::Pool&, core::Deadline, int)>;

constexpr auto kJobBudget = std::chrono::seconds(5);
constexpr int kBacklogRounds = 10;

asio::awaitable<void> Every(std::chrono::seconds interval, std::string name, int max_rows, Job job,
                            db::Pool* pool) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(interval);
    co_await timer.async_wait(asio::use_awaitable);
    for (int round = 0; round < kBacklogRounds; ++round) {
      auto done = co_await job(*pool, core::SteadyClock::now() + kJobBudget, max_rows);
      if (!done) {
        observability::Log(observability::Level::kWarn, name + "_failed",
                           {{"error", done.error().message.en}});
        break;
      }
      if (*done < max_rows) break;
    }
  }
}

}  // namespace

void SpawnMaintenance(asio::io_context& io, db::Pool& pool) {
  asio::co_spawn(io,
                 Every(std::chrono::seconds(60), "expire_sessions", 1000,
                       onboarding::ExpireStaleSessions, &pool),
                 asio::detached);
  asio::co_spawn(io,
                 Every(std::chrono::seconds(60), "purge_idempotency_keys", 1000,
                       onboarding::PurgeIdempotencyKeys, &pool),
                 asio::detached);
  asio::co_spawn(io,
                 Every(std::chrono::seconds(10), "compact_analytics", 10000,
                       analytics::CompactAnalytics, &pool),
                 asio::detached);
}

}  // namespace onboardd::app
