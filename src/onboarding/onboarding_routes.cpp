// The onboarding routes: decode, call the logic and the store, encode. Decisions live in
// onboarding_logic.hpp / step_validation.hpp; SQL lives in onboarding_store.cpp.
#include "onboarding/onboarding_routes.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <set>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "db/pg_pool.hpp"
#include "onboarding/idempotency.hpp"
#include "onboarding/onboarding_logic.hpp"
#include "onboarding/onboarding_store.hpp"
#include "onboarding/step_validation.hpp"

namespace onboardd::onboarding {

namespace asio = boost::asio;
namespace json = boost::json;
using http::Request;
using http::Response;
using verb = http::beast_http::verb;
using Reply = asio::awaitable<core::Result<Response>>;

namespace {

db::TenantContext ContextOf(const Request& request) {
  db::TenantContext context;
  context.user_id = request.principal ? request.principal->user_id : std::string();
  context.request_id = request.request_id;
  context.deadline = request.deadline;
  // The active organization the client names (SPEC §2) reaches SQL as app.org_id, a hint
  // only: policies check membership themselves. Anything but a uuid is not passed on.
  if (std::string_view org = request.Header("X-Organization-Id"); core::IsUuid(org)) {
    context.org_id = std::string(org);
  }
  return context;
}

core::Result<db::Pool*> CurrentPool() {
  db::Pool* pool = db::Pool::Current();
  if (pool == nullptr) {
    core::Error error = core::MakeError(core::ErrorCode::kUnavailable,
                                        {"La base de datos no está disponible; inténtalo de nuevo",
                                         "The database is unavailable; try again"});
    error.retry_after_seconds = 1;
    return error;
  }
  return pool;
}

core::Error FieldError(std::string path, std::string es, std::string en) {
  return core::ValidationError({{std::move(path), {std::move(es), std::move(en)}}});
}

// The request body as an object; kValidation otherwise.
core::Result<json::object> BodyObject(const Request& request) {
  auto body = http::ParseJsonBody(request);
  if (!body) return body.error();
  if (!body->is_object()) {
    return FieldError("body", "El cuerpo debe ser un objeto JSON",
                      "The body must be a JSON object");
  }
  return std::move(body->as_object());
}

// A whole number (5 or 5.0) in [1, 50], else nullopt.
std::optional<int> StepNumber(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64() && v->as_int64() >= 1 && v->as_int64() <= 50)
    return static_cast<int>(v->as_int64());
  if (v->is_uint64() && v->as_uint64() >= 1 && v->as_uint64() <= 50)
    return static_cast<int>(v->as_uint64());
  if (v->is_double()) {
    double d = v->as_double();
    if (d >= 1 && d <= 50 && d == static_cast<int>(d)) return static_cast<int>(d);
  }
  return std::nullopt;
}

const catalog::Flow& FlowOf(const catalog::Snapshot& snapshot, const json::object* session) {
  if (session) {
    if (const json::value* id = session->if_contains("flow"); id && id->is_string()) {
      if (const catalog::Flow* flow = snapshot.FindFlow(id->as_string())) return *flow;
    }
  }
  return snapshot.default_flow();
}

// If-None-Match (a list, or *) holds `etag`, by weak comparison as RFC 9110 §13.1.2 asks.
bool NoneMatch(std::string_view header, std::string_view etag) {
  if (header.empty()) return false;
  std::size_t start = 0;
  while (start <= header.size()) {
    std::size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view item = header.substr(start, end - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    start = end + 1;
  }
  return false;
}

Response Cacheable(const Request& request, const catalog::JsonBody& body, bool vary_language) {
  Response response;
  if (NoneMatch(request.Header("If-None-Match"), body.etag)) {
    response.status = http::beast_http::status::not_modified;
  } else {
    response.body = *body.body;
  }
  response.With("ETag", body.etag).With("Cache-Control", "public, max-age=3600");
  if (vary_language) response.With("Vary", "Accept-Language");
  return response;
}

json::value OrNull(std::optional<json::object> object) {
  return object ? json::value(std::move(*object)) : json::value(nullptr);
}

// CompanyData from a validated company-like step, through the fields' canonical names.
CompanyData CompanyFrom(const catalog::StepDef& step, const ValidatedStep& validated) {
  CompanyData company;
  for (const catalog::FieldDef& field : step.fields) {
    const json::value* v = validated.data.if_contains(field.key);
    if (v == nullptr || !v->is_string()) continue;
    std::string text(v->as_string());
    if (field.canonical == "company.name")
      company.name = text;
    else if (field.canonical == "company.industry")
      company.industry = text;
    else if (field.canonical == "company.size")
      company.size = text;
    else if (field.canonical == "company.description")
      company.description = text;
    else if (field.canonical == "company.logo" && !validated.logo)
      company.logo_url = text;
  }
  company.logo = validated.logo;
  return company;
}

// --- handlers -------------------------------------------------------------------------------

Reply SaveStepRoute(std::shared_ptr<const catalog::Catalog> catalog, Request request) {
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  std::optional<int> number = StepNumber(body->if_contains("step"));
  if (!number) {
    co_return FieldError("step", "Debe ser un número de paso entero",
                         "Must be a whole step number");
  }
  auto snapshot = catalog->Current();
  const catalog::Flow& flow = snapshot->default_flow();
  static const json::value kNull;
  const json::value* data = body->if_contains("data");
  auto validated = ValidateStep(flow, *number, data ? *data : kNull);
  if (!validated) co_return validated.error();
  auto pool = CurrentPool();
  if (!pool) co_return pool.error();
  json::object saved_data = validated->data;
  auto saved = co_await SaveStep(**pool, ContextOf(request), flow, std::move(*validated));
  if (!saved) co_return saved.error();
  json::object out{{"success", true},
                   {"message", "Step " + std::to_string(*number) + " saved successfully"},
                   {"step", *number},
                   {"data", std::move(saved_data)}};
  Response response = http::JsonResponse(out);
  response.With("ETag", "\"" + std::to_string(saved->version) + "\"");
  co_return response;
}

Reply StatusRoute(std::shared_ptr<const catalog::Catalog> catalog, Request request) {
  const auto started = core::SteadyClock::now();
  auto pool = CurrentPool();
  if (!pool) co_return pool.error();
  auto read = co_await ReadStatus(**pool, ContextOf(request));
  if (!read) co_return read.error();
  auto snapshot = catalog->Current();
  const json::object* session = read->session ? &*read->session : nullptr;
  const catalog::Flow& flow = FlowOf(*snapshot, session);

  SessionStatus status = SessionStatus::kNotStarted;
  int current_step = 1;
  std::set<int> done;
  json::array completed_steps;
  json::object current_data;
  if (session) {
    if (const json::value* s = session->if_contains("status"); s && s->is_string()) {
      status = ParseSessionStatus(s->as_string()).value_or(SessionStatus::kInProgress);
    }
    if (const json::value* c = session->if_contains("currentStep"); c && c->is_int64()) {
      current_step = static_cast<int>(c->as_int64());
    }
    if (const json::value* steps = session->if_contains("completedSteps");
        steps && steps->is_array()) {
      for (const json::value& n : steps->as_array()) {
        if (n.is_int64()) done.insert(static_cast<int>(n.as_int64()));
      }
      completed_steps = steps->as_array();
    }
    const catalog::StepDef* step = flow.FindStep(current_step);
    const json::value* form = session->if_contains("formData");
    if (step && form && form->is_object()) {
      if (const json::value* d = form->as_object().if_contains(step->id); d && d->is_object()) {
        current_data = d->as_object();
      }
    }
  }
  if (read->profile && read->organization) status = SessionStatus::kCompleted;
  RedirectDecision decision = DecideRedirect(status, flow, current_step);

  json::value next_step = nullptr;
  if (status != SessionStatus::kCompleted) {
    std::set<int> pending = status == SessionStatus::kInProgress ? done : std::set<int>{};
    if (const catalog::StepDef* next = flow.FindStep(NextStep(flow, pending))) {
      next_step = json::object{{"number", next->number},
                               {"id", next->id},
                               {"title", next->title.In(request.english)},
                               {"path", StepPath(*next)}};
    }
  }
  const double duration_ms =
      std::chrono::duration<double, std::milli>(core::SteadyClock::now() - started).count();
  json::object out{{"status", ToString(status)},
                   {"session", OrNull(std::move(read->session))},
                   {"progress", json::object{{"completedSteps", std::move(completed_steps)},
                                             {"currentStepData", std::move(current_data)},
                                             {"nextStep", std::move(next_step)}}},
                   {"organization", OrNull(std::move(read->organization))},
                   {"flags", json::object{{"canResume", decision.can_resume},
                                          {"hasExpired", decision.has_expired},
                                          {"shouldRedirect", decision.should_redirect}}},
                   {"redirectTo", decision.redirect_to ? json::value(*decision.redirect_to)
                                                       : json::value(nullptr)},
                   {"metadata", json::object{{"lastChecked", core::NowIso8601()},
                                             {"fromCache", false},
                                             {"checkDuration", duration_ms}}}};
  Response response = http::JsonResponse(out);
  response.With("Cache-Control", "no-store");
  co_return response;
}

Response AlreadyExists(json::object profile, std::optional<json::object> organization) {
  json::object out{
      {"success", true}, {"message", "Profile already exists"}, {"profile", std::move(profile)}};
  if (organization) out["organization"] = std::move(*organization);
  return http::JsonResponse(out);
}

// True when `data` carries every field of every step (an empty string counts: it means
// "absent" and would replace the draft's value anyway). The draft can then add nothing to
// MergeCompletion's result, so it need not be read.
bool HasEveryField(const catalog::Flow& flow, const json::value& data) {
  if (!data.is_object()) return false;
  for (const catalog::StepDef& step : flow.steps) {
    if (step.fields.empty()) continue;
    const json::value* section = data.as_object().if_contains(step.id);
    if (section == nullptr || !section->is_object()) return false;
    for (const catalog::FieldDef& field : step.fields) {
      if (!section->as_object().contains(field.key)) return false;
    }
  }
  return true;
}

core::Result<std::string> SessionId(std::string_view id);
const json::value* Member(const json::object& body, std::string_view snake, std::string_view camel);

Reply CompleteRoute(std::shared_ptr<const catalog::Catalog> catalog, Request request) {
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  json::value data = nullptr;
  if (const json::value* d = body->if_contains("data")) {
    data = *d;
  } else if (const json::value* f = body->if_contains("final_data")) {
    data = *f;  // the older session API's spelling
  }
  // The older session API's create_organization: completion always creates the organization
  // here, so `false` is refused rather than silently ignored.
  if (const json::value* create = Member(*body, "create_organization", "createOrganization");
      create && !create->is_null() && !(create->is_bool() && create->as_bool())) {
    co_return core::ValidationError(
        {{"create_organization",
          {"Solo se admite true: completar sin crear la organización no está disponible",
           "Only true is supported: completing without creating the organization is not "
           "available"}}});
  }
  auto snapshot = catalog->Current();
  const catalog::Flow* flow = &snapshot->default_flow();
  auto pool = CurrentPool();
  if (!pool) co_return pool.error();

  core::Result<CompletionData> merged = core::MakeError(core::ErrorCode::kValidation);
  if (const json::value* sid = Member(*body, "session_id", "sessionId"); sid && !sid->is_null()) {
    // The older session API names its session: its flow and its form data are the draft.
    auto id = SessionId(sid->is_string() ? std::string_view(sid->as_string()) : std::string_view());
    if (!id) co_return id.error();
    auto session = co_await ReadSession(**pool, ContextOf(request), *id, false);
    if (!session) co_return session.error();
    flow = &FlowOf(*snapshot, &*session);
    const json::value* status = session->if_contains("status");
    if (status && status->is_string() && status->as_string() == "completed") {
      auto existing = co_await ReadDraft(**pool, ContextOf(request));
      if (!existing) co_return existing.error();
      if (existing->profile) {
        co_return AlreadyExists(std::move(*existing->profile), std::move(existing->organization));
      }
    }
    static const json::object kEmpty;
    const json::value* form = session->if_contains("formData");
    merged = MergeCompletion(*flow, form && form->is_object() ? form->as_object() : kEmpty, data);
    if (!merged) co_return merged.error();
  } else {
    // The wizard sends its whole form at the end: then the body alone is the completion and
    // the draft is not read (one round trip). Otherwise the draft fills what is missing (or,
    // when the body alone is invalid, may turn out to belong to an onboarded user).
    if (HasEveryField(*flow, data)) merged = MergeCompletion(*flow, json::object{}, data);
    if (!merged) {
      auto draft = co_await ReadDraft(**pool, ContextOf(request));
      if (!draft) co_return draft.error();
      if (draft->profile)
        co_return AlreadyExists(std::move(*draft->profile), std::move(draft->organization));
      merged = MergeCompletion(*flow, draft->form_data, data);
      if (!merged) co_return merged.error();
    }
  }
  const http::Principal& me = *request.principal;
  ProfilePlan plan = PlanProfile(*merged, me.name, me.email);
  auto result = co_await Complete(**pool, ContextOf(request), *flow, std::move(*merged),
                                  std::move(plan), me.email);
  if (!result) co_return result.error();
  if (!result->created) {
    std::optional<json::object> organization;
    if (!result->organization.empty()) organization = std::move(result->organization);
    co_return AlreadyExists(std::move(result->profile), std::move(organization));
  }
  json::value company_id = result->organization.at("id");
  json::object out{{"success", true},
                   {"message", "Onboarding completed successfully"},
                   {"profile", std::move(result->profile)},
                   {"company_id", std::move(company_id)},
                   {"organization", std::move(result->organization)}};
  co_return http::JsonResponse(out);
}

Reply CreateOrganizationRoute(std::shared_ptr<const catalog::Catalog> catalog, Request request) {
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  auto snapshot = catalog->Current();
  const catalog::Flow& flow = snapshot->default_flow();
  const catalog::StepDef* step = flow.FindStep(std::string_view("company"));
  if (step == nullptr) co_return core::MakeError(core::ErrorCode::kInternal);
  auto validated = ValidateStep(flow, step->number, *body);
  if (!validated) co_return validated.error();
  auto pool = CurrentPool();
  if (!pool) co_return pool.error();
  auto created =
      co_await CreateOrganization(**pool, ContextOf(request), CompanyFrom(*step, *validated));
  if (!created) co_return created.error();
  json::object out{{"success", true},
                   {"organization", std::move(created->organization)},
                   {"membership", std::move(created->membership)},
                   {"message", request.english ? "Organization created" : "Organización creada"}};
  co_return http::JsonResponse(out, http::beast_http::status::created);
}

Reply ListOrganizationsRoute(Request request) {
  auto pool = CurrentPool();
  if (!pool) co_return pool.error();
  auto list = co_await ListOrganizations(**pool, ContextOf(request));
  if (!list) co_return list.error();
  const std::size_t total = list->size();
  co_return http::JsonResponse(json::object{{"organizations", std::move(*list)}, {"total", total}});
}

Reply IndustriesRoute(std::shared_ptr<const catalog::Catalog> catalog, Request request) {
  auto snapshot = catalog->Current();
  co_return Cacheable(
      request,
      snapshot->IndustriesBody(request.Query("q"), request.Query("category"), request.english),
      true);
}

Reply ConfigRoute(std::shared_ptr<const catalog::Catalog> catalog, Request request) {
  auto snapshot = catalog->Current();
  co_return Cacheable(request, snapshot->ConfigBody(), false);
}

// --- The session API (SPEC §4.3) --------------------------------------------------------------

// If-Match: absent or "*" → no condition; "\"7\"" (or W/"7", or 7) → version 7; anything
// else cannot match any version → kPreconditionFailed.
core::Result<std::optional<int>> IfMatch(const Request& request) {
  std::string_view v = request.Header("If-Match");
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty() || v == "*") return std::optional<int>();
  if (v.starts_with("W/")) v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string_view::npos) {
    return core::MakeError(core::ErrorCode::kPreconditionFailed);
  }
  return std::optional<int>(std::atoi(std::string(v).c_str()));
}

// The session's strong ETag: its version.
std::string SessionEtag(const json::object& session) {
  const json::value* version = session.if_contains("version");
  return "\"" + (version && version->is_int64() ? std::to_string(version->as_int64()) : "0") + "\"";
}

Response SessionResponse(json::object session,
                         http::beast_http::status status = http::beast_http::status::ok,
                         json::object extra = {}) {
  std::string etag = SessionEtag(session);
  json::object out{{"success", true}, {"session", std::move(session)}};
  for (auto& [key, value] : extra) out[key] = std::move(value);
  Response response = http::JsonResponse(out, status);
  response.With("ETag", std::move(etag)).With("Cache-Control", "no-store");
  return response;
}

// A path or query session id: a uuid, else it names no session of anyone (404, not 400, so
// probing with odd ids learns nothing).
core::Result<std::string> SessionId(std::string_view id) {
  if (!core::IsUuid(id)) return core::MakeError(core::ErrorCode::kNotFound);
  return std::string(id);
}

// The optional `?session_id=` of the session routes: empty when absent, else a checked id.
core::Result<std::string> OptionalSessionIdQuery(const Request& request) {
  std::string_view q = request.Query("session_id");
  if (q.empty()) return std::string();
  return SessionId(q);
}

// An optional body member spelled snake_case or camelCase.
const json::value* Member(const json::object& body, std::string_view snake,
                          std::string_view camel) {
  if (const json::value* v = body.if_contains(snake)) return v;
  return body.if_contains(camel);
}

// An optional body (empty means {}).
core::Result<json::object> OptionalBody(const Request& request) {
  if (request.body().find_first_not_of(" \t\r\n") == std::string::npos) return json::object{};
  return BodyObject(request);
}

Reply StartRoute(std::shared_ptr<const catalog::Catalog> catalog, Request request) {
  auto body = OptionalBody(request);
  if (!body) co_return body.error();
  auto snapshot = catalog->Current();
  const catalog::Flow* flow = &snapshot->default_flow();
  if (const json::value* id = body->if_contains("flow"); id && !id->is_null()) {
    flow = id->is_string() ? snapshot->FindFlow(id->as_string()) : nullptr;
    if (flow == nullptr) co_return FieldError("flow", "Flujo desconocido", "Unknown flow");
  }
  bool restart = false;
  if (const json::value* r = body->if_contains("restart"); r && !r->is_null()) {
    if (!r->is_bool())
      co_return FieldError("restart", "Debe ser verdadero o falso", "Must be true or false");
    restart = r->as_bool();
  }
  json::object context;
  if (const json::value* c = body->if_contains("context"); c && !c->is_null()) {
    if (!c->is_object() || json::serialize(*c).size() > 4096) {
      co_return FieldError("context", "Debe ser un objeto de hasta 4 KB",
                           "Must be an object of at most 4 KB");
    }
    context = c->as_object();
  }
  auto pool = CurrentPool();
  if (!pool) co_return pool.error();
  auto started =
      co_await StartSession(**pool, ContextOf(request), *flow, restart, std::move(context));
  if (!started) co_return started.error();
  const bool created = started->created;
  co_return SessionResponse(
      std::move(started->session),
      created ? http::beast_http::status::created : http::beast_http::status::ok,
      json::object{{"resumed", !created}});
}

Reply CurrentSessionRoute(Request request) {
  auto pool = CurrentPool();
  if (!pool) co_return pool.error();
  auto session = co_await ReadSession(**pool, ContextOf(request), "", false);
  if (!session) {
    if (session.error().code != core::ErrorCode::kNotFound) co_return session.error();
    co_return http::JsonResponse(json::object{{"success", true}, {"session", nullptr}});
  }
  co_return SessionResponse(std::move(*session));
}

Reply ReadProgressRoute(Request request) {
  auto id = OptionalSessionIdQuery(request);
  if (!id) co_return id.error();
  auto pool = CurrentPool();
  if (!pool) co_return pool.error();
  auto session = co_await ReadSession(**pool, ContextOf(request), *id, true);
  if (!session) co_return session.error();
  co_return SessionResponse(std::move(*session));
}

Reply SaveProgressRoute(std::shared_ptr<const catalog::Catalog> catalog, Request request) {
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  auto if_match = IfMatch(request);
  if (!if_match) co_return if_match.error();
  ProgressWrite write;
  write.if_match = *if_match;
  if (const json::value* id = Member(*body, "session_id", "sessionId"); id && !id->is_null()) {
    auto checked =
        SessionId(id->is_string() ? std::string_view(id->as_string()) : std::string_view());
    if (!checked) co_return checked.error();
    write.session_id = std::move(*checked);
  }
  std::optional<int> number = StepNumber(Member(*body, "step", "step_number"));
  if (!number)
    co_return FieldError("step", "Debe ser un número de paso entero",
                         "Must be a whole step number");
  for (auto [key, flag] :
       {std::pair{"completed", &write.completed}, std::pair{"skipped", &write.skipped}}) {
    if (const json::value* v = body->if_contains(key); v && !v->is_null()) {
      if (!v->is_bool())
        co_return FieldError(key, "Debe ser verdadero o falso", "Must be true or false");
      *flag = v->as_bool();
    }
  }
  if (!body->contains("completed")) write.completed = !write.skipped;
  if (const json::value* t = Member(*body, "time_spent", "timeSpent"); t && t->is_int64()) {
    write.time_spent_seconds = static_cast<int>(std::clamp<std::int64_t>(t->as_int64(), 0, 86400));
  }
  static const json::value kNull;
  const json::value* data = body->if_contains("data");
  auto snapshot = catalog->Current();
  const catalog::Flow* flow = &snapshot->default_flow();
  bool flow_named = false;
  if (const json::value* f = body->if_contains("flow"); f && f->is_string()) {
    if (const catalog::Flow* named = snapshot->FindFlow(f->as_string())) {
      flow = named;
      flow_named = true;
    }
  }
  // Fills write.data/step/step_id from the body, validated against `against`.
  auto prepare = [&](const catalog::Flow& against) -> core::Status {
    const catalog::StepDef* step = against.FindStep(*number);
    if (step == nullptr) return FieldError("step", "Paso fuera del flujo", "Step outside the flow");
    if (write.skipped && !step->skippable) {
      return FieldError("skipped", "Este paso no se puede omitir", "This step cannot be skipped");
    }
    if (write.skipped && (data == nullptr || data->is_null())) {
      write.data = {};
    } else {
      auto validated = ValidateStep(against, *number, data ? *data : kNull);
      if (!validated) return validated.error();
      write.data = std::move(validated->data);
    }
    write.step = *number;
    write.step_id = step->id;
    return {};
  };
  auto pool = CurrentPool();
  if (!pool) co_return pool.error();
  core::Status prepared = prepare(*flow);
  if (!prepared && !flow_named) {
    // The session may follow another flow (the older 5-step one): ask it (a read round trip
    // that only data invalid for the default flow pays).
    auto session = co_await ReadSession(**pool, ContextOf(request), write.session_id, false);
    if (!session) co_return session.error();
    const catalog::Flow& own = FlowOf(*snapshot, &*session);
    if (own.id == flow->id) co_return prepared.error();
    flow = &own;
    prepared = prepare(*flow);
  }
  if (!prepared) co_return prepared.error();
  std::string actual_flow;
  auto saved = co_await SaveProgress(**pool, ContextOf(request), *flow, write, &actual_flow);
  if (saved) co_return SessionResponse(std::move(*saved));
  const catalog::Flow* other = actual_flow.empty() ? nullptr : snapshot->FindFlow(actual_flow);
  if (other == nullptr) co_return saved.error();
  // The session follows another flow than the one the data was valid for: validate again.
  flow = other;
  prepared = prepare(*flow);
  if (!prepared) co_return prepared.error();
  saved = co_await SaveProgress(**pool, ContextOf(request), *flow, write, nullptr);
  if (!saved) co_return saved.error();
  co_return SessionResponse(std::move(*saved));
}

Reply GetSessionRoute(Request request) {
  auto id = SessionId(request.Param("id"));
  if (!id) co_return id.error();
  auto pool = CurrentPool();
  if (!pool) co_return pool.error();
  auto session = co_await ReadSession(**pool, ContextOf(request), *id, true);
  if (!session) co_return session.error();
  co_return SessionResponse(std::move(*session));
}

Reply PatchSessionRoute(Request request) {
  auto id = SessionId(request.Param("id"));
  if (!id) co_return id.error();
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  auto if_match = IfMatch(request);
  if (!if_match) co_return if_match.error();
  SessionPatch patch;
  if (const json::value* step = Member(*body, "current_step", "currentStep");
      step && !step->is_null()) {
    patch.current_step = StepNumber(step);
    if (!patch.current_step) {
      co_return FieldError("current_step", "Debe ser un número de paso entero",
                           "Must be a whole step number");
    }
  }
  if (const json::value* c = body->if_contains("context"); c && !c->is_null()) {
    if (!c->is_object() || json::serialize(*c).size() > 4096) {
      co_return FieldError("context", "Debe ser un objeto de hasta 4 KB",
                           "Must be an object of at most 4 KB");
    }
    patch.context = c->as_object();
  }
  auto pool = CurrentPool();
  if (!pool) co_return pool.error();
  auto session =
      co_await PatchSession(**pool, ContextOf(request), *id, *if_match, std::move(patch));
  if (!session) co_return session.error();
  co_return SessionResponse(std::move(*session));
}

Reply DeleteSessionRoute(Request request) {
  auto id = SessionId(request.Param("id"));
  if (!id) co_return id.error();
  auto if_match = IfMatch(request);
  if (!if_match) co_return if_match.error();
  auto pool = CurrentPool();
  if (!pool) co_return pool.error();
  auto session = co_await AbandonSession(**pool, ContextOf(request), *id, *if_match);
  if (!session) co_return session.error();
  co_return SessionResponse(std::move(*session));
}

Reply CompletionStateRoute(Request request) {
  auto id = OptionalSessionIdQuery(request);
  if (!id) co_return id.error();
  auto pool = CurrentPool();
  if (!pool) co_return pool.error();
  auto session = co_await ReadSession(**pool, ContextOf(request), *id, false);
  if (!session) co_return session.error();
  const json::value* status = session->if_contains("status");
  const bool completed = status && status->is_string() && status->as_string() == "completed";
  co_return SessionResponse(std::move(*session), http::beast_http::status::ok,
                            json::object{{"completed", completed}});
}

}  // namespace

void RegisterRoutes(http::Router& router, std::shared_ptr<const catalog::Catalog> catalog) {
  const http::RouteOptions wizard{.max_body_bytes = kWizardMaxBodyBytes, .authenticated = true};
  const http::RouteOptions signed_in{.authenticated = true};

  router.Add(verb::post, "/api/onboarding/step",
             WithIdempotency("POST /api/onboarding/step",
                             [catalog](Request r) { return SaveStepRoute(catalog, std::move(r)); }),
             wizard);
  router.Add(
      verb::get, "/api/onboarding/status",
      [catalog](Request r) { return StatusRoute(catalog, std::move(r)); }, signed_in);
  router.Add(verb::post, "/api/onboarding/complete",
             WithIdempotency("POST /api/onboarding/complete",
                             [catalog](Request r) { return CompleteRoute(catalog, std::move(r)); }),
             wizard);
  router.Add(verb::post, "/api/onboarding/organization",
             WithIdempotency(
                 "POST /api/onboarding/organization",
                 [catalog](Request r) { return CreateOrganizationRoute(catalog, std::move(r)); }),
             wizard);
  router.Add(
      verb::get, "/api/onboarding/organization",
      [](Request r) { return ListOrganizationsRoute(std::move(r)); }, signed_in);

  router.Add(
      verb::get, "/api/onboarding/complete",
      [](Request r) { return CompletionStateRoute(std::move(r)); }, signed_in);
  router.Add(verb::post, "/api/onboarding/start",
             WithIdempotency("POST /api/onboarding/start",
                             [catalog](Request r) { return StartRoute(catalog, std::move(r)); }),
             signed_in);
  router.Add(
      verb::get, "/api/onboarding/start",
      [](Request r) { return CurrentSessionRoute(std::move(r)); }, signed_in);
  router.Add(
      verb::put, "/api/onboarding/progress",
      [catalog](Request r) { return SaveProgressRoute(catalog, std::move(r)); }, wizard);
  router.Add(
      verb::get, "/api/onboarding/progress",
      [](Request r) { return ReadProgressRoute(std::move(r)); }, signed_in);
  router.Add(
      verb::get, "/api/onboarding/session/{id}",
      [](Request r) { return GetSessionRoute(std::move(r)); }, signed_in);
  router.Add(
      verb::patch, "/api/onboarding/session/{id}",
      [](Request r) { return PatchSessionRoute(std::move(r)); }, signed_in);
  router.Add(
      verb::delete_, "/api/onboarding/session/{id}",
      [](Request r) { return DeleteSessionRoute(std::move(r)); }, signed_in);

  router.Add(verb::get, "/api/onboarding/industries",
             [catalog](Request r) { return IndustriesRoute(catalog, std::move(r)); });
  router.Add(verb::get, "/api/onboarding/config",
             [catalog](Request r) { return ConfigRoute(catalog, std::move(r)); });
}

}  // namespace onboardd::onboarding
