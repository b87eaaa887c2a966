// A key is held while it is in the map; its Line is the line of waiters, each woken by
// cancelling its timer. Waiters are referenced weakly: a waiting coroutine destroyed with its
// io_context (never resumed) simply drops out of line.
#include "db/key_turns.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>

#include "observability/metrics.hpp"

namespace onboardd::db {

namespace asio = boost::asio;

namespace {

struct Waiter {
  Waiter(asio::any_io_executor executor, core::SteadyClock::time_point queued)
      : timer(std::move(executor)), queued(queued) {}
  asio::steady_timer timer;
  const core::SteadyClock::time_point queued;
  bool granted = false;
};

observability::Counter& TurnWaits() {
  static auto& c = observability::Metrics().GetCounter(
      "onboardd_db_turn_waits_total",
      "Writes that waited in process for an earlier write of the same user.");
  return c;
}

observability::Histogram& TurnWait() {
  static auto& h = observability::Metrics().GetHistogram(
      "onboardd_db_turn_wait_seconds",
      "Time a write waited for an earlier write of the same user (writes that waited).");
  return h;
}

observability::Counter& TurnShed() {
  static auto& c = observability::Metrics().GetCounter(
      "onboardd_db_turn_shed_total",
      "Writes refused at once (503) because the queue of same-user turns stood (overload).");
  return c;
}

core::Error Unavailable() {
  core::Error error =
      core::MakeError(core::ErrorCode::kUnavailable,
                      {"Servidor saturado; inténtalo de nuevo", "Server overloaded; try again"});
  error.retry_after_seconds = 1;
  return error;
}

}  // namespace

struct KeyTurns::State {
  // The lines admit up to an interval of waiting while they stand, not the pool's shorter
  // standing wait: a closed loop of one user's tabs keeps its line full by design, and on a
  // slow machine its wait nears the pool's bound long before it nears overload.
  explicit State(AdmissionOptions admission)
      : gate([&] {
          admission.standing_wait = std::max(admission.standing_wait, admission.interval);
          return admission;
        }()) {}
  struct Line {
    std::deque<std::weak_ptr<Waiter>> waiters;
    core::SteadyClock::time_point since;  // held without a break since then
  };
  std::unordered_map<std::string, Line> held;
  std::size_t waiting = 0;  // entries in all lines
  AdmissionGate gate;
  // How long the last turns were held, and their median: one long hold (a pause of the
  // machine) must not make a line of 30 look 30 pauses long, as a moving average would.
  std::array<core::SteadyClock::duration, 16> holds{};
  std::size_t holds_recorded = 0;
  core::SteadyClock::duration RecentHold() const {
    const std::size_t n = std::min(holds_recorded, holds.size());
    if (n == 0) return {};
    auto sample = holds;
    std::nth_element(sample.begin(), sample.begin() + n / 2, sample.begin() + n);
    return sample[n / 2];
  }
  bool shut_down = false;
};

KeyTurns::KeyTurns(AdmissionOptions admission) : state_(std::make_shared<State>(admission)) {
  // Registered now so that /metrics shows them before the first wait.
  TurnWaits();
  TurnWait();
  TurnShed();
}

KeyTurns::Turn& KeyTurns::Turn::operator=(Turn&& other) noexcept {
  if (this != &other) {
    Release();
    state_ = std::move(other.state_);
    key_ = std::move(other.key_);
    since_ = other.since_;
    waited_ = other.waited_;
  }
  return *this;
}

void KeyTurns::Turn::Release() {
  std::shared_ptr<State> state = state_.lock();
  state_.reset();
  if (!state) return;
  auto it = state->held.find(key_);
  if (it == state->held.end()) return;  // cleared by Shutdown
  state->holds[state->holds_recorded++ % state->holds.size()] = core::SteadyClock::now() - since_;
  auto& line = it->second.waiters;
  while (!line.empty()) {
    std::shared_ptr<Waiter> next = line.front().lock();
    line.pop_front();
    --state->waiting;
    if (next) {
      const auto now = core::SteadyClock::now();
      state->gate.Left(now, now - next->queued, state->waiting);
      next->granted = true;
      next->timer.cancel();
      return;
    }
  }
  state->held.erase(it);
}

asio::awaitable<core::Result<KeyTurns::Turn>> KeyTurns::Wait(std::string key,
                                                             core::Deadline deadline,
                                                             bool may_wait) {
  // Only locals after the first suspension: the KeyTurns may be gone by then.
  std::shared_ptr<State> state = state_;
  if (state->shut_down) co_return Unavailable();
  auto [place, free] = state->held.try_emplace(key);
  const auto now = core::SteadyClock::now();
  if (free) {
    place->second.since = now;
    co_return Turn(state, std::move(key), now, false);
  }
  // A line that has not emptied for an interval stands (a burst of one user's saves drains
  // well before). Then ahead of this write are its line's waiters and the holder, each
  // holding the turn for about as long as turns were held lately; it is admitted to wait at
  // most the gate's standing wait (at least an interval, see State: the pool's 500 ms would
  // refuse 64 tabs re-saving one step on a loaded machine, turns of 15 ms and more).
  const auto& options = state->gate.options();
  bool refuse = !may_wait || !state->gate.Admit(now, state->waiting, deadline);
  if (!refuse && now - place->second.since >= options.interval) {
    const auto own_line =
        static_cast<std::int64_t>(place->second.waiters.size() + 1) * state->RecentHold();
    refuse = own_line > options.standing_wait || now + own_line > deadline;
  }
  if (refuse) {
    TurnShed().Add();
    co_return Unavailable();
  }
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor, now);
  waiter->timer.expires_at(deadline);
  place->second.waiters.push_back(waiter);
  ++state->waiting;
  TurnWaits().Add();
  co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (waiter->granted && !state->shut_down) {
    const auto granted = core::SteadyClock::now();
    TurnWait().Observe(std::chrono::duration<double>(granted - now).count());
    co_return Turn(state, std::move(key), granted, true);
  }
  if (auto it = state->held.find(key); it != state->held.end()) {
    if (std::erase_if(it->second.waiters,
                      [&](const std::weak_ptr<Waiter>& w) { return w.lock() == waiter; }) > 0) {
      --state->waiting;
      const auto left = core::SteadyClock::now();
      state->gate.Left(left, left - waiter->queued, state->waiting, /*served=*/false);
    }
  }
  co_return Unavailable();
}

void KeyTurns::Shutdown() {
  state_->shut_down = true;
  for (auto& [key, line] : state_->held) {
    for (auto& weak : line.waiters) {
      if (auto waiter = weak.lock()) waiter->timer.cancel();
    }
  }
  state_->held.clear();
  state_->waiting = 0;
}

std::size_t KeyTurns::keys() const { return state_->held.size(); }
std::size_t KeyTurns::waiting() const { return state_->waiting; }

}  // namespace onboardd::db
