// The onboarding funnel as process counters in /metrics, counted at the write points that
// make each event (the answers over days and organizations are SQL: src/analytics):
//   onboardd_funnel_sessions_started_total{api}  sessions created: api "wizard" (the first
//                                                POST /step) or "session" (POST /start)
//   onboardd_funnel_steps_saved_total{step}      steps saved as done: POST /step, or PUT
//                                                /progress with a valid completed or skipped
//                                                step
//   onboardd_funnel_completions_total{api}       onboardings completed: "wizard" (POST
//                                                /complete creating the organization) or
//                                                "session" (the session form)
// Thread-safe; an atomic add after the first use of a series on a thread.
#pragma once

#include <string_view>

namespace onboardd::onboarding {

enum class FunnelApi { kWizard, kSession };

void CountSessionStarted(FunnelApi api);
void CountStepSaved(int step);  // 1..50; others are not counted
void CountCompleted(FunnelApi api);

}  // namespace onboardd::onboarding
