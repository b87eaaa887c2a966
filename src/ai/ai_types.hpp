// The AI overlay's vocabulary (SPEC §4.5, LEGACY_API.md §4): the three tasks, what each is
// asked, and the typed answers every provider must produce. A provider's answer is only ever
// one of these values, already validated: ids are real catalog ids, confidences and scores
// are in 0..100, lists are capped. Plain data; thread-safe to share once built.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "catalog/snapshot.hpp"

namespace onboardd::ai {

enum class Feature { kSuggest, kValidate, kComplete };

// "suggest", "validate", "complete": ai_interactions.feature and metric labels.
std::string_view FeatureName(Feature feature);
// "ai.suggest", ...: the catalog's rateLimits id.
std::string_view RateLimitId(Feature feature);

enum class AssistanceLevel { kMinimal, kModerate, kExtensive };
std::string_view ToString(AssistanceLevel level);
// nullopt for anything but minimal, moderate, extensive.
std::optional<AssistanceLevel> ParseAssistanceLevel(std::string_view text);

enum class CompletionType { kSmartFill, kSuggestions, kFullAnalysis };
std::string_view ToString(CompletionType type);
std::optional<CompletionType> ParseCompletionType(std::string_view text);

// The fields ai/complete fills (LEGACY_API §4's supported_fields), in the legacy flow's
// snake_case names.
inline constexpr std::string_view kSupportedFields[] = {"company_size",        "okr_maturity",
                                                        "communication_style", "business_goals",
                                                        "current_challenges",  "industry_id"};
bool IsSupportedField(std::string_view field);

// --- what each task is asked (already decoded and bounded by the route) --------------------

struct SuggestInput {
  std::string company_name;  // 1..255 code points
  std::string description;
  std::string website;
  std::string existing_industry;
  std::string additional_context;
};

struct ValidateInput {
  const catalog::Flow* flow = nullptr;     // the session's flow; never null
  const catalog::StepDef* step = nullptr;  // a step of `flow`; never null
  boost::json::object step_data;
  std::string context;  // serialized `context`, bounded
};

struct CompleteInput {
  CompletionType type = CompletionType::kSmartFill;
  boost::json::object partial_data;  // flat, or nested one level by step
  std::vector<std::string> fields;   // to fill; each IsSupportedField; empty: every field
};

struct Question {
  std::shared_ptr<const catalog::Snapshot> catalog;  // never null; holds flow/step alive
  bool english = false;                              // language of the texts
  AssistanceLevel level = AssistanceLevel::kModerate;
  std::variant<SuggestInput, ValidateInput, CompleteInput> input;

  Feature feature() const { return static_cast<Feature>(input.index()); }
};

// The catalog prompt (Snapshot::FindPrompt) that asks a model this question:
// industry_analysis, step_validation, smart_fill (smart_fill and suggestions) or
// completion_analysis (full_analysis). Its version is recorded with every interaction.
std::string_view PromptId(const Question& question);
// That prompt's version in the question's catalog ("" if the catalog lacks it).
std::string PromptVersion(const Question& question);

// --- the answers -----------------------------------------------------------------------------

struct IndustryPick {
  std::string id;      // a catalog industry id
  int confidence = 0;  // 0..100
  std::string rationale;
};

struct OkrIdea {
  std::string objective;
  std::vector<std::string> key_results;
  std::string category;  // growth | efficiency | innovation | customer
  std::string priority;  // high | medium | low
  std::string rationale;
};

struct IndustryAnalysis {
  IndustryPick suggested;
  std::vector<IndustryPick> alternatives;  // ≤ 3, distinct, none equal to `suggested`
  std::vector<std::string> market_trends;
  std::string competitive_landscape;
  std::vector<std::string> growth_opportunities;
  std::vector<std::string> potential_challenges;
  std::vector<OkrIdea> okrs;
};

struct Correction {
  std::string field;  // a field key of the step
  boost::json::value value;
};

struct StepReview {
  int score = 0;  // 0..100
  std::vector<std::string> suggestions;
  std::vector<std::string> warnings;
  std::vector<Correction> corrections;
  std::vector<std::string> hints;
};

struct FieldFill {
  std::string field;         // IsSupportedField
  boost::json::value value;  // an allowed value of that field
  int confidence = 0;        // 0..100
  std::string rationale;
};

struct CompletionAnswer {
  // smart_fill and suggestions
  std::vector<FieldFill> fills;
  // full_analysis
  int completeness_score = 0;
  std::vector<std::string> missing_critical_fields;
  std::vector<std::string> recommendations;
  std::vector<std::string> risk_factors;
  std::vector<std::string> success_predictors;
};

// Index order matches Feature, like Question::input.
using AnswerValue = std::variant<IndustryAnalysis, StepReview, CompletionAnswer>;

// Most items a list of an answer keeps (model output beyond is dropped).
inline constexpr std::size_t kMaxAlternatives = 3;
inline constexpr std::size_t kMaxListItems = 8;
inline constexpr std::size_t kMaxTextCodePoints = 500;

}  // namespace onboardd::ai
