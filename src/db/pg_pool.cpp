// Slots hold a connection and its state (free, busy, reconnecting). A released healthy
// connection goes straight to the oldest waiter, or back to idle watching its socket. Every
// waiter that leaves the queue tells the admission gate how long it waited.
#include "db/pg_pool.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/request_context.hpp"
#include "observability/log.hpp"
#include "observability/metrics.hpp"

namespace onboardd::db {

namespace asio = boost::asio;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// The least time a pipeline gets before its connection is given up (see Run).
constexpr std::chrono::milliseconds kMinimumRun{50};

struct Pool::Slot {
  std::unique_ptr<PgConnection> connection;
  bool busy = false;
  bool reconnecting = false;
  bool Free() const;  // not busy and healthy: a request may take it
};

struct Pool::Waiter {
  Waiter(asio::io_context& io, core::SteadyClock::time_point queued) : timer(io), queued(queued) {}
  asio::steady_timer timer;
  const core::SteadyClock::time_point queued;
  Slot* granted = nullptr;
};  // removed from the queue when granted or when its wait ends

namespace {

observability::Counter& RoundTrips() {
  static auto& c = observability::Metrics().GetCounter(
      "onboardd_db_round_trips_total",
      "Pipelines sent to PostgreSQL (one network round trip each).");
  return c;
}
// The share of RoundTrips() sent outside any request: the periodic jobs (app/maintenance) and
// background cache refreshes. bench/run subtracts it to count round trips per request.
observability::Counter& BackgroundRoundTrips() {
  static auto& c = observability::Metrics().GetCounter(
      "onboardd_db_background_round_trips_total",
      "Of onboardd_db_round_trips_total, those sent outside any request (periodic jobs, "
      "background refreshes).");
  return c;
}
observability::Histogram& QueryLatency() {
  static auto& h = observability::Metrics().GetHistogram(
      "onboardd_db_pipeline_duration_seconds", "Time from acquiring a connection to the Sync.");
  return h;
}
observability::Counter& PoolTimeouts() {
  static auto& c = observability::Metrics().GetCounter(
      "onboardd_db_pool_unavailable_total", "Requests refused for want of a database connection.");
  return c;
}
observability::Counter& PoolStaleRefusals() {
  static auto& c = observability::Metrics().GetCounter(
      "onboardd_db_pool_stale_total",
      "Of onboardd_db_pool_unavailable_total, waiters refused when they reached the head of a "
      "standing queue after waiting longer than its standing wait.");
  return c;
}
observability::Counter& PoolShed() {
  static auto& c = observability::Metrics().GetCounter(
      "onboardd_db_pool_shed_total",
      "Of onboardd_db_pool_unavailable_total, requests refused at once by admission control "
      "(queue full, or standing and too slow to serve them before their deadline).");
  return c;
}
// The pool gauges sum over every thread's pool (each adds and removes its own share).
observability::Gauge& PoolSize() {
  static auto& g = observability::Metrics().GetGauge(
      "onboardd_db_pool_connections", "Database connections configured (all I/O threads).");
  return g;
}
observability::Gauge& PoolInUse() {
  static auto& g = observability::Metrics().GetGauge(
      "onboardd_db_pool_connections_in_use", "Database connections running a request's pipeline.");
  return g;
}
observability::Gauge& PoolWaiting() {
  static auto& g = observability::Metrics().GetGauge(
      "onboardd_db_pool_waiting", "Requests waiting for a free database connection.");
  return g;
}
observability::Gauge& PoolStanding() {
  static auto& g = observability::Metrics().GetGauge(
      "onboardd_db_pool_standing",
      "Pools (one per I/O thread) whose queue stands: admission control refuses what it could "
      "not serve within the standing wait.");
  return g;
}
observability::Counter& PoolStandingEpisodes() {
  static auto& c = observability::Metrics().GetCounter(
      "onboardd_db_pool_standing_episodes_total",
      "Times a pool's queue began to stand (overload detected).");
  return c;
}
observability::Histogram& PoolWait() {
  static auto& h = observability::Metrics().GetHistogram(
      "onboardd_db_pool_wait_seconds", "Time a request waited for a database connection.");
  return h;
}
observability::Counter& Reconnects() {
  static auto& c = observability::Metrics().GetCounter("onboardd_db_reconnects_total",
                                                       "Database connections reopened.");
  return c;
}

core::Error Unavailable(const char* es, const char* en) {
  core::Error error = core::MakeError(core::ErrorCode::kUnavailable, {es, en});
  error.retry_after_seconds = 1;
  return error;
}

// A request admission control refused, or whose deadline passed in the queue.
core::Error Overloaded() {
  return Unavailable("Servidor saturado; inténtalo de nuevo", "Server overloaded; try again");
}

}  // namespace

Pool& Pools::Emplace(int worker, asio::io_context& io, PoolOptions options) {
  auto& place = pools_.at(static_cast<std::size_t>(worker));
  place = std::make_unique<Pool>(io, std::move(options));
  return *place;
}

void Pools::Reset(int worker) {
  auto& place = pools_.at(static_cast<std::size_t>(worker));
  if (place) place->Shutdown();
  place.reset();
}

core::Result<Pool*> Pools::For(int worker) const {
  if (worker >= 0 && static_cast<std::size_t>(worker) < pools_.size() &&
      pools_[static_cast<std::size_t>(worker)]) {
    return pools_[static_cast<std::size_t>(worker)].get();
  }
  return Unavailable("La base de datos no está disponible; inténtalo de nuevo",
                     "The database is unavailable; try again");
}

Pool::Pool(asio::io_context& io, PoolOptions options)
    : io_(io),
      options_(std::move(options)),
      admission_(options_.admission),
      turns_(options_.admission) {
  for (int i = 0; i < options_.connections; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->connection =
        std::make_unique<PgConnection>(io_, options_.conninfo, options_.use_prepared);
    connections_.push_back(std::move(slot));
  }
  PoolSize().Add(static_cast<std::int64_t>(connections_.size()));
  // Registered now so that /metrics shows every pool family (at zero) before the first wait.
  PoolInUse().Add(0);
  PoolWaiting().Add(0);
  PoolWait();
  PoolShed();
  PoolStaleRefusals();
  PoolStanding().Add(0);
  PoolStandingEpisodes();
}

Pool::~Pool() {
  Shutdown();
  PoolSize().Add(-static_cast<std::int64_t>(connections_.size()));
  PoolInUse().Add(-in_use_);
  if (admission_.overloaded()) PoolStanding().Add(-1);
}

void Pool::Shutdown() {
  shut_down_ = true;
  turns_.Shutdown();
  for (auto& w : waiters_) w->timer.cancel();
  PoolWaiting().Add(-static_cast<std::int64_t>(waiters_.size()));
  waiters_.clear();
  for (auto& slot : connections_) slot->connection->StopWatching();
}

int Pool::healthy_connections() const {
  int n = 0;
  for (const auto& slot : connections_) n += slot->connection->healthy() ? 1 : 0;
  return n;
}

asio::awaitable<int> Pool::Start() {
  int ok = 0;
  for (auto& slot : connections_) {
    if (co_await slot->connection->Connect(options_.connect_timeout)) {
      ++ok;
      Release(slot.get());
    } else {
      observability::Log(observability::Level::kWarn, "db_connect_failed",
                         {{"error", slot->connection->last_error()}});
      slot->busy = true;  // owned by the reconnect loop until it succeeds
      asio::co_spawn(io_, Reconnect(slot.get()), asio::detached);
    }
  }
  co_return ok;
}

asio::awaitable<void> Pool::Reconnect(Slot* slot) {
  if (slot->reconnecting) co_return;
  slot->reconnecting = true;
  auto backoff = std::chrono::milliseconds(20);
  asio::steady_timer timer(io_);
  while (!shut_down_) {
    timer.expires_after(backoff);
    co_await timer.async_wait(kTuple);
    if (shut_down_) break;
    if (co_await slot->connection->Connect(options_.connect_timeout)) {
      Reconnects().Add();
      observability::Log(observability::Level::kInfo, "db_reconnected");
      break;
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(250));
  }
  slot->reconnecting = false;
  if (!shut_down_) Release(slot);
}

void Pool::GateLeft(core::SteadyClock::time_point now, core::SteadyClock::duration sojourn,
                    bool served) {
  const bool stood = admission_.overloaded();
  admission_.Left(now, sojourn, waiters_.size(), served);
  ReportStanding(stood);
}

void Pool::GateServedAtOnce(core::SteadyClock::time_point now) {
  const bool stood = admission_.overloaded();
  admission_.ServedAtOnce(now);
  ReportStanding(stood);
}

void Pool::ReportStanding(bool stood) {
  if (admission_.overloaded() == stood) return;
  PoolStanding().Add(stood ? -1 : 1);
  if (!stood) PoolStandingEpisodes().Add();
}

bool Pool::Slot::Free() const { return !busy && connection->healthy(); }

Pool::Slot* Pool::TakeFree() {
  for (auto& slot : connections_) {
    if (slot->Free()) {
      slot->busy = true;
      slot->connection->StopWatching();
      return slot.get();
    }
  }
  return nullptr;
}

void Pool::Release(Slot* slot) {
  if (shut_down_) return;
  if (!slot->connection->healthy()) {
    slot->busy = true;
    asio::co_spawn(io_, Reconnect(slot), asio::detached);
    return;
  }
  while (!waiters_.empty()) {
    auto waiter = waiters_.front();
    waiters_.pop_front();
    PoolWaiting().Add(-1);
    const auto now = core::SteadyClock::now();
    const auto sojourn = now - waiter->queued;
    if (admission_.RefusesAtHead(now, sojourn)) {
      GateLeft(now, sojourn, /*served=*/false);
      PoolStaleRefusals().Add();
      waiter->timer.cancel();  // wakes without a connection: 503
      continue;
    }
    GateLeft(now, sojourn, /*served=*/true);
    waiter->granted = slot;
    slot->busy = true;
    waiter->timer.cancel();
    return;
  }
  slot->busy = false;
  // Idle: watch the socket so a server-side close is noticed and repaired before use.
  asio::co_spawn(
      io_,
      [slot, this]() -> asio::awaitable<void> {
        // Started later than spawned: a request may have taken the slot meanwhile, and a watch
        // must not read (or close) the socket under its pipeline.
        if (slot->busy || shut_down_) co_return;
        co_await slot->connection->WatchIdle();
        if (!slot->busy && !slot->connection->healthy() && !shut_down_) {
          slot->busy = true;
          co_await Reconnect(slot);
        }
      },
      asio::detached);
}

core::Status Pool::Screen(core::Deadline deadline) {
  const auto free = [](const std::unique_ptr<Slot>& slot) { return slot->Free(); };
  if (waiters_.empty() && std::ranges::any_of(connections_, free)) return {};
  const auto now = core::SteadyClock::now();
  if (admission_.WouldAdmit(now, waiters_.size(), deadline)) return {};
  admission_.Refused(now);
  PoolShed().Add();
  PoolTimeouts().Add();
  return Overloaded();
}

asio::awaitable<core::Result<PgConnection::Outcome>> Pool::Run(std::vector<PipelineStep> steps,
                                                               core::Deadline deadline,
                                                               Admission admission) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (shut_down_ || healthy_connections() == 0) {
      PoolTimeouts().Add();
      co_return Unavailable("La base de datos no está disponible", "The database is unavailable");
    }
    const auto asked = core::SteadyClock::now();
    Slot* slot = TakeFree();
    if (slot) {
      GateServedAtOnce(asked);
    } else {
      if (!admission_.Admit(asked, waiters_.size(), deadline, admission)) {
        PoolShed().Add();
        PoolTimeouts().Add();
        co_return Overloaded();
      }
      auto waiter = std::make_shared<Waiter>(io_, asked);
      waiter->timer.expires_at(deadline);
      waiters_.push_back(waiter);
      PoolWaiting().Add(1);
      co_await waiter->timer.async_wait(kTuple);
      slot = waiter->granted;
      if (!slot) {
        // The deadline passed (still queued) or shut down (the queue was cleared and counted
        // then).
        if (std::erase(waiters_, waiter) > 0) {
          PoolWaiting().Add(-1);
          const auto now = core::SteadyClock::now();
          GateLeft(now, now - waiter->queued, /*served=*/false);
        }
        PoolTimeouts().Add();
        co_return Overloaded();
      }
      slot->connection->StopWatching();
    }
    auto started = core::SteadyClock::now();
    PoolWait().Observe(std::chrono::duration<double>(started - asked).count());
    ++in_use_;
    PoolInUse().Add(1);
    std::uint64_t before = slot->connection->round_trips();
    // The request is answered by its deadline even when the server is silent (a stalled
    // network): the connection is then given up. A merely slow server's statement_timeout
    // fires a little earlier (tenant_transaction.cpp), so that keeps its connection. A
    // request that got its connection just before its deadline (a queue under overload)
    // still gives the server kMinimumRun to answer with its statement_timeout error, rather
    // than dropping a healthy connection.
    const auto give_up = std::max(deadline, core::SteadyClock::now() + kMinimumRun);
    auto outcome = co_await slot->connection->Run(steps, give_up);
    RoundTrips().Add(slot->connection->round_trips() - before);
    if (core::CurrentRequest() == nullptr) {
      BackgroundRoundTrips().Add(slot->connection->round_trips() - before);
    }
    QueryLatency().Observe(
        std::chrono::duration<double>(core::SteadyClock::now() - started).count());
    --in_use_;
    PoolInUse().Add(-1);
    Release(slot);
    // Retry once elsewhere only when nothing reached the server.
    if (outcome.failure && outcome.failure->connection_lost && !outcome.failure->sent) continue;
    co_return outcome;
  }
  PoolTimeouts().Add();
  co_return Unavailable("La base de datos no está disponible", "The database is unavailable");
}

}  // namespace onboardd::db
