// Names of the AI overlay's enums (see ai_types.hpp).
#include "ai/ai_types.hpp"

#include <algorithm>

namespace onboardd::ai {

std::string_view FeatureName(Feature feature) {
  switch (feature) {
    case Feature::kSuggest:
      return "suggest";
    case Feature::kValidate:
      return "validate";
    case Feature::kComplete:
      return "complete";
  }
  return "suggest";
}

std::string_view RateLimitId(Feature feature) {
  switch (feature) {
    case Feature::kSuggest:
      return "ai.suggest";
    case Feature::kValidate:
      return "ai.validate";
    case Feature::kComplete:
      return "ai.complete";
  }
  return "ai.suggest";
}

std::string_view ToString(AssistanceLevel level) {
  switch (level) {
    case AssistanceLevel::kMinimal:
      return "minimal";
    case AssistanceLevel::kModerate:
      return "moderate";
    case AssistanceLevel::kExtensive:
      return "extensive";
  }
  return "moderate";
}

std::optional<AssistanceLevel> ParseAssistanceLevel(std::string_view text) {
  if (text == "minimal") return AssistanceLevel::kMinimal;
  if (text == "moderate") return AssistanceLevel::kModerate;
  if (text == "extensive") return AssistanceLevel::kExtensive;
  return std::nullopt;
}

std::string_view ToString(CompletionType type) {
  switch (type) {
    case CompletionType::kSmartFill:
      return "smart_fill";
    case CompletionType::kSuggestions:
      return "suggestions";
    case CompletionType::kFullAnalysis:
      return "full_analysis";
  }
  return "smart_fill";
}

std::optional<CompletionType> ParseCompletionType(std::string_view text) {
  if (text == "smart_fill") return CompletionType::kSmartFill;
  if (text == "suggestions") return CompletionType::kSuggestions;
  if (text == "full_analysis") return CompletionType::kFullAnalysis;
  return std::nullopt;
}

bool IsSupportedField(std::string_view field) {
  return std::find(std::begin(kSupportedFields), std::end(kSupportedFields), field) !=
         std::end(kSupportedFields);
}

std::string_view PromptId(const Question& question) {
  switch (question.feature()) {
    case Feature::kSuggest:
      return "industry_analysis";
    case Feature::kValidate:
      return "step_validation";
    case Feature::kComplete:
      return std::get<CompleteInput>(question.input).type == CompletionType::kFullAnalysis
                 ? "completion_analysis"
                 : "smart_fill";
  }
  return "industry_analysis";
}

std::string PromptVersion(const Question& question) {
  const catalog::PromptTemplate* prompt = question.catalog->FindPrompt(PromptId(question));
  return prompt ? prompt->version : std::string();
}

}  // namespace onboardd::ai
