// A key is held while it is in the map; its deque is the line of waiters, each woken by
// cancelling its timer. Waiters are referenced weakly: a waiting coroutine destroyed with its
// io_context (never resumed) simply drops out of line.
#include "db/key_turns.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "observability/metrics.hpp"

namespace onboardd::db {

namespace asio = boost::asio;

namespace {

struct Waiter {
  explicit Waiter(asio::any_io_executor executor) : timer(std::move(executor)) {}
  asio::steady_timer timer;
  bool granted = false;
};

observability::Counter& TurnWaits() {
  static auto& c = observability::Metrics().GetCounter(
      "onboardd_db_turn_waits_total",
      "Writes that waited in process for an earlier write of the same user.");
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
  std::unordered_map<std::string, std::deque<std::weak_ptr<Waiter>>> held;
  bool shut_down = false;
};

KeyTurns::KeyTurns() : state_(std::make_shared<State>()) {
  TurnWaits();  // registered now so that /metrics shows it before the first wait
}

KeyTurns::Turn& KeyTurns::Turn::operator=(Turn&& other) noexcept {
  if (this != &other) {
    Release();
    state_ = std::move(other.state_);
    key_ = std::move(other.key_);
  }
  return *this;
}

void KeyTurns::Turn::Release() {
  std::shared_ptr<State> state = state_.lock();
  state_.reset();
  if (!state) return;
  auto it = state->held.find(key_);
  if (it == state->held.end()) return;  // cleared by Shutdown
  auto& line = it->second;
  while (!line.empty()) {
    std::shared_ptr<Waiter> next = line.front().lock();
    line.pop_front();
    if (next) {
      next->granted = true;
      next->timer.cancel();
      return;
    }
  }
  state->held.erase(it);
}

asio::awaitable<core::Result<KeyTurns::Turn>> KeyTurns::Wait(std::string key,
                                                             core::Deadline deadline) {
  // Only locals after the first suspension: the KeyTurns may be gone by then.
  std::shared_ptr<State> state = state_;
  if (state->shut_down) co_return Unavailable();
  auto [place, free] = state->held.try_emplace(key);
  if (free) co_return Turn(state, std::move(key));
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  waiter->timer.expires_at(deadline);
  place->second.push_back(waiter);
  TurnWaits().Add();
  co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (waiter->granted && !state->shut_down) co_return Turn(state, std::move(key));
  if (auto it = state->held.find(key); it != state->held.end()) {
    std::erase_if(it->second, [&](const std::weak_ptr<Waiter>& w) { return w.lock() == waiter; });
  }
  co_return Unavailable();
}

void KeyTurns::Shutdown() {
  state_->shut_down = true;
  for (auto& [key, line] : state_->held) {
    for (auto& weak : line) {
      if (auto waiter = weak.lock()) waiter->timer.cancel();
    }
  }
  state_->held.clear();
}

std::size_t KeyTurns::keys() const { return state_->held.size(); }

}  // namespace onboardd::db
