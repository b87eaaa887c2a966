// Parsing and validation of the catalog document, and the pre-serialized bodies of the
// public catalog routes. Every fault is collected (not only the first) so an operator fixes
// a bad catalog in one pass.
#include "catalog/snapshot.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>
#include <utility>

#include <boost/json.hpp>

#include "catalog/text.hpp"

namespace onboardd::catalog {

namespace json = boost::json;

std::string_view ToString(FieldType type) {
  switch (type) {
    case FieldType::kString:
      return "string";
    case FieldType::kEnum:
      return "enum";
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kInteger:
      return "integer";
    case FieldType::kEnumList:
      return "enumList";
    case FieldType::kDepartments:
      return "departments";
    case FieldType::kImage:
      return "image";
    case FieldType::kUrl:
      return "url";
  }
  return "string";
}

bool FieldDef::AllowsValue(std::string_view value) const {
  return std::find(values.begin(), values.end(), value) != values.end();
}

const FieldDef* StepDef::FindField(std::string_view key) const {
  for (const FieldDef& field : fields) {
    if (field.key == key) return &field;
  }
  return nullptr;
}

const StepDef* Flow::FindStep(int number) const {
  if (number < 1 || number > total_steps()) return nullptr;
  return &steps[static_cast<std::size_t>(number - 1)];
}

const StepDef* Flow::FindStep(std::string_view id) const {
  for (const StepDef& step : steps) {
    if (step.id == id) return &step;
  }
  return nullptr;
}

std::string StrongEtag(std::string_view body) {
  // Two independent 64-bit hashes (FNV-1a and a multiply-rotate hash): stable across builds
  // and instances, which std::hash does not promise.
  std::uint64_t fnv = 0xcbf29ce484222325ULL;
  std::uint64_t mix = 0x9e3779b97f4a7c15ULL ^ body.size();
  for (unsigned char c : body) {
    fnv = (fnv ^ c) * 0x100000001b3ULL;
    mix = ((mix ^ c) * 0xff51afd7ed558ccdULL);
    mix = (mix << 29) | (mix >> 35);
  }
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "\"%016llx%016llx\"", static_cast<unsigned long long>(fnv),
                static_cast<unsigned long long>(mix));
  return buffer;
}

namespace {

JsonBody MakeBody(const json::value& value) {
  auto text = std::make_shared<const std::string>(json::serialize(value));
  std::string etag = StrongEtag(*text);
  return JsonBody{std::move(text), std::move(etag)};
}

json::object ToJson(const LocalizedText& text) { return {{"es", text.es}, {"en", text.en}}; }

}  // namespace

// Reads the document into a Snapshot, recording each fault with its path.
class SnapshotBuilder {
 public:
  explicit SnapshotBuilder(Snapshot& snapshot) : s_(snapshot) {}

  std::vector<core::FieldError> faults;

  void Build(const json::value& root) {
    const json::object* doc = root.if_object();
    if (doc == nullptr) {
      Fault("", "el catálogo debe ser un objeto JSON", "the catalog must be a JSON object");
      return;
    }
    if (const json::value* schema = doc->if_contains("schema");
        schema == nullptr || !schema->is_int64() || schema->as_int64() != 1) {
      Fault("schema", "se esperaba schema = 1", "expected schema = 1");
    }
    s_.version_ = Text(*doc, "version", "version");
    ReadCategories(*doc);
    ReadIndustries(*doc);
    ReadSizes(*doc);
    ReadFlows(*doc);
    ReadSessionFlow(*doc);
    ReadOrganizationForm(*doc);
    ReadFlags(*doc);
    ReadMessages(*doc);
    ReadRateLimits(*doc);
    ReadPrompts(*doc);
    ReadTemplates(*doc);
    ReadAi(*doc);
  }

 private:
  void Fault(std::string path, std::string es, std::string en) {
    faults.push_back({std::move(path), {std::move(es), std::move(en)}});
  }

  static std::string Join(std::string_view parent, std::string_view key) {
    if (parent.empty()) return std::string(key);
    return std::string(parent) + "." + std::string(key);
  }
  static std::string Index(std::string_view parent, std::size_t i) {
    return std::string(parent) + "[" + std::to_string(i) + "]";
  }

  const json::value* Member(const json::object& o, std::string_view key, const std::string& path,
                            bool required = true) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr && required) {
      Fault(path, "falta este miembro", "this member is missing");
    }
    return v;
  }

  std::string Text(const json::object& o, std::string_view key, const std::string& path,
                   bool required = true) {
    const json::value* v = Member(o, key, path, required);
    if (v == nullptr) return {};
    if (!v->is_string() || v->as_string().empty() || !IsValidUtf8(v->as_string())) {
      Fault(path, "se esperaba un texto no vacío", "expected a non-empty string");
      return {};
    }
    return std::string(v->as_string());
  }

  LocalizedText Localized(const json::object& o, std::string_view key, const std::string& path,
                          bool required = true) {
    const json::value* v = Member(o, key, path, required);
    if (v == nullptr) return {};
    if (!v->is_object()) {
      Fault(path, "se esperaba {es, en}", "expected {es, en}");
      return {};
    }
    LocalizedText text;
    text.es = Text(v->as_object(), "es", path + ".es");
    text.en = Text(v->as_object(), "en", path + ".en");
    return text;
  }

  std::optional<std::int64_t> Integer(const json::object& o, std::string_view key,
                                      const std::string& path, bool required = true) {
    const json::value* v = Member(o, key, path, required);
    if (v == nullptr) return std::nullopt;
    if (!v->is_int64()) {
      Fault(path, "se esperaba un entero", "expected an integer");
      return std::nullopt;
    }
    return v->as_int64();
  }

  bool Boolean(const json::object& o, std::string_view key, const std::string& path) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr) return false;
    if (!v->is_bool()) {
      Fault(path, "se esperaba true o false", "expected true or false");
      return false;
    }
    return v->as_bool();
  }

  const json::array* Array(const json::object& o, std::string_view key, const std::string& path) {
    const json::value* v = Member(o, key, path);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) {
      Fault(path, "se esperaba una lista", "expected an array");
      return nullptr;
    }
    return &v->as_array();
  }

  const json::object* Object(const json::value& v, const std::string& path) {
    if (!v.is_object()) {
      Fault(path, "se esperaba un objeto", "expected an object");
      return nullptr;
    }
    return &v.as_object();
  }

  void Unique(std::set<std::string, std::less<>>& seen, const std::string& id,
              const std::string& path) {
    if (id.empty()) return;
    if (!seen.insert(id).second) {
      Fault(path, "identificador duplicado: " + id, "duplicate id: " + id);
    }
  }

  void ReadCategories(const json::object& doc) {
    const json::array* list = Array(doc, "categories", "categories");
    if (list == nullptr) return;
    std::set<std::string, std::less<>> seen;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = Index("categories", i);
      const json::object* o = Object((*list)[i], path);
      if (o == nullptr) continue;
      Category category{Text(*o, "id", path + ".id"), Localized(*o, "name", path + ".name")};
      Unique(seen, category.id, path + ".id");
      s_.categories_.push_back(std::move(category));
    }
  }

  void ReadIndustries(const json::object& doc) {
    const json::array* list = Array(doc, "industries", "industries");
    if (list == nullptr) return;
    if (list->empty()) Fault("industries", "la lista está vacía", "the list is empty");
    std::set<std::string, std::less<>> seen;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = Index("industries", i);
      const json::object* o = Object((*list)[i], path);
      if (o == nullptr) continue;
      Industry industry;
      industry.id = Text(*o, "id", path + ".id");
      industry.category = Text(*o, "category", path + ".category");
      industry.name = Localized(*o, "name", path + ".name");
      industry.description = Localized(*o, "description", path + ".description");
      Unique(seen, industry.id, path + ".id");
      if (!industry.category.empty() &&
          std::none_of(s_.categories_.begin(), s_.categories_.end(),
                       [&](const Category& c) { return c.id == industry.category; })) {
        Fault(path + ".category", "categoría desconocida: " + industry.category,
              "unknown category: " + industry.category);
      }
      s_.industries_.push_back(std::move(industry));
    }
  }

  void ReadSizes(const json::object& doc) {
    const json::array* list = Array(doc, "companySizes", "companySizes");
    if (list == nullptr) return;
    if (list->empty()) Fault("companySizes", "la lista está vacía", "the list is empty");
    std::set<std::string, std::less<>> seen;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = Index("companySizes", i);
      const json::object* o = Object((*list)[i], path);
      if (o == nullptr) continue;
      CompanySize size;
      size.id = Text(*o, "id", path + ".id");
      size.label = Localized(*o, "label", path + ".label");
      size.min_employees = static_cast<int>(Integer(*o, "min", path + ".min").value_or(1));
      if (const json::value* max = Member(*o, "max", path + ".max"); max && !max->is_null()) {
        if (!max->is_int64() || max->as_int64() < size.min_employees) {
          Fault(path + ".max", "se esperaba un entero ≥ min o null",
                "expected an integer ≥ min or null");
        } else {
          size.max_employees = static_cast<int>(max->as_int64());
        }
      }
      Unique(seen, size.id, path + ".id");
      s_.company_sizes_.push_back(std::move(size));
    }
  }

  static std::string DefaultWidget(FieldType type) {
    switch (type) {
      case FieldType::kEnum:
      case FieldType::kBoolean:
        return "select";
      case FieldType::kEnumList:
      case FieldType::kDepartments:
        return "multiselect";
      case FieldType::kInteger:
        return "number";
      case FieldType::kString:
      case FieldType::kImage:
      case FieldType::kUrl:
        return "text";
    }
    return "text";
  }

  static bool IsWidget(std::string_view w) {
    for (std::string_view known :
         {"text", "email", "select", "multiselect", "textarea", "number"}) {
      if (w == known) return true;
    }
    return false;
  }

  std::optional<FieldType> ParseType(std::string_view name) {
    for (FieldType t :
         {FieldType::kString, FieldType::kEnum, FieldType::kBoolean, FieldType::kInteger,
          FieldType::kEnumList, FieldType::kDepartments, FieldType::kImage, FieldType::kUrl}) {
      if (ToString(t) == name) return t;
    }
    return std::nullopt;
  }

  void ReadValues(const json::object& o, FieldDef& field, const std::string& path) {
    if (const json::value* from = o.if_contains("valuesFrom")) {
      if (from->is_string() && from->as_string() == "industries") {
        for (const Industry& industry : s_.industries_) field.values.push_back(industry.id);
      } else if (from->is_string() && from->as_string() == "companySizes") {
        for (const CompanySize& size : s_.company_sizes_) field.values.push_back(size.id);
      } else {
        Fault(path + ".valuesFrom", "se esperaba \"industries\" o \"companySizes\"",
              "expected \"industries\" or \"companySizes\"");
      }
      return;
    }
    const json::array* values = Array(o, "values", path + ".values");
    if (values == nullptr) return;
    std::set<std::string, std::less<>> seen;
    for (std::size_t i = 0; i < values->size(); ++i) {
      const json::value& v = (*values)[i];
      if (!v.is_string() || v.as_string().empty()) {
        Fault(Index(path + ".values", i), "se esperaba un texto no vacío",
              "expected a non-empty string");
        continue;
      }
      Unique(seen, std::string(v.as_string()), Index(path + ".values", i));
      field.values.emplace_back(v.as_string());
    }
    if (field.values.empty()) {
      Fault(path + ".values", "un enumerado necesita valores", "an enum needs values");
    }
  }

  // The default must be a value the field itself would accept as input.
  void CheckDefault(const FieldDef& field, const std::string& path) {
    const json::value& v = *field.default_value;
    const auto bad = [&](std::string es, std::string en) {
      Fault(path + ".default", std::move(es), std::move(en));
    };
    switch (field.type) {
      case FieldType::kString:
        if (!v.is_string() || CountCodePoints(v.as_string()) < field.min_length ||
            CountCodePoints(v.as_string()) > field.max_length) {
          bad("valor por defecto inválido", "invalid default value");
        }
        return;
      case FieldType::kEnum:
        if (!v.is_string() || !field.AllowsValue(v.as_string())) {
          bad("valor por defecto fuera del enumerado",
              "default value is not one of the enum values");
        }
        return;
      case FieldType::kBoolean:
        if (!v.is_bool()) bad("se esperaba true o false", "expected true or false");
        return;
      case FieldType::kInteger:
        if (!v.is_int64() || v.as_int64() < field.min || v.as_int64() > field.max) {
          bad("valor por defecto fuera de rango", "default value out of range");
        }
        return;
      case FieldType::kEnumList:
        if (!v.is_array() ||
            std::any_of(v.as_array().begin(), v.as_array().end(), [&](const json::value& e) {
              return !e.is_string() || !field.AllowsValue(e.as_string());
            })) {
          bad("valor por defecto fuera del enumerado",
              "default value is not a list of enum values");
        }
        return;
      case FieldType::kDepartments:
        if (!v.is_array() || !v.as_array().empty()) {
          bad("el único valor por defecto admitido es []", "the only accepted default is []");
        }
        return;
      case FieldType::kImage:
      case FieldType::kUrl:
        bad("este tipo no admite valor por defecto", "this type takes no default");
        return;
    }
  }

  std::optional<FieldDef> ReadField(const json::object& o, const std::string& step_id,
                                    const std::string& path) {
    FieldDef field;
    field.key = Text(o, "key", path + ".key");
    field.label = Localized(o, "label", path + ".label");
    field.required = Boolean(o, "required", path + ".required");
    const std::string type_name = Text(o, "type", path + ".type");
    const std::optional<FieldType> type = ParseType(type_name);
    if (!type) {
      if (!type_name.empty()) {
        Fault(path + ".type", "tipo de campo desconocido: " + type_name,
              "unknown field type: " + type_name);
      }
      return std::nullopt;
    }
    field.type = *type;
    field.canonical = Text(o, "canonical", path + ".canonical", false);
    if (field.canonical.empty()) field.canonical = step_id + "." + field.key;

    const auto size = [&](std::string_view key, std::size_t fallback, std::size_t cap) {
      const std::optional<std::int64_t> v = Integer(o, key, Join(path, key), false);
      if (!v) return fallback;
      if (*v < 0 || static_cast<std::uint64_t>(*v) > cap) {
        Fault(Join(path, key), "fuera de rango", "out of range");
        return fallback;
      }
      return static_cast<std::size_t>(*v);
    };
    const std::size_t default_max = field.type == FieldType::kString        ? 1000
                                    : field.type == FieldType::kDepartments ? 100
                                                                            : 2048;
    field.min_length = size("minLength", 0, 100'000);
    field.max_length = size("maxLength", default_max, 100'000);
    if (field.max_length == 0 || field.min_length > field.max_length) {
      Fault(path + ".maxLength", "maxLength debe ser > 0 y ≥ minLength",
            "maxLength must be > 0 and ≥ minLength");
    }
    field.max_items = size("maxItems", 100, 10'000);
    field.min_items = size("minItems", 0, 10'000);
    if (field.min_items > field.max_items) {
      Fault(path + ".minItems", "minItems debe ser ≤ maxItems", "minItems must be ≤ maxItems");
    }
    field.placeholder = Localized(o, "placeholder", path + ".placeholder", false);
    field.widget = Text(o, "widget", path + ".widget", false);
    if (field.widget.empty()) {
      field.widget = DefaultWidget(field.type);
    } else if (!IsWidget(field.widget)) {
      Fault(path + ".widget", "se esperaba text, email, select, multiselect, textarea o number",
            "expected text, email, select, multiselect, textarea or number");
    }
    field.description_max_length = size("descriptionMaxLength", 500, 100'000);
    field.max_bytes = size("maxBytes", 2 * 1024 * 1024, 16 * 1024 * 1024);

    switch (field.type) {
      case FieldType::kEnum:
      case FieldType::kEnumList:
        ReadValues(o, field, path);
        break;
      case FieldType::kInteger: {
        field.min = Integer(o, "min", path + ".min").value_or(0);
        field.max = Integer(o, "max", path + ".max").value_or(0);
        if (field.min > field.max) Fault(path + ".max", "max < min", "max < min");
        break;
      }
      case FieldType::kImage: {
        if (const json::array* types = Array(o, "contentTypes", path + ".contentTypes")) {
          for (const json::value& t : *types) {
            if (!t.is_string() || (t.as_string() != "image/png" && t.as_string() != "image/jpeg" &&
                                   t.as_string() != "image/webp")) {
              Fault(path + ".contentTypes", "solo se admiten image/png, image/jpeg e image/webp",
                    "only image/png, image/jpeg and image/webp are accepted");
              continue;
            }
            field.content_types.emplace_back(t.as_string());
          }
        }
        break;
      }
      case FieldType::kString:
      case FieldType::kBoolean:
      case FieldType::kDepartments:
      case FieldType::kUrl:
        break;
    }
    if (const json::value* def = o.if_contains("default")) {
      field.default_value = *def;
      CheckDefault(field, path);
    }
    return field;
  }

  void ReadFlows(const json::object& doc) {
    const json::array* list = Array(doc, "flows", "flows");
    if (list == nullptr) return;
    if (list->empty()) Fault("flows", "no hay flujos", "there are no flows");
    std::set<std::string, std::less<>> flow_ids;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = Index("flows", i);
      const json::object* o = Object((*list)[i], path);
      if (o == nullptr) continue;
      Flow flow;
      flow.id = Text(*o, "id", path + ".id");
      flow.version = static_cast<int>(Integer(*o, "version", path + ".version").value_or(1));
      flow.name = Localized(*o, "name", path + ".name");
      Unique(flow_ids, flow.id, path + ".id");
      ReadSteps(*o, flow, path);
      s_.flows_.push_back(std::move(flow));
    }
    const std::string default_flow = Text(doc, "defaultFlow", "defaultFlow");
    for (std::size_t i = 0; i < s_.flows_.size(); ++i) {
      if (s_.flows_[i].id == default_flow) {
        s_.default_flow_index_ = i;
        return;
      }
    }
    if (!default_flow.empty()) {
      Fault("defaultFlow", "flujo desconocido: " + default_flow, "unknown flow: " + default_flow);
    }
  }

  void ReadSessionFlow(const json::object& doc) {
    s_.session_flow_index_ = s_.default_flow_index_;
    const std::string session_flow = Text(doc, "sessionFlow", "sessionFlow", false);
    if (session_flow.empty()) return;
    for (std::size_t i = 0; i < s_.flows_.size(); ++i) {
      if (s_.flows_[i].id == session_flow) {
        s_.session_flow_index_ = i;
        return;
      }
    }
    Fault("sessionFlow", "flujo desconocido: " + session_flow, "unknown flow: " + session_flow);
  }

  // {es, en} read from an object that is itself the text.
  LocalizedText LocalizedFrom(const json::object& o, const std::string& path) {
    return {Text(o, "es", path + ".es"), Text(o, "en", path + ".en")};
  }

  std::vector<LocalizedText> LocalizedList(const json::object& o, std::string_view key,
                                           const std::string& path) {
    std::vector<LocalizedText> out;
    const json::array* list = Array(o, key, path);
    if (list == nullptr) return out;
    if (list->empty()) Fault(path, "la lista está vacía", "the list is empty");
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (const json::object* item = Object((*list)[i], Index(path, i))) {
        out.push_back(LocalizedFrom(*item, Index(path, i)));
      }
    }
    return out;
  }

  void ReadTemplates(const json::object& doc) {
    const json::value* v = Member(doc, "templates", "templates");
    if (v == nullptr) return;
    const json::object* t = Object(*v, "templates");
    if (t == nullptr) return;
    Templates& out = s_.templates_;
    for (auto [key, formal, informal] :
         {std::tuple{"greeting", &out.greeting_formal, &out.greeting_informal},
          std::tuple{"resumeGreeting", &out.resume_formal, &out.resume_informal}}) {
      const std::string path = Join("templates", key);
      const json::value* styles = Member(*t, key, path);
      if (styles == nullptr) continue;
      if (const json::object* so = Object(*styles, path)) {
        *formal = Localized(*so, "formal", path + ".formal");
        *informal = Localized(*so, "informal", path + ".informal");
      }
    }
    out.step_feedback = Localized(*t, "stepFeedback", "templates.stepFeedback");
    out.invalid_feedback = Localized(*t, "invalidFeedback", "templates.invalidFeedback");
    out.summary = Localized(*t, "summary", "templates.summary");
    out.summary_no_goal = Localized(*t, "summaryNoGoal", "templates.summaryNoGoal");
    out.next_steps = LocalizedList(*t, "nextSteps", "templates.nextSteps");
    const json::array* okrs = Array(*t, "okrs", "templates.okrs");
    if (okrs == nullptr) return;
    bool fallback = false;
    for (std::size_t i = 0; i < okrs->size(); ++i) {
      const std::string path = Index("templates.okrs", i);
      const json::object* o = Object((*okrs)[i], path);
      if (o == nullptr) continue;
      OkrTemplate okr;
      if (const json::array* goals = Array(*o, "goals", path + ".goals")) {
        for (const json::value& g : *goals) {
          if (g.is_string() && !g.as_string().empty()) {
            okr.goals.emplace_back(g.as_string());
          } else {
            Fault(path + ".goals", "se esperaban textos no vacíos", "expected non-empty strings");
          }
        }
      }
      okr.objective = Localized(*o, "objective", path + ".objective");
      okr.key_results = LocalizedList(*o, "keyResults", path + ".keyResults");
      okr.rationale = Localized(*o, "rationale", path + ".rationale");
      fallback = fallback || okr.goals.empty();
      out.okrs.push_back(std::move(okr));
    }
    if (!fallback) {
      Fault("templates.okrs", "falta un OKR de reserva (goals: [])",
            "a fallback OKR (goals: []) is missing");
    }
  }

  // One step (of a flow, or the organization form); the caller checks its place in a flow.
  StepDef ReadStep(const json::object& so, const std::string& step_path,
                   std::set<std::string, std::less<>>& canonicals) {
    StepDef step;
    step.number = static_cast<int>(Integer(so, "number", step_path + ".number").value_or(0));
    step.id = Text(so, "id", step_path + ".id");
    step.title = Localized(so, "title", step_path + ".title");
    step.skippable = Boolean(so, "skippable", step_path + ".skippable");
    step.final = Boolean(so, "final", step_path + ".final");
    step.description = Localized(so, "description", step_path + ".description", false);
    step.feedback = Localized(so, "feedback", step_path + ".feedback", false);
    if (auto minutes = Integer(so, "estimatedMinutes", step_path + ".estimatedMinutes", false)) {
      if (*minutes < 0 || *minutes > 120) {
        Fault(step_path + ".estimatedMinutes", "fuera de rango (0–120)", "out of range (0–120)");
      }
      step.estimated_minutes = static_cast<int>(*minutes);
    }
    if (so.contains("aiHints")) {
      if (const json::array* hints = Array(so, "aiHints", step_path + ".aiHints")) {
        for (std::size_t h = 0; h < hints->size(); ++h) {
          const std::string hint_path = Index(step_path + ".aiHints", h);
          if (const json::object* ho = Object((*hints)[h], hint_path)) {
            step.ai_hints.push_back(LocalizedFrom(*ho, hint_path));
          }
        }
      }
    }
    if (const json::array* fields = Array(so, "fields", step_path + ".fields")) {
      std::set<std::string, std::less<>> keys;
      for (std::size_t k = 0; k < fields->size(); ++k) {
        const std::string field_path = Index(step_path + ".fields", k);
        const json::object* fo = Object((*fields)[k], field_path);
        if (fo == nullptr) continue;
        std::optional<FieldDef> field = ReadField(*fo, step.id, field_path);
        if (!field) continue;
        Unique(keys, field->key, field_path + ".key");
        Unique(canonicals, field->canonical, field_path + ".canonical");
        step.fields.push_back(std::move(*field));
      }
    }
    return step;
  }

  void ReadOrganizationForm(const json::object& doc) {
    const json::value* v = Member(doc, "organizationForm", "organizationForm");
    if (v == nullptr) return;
    const json::object* o = Object(*v, "organizationForm");
    if (o == nullptr) return;
    std::set<std::string, std::less<>> canonicals;
    s_.organization_form_.steps.push_back(ReadStep(*o, "organizationForm", canonicals));
    s_.organization_form_.steps.back().number = 1;
    s_.organization_form_.id = "organization_form";
    if (!s_.organization_form_.steps.back().FindField("name")) {
      Fault("organizationForm.fields", "falta el campo name", "the name field is missing");
    }
  }

  void ReadSteps(const json::object& o, Flow& flow, const std::string& path) {
    const json::array* steps = Array(o, "steps", path + ".steps");
    if (steps == nullptr) return;
    if (steps->empty()) {
      Fault(path + ".steps", "un flujo necesita al menos un paso",
            "a flow needs at least one step");
    }
    std::set<std::string, std::less<>> step_ids;
    std::set<std::string, std::less<>> canonicals;
    for (std::size_t j = 0; j < steps->size(); ++j) {
      const std::string step_path = Index(path + ".steps", j);
      const json::object* so = Object((*steps)[j], step_path);
      if (so == nullptr) continue;
      StepDef step = ReadStep(*so, step_path, canonicals);
      if (step.number != static_cast<int>(j) + 1) {
        Fault(step_path + ".number", "los pasos se numeran 1, 2, 3... en orden",
              "steps are numbered 1, 2, 3... in order");
      }
      if (step.final && j + 1 != steps->size()) {
        Fault(step_path + ".final", "solo el último paso puede ser final",
              "only the last step may be final");
      }
      Unique(step_ids, step.id, step_path + ".id");
      flow.steps.push_back(std::move(step));
    }
  }

  void ReadFlags(const json::object& doc) {
    const json::value* flags = Member(doc, "featureFlags", "featureFlags");
    if (flags == nullptr) return;
    const json::object* o = Object(*flags, "featureFlags");
    if (o == nullptr) return;
    for (const auto& [key, value] : *o) {
      if (!value.is_bool()) {
        Fault(Join("featureFlags", key), "se esperaba true o false", "expected true or false");
        continue;
      }
      s_.flags_.emplace(std::string(key), value.as_bool());
    }
  }

  void ReadMessages(const json::object& doc) {
    const json::value* messages = Member(doc, "messages", "messages");
    if (messages == nullptr) return;
    const json::object* o = Object(*messages, "messages");
    if (o == nullptr) return;
    for (const auto& [key, value] : *o) {
      (void)value;
      s_.messages_.emplace(std::string(key), Localized(*o, key, Join("messages", key)));
    }
  }

  void ReadRateLimits(const json::object& doc) {
    const json::array* list = Array(doc, "rateLimits", "rateLimits");
    if (list == nullptr) return;
    std::set<std::string, std::less<>> seen;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = Index("rateLimits", i);
      const json::object* o = Object((*list)[i], path);
      if (o == nullptr) continue;
      RateLimit limit;
      limit.id = Text(*o, "id", path + ".id");
      // Read as 64-bit and bounded before narrowing, so a huge number is refused rather
      // than wrapped into a small or negative limit.
      const std::int64_t count = Integer(*o, "limit", path + ".limit").value_or(0);
      const std::int64_t window = Integer(*o, "windowSeconds", path + ".windowSeconds").value_or(0);
      if (count <= 0 || window <= 0) {
        Fault(path, "limit y windowSeconds deben ser > 0", "limit and windowSeconds must be > 0");
      } else if (count > kMaxRateLimit || window > kMaxRateWindowSeconds) {
        Fault(path, "limit debe ser <= 1000000 y windowSeconds <= 86400 (un día)",
              "limit must be <= 1000000 and windowSeconds <= 86400 (one day)");
      } else {
        limit.limit = static_cast<int>(count);
        limit.window_seconds = static_cast<int>(window);
      }
      Unique(seen, limit.id, path + ".id");
      s_.rate_limits_.push_back(std::move(limit));
    }
  }

  void ReadPrompts(const json::object& doc) {
    const json::array* list = Array(doc, "prompts", "prompts");
    if (list == nullptr) return;
    std::set<std::string, std::less<>> seen;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = Index("prompts", i);
      const json::object* o = Object((*list)[i], path);
      if (o == nullptr) continue;
      PromptTemplate prompt{Text(*o, "id", path + ".id"), Text(*o, "version", path + ".version"),
                            Text(*o, "system", path + ".system"), Text(*o, "user", path + ".user")};
      Unique(seen, prompt.id, path + ".id");
      s_.prompts_.push_back(std::move(prompt));
    }
  }

  // The enum values some flow allows for the field with this canonical name.
  std::set<std::string, std::less<>> ValuesOf(std::string_view canonical) const {
    std::set<std::string, std::less<>> out;
    for (const Flow& flow : s_.flows_) {
      for (const StepDef& step : flow.steps) {
        for (const FieldDef& field : step.fields) {
          if (field.canonical == canonical) out.insert(field.values.begin(), field.values.end());
        }
      }
    }
    return out;
  }

  // A list of non-empty texts, each of which must be in `allowed` (when given).
  std::vector<std::string> TextList(const json::value& v, const std::string& path,
                                    const std::set<std::string, std::less<>>* allowed) {
    std::vector<std::string> out;
    if (!v.is_array()) {
      Fault(path, "se esperaba una lista", "expected an array");
      return out;
    }
    for (std::size_t i = 0; i < v.as_array().size(); ++i) {
      const json::value& item = v.as_array()[i];
      if (!item.is_string() || item.as_string().empty() || !IsValidUtf8(item.as_string())) {
        Fault(Index(path, i), "se esperaba un texto no vacío", "expected a non-empty string");
        continue;
      }
      if (allowed && !allowed->contains(std::string_view(item.as_string()))) {
        Fault(Index(path, i), "valor desconocido: " + std::string(item.as_string()),
              "unknown value: " + std::string(item.as_string()));
        continue;
      }
      out.emplace_back(item.as_string());
    }
    return out;
  }

  // "ai": the price table and the rules provider's data (AiCatalog), checked against the
  // industries, categories and flows already read.
  void ReadAi(const json::object& doc) {
    for (std::string_view id : kAiPromptIds) {
      if (s_.FindPrompt(id) == nullptr) {
        Fault("prompts", "falta el prompt " + std::string(id),
              "the prompt is missing: " + std::string(id));
      }
    }
    const json::value* v = Member(doc, "ai", "ai");
    if (v == nullptr) return;
    const json::object* ai = Object(*v, "ai");
    if (ai == nullptr) return;
    AiCatalog& out = s_.ai_;
    if (const json::array* prices = Array(*ai, "prices", "ai.prices")) {
      for (std::size_t i = 0; i < prices->size(); ++i) {
        const std::string path = Index("ai.prices", i);
        const json::object* o = Object((*prices)[i], path);
        if (o == nullptr) continue;
        AiPrice price{Text(*o, "provider", path + ".provider"), Text(*o, "model", path + ".model")};
        for (auto [key, target] :
             {std::pair{"inputPerMillionUsd", &price.input_per_million_usd},
              std::pair{"outputPerMillionUsd", &price.output_per_million_usd}}) {
          const json::value* n = Member(*o, key, path + "." + key);
          if (n == nullptr) continue;
          if (!n->is_number() || n->to_number<double>() < 0) {
            Fault(path + "." + key, "se esperaba un número ≥ 0", "expected a number ≥ 0");
            continue;
          }
          *target = n->to_number<double>();
        }
        out.prices.push_back(std::move(price));
      }
    }
    std::set<std::string, std::less<>> categories;
    for (const Category& c : s_.categories_) categories.insert(c.id);
    const auto goals = ValuesOf("organization.businessGoals");
    const auto challenges = ValuesOf("organization.currentChallenges");
    const auto maturities = ValuesOf("organization.okrMaturity");
    const std::set<std::string, std::less<>> okr_categories{"growth", "efficiency", "innovation",
                                                            "customer"};
    // key → list maps: keys checked by `known`, values by `allowed` (nullptr: any text).
    const auto read_lists =
        [&](std::string_view key, const std::set<std::string, std::less<>>& known,
            const std::set<std::string, std::less<>>* allowed, bool fold,
            std::map<std::string, std::vector<std::string>, std::less<>>& into) {
          const std::string path = Join("ai", key);
          const json::value* m = Member(*ai, key, path);
          if (m == nullptr) return;
          const json::object* o = Object(*m, path);
          if (o == nullptr) return;
          for (const auto& [k, list] : *o) {
            const std::string item_path = Join(path, k);
            if (!known.contains(std::string_view(k))) {
              Fault(item_path, "clave desconocida", "unknown key");
              continue;
            }
            std::vector<std::string> values = TextList(list, item_path, allowed);
            if (fold) {
              for (std::string& text : values) text = FoldForSearch(text);
            }
            into.emplace(std::string(k), std::move(values));
          }
        };
    std::set<std::string, std::less<>> industries;
    for (const Industry& i : s_.industries_) industries.insert(i.id);
    read_lists("industryKeywords", industries, nullptr, true, out.industry_keywords);
    read_lists("categoryGoals", categories, &goals, false, out.category_goals);
    read_lists("maturityChallenges", maturities, &challenges, false, out.maturity_challenges);
    if (const json::value* m = Member(*ai, "goalCategories", "ai.goalCategories")) {
      if (const json::object* o = Object(*m, "ai.goalCategories")) {
        for (const auto& [goal, category] : *o) {
          const std::string path = Join("ai.goalCategories", goal);
          if (!goals.contains(std::string_view(goal)) || !category.is_string() ||
              !okr_categories.contains(std::string_view(category.as_string()))) {
            Fault(path, "meta o categoría de OKR desconocida", "unknown goal or OKR category");
            continue;
          }
          out.goal_categories.emplace(std::string(goal), std::string(category.as_string()));
        }
      }
    }
    if (const json::value* m = Member(*ai, "categoryInsights", "ai.categoryInsights")) {
      if (const json::object* o = Object(*m, "ai.categoryInsights")) {
        for (const auto& [category, value] : *o) {
          const std::string path = Join("ai.categoryInsights", category);
          if (!categories.contains(std::string_view(category))) {
            Fault(path, "categoría desconocida", "unknown category");
            continue;
          }
          const json::object* io = Object(value, path);
          if (io == nullptr) continue;
          AiInsights insights;
          insights.market_trends = LocalizedList(*io, "marketTrends", path + ".marketTrends");
          insights.competitive_landscape =
              Localized(*io, "competitiveLandscape", path + ".competitiveLandscape");
          insights.growth_opportunities =
              LocalizedList(*io, "growthOpportunities", path + ".growthOpportunities");
          insights.potential_challenges =
              LocalizedList(*io, "potentialChallenges", path + ".potentialChallenges");
          out.category_insights.emplace(std::string(category), std::move(insights));
        }
      }
      for (const Category& c : s_.categories_) {
        if (!out.category_insights.contains(c.id)) {
          Fault("ai.categoryInsights", "falta la categoría " + c.id, "missing category " + c.id);
        }
      }
    }
    if (const json::value* m = Member(*ai, "texts", "ai.texts")) {
      if (const json::object* o = Object(*m, "ai.texts")) {
        for (std::string_view key : kAiTextKeys) {
          out.texts.emplace(std::string(key), Localized(*o, key, Join("ai.texts", key)));
        }
      }
    }
  }

  Snapshot& s_;
};

namespace {

json::value FieldToJson(const FieldDef& field) {
  json::object o{{"key", field.key},
                 {"type", ToString(field.type)},
                 {"required", field.required},
                 {"label", ToJson(field.label)}};
  if (field.default_value) o["default"] = *field.default_value;
  o["widget"] = field.widget;
  if (!field.placeholder.es.empty()) o["placeholder"] = ToJson(field.placeholder);
  switch (field.type) {
    case FieldType::kString:
    case FieldType::kUrl:
      o["minLength"] = field.min_length;
      o["maxLength"] = field.max_length;
      break;
    case FieldType::kEnum:
    case FieldType::kEnumList: {
      json::array values;
      for (const std::string& v : field.values) values.emplace_back(v);
      o["values"] = std::move(values);
      if (field.type == FieldType::kEnumList) {
        o["minItems"] = field.min_items;
        o["maxItems"] = field.max_items;
      }
      break;
    }
    case FieldType::kInteger:
      o["min"] = field.min;
      o["max"] = field.max;
      break;
    case FieldType::kDepartments:
      o["maxItems"] = field.max_items;
      o["minLength"] = field.min_length;
      o["maxLength"] = field.max_length;
      o["descriptionMaxLength"] = field.description_max_length;
      break;
    case FieldType::kImage: {
      json::array types;
      for (const std::string& t : field.content_types) types.emplace_back(t);
      o["contentTypes"] = std::move(types);
      o["maxBytes"] = field.max_bytes;
      o["maxLength"] = field.max_length;
      break;
    }
    case FieldType::kBoolean:
      break;
  }
  return o;
}

json::value BuildConfig(const Snapshot& s) {
  json::array flows;
  for (const Flow& flow : s.flows()) {
    json::array steps;
    for (const StepDef& step : flow.steps) {
      json::array fields;
      for (const FieldDef& field : step.fields) fields.push_back(FieldToJson(field));
      json::object info{{"number", step.number},       {"id", step.id},
                        {"title", ToJson(step.title)}, {"skippable", step.skippable},
                        {"final", step.final},         {"estimatedMinutes", step.estimated_minutes},
                        {"fields", std::move(fields)}};
      if (!step.description.es.empty()) info["description"] = ToJson(step.description);
      steps.push_back(std::move(info));
    }
    flows.push_back(json::object{{"id", flow.id},
                                 {"version", flow.version},
                                 {"name", ToJson(flow.name)},
                                 {"totalSteps", flow.total_steps()},
                                 {"steps", std::move(steps)}});
  }
  json::array industries;
  for (const Industry& i : s.industries()) {
    industries.push_back(
        json::object{{"id", i.id}, {"name", ToJson(i.name)}, {"category", i.category}});
  }
  json::array sizes;
  for (const CompanySize& size : s.company_sizes()) {
    json::value max = nullptr;
    if (size.max_employees) max = *size.max_employees;
    sizes.push_back(json::object{
        {"id", size.id}, {"min", size.min_employees}, {"max", max}, {"label", ToJson(size.label)}});
  }
  json::array categories;
  for (const Category& c : s.categories()) {
    categories.push_back(json::object{{"id", c.id}, {"name", ToJson(c.name)}});
  }
  json::object flags;
  for (const auto& [key, on] : s.feature_flags()) flags[key] = on;
  json::object messages;
  for (const auto& [key, text] : s.messages()) messages[key] = ToJson(text);
  json::object limits;
  for (const RateLimit& r : s.rate_limits()) {
    limits[r.id] = json::object{{"limit", r.limit}, {"windowSeconds", r.window_seconds}};
  }
  return json::object{
      {"version", s.version()},
      {"defaultFlow", s.default_flow().id},
      {"sessionFlow", s.session_flow().id},
      {"flows", std::move(flows)},
      {"enums", json::object{{"industries", std::move(industries)},
                             {"companySizes", std::move(sizes)},
                             {"categories", std::move(categories)}}},
      {"featureFlags", std::move(flags)},
      {"messages", std::move(messages)},
      {"rateLimits", std::move(limits)},
  };
}

}  // namespace

JsonBody Snapshot::IndustriesBody(std::string_view q, std::string_view category,
                                  bool english) const {
  while (!q.empty() && (q.front() == ' ' || q.front() == '\t')) q.remove_prefix(1);
  while (!q.empty() && (q.back() == ' ' || q.back() == '\t')) q.remove_suffix(1);
  if (q.empty() && category.empty()) return english ? industries_en_ : industries_es_;
  return BuildIndustriesBody(q, category, english);
}

JsonBody Snapshot::BuildIndustriesBody(std::string_view q, std::string_view category,
                                       bool english) const {
  const std::string needle = FoldForSearch(q);
  json::array list;
  json::object categorized;
  json::array categories;
  for (const Category& c : categories_) {
    if (!category.empty() && c.id != category) continue;
    json::array members;
    for (const Industry& i : industries_) {
      if (i.category != c.id) continue;
      if (!needle.empty()) {
        const std::string haystack =
            i.id + " " + FoldForSearch(i.name.es) + " " + FoldForSearch(i.name.en) + " " +
            FoldForSearch(i.description.In(english)) + " " + i.category + " " +
            FoldForSearch(c.name.es) + " " + FoldForSearch(c.name.en);
        if (haystack.find(needle) == std::string::npos) continue;
      }
      json::object item{{"id", i.id},
                        {"name", i.name.In(english)},
                        {"description", i.description.In(english)},
                        {"category", i.category}};
      list.push_back(item);
      members.push_back(std::move(item));
    }
    if (members.empty()) continue;
    categories.push_back(
        json::object{{"id", c.id}, {"name", c.name.In(english)}, {"count", members.size()}});
    categorized[c.id] = std::move(members);
  }
  // Keep the catalog's industry order in the flat list.
  std::stable_sort(list.begin(), list.end(), [&](const json::value& a, const json::value& b) {
    const auto rank = [&](const json::value& v) {
      const auto& id = v.as_object().at("id").as_string();
      for (std::size_t k = 0; k < industries_.size(); ++k) {
        if (industries_[k].id == id) return k;
      }
      return industries_.size();
    };
    return rank(a) < rank(b);
  });
  const std::size_t total = list.size();
  return MakeBody(json::object{{"industries", std::move(list)},
                               {"categorized", std::move(categorized)},
                               {"categories", std::move(categories)},
                               {"total", total}});
}

const Industry* Snapshot::FindIndustry(std::string_view id) const {
  for (const Industry& i : industries_) {
    if (i.id == id) return &i;
  }
  return nullptr;
}

const CompanySize* Snapshot::FindCompanySize(std::string_view id) const {
  for (const CompanySize& s : company_sizes_) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const Flow* Snapshot::FindFlow(std::string_view id) const {
  for (const Flow& f : flows_) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

bool Snapshot::FeatureEnabled(std::string_view flag) const {
  const auto it = flags_.find(flag);
  return it != flags_.end() && it->second;
}

const LocalizedText* Snapshot::FindMessage(std::string_view key) const {
  const auto it = messages_.find(key);
  return it == messages_.end() ? nullptr : &it->second;
}

const RateLimit* Snapshot::FindRateLimit(std::string_view id) const {
  for (const RateLimit& r : rate_limits_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

const AiPrice* Snapshot::FindAiPrice(std::string_view provider, std::string_view model) const {
  for (const AiPrice& p : ai_.prices) {
    if (p.provider == provider && p.model == model) return &p;
  }
  return nullptr;
}

const LocalizedText& AiCatalog::Text(std::string_view key) const {
  static const LocalizedText kEmpty;
  const auto it = texts.find(key);
  return it == texts.end() ? kEmpty : it->second;
}

const PromptTemplate* Snapshot::FindPrompt(std::string_view id) const {
  for (const PromptTemplate& p : prompts_) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

namespace {

core::Error InvalidCatalog(std::vector<core::FieldError> details) {
  const core::FieldError& first = details.front();
  core::Error error =
      core::MakeError(core::ErrorCode::kInternal,
                      {"El catálogo no es válido: " + first.path + ": " + first.message.es,
                       "The catalog is invalid: " + first.path + ": " + first.message.en});
  error.details = std::move(details);
  return error;
}

}  // namespace

core::Result<std::shared_ptr<const Snapshot>> Snapshot::Parse(std::string_view json_text) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 64;
  const json::value root = json::parse(json_text, ec, {}, options);
  if (ec) {
    return InvalidCatalog(
        {{"", {"JSON mal formado: " + ec.message(), "malformed JSON: " + ec.message()}}});
  }
  return FromJson(root);
}

core::Result<std::shared_ptr<const Snapshot>> Snapshot::FromJson(const json::value& document) {
  std::shared_ptr<Snapshot> snapshot(new Snapshot());
  SnapshotBuilder builder(*snapshot);
  builder.Build(document);
  if (!builder.faults.empty()) return InvalidCatalog(std::move(builder.faults));
  snapshot->industries_es_ = snapshot->BuildIndustriesBody("", "", false);
  snapshot->industries_en_ = snapshot->BuildIndustriesBody("", "", true);
  snapshot->config_body_ = MakeBody(BuildConfig(*snapshot));
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

}  // namespace onboardd::catalog
