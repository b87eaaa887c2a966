// The onboarding routes: decode, call the logic and the store, encode. Decisions live in
// onboarding_logic.hpp / step_validation.hpp; SQL lives in onboarding_store.cpp.
#include "onboarding/onboarding_routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <set>

#include "core/clock.hpp"
#include "db/pg_pool.hpp"
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
  return context;
}

core::Result<db::Pool*> CurrentPool() {
  db::Pool* pool = db::Pool::Current();
  if (pool == nullptr) {
    core::Error error = core::MakeError(
        core::ErrorCode::kUnavailable,
        {"La base de datos no está disponible; inténtalo de nuevo", "The database is unavailable; try again"});
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
    return FieldError("body", "El cuerpo debe ser un objeto JSON", "The body must be a JSON object");
  }
  return std::move(body->as_object());
}

// A whole number (5 or 5.0) in [1, 50], else nullopt.
std::optional<int> StepNumber(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64() && v->as_int64() >= 1 && v->as_int64() <= 50) return static_cast<int>(v->as_int64());
  if (v->is_uint64() && v->as_uint64() >= 1 && v->as_uint64() <= 50) return static_cast<int>(v->as_uint64());
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
    if (field.canonical == "company.name") company.name = text;
    else if (field.canonical == "company.industry") company.industry = text;
    else if (field.canonical == "company.size") company.size = text;
    else if (field.canonical == "company.description") company.description = text;
    else if (field.canonical == "company.logo" && !validated.logo) company.logo_url = text;
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
    co_return FieldError("step", "Debe ser un número de paso entero", "Must be a whole step number");
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
    if (const json::value* steps = session->if_contains("completedSteps"); steps && steps->is_array()) {
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
  json::object out{
      {"status", ToString(status)},
      {"session", session ? json::value(*session) : json::value(nullptr)},
      {"progress",
       json::object{{"completedSteps", std::move(completed_steps)},
                    {"currentStepData", std::move(current_data)},
                    {"nextStep", std::move(next_step)}}},
      {"organization", OrNull(std::move(read->organization))},
      {"flags", json::object{{"canResume", decision.can_resume},
                             {"hasExpired", decision.has_expired},
                             {"shouldRedirect", decision.should_redirect}}},
      {"redirectTo", decision.redirect_to ? json::value(*decision.redirect_to) : json::value(nullptr)},
      {"metadata", json::object{{"lastChecked", core::NowIso8601()},
                                {"fromCache", false},
                                {"checkDuration", duration_ms}}}};
  Response response = http::JsonResponse(out);
  response.With("Cache-Control", "no-store");
  co_return response;
}

Response AlreadyExists(json::object profile, std::optional<json::object> organization) {
  json::object out{{"success", true}, {"message", "Profile already exists"}, {"profile", std::move(profile)}};
  if (organization) out["organization"] = std::move(*organization);
  return http::JsonResponse(out);
}

// True when `data` carries an object for every step that has fields: the completion may
// then be tried without reading the draft.
bool HasEverySection(const catalog::Flow& flow, const json::value& data) {
  if (!data.is_object()) return false;
  for (const catalog::StepDef& step : flow.steps) {
    if (step.fields.empty()) continue;
    const json::value* section = data.as_object().if_contains(step.id);
    if (section == nullptr || !section->is_object()) return false;
  }
  return true;
}

Reply CompleteRoute(std::shared_ptr<const catalog::Catalog> catalog, Request request) {
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  json::value data = nullptr;
  if (const json::value* d = body->if_contains("data")) {
    data = *d;
  } else if (const json::value* f = body->if_contains("final_data")) {
    data = *f;  // the older session API's spelling
  }
  auto snapshot = catalog->Current();
  const catalog::Flow& flow = snapshot->default_flow();
  auto pool = CurrentPool();
  if (!pool) co_return pool.error();

  // The wizard sends every section at the end: then the body alone is the completion and
  // the draft is not read (one round trip). Otherwise the draft fills what is missing.
  core::Result<CompletionData> merged = core::MakeError(core::ErrorCode::kValidation);
  if (HasEverySection(flow, data)) merged = MergeCompletion(flow, json::object{}, data);
  if (!merged) {
    auto draft = co_await ReadDraft(**pool, ContextOf(request));
    if (!draft) co_return draft.error();
    if (draft->profile) co_return AlreadyExists(std::move(*draft->profile), std::move(draft->organization));
    merged = MergeCompletion(flow, draft->form_data, data);
    if (!merged) co_return merged.error();
  }
  const http::Principal& me = *request.principal;
  ProfilePlan plan = PlanProfile(*merged, me.name, me.email);
  auto result = co_await Complete(**pool, ContextOf(request), flow, std::move(*merged),
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
  auto created = co_await CreateOrganization(**pool, ContextOf(request), CompanyFrom(*step, *validated));
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
  co_return Cacheable(request,
                      snapshot->IndustriesBody(request.Query("q"), request.Query("category"),
                                               request.english),
                      true);
}

Reply ConfigRoute(std::shared_ptr<const catalog::Catalog> catalog, Request request) {
  auto snapshot = catalog->Current();
  co_return Cacheable(request, snapshot->ConfigBody(), false);
}

}  // namespace

void RegisterRoutes(http::Router& router, std::shared_ptr<const catalog::Catalog> catalog) {
  const http::RouteOptions wizard{.max_body_bytes = kWizardMaxBodyBytes, .authenticated = true};
  const http::RouteOptions signed_in{.authenticated = true};

  router.Add(verb::post, "/api/onboarding/step",
             [catalog](Request r) { return SaveStepRoute(catalog, std::move(r)); }, wizard);
  router.Add(verb::get, "/api/onboarding/status",
             [catalog](Request r) { return StatusRoute(catalog, std::move(r)); }, signed_in);
  router.Add(verb::post, "/api/onboarding/complete",
             [catalog](Request r) { return CompleteRoute(catalog, std::move(r)); }, wizard);
  router.Add(verb::post, "/api/onboarding/organization",
             [catalog](Request r) { return CreateOrganizationRoute(catalog, std::move(r)); }, wizard);
  router.Add(verb::get, "/api/onboarding/organization",
             [](Request r) { return ListOrganizationsRoute(std::move(r)); }, signed_in);

  router.Add(verb::get, "/api/onboarding/industries",
             [catalog](Request r) { return IndustriesRoute(catalog, std::move(r)); });
  router.Add(verb::get, "/api/onboarding/config",
             [catalog](Request r) { return ConfigRoute(catalog, std::move(r)); });
}

}  // namespace onboardd::onboarding
