// A circuit breaker for one AI provider: after `failure_threshold` consecutive failures it
// opens and calls stop going out (the rules answer at once instead of waiting for a dead
// endpoint's deadline); after `cool_down` it lets exactly one probe through (half-open); the
// probe's success closes it, its failure opens it for another cool-down. The state is
// published as the gauge onboardd_ai_breaker_state{provider} (0 closed, 1 open, 2 half-open)
// and every transition counted in onboardd_ai_breaker_transitions_total{provider,to}.
// Thread-safe (one mutex, held for a few instructions); time is passed in, so the state
// machine is tested without sleeping.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "core/clock.hpp"

namespace onboardd::observability {
class Gauge;
}

namespace onboardd::ai {

class CircuitBreaker {
 public:
  enum class State { kClosed = 0, kOpen = 1, kHalfOpen = 2 };
  struct Options {
    int failure_threshold = 5;
    std::chrono::milliseconds cool_down{30'000};
  };

  // `provider` labels the metrics.
  CircuitBreaker(std::string provider, Options options);

  // Whether a call may go out at `now`. Closed: yes. Open: no, until the cool-down has passed;
  // then the breaker turns half-open and this call (only this one) is the probe. Half-open
  // with the probe still out: no. A caller that got true must report its result with
  // RecordSuccess or RecordFailure.
  bool Allow(core::SteadyClock::time_point now);
  // Closes the breaker and clears the failure count.
  void RecordSuccess();
  // Counts a failure: opens the breaker at the threshold (closed), or re-opens it (half-open).
  void RecordFailure(core::SteadyClock::time_point now);

  State state() const;
  static std::string_view ToString(State state);  // "closed", "open", "half_open"

 private:
  void MoveTo(State next);  // with mu_ held

  // Constant after construction.
  const std::string provider_;
  const Options options_;
  observability::Gauge& gauge_;

  mutable std::mutex mu_;
  // Guarded by mu_.
  State state_ = State::kClosed;
  int consecutive_failures_ = 0;
  core::SteadyClock::time_point opened_at_{};
  bool probe_out_ = false;
};

}  // namespace onboardd::ai
