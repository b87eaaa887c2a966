// The built-in, deterministic provider: the default (AI_PROVIDER=rules), the answer when the
// user switched AI off, and the fallback whenever a model fails. Every text comes from the
// catalog ("ai" section, in the question's language); the industry comes from keywords and
// the words of the catalog's industry names and descriptions, matched accent-insensitively
// (catalog::FoldForSearch). Pure functions over the catalog: no I/O, thread-safe, and the
// same question always gets the same answer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ai/ai_types.hpp"
#include "ai/provider.hpp"

namespace onboardd::ai {

// The original's size rule: ≤ 10 employees "startup", ≤ 50 "pyme", ≤ 250 "empresa", else
// "corporacion" (the legacy flow's company_size values).
std::string_view SizeForEmployees(std::int64_t employees);

// An industry whose vocabulary (catalog keywords, and the words of its names and
// descriptions) occurs in a text.
struct IndustryMatch {
  const catalog::Industry* industry = nullptr;
  std::vector<std::string> terms;  // the distinct terms found, in vocabulary order
};
// The industries matching `text`, most terms first, ties in catalog order. "other" is never
// a match (it is the fallback). Terms match whole words: "app" is not found in "happy".
std::vector<IndustryMatch> RankIndustries(const catalog::Snapshot& snapshot, std::string_view text);

// How much an industry analysis shows at each assistance level (whoever wrote it): at most
// 1 alternative and 1 OKR when minimal; 3 alternatives, and 3 OKRs (moderate) or 4
// (extensive) otherwise.
std::size_t MostAlternatives(AssistanceLevel level);
std::size_t MostOkrs(AssistanceLevel level);

// The rules' answer to each task (see rules_provider.cpp for the rules themselves).
IndustryAnalysis AnalyzeIndustry(const Question& question, const SuggestInput& input);
StepReview ReviewStep(const Question& question, const ValidateInput& input);
CompletionAnswer CompleteFields(const Question& question, const CompleteInput& input);
// The one of the three that `question` asks for.
AnswerValue RulesAnswer(const Question& question);

// The rules as a Provider: answers at once, never fails, costs nothing.
class RulesProvider final : public Provider {
 public:
  std::string_view name() const override { return "rules"; }
  std::string_view model() const override { return ""; }
  boost::asio::awaitable<Answer> Ask(Question question, core::Deadline deadline) const override;
};

}  // namespace onboardd::ai
