// The rules provider (see rules_provider.hpp). Confidences are fixed steps of the evidence
// found (more matching terms, more confidence), never above 95: a rule is never certain.
#include "ai/rules_provider.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "catalog/text.hpp"
#include "onboarding/step_validation.hpp"

namespace onboardd::ai {

namespace json = boost::json;
using catalog::RenderTemplate;
using Values = std::map<std::string, std::string, std::less<>>;

namespace {

// Folded text with every run of non-alphanumeric bytes as one space, padded with spaces, so
// that " term " finds whole words (multi-byte code points that survive folding are kept).
std::string Words(std::string_view text) {
  const std::string folded = catalog::FoldForSearch(text);
  std::string out = " ";
  for (unsigned char c : folded) {
    const bool word = std::isalnum(c) || c >= 0x80;
    if (word) {
      out.push_back(static_cast<char>(c));
    } else if (out.back() != ' ') {
      out.push_back(' ');
    }
  }
  if (out.back() != ' ') out.push_back(' ');
  return out;
}

// Words of a catalog name or description worth matching: 5+ letters, so that "de", "and",
// "y" and the like never count.
void AddDescriptiveWords(std::string_view text, std::vector<std::string>& into) {
  const std::string words = Words(text);
  std::size_t start = 1;
  while (start < words.size()) {
    const std::size_t end = words.find(' ', start);
    if (end == std::string::npos) break;
    std::string word = words.substr(start, end - start);
    if (word.size() >= 5 && std::find(into.begin(), into.end(), word) == into.end()) {
      into.push_back(std::move(word));
    }
    start = end + 1;
  }
}

std::string Render(const Question& q, std::string_view key, const Values& values = {}) {
  return RenderTemplate(q.catalog->ai().Text(key).In(q.english), values);
}

std::string Join(const std::vector<std::string>& items, std::size_t most) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < most; ++i) {
    out += (i ? ", " : "") + items[i];
  }
  return out;
}

std::vector<std::string> Texts(const std::vector<core::LocalizedText>& list, bool english) {
  std::vector<std::string> out;
  for (const auto& text : list) out.push_back(text.In(english));
  return out;
}

const catalog::Category* CategoryOf(const catalog::Snapshot& s, const catalog::Industry& i) {
  for (const auto& c : s.categories()) {
    if (c.id == i.category) return &c;
  }
  return nullptr;
}

// `key` in the partial data: at top level, or inside a step's object one level down.
const json::value* Lookup(const json::object& data, std::string_view key) {
  if (const json::value* v = data.if_contains(key); v && !v->is_null()) return v;
  for (const auto& [name, section] : data) {
    (void)name;
    if (!section.is_object()) continue;
    if (const json::value* v = section.as_object().if_contains(key); v && !v->is_null()) return v;
  }
  return nullptr;
}

bool Present(const json::value* v) {
  if (v == nullptr || v->is_null()) return false;
  if (v->is_string()) {
    return std::string_view(v->as_string()).find_first_not_of(" \t\r\n") != std::string::npos;
  }
  if (v->is_array()) return !v->as_array().empty();
  if (v->is_object()) return !v->as_object().empty();
  return true;
}

std::string TextOf(const json::value* v) {
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<std::int64_t> WholeNumber(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() < (1ULL << 62))
    return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_double() && std::trunc(v->as_double()) == v->as_double() &&
      std::abs(v->as_double()) < 1e15) {
    return static_cast<std::int64_t>(v->as_double());
  }
  return std::nullopt;
}

// The industry a text points at, if any: its best match.
const catalog::Industry* BestIndustry(const catalog::Snapshot& s, std::string_view text,
                                      std::vector<std::string>* terms = nullptr) {
  auto ranked = RankIndustries(s, text);
  if (ranked.empty()) return nullptr;
  if (terms) *terms = ranked.front().terms;
  return ranked.front().industry;
}

std::vector<OkrIdea> OkrIdeas(const Question& q, const catalog::Industry& industry) {
  const catalog::Snapshot& s = *q.catalog;
  const auto& okrs = s.templates().okrs;
  std::vector<std::string> goals;
  if (auto it = s.ai().category_goals.find(industry.category); it != s.ai().category_goals.end()) {
    goals = it->second;
  }
  std::vector<const catalog::OkrTemplate*> chosen;
  std::vector<std::string> chosen_goals;
  for (const std::string& goal : goals) {
    for (const auto& okr : okrs) {
      if (std::find(okr.goals.begin(), okr.goals.end(), goal) == okr.goals.end()) continue;
      if (std::find(chosen.begin(), chosen.end(), &okr) != chosen.end()) continue;
      chosen.push_back(&okr);
      chosen_goals.push_back(goal);
      break;
    }
  }
  for (const auto& okr : okrs) {  // the fallbacks (goals: []) fill up
    if (okr.goals.empty() && std::find(chosen.begin(), chosen.end(), &okr) == chosen.end()) {
      chosen.push_back(&okr);
      chosen_goals.push_back("");
    }
  }
  const catalog::Category* category = CategoryOf(s, industry);
  const std::string category_name = category ? category->name.In(q.english) : industry.category;
  static constexpr std::string_view kPriorities[] = {"high", "medium", "low"};
  std::vector<OkrIdea> out;
  for (std::size_t i = 0; i < chosen.size() && out.size() < MostOkrs(q.level); ++i) {
    OkrIdea idea;
    idea.objective = chosen[i]->objective.In(q.english);
    idea.key_results = Texts(chosen[i]->key_results, q.english);
    const auto cat = s.ai().goal_categories.find(chosen_goals[i]);
    idea.category = cat == s.ai().goal_categories.end() ? "efficiency" : cat->second;
    idea.priority = std::string(kPriorities[std::min<std::size_t>(i, 2)]);
    idea.rationale = Render(q, "okrRationale", {{"category", category_name}});
    out.push_back(std::move(idea));
  }
  return out;
}

std::string FieldLabel(const catalog::StepDef& step, std::string_view key, bool english) {
  const catalog::FieldDef* field = step.FindField(key);
  return field && !field->label.In(english).empty() ? field->label.In(english) : std::string(key);
}

// The field key an error path names: "company.company_name[2].x" → "company_name".
std::string FieldOfPath(std::string_view path, std::string_view step_id) {
  if (path.starts_with(step_id) && path.size() > step_id.size() && path[step_id.size()] == '.') {
    path.remove_prefix(step_id.size() + 1);
  }
  return std::string(path.substr(0, path.find_first_of(".[")));
}

}  // namespace

std::size_t MostAlternatives(AssistanceLevel level) {
  return level == AssistanceLevel::kMinimal ? 1 : kMaxAlternatives;
}
std::size_t MostOkrs(AssistanceLevel level) {
  switch (level) {
    case AssistanceLevel::kMinimal:
      return 1;
    case AssistanceLevel::kModerate:
      return 3;
    case AssistanceLevel::kExtensive:
      return 4;
  }
  return 3;
}

std::string_view SizeForEmployees(std::int64_t employees) {
  if (employees <= 10) return "startup";
  if (employees <= 50) return "pyme";
  if (employees <= 250) return "empresa";
  return "corporacion";
}

std::vector<IndustryMatch> RankIndustries(const catalog::Snapshot& snapshot,
                                          std::string_view text) {
  const std::string haystack = Words(text);
  std::vector<IndustryMatch> out;
  for (const catalog::Industry& industry : snapshot.industries()) {
    if (industry.id == "other") continue;
    std::vector<std::string> vocabulary;
    if (auto it = snapshot.ai().industry_keywords.find(industry.id);
        it != snapshot.ai().industry_keywords.end()) {
      vocabulary = it->second;
    }
    for (const auto* text_of : {&industry.name, &industry.description}) {
      AddDescriptiveWords(text_of->es, vocabulary);
      AddDescriptiveWords(text_of->en, vocabulary);
    }
    IndustryMatch match{&industry, {}};
    for (const std::string& term : vocabulary) {
      const std::string needle = Words(term);
      if (needle.size() <= 2) continue;  // a keyword of punctuation only
      if (haystack.find(needle) != std::string::npos &&
          std::find(match.terms.begin(), match.terms.end(), term) == match.terms.end()) {
        match.terms.push_back(term);
      }
    }
    if (!match.terms.empty()) out.push_back(std::move(match));
  }
  std::stable_sort(out.begin(), out.end(), [](const IndustryMatch& a, const IndustryMatch& b) {
    return a.terms.size() > b.terms.size();
  });
  return out;
}

// suggest: the best-matching industry (the user's own choice wins a tie, and stands when
// nothing matches; "other" when there is no choice either), up to 3 alternatives (other
// matches, then neighbours in the same category), the category's insights, and OKRs for the
// goals usual in that category.
IndustryAnalysis AnalyzeIndustry(const Question& q, const SuggestInput& in) {
  const catalog::Snapshot& s = *q.catalog;
  const std::string text = in.company_name + " \n " + in.description + " \n " + in.website +
                           " \n " + in.additional_context;
  std::vector<IndustryMatch> ranked = RankIndustries(s, text);
  const catalog::Industry* existing = s.FindIndustry(in.existing_industry);
  if (existing && existing->id == "other") existing = nullptr;

  IndustryAnalysis out;
  const catalog::Industry* best = nullptr;
  std::size_t best_index = ranked.size();
  if (!ranked.empty()) {
    best_index = 0;
    for (std::size_t i = 0; i < ranked.size() && existing; ++i) {
      if (ranked[i].industry == existing && ranked[i].terms.size() == ranked[0].terms.size()) {
        best_index = i;
      }
    }
    best = ranked[best_index].industry;
    out.suggested.confidence =
        std::min(95, 55 + 10 * static_cast<int>(ranked[best_index].terms.size()));
    out.suggested.rationale = Render(q, "industryRationale",
                                     {{"company", in.company_name},
                                      {"industry", best->name.In(q.english)},
                                      {"matches", Join(ranked[best_index].terms, 3)}});
  } else if (existing) {
    best = existing;
    out.suggested.confidence = 60;
    out.suggested.rationale =
        Render(q, "industryRationaleExisting", {{"industry", best->name.In(q.english)}});
  } else {
    best = s.FindIndustry("other");
    if (best == nullptr) best = &s.industries().front();
    out.suggested.confidence = 30;
    out.suggested.rationale = Render(q, "industryRationaleDefault", {{"company", in.company_name}});
  }
  out.suggested.id = best->id;

  const std::size_t most = MostAlternatives(q.level);
  for (std::size_t i = 0; i < ranked.size() && out.alternatives.size() < most; ++i) {
    if (i == best_index) continue;
    out.alternatives.push_back({ranked[i].industry->id,
                                std::min(85, 35 + 10 * static_cast<int>(ranked[i].terms.size())),
                                Render(q, "alternativeRationale",
                                       {{"industry", ranked[i].industry->name.In(q.english)},
                                        {"matches", Join(ranked[i].terms, 2)}})});
  }
  const catalog::Category* category = CategoryOf(s, *best);
  for (const catalog::Industry& sibling : s.industries()) {
    if (out.alternatives.size() >= most) break;
    if (sibling.category != best->category || &sibling == best || sibling.id == "other") continue;
    const bool listed = std::any_of(out.alternatives.begin(), out.alternatives.end(),
                                    [&](const IndustryPick& p) { return p.id == sibling.id; });
    if (listed) continue;
    out.alternatives.push_back(
        {sibling.id, 25,
         Render(q, "siblingRationale",
                {{"category", category ? category->name.In(q.english) : sibling.category}})});
  }

  if (auto it = s.ai().category_insights.find(best->category);
      it != s.ai().category_insights.end()) {
    out.market_trends = Texts(it->second.market_trends, q.english);
    out.competitive_landscape = it->second.competitive_landscape.In(q.english);
    out.growth_opportunities = Texts(it->second.growth_opportunities, q.english);
    out.potential_challenges = Texts(it->second.potential_challenges, q.english);
  }
  out.okrs = OkrIdeas(q, *best);
  return out;
}

// validate: the step's own validator (onboarding/step_validation.hpp) decides what is wrong;
// the score weighs required fields 3 and optional ones 1 (an absent optional field neither
// earns nor costs); corrections are what the rules can fix for sure: stray spaces, a web
// address without its scheme, a company size that contradicts the employee count.
StepReview ReviewStep(const Question& q, const ValidateInput& in) {
  const catalog::StepDef& step = *in.step;
  StepReview out;
  out.hints = Texts(step.ai_hints, q.english);
  if (in.step_data.empty()) {
    out.suggestions.push_back(Render(q, "emptyStep", {{"step", step.title.In(q.english)}}));
    return out;
  }
  std::set<std::string, std::less<>> wrong;
  auto validated = onboarding::ValidateStep(*in.flow, step.id, json::value(in.step_data));
  if (!validated) {
    for (const core::FieldError& detail : validated.error().details) {
      const std::string key = FieldOfPath(detail.path, step.id);
      wrong.insert(key);
      if (out.suggestions.size() < kMaxListItems) {
        out.suggestions.push_back(Render(q, "fieldProblem",
                                         {{"field", FieldLabel(step, key, q.english)},
                                          {"message", detail.message.In(q.english)}}));
      }
    }
  }
  int earned = 0;
  int possible = 0;
  for (const catalog::FieldDef& field : step.fields) {
    const bool present = Present(in.step_data.if_contains(field.key));
    const int weight = field.required ? 3 : 1;
    if (field.required || present) possible += weight;
    if (present && !wrong.contains(field.key)) earned += weight;
  }
  out.score = possible == 0 ? (wrong.empty() ? 100 : 0)
                            : static_cast<int>(std::lround(100.0 * earned / possible));

  const catalog::FieldDef* size_field = nullptr;
  std::optional<std::int64_t> employees;
  for (const catalog::FieldDef& field : step.fields) {
    const json::value* raw = in.step_data.if_contains(field.key);
    if (field.canonical == "company.size") size_field = &field;
    if (field.canonical == "company.employeeCount") employees = WholeNumber(raw);
    if (raw == nullptr || !raw->is_string()) continue;
    const std::string_view text = raw->as_string();
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) continue;
    const std::string_view trimmed =
        text.substr(first, text.find_last_not_of(" \t\r\n") + 1 - first);
    if (field.type == catalog::FieldType::kUrl && !trimmed.starts_with("http://") &&
        !trimmed.starts_with("https://") && trimmed.find("://") == std::string_view::npos) {
      out.corrections.push_back({field.key, json::value("https://" + std::string(trimmed))});
      out.suggestions.push_back(Render(q, "websiteScheme"));
    } else if (trimmed.size() != text.size() && field.type == catalog::FieldType::kString) {
      out.corrections.push_back({field.key, json::value(trimmed)});
    }
  }
  if (size_field && employees && *employees >= 1) {
    const std::string_view expected = SizeForEmployees(*employees);
    const std::string given = TextOf(in.step_data.if_contains(size_field->key));
    if (size_field->AllowsValue(expected) && given != expected) {
      out.corrections.push_back({size_field->key, json::value(expected)});
      out.suggestions.push_back(
          Render(q, "sizeMismatch",
                 {{"count", std::to_string(*employees)}, {"size", std::string(expected)}}));
    }
  }
  return out;
}

namespace {

std::optional<FieldFill> Fill(const Question& q, const json::object& data, std::string_view field) {
  const catalog::Snapshot& s = *q.catalog;
  if (field == "company_size") {
    if (auto n = WholeNumber(Lookup(data, "employee_count")); n && *n >= 1) {
      return FieldFill{
          "company_size", json::value(SizeForEmployees(*n)), 95,
          Render(q, "fillSizeFromEmployees",
                 {{"count", std::to_string(*n)}, {"size", std::string(SizeForEmployees(*n))}})};
    }
    if (auto n = WholeNumber(Lookup(data, "team_size")); n && *n >= 1) {
      return FieldFill{
          "company_size", json::value(SizeForEmployees(*n)), 70,
          Render(q, "fillSizeFromEmployees",
                 {{"count", std::to_string(*n)}, {"size", std::string(SizeForEmployees(*n))}})};
    }
    return FieldFill{"company_size", json::value("startup"), 35, Render(q, "fillSizeDefault")};
  }
  if (field == "okr_maturity") {
    const std::string experience = TextOf(Lookup(data, "experience_with_okr"));
    if (experience == "none" || experience == "beginner" || experience == "intermediate" ||
        experience == "advanced") {
      const std::string level = experience == "none" ? "beginner" : experience;
      return FieldFill{"okr_maturity", json::value(level), 85,
                       Render(q, "fillMaturity", {{"level", experience}})};
    }
    return FieldFill{"okr_maturity", json::value("beginner"), 50, Render(q, "fillMaturityDefault")};
  }
  if (field == "communication_style") {
    return FieldFill{"communication_style", json::value("formal"), 50, Render(q, "fillStyle")};
  }
  const std::string about =
      TextOf(Lookup(data, "company_name")) + " \n " + TextOf(Lookup(data, "description"));
  const catalog::Industry* chosen = s.FindIndustry(TextOf(Lookup(data, "industry_id")));
  std::vector<std::string> terms;
  const catalog::Industry* matched = BestIndustry(s, about, &terms);
  if (field == "industry_id") {
    if (matched == nullptr) return std::nullopt;
    return FieldFill{"industry_id", json::value(matched->id),
                     std::min(90, 55 + 10 * static_cast<int>(terms.size())),
                     Render(q, "industryRationale",
                            {{"company", TextOf(Lookup(data, "company_name"))},
                             {"industry", matched->name.In(q.english)},
                             {"matches", Join(terms, 3)}})};
  }
  if (field == "business_goals") {
    const catalog::Industry* industry = chosen ? chosen : matched;
    const std::string category = industry ? industry->category : "other";
    auto it = s.ai().category_goals.find(category);
    if (it == s.ai().category_goals.end() || it->second.empty()) return std::nullopt;
    json::array goals;
    for (std::size_t i = 0; i < it->second.size() && i < 2; ++i) goals.emplace_back(it->second[i]);
    std::string category_name = category;
    for (const auto& c : s.categories()) {
      if (c.id == category) category_name = c.name.In(q.english);
    }
    return FieldFill{"business_goals", std::move(goals), 60,
                     Render(q, "fillGoals", {{"category", category_name}})};
  }
  if (field == "current_challenges") {
    std::string level = TextOf(Lookup(data, "okr_maturity"));
    if (level.empty()) {
      const std::string experience = TextOf(Lookup(data, "experience_with_okr"));
      level = experience == "none" || experience.empty() ? "beginner" : experience;
    }
    auto it = s.ai().maturity_challenges.find(level);
    if (it == s.ai().maturity_challenges.end() || it->second.empty()) return std::nullopt;
    json::array challenges;
    for (const std::string& c : it->second) challenges.emplace_back(c);
    return FieldFill{"current_challenges", std::move(challenges), 55,
                     Render(q, "fillChallenges", {{"level", level}})};
  }
  return std::nullopt;
}

}  // namespace

// complete: smart_fill fills the requested fields that are missing, suggestions proposes a
// value for every requested field, full_analysis measures the legacy flow's required fields
// (steps before the final one) and names risks and strengths from a few fixed signals.
CompletionAnswer CompleteFields(const Question& q, const CompleteInput& in) {
  CompletionAnswer out;
  const json::object& data = in.partial_data;
  if (in.type != CompletionType::kFullAnalysis) {
    std::vector<std::string> fields = in.fields;
    if (fields.empty()) fields.assign(std::begin(kSupportedFields), std::end(kSupportedFields));
    for (const std::string& field : fields) {
      if (in.type == CompletionType::kSmartFill && Present(Lookup(data, field))) continue;
      if (auto fill = Fill(q, data, field)) out.fills.push_back(std::move(*fill));
    }
    return out;
  }
  const catalog::Flow& flow = q.catalog->session_flow();
  int required = 0;
  int present = 0;
  for (const catalog::StepDef& step : flow.steps) {
    if (step.final) continue;
    for (const catalog::FieldDef& field : step.fields) {
      if (!field.required) continue;
      ++required;
      if (Present(Lookup(data, field.key))) {
        ++present;
      } else {
        out.missing_critical_fields.push_back(field.key);
        if (out.recommendations.size() < 3) {
          out.recommendations.push_back(
              Render(q, "recommendMissing", {{"field", FieldLabel(step, field.key, q.english)}}));
        }
      }
    }
  }
  out.recommendations.push_back(Render(q, "recommendFirstOkr"));
  out.completeness_score =
      required == 0 ? 100 : static_cast<int>(std::lround(100.0 * present / required));
  const bool goals = Present(Lookup(data, "business_goals"));
  const std::string urgency = TextOf(Lookup(data, "urgency_level"));
  std::string maturity = TextOf(Lookup(data, "okr_maturity"));
  if (maturity.empty()) maturity = TextOf(Lookup(data, "experience_with_okr"));
  if (!goals) out.risk_factors.push_back(Render(q, "riskNoGoals"));
  if (urgency == "critical") out.risk_factors.push_back(Render(q, "riskUrgent"));
  if (maturity == "none" || maturity == "beginner") {
    out.risk_factors.push_back(Render(q, "riskBeginner"));
  }
  if (goals) out.success_predictors.push_back(Render(q, "predictorGoals"));
  if (maturity == "intermediate" || maturity == "advanced") {
    out.success_predictors.push_back(Render(q, "predictorMaturity"));
  }
  if (out.completeness_score >= 80)
    out.success_predictors.push_back(Render(q, "predictorComplete"));
  return out;
}

AnswerValue RulesAnswer(const Question& question) {
  switch (question.feature()) {
    case Feature::kSuggest:
      return AnalyzeIndustry(question, std::get<SuggestInput>(question.input));
    case Feature::kValidate:
      return ReviewStep(question, std::get<ValidateInput>(question.input));
    case Feature::kComplete:
      return CompleteFields(question, std::get<CompleteInput>(question.input));
  }
  return AnalyzeIndustry(question, std::get<SuggestInput>(question.input));
}

boost::asio::awaitable<Answer> RulesProvider::Ask(Question question, core::Deadline) const {
  Answer answer;
  answer.usage.prompt_version = PromptVersion(question);
  answer.value = RulesAnswer(question);
  co_return answer;
}

}  // namespace onboardd::ai
