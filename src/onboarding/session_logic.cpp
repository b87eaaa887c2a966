// The session API's decisions and texts (see session_logic.hpp).
#include "onboarding/session_logic.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "catalog/text.hpp"
#include "onboarding/step_validation.hpp"

namespace onboardd::onboarding {

namespace json = boost::json;
using Values = std::map<std::string, std::string, std::less<>>;

namespace {

const json::object* ObjectMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

std::string_view StringMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

// The value the flow's answers hold for a canonical name (e.g. preferences.language), if any.
const json::value* Answer(const catalog::Flow& flow, const json::object& form_data,
                          std::string_view canonical) {
  for (const catalog::StepDef& step : flow.steps) {
    for (const catalog::FieldDef& field : step.fields) {
      if (field.canonical != canonical) continue;
      if (const json::object* section = ObjectMember(form_data, step.id)) {
        if (const json::value* v = section->if_contains(field.key)) return v;
      }
    }
  }
  return nullptr;
}

std::string AnswerText(const catalog::Flow& flow, const json::object& form_data,
                       std::string_view canonical) {
  const json::value* v = Answer(flow, form_data, canonical);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// A scalar as template text: strings as they are, numbers and booleans printed, else "".
std::string Printable(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  return {};
}

json::value Localized(const core::LocalizedText& text, bool english) {
  return json::value(text.In(english));
}

}  // namespace

TextStyle StyleOf(const catalog::Flow& flow, const json::object& form_data, bool english) {
  TextStyle style{english, false};
  std::string language = AnswerText(flow, form_data, "preferences.language");
  std::string register_ = AnswerText(flow, form_data, "preferences.communicationStyle");
  if (const json::object* prefs = ObjectMember(form_data, "user_preferences")) {
    if (language.empty()) language = std::string(StringMember(*prefs, "language"));
    if (register_.empty()) register_ = std::string(StringMember(*prefs, "communication_style"));
  }
  if (language == "en" || language == "es") style.english = language == "en";
  style.informal = register_ == "informal";
  return style;
}

json::object StepInfo(const catalog::Snapshot& snapshot, const catalog::StepDef& step,
                      bool english) {
  json::array fields;
  for (const catalog::FieldDef& field : step.fields) {
    json::object f{{"name", field.key},
                   {"type", field.widget},
                   {"label", field.label.In(english)},
                   {"required", field.required}};
    if (!field.placeholder.empty()) f["placeholder"] = field.placeholder.In(english);
    if (!field.values.empty()) {
      json::array options;
      for (const std::string& value : field.values) {
        std::string label = value;
        if (const catalog::Industry* industry = snapshot.FindIndustry(value)) {
          label = industry->name.In(english);
        } else if (const catalog::CompanySize* size = snapshot.FindCompanySize(value)) {
          label = size->label.In(english);
        }
        options.push_back(json::object{{"value", value}, {"label", std::move(label)}});
      }
      f["options"] = std::move(options);
    }
    json::object validation;
    switch (field.type) {
      case catalog::FieldType::kString:
      case catalog::FieldType::kUrl:
        if (field.min_length > 0) validation["min_length"] = field.min_length;
        validation["max_length"] = field.max_length;
        if (field.type == catalog::FieldType::kUrl) validation["pattern"] = "^https?://";
        break;
      case catalog::FieldType::kInteger:
        validation["min"] = field.min;
        validation["max"] = field.max;
        break;
      case catalog::FieldType::kEnumList:
      case catalog::FieldType::kDepartments:
        if (field.min_items > 0) validation["min_items"] = field.min_items;
        validation["max_items"] = field.max_items;
        break;
      case catalog::FieldType::kImage:
        validation["max_bytes"] = field.max_bytes;
        break;
      case catalog::FieldType::kEnum:
      case catalog::FieldType::kBoolean:
        break;
    }
    if (!validation.empty()) f["validation"] = std::move(validation);
    fields.push_back(std::move(f));
  }
  json::object info{
      {"step_number", step.number},      {"step_name", step.id},
      {"title", step.title.In(english)}, {"description", step.description.In(english)},
      {"fields", std::move(fields)},     {"estimated_time", step.estimated_minutes}};
  if (!step.ai_hints.empty()) {
    json::array hints;
    for (const core::LocalizedText& hint : step.ai_hints) hints.push_back(Localized(hint, english));
    info["ai_hints"] = std::move(hints);
  }
  return info;
}

std::string Greeting(const catalog::Templates& templates, TextStyle style, bool resumed,
                     int current_step, int total_steps) {
  if (!resumed) {
    return (style.informal ? templates.greeting_informal : templates.greeting_formal)
        .In(style.english);
  }
  const core::LocalizedText& text =
      style.informal ? templates.resume_informal : templates.resume_formal;
  return catalog::RenderTemplate(
      text.In(style.english),
      Values{{"step", std::to_string(current_step)}, {"total", std::to_string(total_steps)}});
}

ProgressCheck CheckProgress(const catalog::StepDef& step, const json::object& step_data,
                            bool skipped) {
  ProgressCheck check;
  if (skipped && step.skippable && step_data.empty()) {
    check.valid = true;
    return check;
  }
  catalog::Flow one;  // ValidateStep works on a flow: a flow of this one step
  one.steps.push_back(step);
  one.steps.back().number = 1;
  auto validated = ValidateStep(one, 1, json::value(step_data));
  if (validated) {
    check.valid = true;
    check.data = std::move(validated->data);
  } else {
    check.data = step_data;
    check.errors = std::move(validated.error().details);
  }
  return check;
}

json::array ValidationErrors(const std::vector<core::FieldError>& errors, bool english) {
  json::array out;
  for (const core::FieldError& e : errors) {
    out.push_back(json::object{{"field", e.path}, {"message", e.message.In(english)}});
  }
  return out;
}

std::string StepFeedback(const catalog::Templates& templates, const catalog::StepDef& step,
                         const json::object& data, bool valid, bool english) {
  if (!valid) return templates.invalid_feedback.In(english);
  if (step.feedback.empty()) return templates.step_feedback.In(english);
  Values values;
  for (const auto& [key, value] : data) values.emplace(std::string(key), Printable(value));
  return catalog::RenderTemplate(step.feedback.In(english), values);
}

json::object SessionMetrics(const catalog::Flow& flow, const json::array& progress) {
  int completed = 0, skipped = 0;
  std::int64_t seconds = 0;
  for (const json::value& row : progress) {
    if (!row.is_object()) continue;
    const json::object& r = row.as_object();
    const json::value* c = r.if_contains("is_completed");
    const json::value* s = r.if_contains("is_skipped");
    if (c && c->is_bool() && c->as_bool()) {
      ++completed;
    } else if (s && s->is_bool() && s->as_bool()) {
      ++skipped;
    }
    if (const json::value* t = r.if_contains("time_spent_seconds"); t && t->is_int64()) {
      seconds += std::max<std::int64_t>(0, t->as_int64());
    }
  }
  const int remaining = std::max(0, flow.total_steps() - completed - skipped);
  return json::object{{"completed_steps", completed},
                      {"skipped_steps", skipped},
                      {"remaining_steps", remaining},
                      {"total_time_minutes", std::llround(static_cast<double>(seconds) / 60.0)},
                      {"estimated_remaining_minutes", remaining * 3}};
}

int MissingSteps(const catalog::Flow& flow, const json::array& done) {
  std::set<std::int64_t> steps;
  for (const json::value& n : done) {
    if (n.is_int64() && n.as_int64() >= 1 && n.as_int64() <= flow.total_steps()) {
      steps.insert(n.as_int64());
    }
  }
  return flow.total_steps() - static_cast<int>(steps.size());
}

CompletionTexts BuildCompletionTexts(const catalog::Snapshot& snapshot, const catalog::Flow& flow,
                                     const json::object& form_data, bool english) {
  const catalog::Templates& t = snapshot.templates();
  CompletionTexts out;

  const std::string company = AnswerText(flow, form_data, "company.name");
  std::string industry = AnswerText(flow, form_data, "company.industry");
  if (const catalog::Industry* known = snapshot.FindIndustry(industry)) {
    industry = known->name.In(english);
  }
  const std::string goal = AnswerText(flow, form_data, "welcome.primaryGoal");
  out.summary = company.empty() || goal.empty()
                    ? t.summary_no_goal.In(english)
                    : catalog::RenderTemplate(
                          t.summary.In(english),
                          Values{{"company", company}, {"industry", industry}, {"goal", goal}});

  for (std::size_t i = 0; i < t.next_steps.size() && i < 6; ++i) {
    out.next_steps.push_back(Localized(t.next_steps[i], english));
  }

  std::set<std::string, std::less<>> goals;
  if (const json::value* v = Answer(flow, form_data, "organization.businessGoals");
      v && v->is_array()) {
    for (const json::value& g : v->as_array()) {
      if (g.is_string()) goals.emplace(g.as_string());
    }
  }
  const auto matches = [&](const catalog::OkrTemplate& okr) {
    return std::any_of(okr.goals.begin(), okr.goals.end(),
                       [&](const std::string& g) { return goals.contains(g); });
  };
  std::vector<const catalog::OkrTemplate*> chosen;
  for (const catalog::OkrTemplate& okr : t.okrs) {
    if (chosen.size() < 4 && matches(okr)) chosen.push_back(&okr);
  }
  for (const catalog::OkrTemplate& okr : t.okrs) {
    if (chosen.size() < 4 && okr.goals.empty()) chosen.push_back(&okr);
  }
  for (const catalog::OkrTemplate* okr : chosen) {
    json::array key_results;
    for (const core::LocalizedText& kr : okr->key_results) {
      key_results.push_back(Localized(kr, english));
    }
    out.recommended_okrs.push_back(json::object{{"objective", okr->objective.In(english)},
                                                {"key_results", std::move(key_results)},
                                                {"rationale", okr->rationale.In(english)}});
  }
  return out;
}

}  // namespace onboardd::onboarding
