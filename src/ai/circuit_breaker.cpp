// The breaker's state machine (see circuit_breaker.hpp).
#include "ai/circuit_breaker.hpp"

#include "observability/log.hpp"
#include "observability/metrics.hpp"

namespace onboardd::ai {

CircuitBreaker::CircuitBreaker(std::string provider, Options options)
    : provider_(std::move(provider)),
      options_(options),
      gauge_(observability::Metrics().GetGauge(
          "onboardd_ai_breaker_state",
          "Circuit breaker of an AI provider: 0 closed, 1 open, 2 half-open.",
          {{"provider", provider_}})) {
  gauge_.Set(0);
}

std::string_view CircuitBreaker::ToString(State state) {
  switch (state) {
    case State::kClosed:
      return "closed";
    case State::kOpen:
      return "open";
    case State::kHalfOpen:
      return "half_open";
  }
  return "closed";
}

void CircuitBreaker::MoveTo(State next) {
  if (next == state_) return;
  state_ = next;
  gauge_.Set(static_cast<std::int64_t>(next));
  observability::Metrics()
      .GetCounter("onboardd_ai_breaker_transitions_total",
                  "Transitions of an AI provider's circuit breaker, by the state entered.",
                  {{"provider", provider_}, {"to", std::string(ToString(next))}})
      .Add();
  observability::Log(
      next == State::kClosed ? observability::Level::kInfo : observability::Level::kWarn,
      "ai_breaker", {{"provider", provider_}, {"state", ToString(next)}});
}

bool CircuitBreaker::Allow(core::SteadyClock::time_point now) {
  std::lock_guard lock(mu_);
  switch (state_) {
    case State::kClosed:
      return true;
    case State::kOpen:
      if (now - opened_at_ < options_.cool_down) return false;
      MoveTo(State::kHalfOpen);
      probe_out_ = true;
      return true;
    case State::kHalfOpen:
      if (probe_out_) return false;
      probe_out_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::RecordSuccess() {
  std::lock_guard lock(mu_);
  consecutive_failures_ = 0;
  probe_out_ = false;
  MoveTo(State::kClosed);
}

void CircuitBreaker::RecordFailure(core::SteadyClock::time_point now) {
  std::lock_guard lock(mu_);
  probe_out_ = false;
  ++consecutive_failures_;
  if (state_ == State::kHalfOpen ||
      (state_ == State::kClosed && consecutive_failures_ >= options_.failure_threshold)) {
    opened_at_ = now;
    MoveTo(State::kOpen);
  }
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

}  // namespace onboardd::ai
