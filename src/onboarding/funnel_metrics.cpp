// Series are looked up in the registry (a mutex) once per thread and label, then cached.
#include "onboarding/funnel_metrics.hpp"

#include <array>
#include <string>

#include "observability/metrics.hpp"

namespace onboardd::onboarding {
namespace {

constexpr int kMaxStep = 50;  // onboarding_sessions.total_steps' bound

std::string ApiLabel(FunnelApi api) { return api == FunnelApi::kWizard ? "wizard" : "session"; }

}  // namespace

void CountSessionStarted(FunnelApi api) {
  thread_local std::array<observability::Counter*, 2> cache{};
  auto& counter = cache[static_cast<std::size_t>(api)];
  if (counter == nullptr) {
    counter = &observability::Metrics().GetCounter("onboardd_funnel_sessions_started_total",
                                                   "Onboarding sessions created, by API.",
                                                   {{"api", ApiLabel(api)}});
  }
  counter->Add();
}

void CountStepSaved(int step) {
  if (step < 1 || step > kMaxStep) return;
  thread_local std::array<observability::Counter*, kMaxStep + 1> cache{};
  auto& counter = cache[static_cast<std::size_t>(step)];
  if (counter == nullptr) {
    counter = &observability::Metrics().GetCounter("onboardd_funnel_steps_saved_total",
                                                   "Onboarding steps saved as done, by number.",
                                                   {{"step", std::to_string(step)}});
  }
  counter->Add();
}

void CountCompleted(FunnelApi api) {
  thread_local std::array<observability::Counter*, 2> cache{};
  auto& counter = cache[static_cast<std::size_t>(api)];
  if (counter == nullptr) {
    counter = &observability::Metrics().GetCounter("onboardd_funnel_completions_total",
                                                   "Onboardings completed, by API.",
                                                   {{"api", ApiLabel(api)}});
  }
  counter->Add();
}

}  // namespace onboardd::onboarding
