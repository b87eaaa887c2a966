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

// Copies one validated value into the typed data by its canonical name; names the typed
// data does not model stay only in CompletionData::sections.
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
  } else if (canonical == "company.logo") {
    if (logo) {
      out.company.logo = logo;
    } else {
      out.company.logo_url = text();
    }
  } else if (canonical == "organization.teamSize") {
    if (v.is_int64()) out.organization.team_size = static_cast<int>(v.as_int64());
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
      for (const auto& [key, value] : given->as_object()) merged[key] = value;
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
  plan.role_type = MapRole(data.welcome.role);
  plan.custom_role = data.welcome.custom_role;
  plan.experience_level =
      data.welcome.experience_level.empty() ? "intermediate" : data.welcome.experience_level;
  plan.department = data.organization.departments.empty()
                        ? "General"
                        : data.organization.departments.front().name;
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

bool CanAdvance(const catalog::StepDef& step, const StepProgress& progress) {
  return progress.valid && (progress.completed || (progress.skipped && step.skippable));
}

int NextStep(const catalog::Flow& flow, const std::set<int>& done_steps) {
  for (int n = 1; n <= flow.total_steps(); ++n) {
    if (!done_steps.contains(n)) return n;
  }
  return flow.total_steps();
}

int CompletionPercentage(const catalog::Flow& flow, const std::set<int>& done_steps, int previous,
                         bool completed) {
  if (completed) return 100;
  const int total = flow.total_steps();
  int done = 0;
  for (int n : done_steps) done += (n >= 1 && n <= total) ? 1 : 0;
  const int percentage = total == 0 ? 0 : done * 100 / total;
  return std::clamp(std::max(percentage, previous), 0, 100);
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

}  // namespace onboardd::onboarding
