// The AI routes' answers (see ai_answers.hpp).
#include "ai/ai_answers.hpp"

namespace onboardd::ai {

namespace json = boost::json;

namespace {

json::array Strings(const std::vector<std::string>& list) {
  json::array out;
  for (const auto& s : list) out.emplace_back(s);
  return out;
}

json::object Pick(const catalog::Snapshot& s, const IndustryPick& pick, bool english,
                  const std::string& suggestion_id) {
  const catalog::Industry* industry = s.FindIndustry(pick.id);
  return {{"id", pick.id},
          {"name", industry ? industry->name.In(english) : pick.id},
          {"confidence", pick.confidence},
          {"rationale", pick.rationale},
          {"suggestion_id", suggestion_id}};
}

}  // namespace

Shaped SuggestAnswer(const catalog::Snapshot& snapshot, const IndustryAnalysis& a, bool english,
                     const NewId& new_id) {
  Shaped out;
  const auto industry_row = [&](const IndustryPick& pick) {
    out.suggestions.push_back({new_id(), "company.industry", json::value(pick.id)});
    return Pick(snapshot, pick, english, out.suggestions.back().id);
  };
  out.body["suggested_industry"] = industry_row(a.suggested);
  json::array alternatives;
  for (const IndustryPick& pick : a.alternatives) alternatives.push_back(industry_row(pick));
  out.body["alternatives"] = std::move(alternatives);
  out.body["business_insights"] =
      json::object{{"market_trends", Strings(a.market_trends)},
                   {"competitive_landscape", a.competitive_landscape},
                   {"growth_opportunities", Strings(a.growth_opportunities)},
                   {"potential_challenges", Strings(a.potential_challenges)}};
  json::array okrs;
  for (const OkrIdea& okr : a.okrs) {
    json::object item{{"objective", okr.objective},
                      {"key_results", Strings(okr.key_results)},
                      {"category", okr.category},
                      {"priority", okr.priority},
                      {"rationale", okr.rationale}};
    out.suggestions.push_back({new_id(), "okr", item});
    item["suggestion_id"] = out.suggestions.back().id;
    okrs.push_back(std::move(item));
  }
  out.body["okr_suggestions"] = std::move(okrs);
  return out;
}

Shaped ValidateAnswer(const catalog::Snapshot& snapshot, const StepReview& review,
                      const std::string& step_id, bool data_empty, bool is_valid, bool english,
                      const NewId& new_id) {
  Shaped out;
  const int score = data_empty ? 0 : review.score;
  std::vector<std::string> warnings = review.warnings;
  std::vector<std::string> hints = review.hints;
  const auto text = [&](std::string_view key) { return snapshot.ai().Text(key).In(english); };
  if (score < 60) warnings.push_back(text("lowScore"));
  if (score > 90) hints.insert(hints.begin(), text("highScoreHint"));
  json::array suggestions;
  json::array suggestion_ids;
  for (const std::string& advice : review.suggestions) {
    out.suggestions.push_back({new_id(), step_id + ".advice", json::value(advice)});
    suggestions.emplace_back(advice);
    suggestion_ids.emplace_back(out.suggestions.back().id);
  }
  json::object corrections;
  json::object correction_ids;
  for (const Correction& c : review.corrections) {
    out.suggestions.push_back({new_id(), step_id + "." + c.field, c.value});
    corrections[c.field] = c.value;
    correction_ids[c.field] = out.suggestions.back().id;
  }
  out.body = json::object{{"is_valid", is_valid && !data_empty},
                          {"validation_score", score},
                          {"suggestions", std::move(suggestions)},
                          {"suggestion_ids", std::move(suggestion_ids)},
                          {"warnings", Strings(warnings)},
                          {"auto_corrections", std::move(corrections)},
                          {"auto_correction_ids", std::move(correction_ids)},
                          {"next_step_hints", Strings(hints)}};
  return out;
}

Shaped CompleteAnswer(const CompletionAnswer& a, CompletionType type, const NewId& new_id) {
  Shaped out;
  if (type == CompletionType::kFullAnalysis) {
    json::array ids;
    for (const std::string& r : a.recommendations) {
      out.suggestions.push_back({new_id(), "complete.recommendation", json::value(r)});
      ids.emplace_back(out.suggestions.back().id);
    }
    out.body = json::object{{"completeness_score", a.completeness_score},
                            {"missing_critical_fields", Strings(a.missing_critical_fields)},
                            {"recommendations", Strings(a.recommendations)},
                            {"recommendation_ids", std::move(ids)},
                            {"risk_factors", Strings(a.risk_factors)},
                            {"success_predictors", Strings(a.success_predictors)}};
    return out;
  }
  json::array suggestions;
  json::object completed;
  json::object confidence;
  json::object rationale;
  for (const FieldFill& fill : a.fills) {
    out.suggestions.push_back({new_id(), fill.field, fill.value});
    suggestions.push_back(json::object{{"suggestion_id", out.suggestions.back().id},
                                       {"field", fill.field},
                                       {"value", fill.value},
                                       {"confidence", fill.confidence},
                                       {"rationale", fill.rationale}});
    completed[fill.field] = fill.value;
    confidence[fill.field] = fill.confidence;
    rationale[fill.field] = fill.rationale;
  }
  out.body["suggestions"] = std::move(suggestions);
  out.body["rationale"] = std::move(rationale);
  if (type == CompletionType::kSmartFill) {
    out.body["completed_fields"] = std::move(completed);
    out.body["confidence_scores"] = std::move(confidence);
  }
  return out;
}

}  // namespace onboardd::ai
