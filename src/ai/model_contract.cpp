// Prompts, schemas and the strict parsing of model output (see model_contract.hpp).
#include "ai/model_contract.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "ai/rules_provider.hpp"
#include "catalog/text.hpp"

namespace onboardd::ai {

namespace json = boost::json;

namespace {

constexpr int kMaxOutputTokens = 1200;

core::Error Bad(std::string what) {
  return core::MakeError(core::ErrorCode::kValidation, {"Respuesta del modelo no válida: " + what,
                                                        "invalid model output: " + what});
}

// --- JSON schema building blocks -------------------------------------------------------------

json::object StringType() { return {{"type", "string"}}; }
// 0..100 is said in the prompt and checked by the parser, not put in the schema: some
// endpoints' strict mode refuses minimum/maximum.
json::object IntType() { return {{"type", "integer"}}; }
json::object ListOf(json::object item) { return {{"type", "array"}, {"items", std::move(item)}}; }
json::object Enum(std::initializer_list<std::string_view> values) {
  json::array list;
  for (auto v : values) list.emplace_back(v);
  return {{"type", "string"}, {"enum", std::move(list)}};
}
json::object AnyValue() {
  return {{"anyOf", json::array{json::object{{"type", "string"}}, json::object{{"type", "number"}},
                                json::object{{"type", "boolean"}}, ListOf(StringType())}}};
}
// An object whose every property is required and nothing else allowed (strict mode's rule).
json::object Strict(std::initializer_list<std::pair<std::string_view, json::object>> props) {
  json::object properties;
  json::array required;
  for (const auto& [name, schema] : props) {
    properties[name] = schema;
    required.emplace_back(name);
  }
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

json::object PickSchema() {
  return Strict({{"id", StringType()}, {"confidence", IntType()}, {"rationale", StringType()}});
}

json::object SchemaFor(const Question& q) {
  switch (q.feature()) {
    case Feature::kSuggest:
      return Strict(
          {{"industry", PickSchema()},
           {"alternatives", ListOf(PickSchema())},
           {"insights", Strict({{"market_trends", ListOf(StringType())},
                                {"competitive_landscape", StringType()},
                                {"growth_opportunities", ListOf(StringType())},
                                {"potential_challenges", ListOf(StringType())}})},
           {"okrs",
            ListOf(Strict({{"objective", StringType()},
                           {"key_results", ListOf(StringType())},
                           {"category", Enum({"growth", "efficiency", "innovation", "customer"})},
                           {"priority", Enum({"high", "medium", "low"})},
                           {"rationale", StringType()}}))}});
    case Feature::kValidate:
      return Strict(
          {{"score", IntType()},
           {"suggestions", ListOf(StringType())},
           {"warnings", ListOf(StringType())},
           {"corrections", ListOf(Strict({{"field", StringType()}, {"value", AnyValue()}}))},
           {"hints", ListOf(StringType())}});
    case Feature::kComplete:
      if (std::get<CompleteInput>(q.input).type == CompletionType::kFullAnalysis) {
        return Strict({{"completeness_score", IntType()},
                       {"missing_critical_fields", ListOf(StringType())},
                       {"recommendations", ListOf(StringType())},
                       {"risk_factors", ListOf(StringType())},
                       {"success_predictors", ListOf(StringType())}});
      }
      return Strict({{"fields", ListOf(Strict({{"field", StringType()},
                                               {"value", AnyValue()},
                                               {"confidence", IntType()},
                                               {"rationale", StringType()}}))}});
  }
  return {};
}

// The legacy flow's definition of an ai/complete field (its allowed values).
const catalog::FieldDef* CompletionField(const catalog::Snapshot& s, std::string_view key) {
  for (const catalog::StepDef& step : s.session_flow().steps) {
    if (const catalog::FieldDef* f = step.FindField(key)) return f;
  }
  return nullptr;
}

std::string FieldsLine(const catalog::Snapshot& s, const std::vector<std::string>& requested) {
  std::vector<std::string> fields = requested;
  if (fields.empty()) fields.assign(std::begin(kSupportedFields), std::end(kSupportedFields));
  std::string out;
  for (const std::string& key : fields) {
    out += (out.empty() ? "" : "; ") + key + ": ";
    if (key == "industry_id") {
      std::string ids;
      for (const auto& i : s.industries()) ids += (ids.empty() ? "" : "|") + i.id;
      out += ids;
      continue;
    }
    const catalog::FieldDef* f = CompletionField(s, key);
    std::string values;
    if (f) {
      for (const auto& v : f->values) values += (values.empty() ? "" : "|") + v;
    }
    out += f && f->type == catalog::FieldType::kEnumList ? "[" + values + "]" : values;
  }
  return out;
}

// --- strict readers ---------------------------------------------------------------------------

std::string Trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  text = text.substr(first, text.find_last_not_of(" \t\r\n") + 1 - first);
  // Cap by code points, cutting only between them.
  std::size_t points = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && points++ == kMaxTextCodePoints) {
      return std::string(text.substr(0, i));
    }
  }
  return std::string(text);
}

core::Result<std::string> Text(const json::object& o, std::string_view key, const std::string& path,
                               bool required = true) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return Bad(path + " must be a string");
  std::string text = Trimmed(v->as_string());
  if (required && text.empty()) return Bad(path + " must not be empty");
  return text;
}

core::Result<std::vector<std::string>> Texts(const json::object& o, std::string_view key,
                                             const std::string& path,
                                             std::size_t most = kMaxListItems) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_array()) return Bad(path + " must be a list");
  std::vector<std::string> out;
  for (const json::value& item : v->as_array()) {
    if (!item.is_string()) return Bad(path + " must hold strings");
    std::string text = Trimmed(item.as_string());
    if (!text.empty() && out.size() < most) out.push_back(std::move(text));
  }
  return out;
}

core::Result<int> Percent(const json::object& o, std::string_view key, const std::string& path) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) return Bad(path + " must be a number");
  const double d = v->to_number<double>();
  if (!(d >= 0 && d <= 100)) return Bad(path + " must be in 0..100");
  return static_cast<int>(std::lround(d));
}

core::Result<const json::object*> ObjectAt(const json::object& o, std::string_view key,
                                           const std::string& path) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_object()) return Bad(path + " must be an object");
  return &v->as_object();
}

core::Result<const json::array*> ArrayAt(const json::object& o, std::string_view key,
                                         const std::string& path) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_array()) return Bad(path + " must be a list");
  return &v->as_array();
}

#define ONBOARDD_TRY(target, expr) \
  auto target##_result = (expr);   \
  if (!target##_result) return target##_result.error();
#define ONBOARDD_VALUE(target) (*target##_result)

// A real industry for a model's id: the id itself, else the industry whose name (either
// language, folded) it is, else nullptr.
const catalog::Industry* RealIndustry(const catalog::Snapshot& s, std::string_view id) {
  if (const catalog::Industry* i = s.FindIndustry(id)) return i;
  const std::string folded = catalog::FoldForSearch(id);
  for (const catalog::Industry& i : s.industries()) {
    if (catalog::FoldForSearch(i.name.es) == folded ||
        catalog::FoldForSearch(i.name.en) == folded) {
      return &i;
    }
  }
  return nullptr;
}

// The industry the rules would pick for the question's text: the stand-in for an invented id.
const catalog::Industry& StandIn(const Question& q, std::string_view text) {
  auto ranked = RankIndustries(*q.catalog, text);
  if (!ranked.empty()) return *ranked.front().industry;
  const catalog::Industry* other = q.catalog->FindIndustry("other");
  return other ? *other : q.catalog->industries().front();
}

int Penalized(int confidence) { return std::max(50, confidence - 20); }

core::Result<IndustryPick> ReadPick(const json::object& o, const std::string& path) {
  ONBOARDD_TRY(id, Text(o, "id", path + ".id"));
  ONBOARDD_TRY(confidence, Percent(o, "confidence", path + ".confidence"));
  ONBOARDD_TRY(rationale, Text(o, "rationale", path + ".rationale", false));
  return IndustryPick{ONBOARDD_VALUE(id), ONBOARDD_VALUE(confidence), ONBOARDD_VALUE(rationale)};
}

core::Result<AnswerValue> ReadAnalysis(const Question& q, const json::object& root) {
  const catalog::Snapshot& s = *q.catalog;
  const SuggestInput& in = std::get<SuggestInput>(q.input);
  IndustryAnalysis out;
  ONBOARDD_TRY(industry, ObjectAt(root, "industry", "industry"));
  ONBOARDD_TRY(pick, ReadPick(*ONBOARDD_VALUE(industry), "industry"));
  out.suggested = ONBOARDD_VALUE(pick);
  ONBOARDD_TRY(alternatives, ArrayAt(root, "alternatives", "alternatives"));
  std::vector<IndustryPick> candidates;
  for (std::size_t i = 0; i < ONBOARDD_VALUE(alternatives)->size(); ++i) {
    const std::string path = "alternatives[" + std::to_string(i) + "]";
    const json::value& item = (*ONBOARDD_VALUE(alternatives))[i];
    if (!item.is_object()) return Bad(path + " must be an object");
    ONBOARDD_TRY(alternative, ReadPick(item.as_object(), path));
    candidates.push_back(ONBOARDD_VALUE(alternative));
  }
  if (const catalog::Industry* real = RealIndustry(s, out.suggested.id)) {
    if (real->id != out.suggested.id)
      out.suggested.confidence = Penalized(out.suggested.confidence);
    out.suggested.id = real->id;
  } else {
    // Invented: the model's own first real alternative, else the rules' pick.
    const catalog::Industry* replacement = nullptr;
    for (const IndustryPick& c : candidates) {
      if ((replacement = s.FindIndustry(c.id)) != nullptr) break;
    }
    if (replacement == nullptr) {
      replacement =
          &StandIn(q, in.company_name + " \n " + in.description + " \n " + in.additional_context);
    }
    out.suggested.id = replacement->id;
    out.suggested.confidence = Penalized(out.suggested.confidence);
  }
  for (IndustryPick& c : candidates) {
    const catalog::Industry* real = s.FindIndustry(c.id);
    if (real == nullptr || c.id == out.suggested.id) continue;
    const bool seen = std::any_of(out.alternatives.begin(), out.alternatives.end(),
                                  [&](const IndustryPick& p) { return p.id == c.id; });
    if (!seen && out.alternatives.size() < kMaxAlternatives)
      out.alternatives.push_back(std::move(c));
  }
  ONBOARDD_TRY(insights, ObjectAt(root, "insights", "insights"));
  const json::object& ins = *ONBOARDD_VALUE(insights);
  ONBOARDD_TRY(trends, Texts(ins, "market_trends", "insights.market_trends"));
  ONBOARDD_TRY(landscape,
               Text(ins, "competitive_landscape", "insights.competitive_landscape", false));
  ONBOARDD_TRY(growth, Texts(ins, "growth_opportunities", "insights.growth_opportunities"));
  ONBOARDD_TRY(challenges, Texts(ins, "potential_challenges", "insights.potential_challenges"));
  out.market_trends = ONBOARDD_VALUE(trends);
  out.competitive_landscape = ONBOARDD_VALUE(landscape);
  out.growth_opportunities = ONBOARDD_VALUE(growth);
  out.potential_challenges = ONBOARDD_VALUE(challenges);
  ONBOARDD_TRY(okrs, ArrayAt(root, "okrs", "okrs"));
  for (std::size_t i = 0; i < ONBOARDD_VALUE(okrs)->size(); ++i) {
    const std::string path = "okrs[" + std::to_string(i) + "]";
    const json::value& item = (*ONBOARDD_VALUE(okrs))[i];
    if (!item.is_object()) return Bad(path + " must be an object");
    const json::object& o = item.as_object();
    ONBOARDD_TRY(objective, Text(o, "objective", path + ".objective"));
    ONBOARDD_TRY(krs, Texts(o, "key_results", path + ".key_results"));
    ONBOARDD_TRY(category, Text(o, "category", path + ".category"));
    ONBOARDD_TRY(priority, Text(o, "priority", path + ".priority"));
    ONBOARDD_TRY(rationale, Text(o, "rationale", path + ".rationale", false));
    const std::string& cat = ONBOARDD_VALUE(category);
    if (cat != "growth" && cat != "efficiency" && cat != "innovation" && cat != "customer") {
      return Bad(path + ".category must be growth, efficiency, innovation or customer");
    }
    const std::string& pri = ONBOARDD_VALUE(priority);
    if (pri != "high" && pri != "medium" && pri != "low") {
      return Bad(path + ".priority must be high, medium or low");
    }
    if (ONBOARDD_VALUE(krs).empty()) return Bad(path + ".key_results must not be empty");
    if (out.okrs.size() < 4) {
      out.okrs.push_back(
          {ONBOARDD_VALUE(objective), ONBOARDD_VALUE(krs), cat, pri, ONBOARDD_VALUE(rationale)});
    }
  }
  return AnswerValue(std::move(out));
}

// A model's value for a field: checked against the field's definition. nullopt when the
// catalog would refuse it.
std::optional<json::value> AllowedValue(const catalog::FieldDef& field, const json::value& value) {
  switch (field.type) {
    case catalog::FieldType::kEnum:
      if (value.is_string() && field.AllowsValue(value.as_string())) return value;
      return std::nullopt;
    case catalog::FieldType::kEnumList: {
      if (!value.is_array()) return std::nullopt;
      json::array out;
      for (const json::value& v : value.as_array()) {
        if (v.is_string() && field.AllowsValue(v.as_string()) &&
            std::find(out.begin(), out.end(), v) == out.end()) {
          out.push_back(v);
        }
      }
      if (out.empty()) return std::nullopt;
      return json::value(std::move(out));
    }
    case catalog::FieldType::kInteger: {
      if (!value.is_number()) return std::nullopt;
      const double d = value.to_number<double>();
      if (d != std::trunc(d) || d < static_cast<double>(field.min) ||
          d > static_cast<double>(field.max)) {
        return std::nullopt;
      }
      return json::value(static_cast<std::int64_t>(d));
    }
    case catalog::FieldType::kBoolean:
      if (value.is_bool()) return value;
      return std::nullopt;
    case catalog::FieldType::kString:
    case catalog::FieldType::kUrl:
    case catalog::FieldType::kImage:
    case catalog::FieldType::kDepartments: {
      if (!value.is_string()) return std::nullopt;
      std::string text = Trimmed(value.as_string());
      if (text.empty()) return std::nullopt;
      return json::value(std::move(text));
    }
  }
  return std::nullopt;
}

core::Result<AnswerValue> ReadReview(const Question& q, const json::object& root) {
  const ValidateInput& in = std::get<ValidateInput>(q.input);
  StepReview out;
  ONBOARDD_TRY(score, Percent(root, "score", "score"));
  ONBOARDD_TRY(suggestions, Texts(root, "suggestions", "suggestions"));
  ONBOARDD_TRY(warnings, Texts(root, "warnings", "warnings"));
  ONBOARDD_TRY(hints, Texts(root, "hints", "hints"));
  ONBOARDD_TRY(corrections, ArrayAt(root, "corrections", "corrections"));
  out.score = ONBOARDD_VALUE(score);
  out.suggestions = ONBOARDD_VALUE(suggestions);
  out.warnings = ONBOARDD_VALUE(warnings);
  out.hints = ONBOARDD_VALUE(hints);
  for (std::size_t i = 0; i < ONBOARDD_VALUE(corrections)->size(); ++i) {
    const std::string path = "corrections[" + std::to_string(i) + "]";
    const json::value& item = (*ONBOARDD_VALUE(corrections))[i];
    if (!item.is_object()) return Bad(path + " must be an object");
    ONBOARDD_TRY(field, Text(item.as_object(), "field", path + ".field"));
    const json::value* value = item.as_object().if_contains("value");
    if (value == nullptr) return Bad(path + ".value is missing");
    // "company.company_name" and "company_name" both name the step's field.
    std::string key = ONBOARDD_VALUE(field);
    if (key.starts_with(in.step->id + ".")) key = key.substr(in.step->id.size() + 1);
    const catalog::FieldDef* def = in.step->FindField(key);
    if (def == nullptr) continue;
    auto allowed = AllowedValue(*def, *value);
    const bool seen = std::any_of(out.corrections.begin(), out.corrections.end(),
                                  [&](const Correction& c) { return c.field == key; });
    if (allowed && !seen && out.corrections.size() < kMaxListItems) {
      out.corrections.push_back({key, std::move(*allowed)});
    }
  }
  return AnswerValue(std::move(out));
}

core::Result<AnswerValue> ReadCompletion(const Question& q, const json::object& root) {
  const catalog::Snapshot& s = *q.catalog;
  const CompleteInput& in = std::get<CompleteInput>(q.input);
  CompletionAnswer out;
  if (in.type == CompletionType::kFullAnalysis) {
    ONBOARDD_TRY(score, Percent(root, "completeness_score", "completeness_score"));
    ONBOARDD_TRY(missing, Texts(root, "missing_critical_fields", "missing_critical_fields", 32));
    ONBOARDD_TRY(recommendations, Texts(root, "recommendations", "recommendations"));
    ONBOARDD_TRY(risks, Texts(root, "risk_factors", "risk_factors"));
    ONBOARDD_TRY(predictors, Texts(root, "success_predictors", "success_predictors"));
    out.completeness_score = ONBOARDD_VALUE(score);
    out.missing_critical_fields = ONBOARDD_VALUE(missing);
    out.recommendations = ONBOARDD_VALUE(recommendations);
    out.risk_factors = ONBOARDD_VALUE(risks);
    out.success_predictors = ONBOARDD_VALUE(predictors);
    return AnswerValue(std::move(out));
  }
  ONBOARDD_TRY(fields, ArrayAt(root, "fields", "fields"));
  for (std::size_t i = 0; i < ONBOARDD_VALUE(fields)->size(); ++i) {
    const std::string path = "fields[" + std::to_string(i) + "]";
    const json::value& item = (*ONBOARDD_VALUE(fields))[i];
    if (!item.is_object()) return Bad(path + " must be an object");
    const json::object& o = item.as_object();
    ONBOARDD_TRY(field, Text(o, "field", path + ".field"));
    ONBOARDD_TRY(confidence, Percent(o, "confidence", path + ".confidence"));
    ONBOARDD_TRY(rationale, Text(o, "rationale", path + ".rationale", false));
    const json::value* value = o.if_contains("value");
    if (value == nullptr) return Bad(path + ".value is missing");
    const std::string& key = ONBOARDD_VALUE(field);
    const bool requested =
        in.fields.empty() ? IsSupportedField(key)
                          : std::find(in.fields.begin(), in.fields.end(), key) != in.fields.end();
    const bool seen = std::any_of(out.fills.begin(), out.fills.end(),
                                  [&](const FieldFill& f) { return f.field == key; });
    if (!requested || seen) continue;
    FieldFill fill{key, nullptr, ONBOARDD_VALUE(confidence), ONBOARDD_VALUE(rationale)};
    if (key == "industry_id") {
      const std::string id = value->is_string() ? std::string(value->as_string()) : std::string();
      const catalog::Industry* real = RealIndustry(s, id);
      if (real == nullptr) {
        const json::value* name = in.partial_data.if_contains("company_name");
        const json::value* description = in.partial_data.if_contains("description");
        real = &StandIn(
            q, (name && name->is_string() ? std::string(name->as_string()) : "") + " \n " +
                   (description && description->is_string() ? std::string(description->as_string())
                                                            : ""));
      }
      if (real->id != id) fill.confidence = Penalized(fill.confidence);
      fill.value = json::value(real->id);
    } else {
      const catalog::FieldDef* def = CompletionField(s, key);
      if (def == nullptr) continue;
      auto allowed = AllowedValue(*def, *value);
      if (!allowed) continue;
      fill.value = std::move(*allowed);
    }
    out.fills.push_back(std::move(fill));
  }
  return AnswerValue(std::move(out));
}

#undef ONBOARDD_TRY
#undef ONBOARDD_VALUE

}  // namespace

std::optional<Prompt> BuildPrompt(const Question& q) {
  const catalog::Snapshot& s = *q.catalog;
  const catalog::PromptTemplate* t = s.FindPrompt(PromptId(q));
  if (t == nullptr) return std::nullopt;
  std::map<std::string, std::string, std::less<>> values{
      {"language", q.english ? "English" : "español"}};
  switch (q.feature()) {
    case Feature::kSuggest: {
      const SuggestInput& in = std::get<SuggestInput>(q.input);
      std::string industries;
      for (const catalog::Industry& i : s.industries()) {
        industries += (industries.empty() ? "" : "; ") + i.id + ": " + i.name.In(q.english);
      }
      values.insert({{"company", in.company_name},
                     {"description", in.description},
                     {"website", in.website},
                     {"existing_industry", in.existing_industry},
                     {"context", in.additional_context},
                     {"industries", industries}});
      break;
    }
    case Feature::kValidate: {
      const ValidateInput& in = std::get<ValidateInput>(q.input);
      std::string fields;
      for (const catalog::FieldDef& f : in.step->fields) {
        fields += (fields.empty() ? "" : "; ") + f.key + " (" +
                  std::string(catalog::ToString(f.type)) + (f.required ? ", required" : "");
        if (!f.values.empty()) {
          std::string list;
          for (const auto& v : f.values) list += (list.empty() ? "" : "|") + v;
          fields += ", " + list;
        }
        fields += ")";
      }
      values.insert({{"step", in.step->id + " (" + in.step->title.In(q.english) + ")"},
                     {"fields", fields},
                     {"data", json::serialize(in.step_data)}});
      break;
    }
    case Feature::kComplete: {
      const CompleteInput& in = std::get<CompleteInput>(q.input);
      values.insert(
          {{"mode", std::string(ToString(in.type))}, {"data", json::serialize(in.partial_data)}});
      if (in.type == CompletionType::kFullAnalysis) {
        std::string required;
        for (const catalog::StepDef& step : s.session_flow().steps) {
          if (step.final) continue;
          for (const catalog::FieldDef& f : step.fields) {
            if (f.required) required += (required.empty() ? "" : ", ") + f.key;
          }
        }
        values.insert({"fields", required});
      } else {
        values.insert({"fields", FieldsLine(s, in.fields)});
      }
      break;
    }
  }
  return Prompt{catalog::RenderTemplate(t->system, values),
                catalog::RenderTemplate(t->user, values), t->version, std::string(PromptId(q)),
                SchemaFor(q)};
}

std::string ChatRequestBody(std::string_view model, const Prompt& prompt, bool json_schema) {
  json::object format;
  if (json_schema) {
    format = {
        {"type", "json_schema"},
        {"json_schema",
         json::object{{"name", prompt.schema_name}, {"strict", true}, {"schema", prompt.schema}}}};
  } else {
    format = {{"type", "json_object"}};
  }
  json::object body{
      {"model", model},
      {"messages", json::array{json::object{{"role", "system"}, {"content", prompt.system}},
                               json::object{{"role", "user"}, {"content", prompt.user}}}},
      {"temperature", 0.2},
      {"max_tokens", kMaxOutputTokens},
      {"response_format", std::move(format)}};
  return json::serialize(body);
}

core::Result<ChatReply> ParseChatCompletion(std::string_view body) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 32;
  json::value root = json::parse(body, ec, {}, options);
  if (ec || !root.is_object()) return Bad("the body is not a JSON object");
  const json::object& o = root.as_object();
  const json::value* choices = o.if_contains("choices");
  if (choices == nullptr || !choices->is_array() || choices->as_array().empty() ||
      !choices->as_array()[0].is_object()) {
    return Bad("choices[0] is missing");
  }
  const json::value* message = choices->as_array()[0].as_object().if_contains("message");
  if (message == nullptr || !message->is_object()) return Bad("choices[0].message is missing");
  const json::value* content = message->as_object().if_contains("content");
  if (content == nullptr || !content->is_string()) {
    return Bad("choices[0].message.content is not a string");
  }
  ChatReply reply;
  std::string_view text = content->as_string();
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return Bad("choices[0].message.content is empty");
  reply.content = std::string(text.substr(first, text.find_last_not_of(" \t\r\n") + 1 - first));
  if (const json::value* m = o.if_contains("model"); m && m->is_string()) {
    reply.model = std::string(m->as_string());
  }
  if (const json::value* usage = o.if_contains("usage"); usage && usage->is_object()) {
    const auto count = [&](std::string_view key) {
      const json::value* n = usage->as_object().if_contains(key);
      if (n == nullptr || !n->is_number()) return 0;
      const double d = n->to_number<double>();
      return d >= 0 && d < 1e9 ? static_cast<int>(d) : 0;
    };
    reply.tokens_in = count("prompt_tokens");
    reply.tokens_out = count("completion_tokens");
  }
  return reply;
}

core::Result<AnswerValue> ParseAnswer(const Question& question, std::string_view content) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 16;
  json::value root = json::parse(content, ec, {}, options);
  if (ec) return Bad("the content is not JSON");
  if (!root.is_object()) return Bad("the content is not a JSON object");
  switch (question.feature()) {
    case Feature::kSuggest:
      return ReadAnalysis(question, root.as_object());
    case Feature::kValidate:
      return ReadReview(question, root.as_object());
    case Feature::kComplete:
      return ReadCompletion(question, root.as_object());
  }
  return Bad("unknown task");
}

}  // namespace onboardd::ai
