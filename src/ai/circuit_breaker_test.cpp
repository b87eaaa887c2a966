#include "ai/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include "observability/metrics.hpp"

namespace onboardd::ai {
namespace {

using namespace std::chrono_literals;
using State = CircuitBreaker::State;

std::int64_t Gauge(const std::string& provider) {
  return observability::Metrics()
      .GetGauge("onboardd_ai_breaker_state", "", {{"provider", provider}})
      .Value();
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresOnly) {
  CircuitBreaker breaker("breaker-a", {.failure_threshold = 3, .cool_down = 10s});
  const auto t0 = core::SteadyClock::now();
  EXPECT_TRUE(breaker.Allow(t0));
  breaker.RecordFailure(t0);
  breaker.RecordFailure(t0);
  breaker.RecordSuccess();  // a success in between starts the count again
  breaker.RecordFailure(t0);
  breaker.RecordFailure(t0);
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_EQ(Gauge("breaker-a"), 0);
  breaker.RecordFailure(t0);
  EXPECT_EQ(breaker.state(), State::kOpen);
  EXPECT_EQ(Gauge("breaker-a"), 1);
  EXPECT_FALSE(breaker.Allow(t0 + 9s));
}

TEST(CircuitBreaker, HalfOpenLetsOneProbeThroughAfterTheCoolDown) {
  CircuitBreaker breaker("breaker-b", {.failure_threshold = 1, .cool_down = 10s});
  const auto t0 = core::SteadyClock::now();
  breaker.RecordFailure(t0);
  ASSERT_EQ(breaker.state(), State::kOpen);
  EXPECT_TRUE(breaker.Allow(t0 + 10s));  // the probe
  EXPECT_EQ(breaker.state(), State::kHalfOpen);
  EXPECT_EQ(Gauge("breaker-b"), 2);
  EXPECT_FALSE(breaker.Allow(t0 + 10s)) << "only one probe at a time";
  EXPECT_FALSE(breaker.Allow(t0 + 11s));
  breaker.RecordSuccess();
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_TRUE(breaker.Allow(t0 + 11s));
  EXPECT_TRUE(breaker.Allow(t0 + 11s));
  EXPECT_EQ(Gauge("breaker-b"), 0);
}

TEST(CircuitBreaker, AFailedProbeReopensForAnotherCoolDown) {
  CircuitBreaker breaker("breaker-c", {.failure_threshold = 2, .cool_down = 5s});
  const auto t0 = core::SteadyClock::now();
  breaker.RecordFailure(t0);
  breaker.RecordFailure(t0);
  ASSERT_TRUE(breaker.Allow(t0 + 5s));
  breaker.RecordFailure(t0 + 6s);  // one failure is enough in half-open
  EXPECT_EQ(breaker.state(), State::kOpen);
  EXPECT_FALSE(breaker.Allow(t0 + 10s)) << "the cool-down counts from the re-opening";
  EXPECT_TRUE(breaker.Allow(t0 + 11s));
  const auto transitions = observability::Metrics()
                               .GetCounter("onboardd_ai_breaker_transitions_total", "",
                                           {{"provider", "breaker-c"}, {"to", "open"}})
                               .Value();
  EXPECT_EQ(transitions, 2u);
}

}  // namespace
}  // namespace onboardd::ai
