// The onboarding decisions (see onboarding_logic.hpp), plus the string conversions of
// onboarding_types.hpp.
#include "onboarding/onboarding_logic.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>

#include <boost/json.hpp>

#include "catalog/text.hpp"
#include "onboarding/step_validation.hpp"

namespace onboardd::onboarding {

namespace json = boost::json;

std::string_view ToString(RoleType role) {
  switch (role) {
    case RoleType::kCorporativo:
      return "corporativo";
    case RoleType::kGerente:
      return "gerente";
    case RoleType::kEmpleado:
      return "empleado";
  }
  return "empleado";
}

std::string_view ToString(SessionStatus status) {
  switch (status) {
    case SessionStatus::kNotStarted:
      return "not_started";
    case SessionStatus::kInProgress:
      return "in_progress";
    case SessionStatus::kCompleted:
      return "completed";
    case SessionStatus::kAbandoned:
      return "abandoned";
    case SessionStatus::kExpired:
      return "expired";
  }
  return "not_started";
}

std::optional<SessionStatus> ParseSessionStatus(std::string_view text) {
  for (SessionStatus s :
       {SessionStatus::kNotStarted, SessionStatus::kInProgress, SessionStatus::kCompleted,
        SessionStatus::kAbandoned, SessionStatus::kExpired}) {
    if (ToString(s) == text) return s;
  }
  return std::nullopt;
}

namespace {

std::string_view Trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::vector<Department> DepartmentsFromJson(const json::value& v) {
  std::vector<Department> out;
  if (!v.is_array()) return out;
  for (const json::value& item : v.as_array()) {
    const json::object& o = item.as_object();
    Department d;
    d.name = Text(o, "name");
    if (o.contains("id")) d.id = Text(o, "id");
    if (o.contains("description")) d.description = Text(o, "description");
    if (o.contains("parentId")) d.parent_id = Text(o, "parentId");
    out.push_back(std::move(d));
  }
  return out;
}

// Copies one validated value into the typed data by its canonical name; a name the typed
// data does not model goes to CompletionData::extras (the organization's settings).
void Assign(CompletionData& out, std::string_view canonical, const json::value& v,
            const std::optional<Logo>& logo) {
  const auto text = [&] { return v.is_string() ? std::string(v.as_string()) : std::string(); };
  if (canonical == "welcome.role") {
    out.welcome.role = text();
  } else if (canonical == "welcome.customRole") {
    out.welcome.custom_role = text();
  } else if (canonical == "welcome.experienceLevel") {
    out.welcome.experience_level = text();
  } else if (canonical == "welcome.hasSeenWelcome") {
    out.welcome.has_seen_welcome = v.is_bool() && v.as_bool();
  } else if (canonical == "welcome.fullName") {
    out.welcome.full_name = text();
  } else if (canonical == "welcome.jobTitle") {
    out.welcome.job_title = text();
  } else if (canonical == "welcome.okrExperience") {
    out.welcome.okr_experience = text();
    out.extras[canonical] = v;
  } else if (canonical == "company.name") {
    out.company.name = text();
  } else if (canonical == "company.industry") {
    out.company.industry = text();
  } else if (canonical == "company.size") {
    out.company.size = text();
  } else if (canonical == "company.description") {
    out.company.description = text();
  } else if (canonical == "company.website") {
    out.company.website = text();
    out.extras[canonical] = v;
  } else if (canonical == "company.logo") {
    if (logo) {
      out.company.logo = logo;
    } else if (!text().starts_with(kDraftImagePath)) {  // a draft image that was never saved
      out.company.logo_url = text();
    }
  } else if (canonical == "organization.teamSize") {
    // The session flow accepts 0 ("not known yet"); an organization's team_size is 1..10000.
    if (v.is_int64() && v.as_int64() >= 1) {
      out.organization.team_size = static_cast<int>(v.as_int64());
    }
  } else if (canonical == "organization.structure") {
    out.organization.structure = text();
  } else if (canonical == "organization.methodology") {
    out.organization.methodology = text();
  } else if (canonical == "organization.collaborationStyle") {
    out.organization.collaboration_style = text();
  } else if (canonical == "organization.integrations") {
    if (v.is_array()) {
      for (const json::value& item : v.as_array()) {
        out.organization.integrations.emplace_back(item.as_string());
      }
    }
  } else if (canonical == "organization.departments") {
    out.organization.departments = DepartmentsFromJson(v);
  } else if (canonical == "organization.department") {
    out.organization.department = text();
  } else {
    out.extras[canonical] = v;
  }
}

core::FieldError Detail(std::string path, std::string es, std::string en) {
  return {std::move(path), {std::move(es), std::move(en)}};
}

}  // namespace

core::Result<CompletionData> MergeCompletion(const catalog::Flow& flow, const json::object& draft,
                                             const json::value& submitted) {
  if (!submitted.is_null() && !submitted.is_object()) {
    return core::ValidationError(
        {Detail("data", "Debe ser un objeto con las secciones del asistente",
                "Must be an object with the wizard's sections")});
  }
  static const json::object kEmpty;
  const json::object& sections = submitted.is_object() ? submitted.as_object() : kEmpty;
  CompletionData out;
  std::vector<core::FieldError> details;
  for (const catalog::StepDef& step : flow.steps) {
    if (step.fields.empty()) continue;
    json::object merged;
    if (const json::value* saved = draft.if_contains(step.id); saved && saved->is_object()) {
      merged = saved->as_object();
    }
    if (const json::value* given = sections.if_contains(step.id); given && !given->is_null()) {
      if (!given->is_object()) {
        details.push_back(Detail(step.id, "Debe ser un objeto", "Must be an object"));
        continue;
      }
      for (const auto& [key, value] : given->as_object()) {
        // The status's path of a draft image means "keep the saved one": the draft's stays.
        if (value.is_string() && value.as_string().starts_with(kDraftImagePath) &&
            merged.contains(key)) {
          continue;
        }
        merged[key] = value;
      }
    }
    auto validated = ValidateStep(flow, step.number, merged);
    if (!validated) {
      for (core::FieldError& e : validated.error().details) {
        if (details.size() < kMaxDetails) details.push_back(std::move(e));
      }
      continue;
    }
    for (const catalog::FieldDef& field : step.fields) {
      if (const json::value* v = validated->data.if_contains(field.key)) {
        Assign(out, field.canonical, *v, validated->logo);
      }
    }
    out.sections[step.id] = std::move(validated->data);
  }
  if (!details.empty()) return core::ValidationError(std::move(details));
  return out;
}

RoleType MapRole(std::string_view role) {
  if (role == "ceo" || role == "custom") return RoleType::kCorporativo;
  if (role == "manager" || role == "team_lead") return RoleType::kGerente;
  return RoleType::kEmpleado;
}

std::string FullName(std::string_view token_name, std::string_view token_email) {
  constexpr std::size_t kMax = 200;
  const auto usable = [](std::string_view text) {
    return !text.empty() && catalog::IsValidUtf8(text) && text.find('\0') == std::string_view::npos;
  };
  const auto clip = [&](std::string_view text) {
    std::size_t points = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++points > kMax) {
        return std::string(Trim(text.substr(0, i)));
      }
    }
    return std::string(text);
  };
  const std::string_view name = Trim(token_name);
  if (usable(name)) return clip(name);
  const std::string_view local = Trim(token_email.substr(0, token_email.find('@')));
  if (usable(local)) return clip(local);
  return "User";
}

ProfilePlan PlanProfile(const CompletionData& data, std::string_view token_name,
                        std::string_view token_email) {
  ProfilePlan plan;
  plan.full_name =
      !data.welcome.full_name.empty() ? data.welcome.full_name : FullName(token_name, token_email);
  // The session flow asks no role: whoever completes it creates the organization and leads it.
  plan.role_type = data.welcome.role.empty() ? RoleType::kCorporativo : MapRole(data.welcome.role);
  plan.custom_role = data.welcome.custom_role;
  if (!data.welcome.experience_level.empty()) {
    plan.experience_level = data.welcome.experience_level;
  } else if (data.welcome.okr_experience == "intermediate" ||
             data.welcome.okr_experience == "advanced") {
    plan.experience_level = data.welcome.okr_experience;
  } else if (!data.welcome.okr_experience.empty()) {
    plan.experience_level = "beginner";  // none or beginner
  } else {
    plan.experience_level = "intermediate";
  }
  if (!data.organization.department.empty()) {
    plan.department = data.organization.department;
  } else if (!data.organization.departments.empty()) {
    plan.department = data.organization.departments.front().name;
  } else {
    plan.department = "General";
  }
  plan.job_title = data.welcome.job_title;
  return plan;
}

std::string Slugify(std::string_view name, std::size_t max_length) {
  const std::string folded = catalog::FoldForSearch(name);
  std::string slug;
  bool dash = false;
  for (char c : folded) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (dash && !slug.empty()) slug.push_back('-');
      dash = false;
      slug.push_back(c);
    } else {
      dash = true;
    }
    if (slug.size() >= max_length) break;
  }
  if (slug.size() > max_length) slug.resize(max_length);
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.empty())
    slug = std::string("organizacion").substr(0, std::max<std::size_t>(max_length, 1));
  return slug;
}

std::string SlugWithSuffix(std::string_view slug, int n, std::size_t max_length) {
  const std::string suffix = "-" + std::to_string(n);
  std::string base(slug.substr(0, max_length > suffix.size() ? max_length - suffix.size() : 0));
  while (!base.empty() && base.back() == '-') base.pop_back();
  if (base.empty()) base = "o";
  return base + suffix;
}

core::Result<std::vector<Department>> NormalizeDepartments(std::vector<Department> departments,
                                                           std::string_view path) {
  const auto at = [&](std::size_t i, std::string_view member) {
    return std::string(path) + "[" + std::to_string(i) + "]" + std::string(member);
  };
  std::vector<core::FieldError> details;
  std::vector<Department> survivors;
  std::vector<std::size_t> original;                        // survivor -> index in `departments`
  std::map<std::string, std::size_t, std::less<>> by_name;  // folded name -> survivor
  std::map<std::string, std::size_t, std::less<>> by_id;    // id or alias -> survivor
  for (std::size_t i = 0; i < departments.size(); ++i) {
    Department& d = departments[i];
    const std::string key = catalog::FoldForSearch(d.name);
    auto [it, inserted] = by_name.emplace(key, survivors.size());
    if (inserted) {
      survivors.push_back(d);
      original.push_back(i);
    }
    if (d.id) {
      auto [id_it, fresh] = by_id.emplace(*d.id, it->second);
      if (!fresh && id_it->second != it->second) {
        details.push_back(Detail(at(i, ".id"), "Identificador de departamento repetido",
                                 "Duplicate department id"));
      }
    }
  }
  std::vector<std::optional<std::size_t>> parent(survivors.size());
  for (std::size_t s = 0; s < survivors.size(); ++s) {
    Department& d = survivors[s];
    if (!d.parent_id) continue;
    std::optional<std::size_t> p;
    if (auto it = by_id.find(*d.parent_id); it != by_id.end()) {
      p = it->second;
    } else if (auto nt = by_name.find(catalog::FoldForSearch(*d.parent_id)); nt != by_name.end()) {
      p = nt->second;
    }
    if (!p) {
      details.push_back(Detail(at(original[s], ".parentId"),
                               "El departamento padre no está en la lista",
                               "The parent department is not in the list"));
      continue;
    }
    parent[s] = p;
    d.parent_id = survivors[*p].id ? *survivors[*p].id : survivors[*p].name;
  }
  for (std::size_t s = 0; s < survivors.size(); ++s) {
    // Walking up more than n links from s means a cycle above or through s; report only
    // the departments that are on the cycle themselves.
    std::optional<std::size_t> cursor = parent[s];
    for (std::size_t steps = 0; cursor && steps <= survivors.size(); ++steps) {
      if (*cursor == s) {
        details.push_back(Detail(at(original[s], ".parentId"),
                                 "La jerarquía de departamentos forma un ciclo",
                                 "The department hierarchy forms a cycle"));
        break;
      }
      cursor = parent[*cursor];
    }
  }
  if (!details.empty()) {
    if (details.size() > kMaxDetails) details.resize(kMaxDetails);
    return core::ValidationError(std::move(details));
  }
  return survivors;
}

std::vector<PlannedDepartment> PlanDepartments(const std::vector<Department>& departments) {
  const std::size_t n = departments.size();
  std::map<std::string, std::size_t, std::less<>> by_id;
  std::map<std::string, std::size_t, std::less<>> by_name;
  for (std::size_t i = 0; i < n; ++i) {
    if (departments[i].id) by_id.emplace(*departments[i].id, i);
    by_name.emplace(catalog::FoldForSearch(departments[i].name), i);
  }
  std::vector<std::optional<std::size_t>> parent(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& ref = departments[i].parent_id;
    if (!ref) continue;
    if (auto it = by_id.find(*ref); it != by_id.end()) {
      parent[i] = it->second;
    } else if (auto nt = by_name.find(catalog::FoldForSearch(*ref)); nt != by_name.end()) {
      parent[i] = nt->second;
    } else {
      throw std::logic_error("PlanDepartments: unresolved parent; normalize first");
    }
  }
  std::vector<std::size_t> depth(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (auto p = parent[i]; p; p = parent[*p]) {
      if (++depth[i] > n) throw std::logic_error("PlanDepartments: cycle; normalize first");
    }
  }
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return depth[a] < depth[b]; });
  std::vector<std::size_t> position(n);
  for (std::size_t k = 0; k < n; ++k) position[order[k]] = k;
  std::vector<PlannedDepartment> planned;
  planned.reserve(n);
  for (std::size_t k = 0; k < n; ++k) {
    const Department& d = departments[order[k]];
    PlannedDepartment p{d.name, d.description, std::nullopt};
    if (parent[order[k]]) p.parent = position[*parent[order[k]]];
    planned.push_back(std::move(p));
  }
  return planned;
}

bool CanAdvance(const StepProgress& progress) {
  return progress.valid && (progress.completed || progress.skipped);
}

std::string StepPath(const catalog::StepDef& step) { return "/onboarding/" + step.id; }

RedirectDecision DecideRedirect(SessionStatus status, const catalog::Flow& flow, int current_step) {
  RedirectDecision decision;
  const catalog::StepDef* first = flow.FindStep(1);
  const std::string start = first ? StepPath(*first) : "/onboarding";
  switch (status) {
    case SessionStatus::kNotStarted:
    case SessionStatus::kAbandoned:
      decision.redirect_to = start;
      break;
    case SessionStatus::kExpired:
      decision.redirect_to = start;
      decision.has_expired = true;
      break;
    case SessionStatus::kInProgress: {
      const catalog::StepDef* step = flow.FindStep(current_step);
      if (step == nullptr) step = first;
      decision.redirect_to = step ? StepPath(*step) : start;
      decision.can_resume = true;
      break;
    }
    case SessionStatus::kCompleted:
      break;
  }
  decision.should_redirect = decision.redirect_to.has_value();
  return decision;
}

const catalog::Flow& FlowOfSession(const catalog::Snapshot& snapshot, const json::object* session) {
  if (session) {
    if (const json::value* id = session->if_contains("flow"); id && id->is_string()) {
      if (const catalog::Flow* flow = snapshot.FindFlow(id->as_string())) return *flow;
    }
  }
  return snapshot.default_flow();
}

namespace {

// Appends `value` (a json::value or json::object) serialized to `out`, without an
// intermediate string.
template <typename Json>
void AppendJson(std::string& out, const Json& value) {
  json::serializer serializer;
  serializer.reset(&value);
  char buffer[1024];
  while (!serializer.done()) out.append(serializer.read(buffer));
}

}  // namespace

std::string RenderStatus(std::string_view session_json, const json::object* session,
                         std::string_view organization_json, bool has_profile,
                         const catalog::Snapshot& snapshot, bool english,
                         const StatusMetadata& metadata) {
  const json::object* s = session_json.empty() ? nullptr : session;
  const catalog::Flow& flow = FlowOfSession(snapshot, s);
  SessionStatus status = SessionStatus::kNotStarted;
  int current_step = 1;
  const json::value* completed_steps = nullptr;
  const json::value* current_data = nullptr;
  if (s) {
    if (const json::value* v = s->if_contains("status"); v && v->is_string()) {
      status = ParseSessionStatus(v->as_string()).value_or(SessionStatus::kInProgress);
    }
    if (const json::value* c = s->if_contains("currentStep"); c && c->is_int64()) {
      current_step = static_cast<int>(c->as_int64());
    }
    if (const json::value* steps = s->if_contains("completedSteps"); steps && steps->is_array()) {
      completed_steps = steps;
    }
    const catalog::StepDef* step = flow.FindStep(current_step);
    const json::value* form = s->if_contains("formData");
    if (step && form && form->is_object()) {
      if (const json::value* d = form->as_object().if_contains(step->id); d && d->is_object()) {
        current_data = d;
      }
    }
  }
  if (has_profile && !organization_json.empty()) status = SessionStatus::kCompleted;
  const RedirectDecision decision = DecideRedirect(status, flow, current_step);

  json::value next_step = nullptr;
  if (status != SessionStatus::kCompleted) {
    // In progress: the step the session is on; otherwise the wizard starts over.
    const int number = status == SessionStatus::kInProgress ? current_step : 1;
    const catalog::StepDef* next = flow.FindStep(number);
    if (next == nullptr) next = flow.FindStep(1);
    if (next) {
      next_step = json::object{{"number", next->number},
                               {"id", next->id},
                               {"title", next->title.In(english)},
                               {"path", StepPath(*next)}};
    }
  }
  const json::object flags{{"canResume", decision.can_resume},
                           {"hasExpired", decision.has_expired},
                           {"shouldRedirect", decision.should_redirect}};
  const json::object meta{{"lastChecked", metadata.last_checked},
                          {"fromCache", metadata.from_cache},
                          {"checkDuration", metadata.check_duration_ms}};

  std::string out;
  out.reserve(session_json.size() + organization_json.size() + 512);
  out.append(R"({"status":")").append(ToString(status)).append(R"(","session":)");
  out.append(s ? session_json : "null");
  out.append(R"(,"progress":{"completedSteps":)");
  if (completed_steps) {
    AppendJson(out, *completed_steps);
  } else {
    out.append("[]");
  }
  out.append(R"(,"currentStepData":)");
  if (current_data) {
    AppendJson(out, *current_data);
  } else {
    out.append("{}");
  }
  out.append(R"(,"nextStep":)");
  AppendJson(out, next_step);
  out.append(R"(},"organization":)");
  out.append(organization_json.empty() ? "null" : organization_json);
  out.append(R"(,"flags":)");
  AppendJson(out, flags);
  out.append(R"(,"redirectTo":)");
  if (decision.redirect_to) {
    AppendJson(out, json::value(*decision.redirect_to));
  } else {
    out.append("null");
  }
  out.append(R"(,"metadata":)");
  AppendJson(out, meta);
  out.push_back('}');
  return out;
}

json::object WithoutInlineImages(const json::object& data, std::string_view step_id) {
  json::object out = data;
  for (auto& [key, value] : out) {
    if (value.is_string() && value.as_string().starts_with("data:")) {
      value = std::string(kDraftImagePath) + std::string(step_id) + "/" + std::string(key);
    }
  }
  return out;
}

}  // namespace onboardd::onboarding
