// The AI routes' answers in LEGACY_API.md §4's shapes, and the ai_suggestions rows behind
// them: every suggestion a user can act on gets an id (`suggestion_id`) that
// POST /api/ai/suggestions/{id}/decision takes. Where the legacy shape is a list of strings
// or a map (validate's suggestions and auto_corrections, full_analysis's recommendations),
// the strings stay strings and the ids come in a parallel member (`suggestion_ids[i]` for
// `suggestions[i]`, `auto_correction_ids[field]`, `recommendation_ids[i]`), so existing clients
// keep reading what they read. Pure functions; no I/O; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "ai/ai_types.hpp"

namespace onboardd::ai {

// One ai_suggestions row: what was suggested for which field.
struct SuggestionRow {
  std::string id;     // uuid
  std::string field;  // "company.industry", "okr", "company.company_name", "validate.advice", ...
  boost::json::value value;
};

struct Shaped {
  boost::json::object body;  // without `success` and the route's metadata
  std::vector<SuggestionRow> suggestions;
};

// Makes suggestion ids: core::NewUuid in the routes, a counter in tests.
using NewId = std::function<std::string()>;

// ai/suggest: {suggested_industry {id, name, confidence, rationale, suggestion_id},
// alternatives [same], business_insights {market_trends, competitive_landscape,
// growth_opportunities, potential_challenges}, okr_suggestions [{objective, key_results,
// category, priority, rationale, suggestion_id}]}. Names in the request's language.
Shaped SuggestAnswer(const catalog::Snapshot& snapshot, const IndustryAnalysis& analysis,
                     bool english, const NewId& new_id);

// ai/validate: {is_valid, validation_score, suggestions[], suggestion_ids[], warnings[],
// auto_corrections {}, auto_correction_ids {}, next_step_hints[]}, with LEGACY_API's rules
// applied whoever reviewed the step: empty step data is invalid with score 0; a score below
// 60 adds the low-score warning; above 90 the high-score hint comes first. `is_valid` is the
// step validator's verdict (the caller's), not a model's.
Shaped ValidateAnswer(const catalog::Snapshot& snapshot, const StepReview& review,
                      const std::string& step_id, bool data_empty, bool is_valid, bool english,
                      const NewId& new_id);

// ai/complete: smart_fill → {completed_fields {field: value}, suggestions [{suggestion_id,
// field, value, confidence, rationale}], confidence_scores {field: n}, rationale {field:
// text}}; suggestions → {suggestions, rationale}; full_analysis → {completeness_score,
// missing_critical_fields, recommendations, recommendation_ids, risk_factors,
// success_predictors}. The caller adds session_id, completion_type and timestamp.
Shaped CompleteAnswer(const CompletionAnswer& answer, CompletionType type, const NewId& new_id);

}  // namespace onboardd::ai
