// The older session API's decisions and texts (SPEC §4.3, LEGACY_API.md §2), as pure
// functions over the catalog: step info, per-step validity of a progress write, session
// metrics, and the rule-based texts (greeting, per-step feedback, summary, next steps,
// recommended OKRs), every text rendered from a catalog template. No I/O; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "catalog/snapshot.hpp"
#include "core/error.hpp"
#include "onboarding/onboarding_types.hpp"

namespace onboardd::onboarding {

// The language and register of a session's texts: user_preferences from POST /start (kept
// in form_data), then the flow's own preference answers (preferences.language /
// preferences.communicationStyle), then the request's Accept-Language (`english`), formal.
struct TextStyle {
  bool english = false;
  bool informal = false;
};
TextStyle StyleOf(const catalog::Flow& flow, const boost::json::object& form_data, bool english);

// LEGACY_API's step info: {step_number, step_name, title, description, fields: [{name, type
// (the field's widget), label, placeholder?, required, options?, validation?}], ai_hints?,
// estimated_time (minutes)}. Options are {value, label}; company sizes and industries get
// their catalog labels.
boost::json::object StepInfo(const catalog::Snapshot& snapshot, const catalog::StepDef& step,
                             bool english);

// POST /start's greeting: the catalog's greeting (new session) or resume greeting (naming
// the step the session is on) in the session's language and register.
std::string Greeting(const catalog::Templates& templates, TextStyle style, bool resumed,
                     int current_step, int total_steps);

// A PUT /progress write, judged: `valid` with the normalized data, or not with the raw data
// (saved as sent, LEGACY_API §2) and the field errors.
struct ProgressCheck {
  bool valid = false;
  boost::json::object data;
  std::vector<core::FieldError> errors;
};
// `step_data` must be an object (the caller refuses anything else). A skipped step with no
// data is valid when the step is skippable (nothing to check); any data sent is validated.
ProgressCheck CheckProgress(const catalog::StepDef& step, const boost::json::object& step_data,
                            bool skipped);

// `errors` as [{"field": "company.company_name", "message": "..."}] in the style's language.
boost::json::array ValidationErrors(const std::vector<core::FieldError>& errors, bool english);

// The one-sentence feedback after a progress write: the step's own feedback (its {{key}}
// placeholders filled from `data`), the catalog-wide step feedback, or, for invalid data, the
// invalid-data feedback.
std::string StepFeedback(const catalog::Templates& templates, const catalog::StepDef& step,
                         const boost::json::object& data, bool valid, bool english);

// GET /session/{id}'s metrics from the session's progress rows (onboarding_progress as JSON:
// is_completed, is_skipped, time_spent_seconds): completed_steps, skipped_steps,
// remaining_steps (total − completed − skipped, ≥ 0), total_time_minutes (rounded),
// estimated_remaining_minutes = remaining × 3.
boost::json::object SessionMetrics(const catalog::Flow& flow, const boost::json::array& progress);

// How many steps of `flow` are not among `done` (completed or skipped step numbers).
int MissingSteps(const catalog::Flow& flow, const boost::json::array& done);

// The completion texts (LEGACY_API §2, POST/GET /complete): the summary, at most 6 next
// steps, at most 4 recommended OKRs [{objective, key_results[], rationale}] chosen by the
// business goals in `form_data` (organization.business_goals, or any step's businessGoals),
// then the catalog's fallbacks.
struct CompletionTexts {
  std::string summary;
  boost::json::array next_steps;
  boost::json::array recommended_okrs;
};
CompletionTexts BuildCompletionTexts(const catalog::Snapshot& snapshot, const catalog::Flow& flow,
                                     const boost::json::object& form_data, bool english);

}  // namespace onboardd::onboarding
