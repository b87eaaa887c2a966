// The session API's handlers (see session_routes.hpp): decode, call session_logic and
// session_store, encode with LEGACY_API.md §2's names and headers.
#include "onboarding/session_routes.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <tuple>

#include "catalog/text.hpp"
#include "core/ids.hpp"
#include "http/etag.hpp"
#include "onboarding/funnel_metrics.hpp"
#include "onboarding/idempotency.hpp"
#include "onboarding/onboarding_logic.hpp"
#include "onboarding/onboarding_store.hpp"
#include "onboarding/session_logic.hpp"
#include "onboarding/session_store.hpp"

namespace onboardd::onboarding {

namespace json = boost::json;
using http::Request;
using http::Response;
using status = http::beast_http::status;
using verb = http::beast_http::verb;

namespace {

constexpr std::size_t kMaxClientJsonBytes = 64 * 1024;  // form_data, ai_* of a PATCH
constexpr std::size_t kMaxContextBytes = 4096;

json::object FormData(const json::object& session) {
  const json::value* v = session.if_contains("form_data");
  return v && v->is_object() ? v->as_object() : json::object{};
}

int IntMember(const json::object& o, std::string_view key, int fallback) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? static_cast<int>(v->as_int64()) : fallback;
}

std::string TextMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The session's answer: {success, session, ...extra} with its version as ETag and
// x-session-id.
Response SessionResponse(json::object session, json::object extra = {}, status code = status::ok) {
  const std::string etag = http::VersionEtag(IntMember(session, "version", 0));
  const std::string id = TextMember(session, "id");
  json::object out{{"success", true}, {"session", std::move(session)}};
  for (auto& [key, value] : extra) out[key] = std::move(value);
  Response response = http::JsonResponse(out, code);
  response.With("ETag", etag).With("Cache-Control", "no-store").With("x-session-id", id);
  return response;
}

// The step info of the step the session is on (LEGACY_API's next_step), or null.
json::value CurrentStepInfo(const catalog::Snapshot& snapshot, const catalog::Flow& flow,
                            const json::object& session, bool english) {
  const catalog::StepDef* step = flow.FindStep(IntMember(session, "current_step", 1));
  return step ? json::value(StepInfo(snapshot, *step, english)) : json::value(nullptr);
}

// The optional `?session_id=`: empty when absent, else a checked id (404 when malformed).
core::Result<std::string> OptionalSessionIdQuery(const Request& request) {
  std::string_view q = request.Query("session_id");
  if (q.empty()) return std::string();
  return SessionId(q);
}

// A body member that must be an object of at most `max_bytes` serialized, when present.
core::Result<std::optional<json::object>> OptionalObject(const json::object& body,
                                                         std::string_view key,
                                                         std::size_t max_bytes) {
  const json::value* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<json::object>();
  if (!v->is_object() || json::serialize(*v).size() > max_bytes) {
    const std::string kb = std::to_string(max_bytes / 1024);
    return FieldError(std::string(key), "Debe ser un objeto de hasta " + kb + " KB",
                      "Must be an object of at most " + kb + " KB");
  }
  return std::optional<json::object>(v->as_object());
}

// One enum member of user_preferences, with its default.
core::Result<std::string> Preference(const json::object& prefs, std::string_view key,
                                     std::initializer_list<std::string_view> allowed) {
  const json::value* v = prefs.if_contains(key);
  if (v == nullptr || v->is_null()) return std::string(*allowed.begin());
  if (v->is_string() && std::find(allowed.begin(), allowed.end(),
                                  std::string_view(v->as_string())) != allowed.end()) {
    return std::string(v->as_string());
  }
  std::string list;
  for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  return FieldError("user_preferences." + std::string(key),
                    "Valor no permitido. Valores permitidos: " + list,
                    "Value not allowed. Allowed values: " + list);
}

// POST /start's user_preferences with LEGACY_API's defaults.
core::Result<json::object> StartPreferences(const json::object& body) {
  auto given = OptionalObject(body, "user_preferences", kMaxContextBytes);
  if (!given) return given.error();
  const json::object prefs = given->value_or(json::object{});
  auto language = Preference(prefs, "language", {"es", "en"});
  if (!language) return language.error();
  auto style = Preference(prefs, "communication_style", {"formal", "informal"});
  if (!style) return style.error();
  auto level = Preference(prefs, "experience_level", {"beginner", "intermediate", "advanced"});
  if (!level) return level.error();
  return json::object{
      {"language", *language}, {"communication_style", *style}, {"experience_level", *level}};
}

// POST /start's context {source, utm_params {string: string}}.
core::Result<json::object> StartContext(const json::object& body) {
  auto given = OptionalObject(body, "context", kMaxContextBytes);
  if (!given) return given.error();
  json::object context = given->value_or(json::object{});
  if (const json::value* source = context.if_contains("source");
      source && !source->is_null() && !source->is_string()) {
    return FieldError("context.source", "Debe ser un texto", "Must be a string");
  }
  if (const json::value* utm = context.if_contains("utm_params"); utm && !utm->is_null()) {
    bool strings = utm->is_object();
    if (strings) {
      for (const auto& [key, value] : utm->as_object()) strings = strings && value.is_string();
    }
    if (!strings) {
      return FieldError("context.utm_params", "Debe ser un objeto de textos",
                        "Must be an object of strings");
    }
  }
  return context;
}

// The texts of a completed session (POST and GET /complete).
json::object CompletionAnswer(const catalog::Snapshot& snapshot, const catalog::Flow& flow,
                              const json::object& session, bool english) {
  const json::object form = FormData(session);
  const TextStyle style = StyleOf(flow, form, english);
  CompletionTexts texts = BuildCompletionTexts(snapshot, flow, form, style.english);
  return json::object{{"ai_summary", std::move(texts.summary)},
                      {"next_steps", std::move(texts.next_steps)},
                      {"recommended_okrs", std::move(texts.recommended_okrs)}};
}

Response CompletedResponse(const catalog::Snapshot& snapshot, const catalog::Flow& flow,
                           json::object session, std::optional<json::object> organization,
                           bool english) {
  json::object extra = CompletionAnswer(snapshot, flow, session, english);
  std::string org_id;
  if (organization) org_id = TextMember(*organization, "id");
  extra["organization"] = organization ? json::value(std::move(*organization)) : nullptr;
  Response response = SessionResponse(std::move(session), std::move(extra));
  if (!org_id.empty()) response.With("x-organization-id", org_id);
  response.With("x-onboarding-completed", "true");
  return response;
}

// --- handlers -------------------------------------------------------------------------------

Reply StartRoute(Dependencies deps, Request request) {
  auto body = OptionalBody(request);
  if (!body) co_return body.error();
  auto snapshot = deps.catalog->Current();
  const catalog::Flow* flow = &snapshot->session_flow();
  if (const json::value* id = body->if_contains("flow"); id && !id->is_null()) {
    flow = id->is_string() ? snapshot->FindFlow(id->as_string()) : nullptr;
    if (flow == nullptr) co_return FieldError("flow", "Flujo desconocido", "Unknown flow");
  }
  auto restart = OptionalBool(*body, "restart", "restart", false);
  if (!restart) co_return restart.error();
  auto prefs = StartPreferences(*body);
  if (!prefs) co_return prefs.error();
  auto context = StartContext(*body);
  if (!context) co_return context.error();
  json::object form_data{{"user_preferences", *prefs}, {"context", *context}};
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto started = co_await StartSession(**pool, ContextOf(request).tenant, *flow, *restart,
                                       std::move(form_data), std::move(*context), deps.session_ttl);
  if (!started) co_return started.error();
  if (started->created) CountSessionStarted(FunnelApi::kSession);
  const catalog::Flow& own = FlowOfSession(*snapshot, &started->session);
  const TextStyle style = StyleOf(own, FormData(started->session), request.english);
  const int current = IntMember(started->session, "current_step", 1);
  json::object extra{
      {"next_step", CurrentStepInfo(*snapshot, own, started->session, style.english)},
      {"ai_greeting",
       Greeting(snapshot->templates(), style, !started->created, current, own.total_steps())},
      {"resumed", !started->created}};
  Response response = SessionResponse(std::move(started->session), std::move(extra),
                                      started->created ? status::created : status::ok);
  response.With("x-step-number", std::to_string(current));
  co_return response;
}

Reply ActiveSessionRoute(Dependencies deps, Request request) {
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto snapshot = deps.catalog->Current();
  auto read = co_await ReadSession(**pool, ContextOf(request).tenant, "", false);
  if (!read) {
    if (read.error().code != core::ErrorCode::kNotFound) co_return read.error();
    co_return http::JsonResponse(
        json::object{{"success", true},
                     {"has_active_session", false},
                     {"message", Message(*snapshot, "no_active_session", request.english)}});
  }
  const catalog::Flow& flow = FlowOfSession(*snapshot, &read->session);
  const bool english = StyleOf(flow, FormData(read->session), request.english).english;
  json::value next = CurrentStepInfo(*snapshot, flow, read->session, english);
  co_return SessionResponse(std::move(read->session),
                            json::object{{"has_active_session", true}, {"next_step", next}});
}

// PUT /progress's body, decoded with LEGACY_API §2's names and defaults (and the camelCase
// or earlier spellings onboardd accepted before: step, data, time_spent).
struct ProgressRequest {
  std::string session_id;
  int step = 0;
  json::object step_data;
  bool completed = false;
  bool skipped = false;
  bool auto_advance = true;
  int time_spent_seconds = 0;
  std::string flow;  // a hint: the flow the client believes the session follows
};

core::Result<ProgressRequest> DecodeProgress(const json::object& body) {
  ProgressRequest out;
  const json::value* id = Member(body, "session_id", "sessionId");
  if (id == nullptr || !id->is_string() || !core::IsUuid(id->as_string())) {
    return FieldError("session_id", "Debe ser el identificador (uuid) de la sesión",
                      "Must be the session's id (a uuid)");
  }
  out.session_id = std::string(id->as_string());
  const json::value* number = Member(body, "step_number", "stepNumber");
  std::optional<int> step = StepNumber(number ? number : body.if_contains("step"));
  if (!step) {
    return FieldError("step_number", "Debe ser un número de paso entero",
                      "Must be a whole step number");
  }
  out.step = *step;
  const json::value* data = Member(body, "step_data", "stepData");
  if (data == nullptr) data = body.if_contains("data");
  if (data != nullptr && !data->is_null()) {
    if (!data->is_object()) {
      return FieldError("step_data", "Debe ser un objeto", "Must be an object");
    }
    out.step_data = data->as_object();
  }
  for (auto [snake, camel, target, fallback] :
       {std::tuple{"completed", "completed", &out.completed, false},
        std::tuple{"skipped", "skipped", &out.skipped, false},
        std::tuple{"auto_advance", "autoAdvance", &out.auto_advance, true}}) {
    auto flag = OptionalBool(body, snake, camel, fallback);
    if (!flag) return flag.error();
    *target = *flag;
  }
  const json::value* seconds = Member(body, "time_spent_seconds", "timeSpent");
  if (seconds == nullptr) seconds = body.if_contains("time_spent");
  if (seconds && seconds->is_int64()) {
    out.time_spent_seconds =
        static_cast<int>(std::clamp<std::int64_t>(seconds->as_int64(), 0, 86400));
  }
  if (const json::value* f = body.if_contains("flow"); f && f->is_string()) {
    out.flow = std::string(f->as_string());
  }
  return out;
}

// The write a progress request makes when its session follows `flow`: the data judged by
// that flow's step (session_logic CheckProgress). kValidation for a step outside the flow.
core::Result<ProgressWrite> Judge(const catalog::Flow& flow, const ProgressRequest& request,
                                  std::optional<int> if_match, ProgressCheck& check) {
  const catalog::StepDef* step = flow.FindStep(request.step);
  if (step == nullptr) {
    const std::string total = std::to_string(flow.total_steps());
    return FieldError("step_number", "El paso debe estar entre 1 y " + total,
                      "The step must be between 1 and " + total);
  }
  check = CheckProgress(*step, request.step_data, request.skipped);
  ProgressWrite write;
  write.session_id = request.session_id;
  write.flow_id = flow.id;
  write.if_match = if_match;
  write.step = request.step;
  write.step_id = step->id;
  write.data = check.data;
  write.completed = request.completed;
  write.skipped = request.skipped;
  write.valid = check.valid;
  write.errors = ValidationErrors(check.errors, false);
  write.done = CanAdvance({request.step, request.completed, request.skipped, check.valid});
  write.move = request.auto_advance;
  write.time_spent_seconds = request.time_spent_seconds;
  return write;
}

Reply SaveProgressRoute(Dependencies deps, Request request) {
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  auto if_match = http::IfMatchVersion(request.Header("If-Match"));
  if (!if_match) co_return if_match.error();
  auto progress = DecodeProgress(*body);
  if (!progress) co_return progress.error();
  auto snapshot = deps.catalog->Current();
  // The session follows the session API's flow unless the client says otherwise: judge the
  // data by it, and judge again only when the store says the session follows another flow.
  const catalog::Flow* flow = snapshot->FindFlow(progress->flow);
  if (flow == nullptr) flow = &snapshot->session_flow();
  ProgressCheck check;
  auto write = Judge(*flow, *progress, *if_match, check);
  if (!write) co_return write.error();
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  db::TenantContext context = ContextOf(request).tenant;
  std::string actual_flow;
  auto saved = co_await SaveProgress(**pool, context, *write, &actual_flow);
  if (!saved && !actual_flow.empty() && snapshot->FindFlow(actual_flow)) {
    flow = snapshot->FindFlow(actual_flow);
    write = Judge(*flow, *progress, *if_match, check);
    if (!write) co_return write.error();
    // The request met the pool's gate once: not refused on arrival a second time, after the
    // first write's wait (admission.hpp's Admission).
    context.admission = db::Admission::kAlreadyAdmitted;
    saved = co_await SaveProgress(**pool, context, *write, nullptr);
  }
  if (!saved) co_return saved.error();
  if (write->done) CountStepSaved(progress->step);

  const TextStyle style = StyleOf(*flow, FormData(saved->session), request.english);
  json::object extra{
      {"progress", std::move(saved->progress)},
      {"ai_feedback", StepFeedback(snapshot->templates(), *flow->FindStep(progress->step),
                                   check.data, check.valid, style.english)}};
  if (!check.valid) extra["validation_errors"] = ValidationErrors(check.errors, style.english);
  const int current = IntMember(saved->session, "current_step", progress->step);
  if (current != progress->step) {
    extra["next_step"] = CurrentStepInfo(*snapshot, *flow, saved->session, style.english);
  }
  Response response = SessionResponse(std::move(saved->session), std::move(extra));
  response.With("x-validation-status", check.valid ? "valid" : "invalid")
      .With("x-step-number", std::to_string(current));
  co_return response;
}

Reply ReadProgressRoute(Dependencies deps, Request request) {
  auto id = OptionalSessionIdQuery(request);
  if (!id) co_return id.error();
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto read = co_await ReadSession(**pool, ContextOf(request).tenant, *id, true);
  if (!read) co_return read.error();
  auto snapshot = deps.catalog->Current();
  const catalog::Flow& flow = FlowOfSession(*snapshot, &read->session);
  const bool english = StyleOf(flow, FormData(read->session), request.english).english;
  json::value info = CurrentStepInfo(*snapshot, flow, read->session, english);
  co_return SessionResponse(
      std::move(read->session),
      json::object{{"progress", std::move(read->progress)}, {"current_step_info", info}});
}

Reply GetSessionRoute(Dependencies deps, Request request) {
  auto id = SessionId(request.Param("id"));
  if (!id) co_return id.error();
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto read = co_await ReadSession(**pool, ContextOf(request).tenant, *id, true);
  if (!read) co_return read.error();
  auto snapshot = deps.catalog->Current();
  const catalog::Flow& flow = FlowOfSession(*snapshot, &read->session);
  json::object metrics = SessionMetrics(flow, read->progress);
  co_return SessionResponse(
      std::move(read->session),
      json::object{{"progress", std::move(read->progress)}, {"metrics", std::move(metrics)}});
}

Reply PatchSessionRoute(Dependencies deps, Request request) {
  auto id = SessionId(request.Param("id"));
  if (!id) co_return id.error();
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  auto if_match = http::IfMatchVersion(request.Header("If-Match"));
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
  for (auto [snake, camel, target] : {std::tuple{"form_data", "formData", &patch.form_data},
                                      std::tuple{"context", "context", &patch.context}}) {
    auto object = OptionalObject(*body, body->contains(snake) ? snake : camel, kMaxClientJsonBytes);
    if (!object) co_return object.error();
    *target = std::move(*object);
  }
  for (auto [snake, camel, target] :
       {std::tuple{"ai_suggestions", "aiSuggestions", &patch.ai_suggestions},
        std::tuple{"ai_analysis", "aiAnalysis", &patch.ai_analysis}}) {
    const json::value* v = Member(*body, snake, camel);
    if (v == nullptr || v->is_null()) continue;
    if ((!v->is_object() && !v->is_array()) || json::serialize(*v).size() > kMaxClientJsonBytes) {
      co_return FieldError(snake, "Debe ser un objeto o una lista de hasta 64 KB",
                           "Must be an object or a list of at most 64 KB");
    }
    *target = *v;
  }
  auto snapshot = deps.catalog->Current();
  if (!patch.current_step && !patch.form_data && !patch.ai_suggestions && !patch.ai_analysis &&
      !patch.context) {
    co_return core::MakeError(core::ErrorCode::kValidation,
                              {Message(*snapshot, "nothing_to_update", false),
                               Message(*snapshot, "nothing_to_update", true)});
  }
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto session =
      co_await PatchSession(**pool, ContextOf(request).tenant, *id, *if_match, std::move(patch));
  if (!session) co_return session.error();
  co_return SessionResponse(std::move(*session));
}

Reply DeleteSessionRoute(Dependencies deps, Request request) {
  auto id = SessionId(request.Param("id"));
  if (!id) co_return id.error();
  auto if_match = http::IfMatchVersion(request.Header("If-Match"));
  if (!if_match) co_return if_match.error();
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto session = co_await AbandonSession(**pool, ContextOf(request).tenant, *id, *if_match);
  if (!session) co_return session.error();
  auto snapshot = deps.catalog->Current();
  co_return SessionResponse(
      std::move(*session),
      json::object{{"message", Message(*snapshot, "session_abandoned", request.english)}});
}

Reply CompletionStateRoute(Dependencies deps, Request request) {
  std::string_view q = request.Query("session_id");
  if (q.empty()) {
    co_return FieldError("session_id", "Indica la sesión (session_id)",
                         "Name the session (session_id)");
  }
  auto id = SessionId(q);
  if (!id) co_return id.error();
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto read = co_await ReadSession(**pool, ContextOf(request).tenant, *id, false);
  if (!read) co_return read.error();
  auto snapshot = deps.catalog->Current();
  if (TextMember(read->session, "status") != "completed") {
    co_return core::MakeError(core::ErrorCode::kValidation,
                              {Message(*snapshot, "session_not_completed", false),
                               Message(*snapshot, "session_not_completed", true)});
  }
  const catalog::Flow& flow = FlowOfSession(*snapshot, &read->session);
  json::object extra = CompletionAnswer(*snapshot, flow, read->session, request.english);
  extra["completed_at"] = read->session.contains("completed_at") ? read->session.at("completed_at")
                                                                 : json::value(nullptr);
  co_return SessionResponse(std::move(read->session), std::move(extra));
}

}  // namespace

Reply CompleteSessionRoute(Dependencies deps, Request request, json::object body) {
  const json::value* sid = Member(body, "session_id", "sessionId");
  if (!sid->is_string() || !core::IsUuid(sid->as_string())) {
    co_return FieldError("session_id", "Debe ser el identificador (uuid) de la sesión",
                         "Must be the session's id (a uuid)");
  }
  const std::string id(sid->as_string());
  json::value final_data = nullptr;
  if (const json::value* d = Member(body, "final_data", "finalData")) {
    final_data = *d;
  } else if (const json::value* d2 = body.if_contains("data")) {
    final_data = *d2;
  }
  auto create = OptionalBool(body, "create_organization", "createOrganization", true);
  if (!create) co_return create.error();
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto snapshot = deps.catalog->Current();
  const db::TenantContext context = ContextOf(request).tenant;

  auto read = co_await ReadSession(**pool, context, id, false);
  if (!read) co_return read.error();
  const catalog::Flow& flow = FlowOfSession(*snapshot, &read->session);
  const std::string state = TextMember(read->session, "status");
  if (state == "completed") {  // a retry: answer as the first time did
    co_return CompletedResponse(*snapshot, flow, std::move(read->session),
                                std::move(read->organization), request.english);
  }
  if (state != "in_progress") {
    co_return core::MakeError(core::ErrorCode::kValidation,
                              {Message(*snapshot, "session_not_in_progress", false),
                               Message(*snapshot, "session_not_in_progress", true)});
  }
  const json::value* done = read->session.if_contains("completed_steps");
  const int missing =
      MissingSteps(flow, done && done->is_array() ? done->as_array() : json::array{});
  if (missing > 0) {
    const std::map<std::string, std::string, std::less<>> count{{"count", std::to_string(missing)}};
    co_return core::MakeError(
        core::ErrorCode::kValidation,
        {catalog::RenderTemplate(Message(*snapshot, "steps_missing", false), count),
         catalog::RenderTemplate(Message(*snapshot, "steps_missing", true), count)});
  }
  auto merged = MergeCompletion(flow, FormData(read->session), final_data);
  if (!merged) co_return merged.error();

  if (!*create) {
    auto session = co_await CompleteSessionOnly(**pool, context, id, merged->sections);
    if (!session) co_return session.error();
    CountCompleted(FunnelApi::kSession);
    co_return CompletedResponse(*snapshot, flow, std::move(*session), std::nullopt,
                                request.english);
  }
  const http::Principal& me = *request.principal;
  CompletionPlan plan;
  plan.flow = &flow;
  plan.profile = PlanProfile(*merged, me.name, me.email);
  json::object sections = merged->sections;
  plan.data = std::move(*merged);
  plan.email = me.email;
  plan.session_id = id;
  plan.session_ttl = deps.session_ttl;
  auto result = co_await Complete(**pool, context, std::move(plan));
  if (!result) co_return result.error();
  std::optional<json::object> organization;
  if (!result->organization_api.empty()) organization = std::move(result->organization_api);
  if (result->created && result->session) {
    CountCompleted(FunnelApi::kSession);
    co_return CompletedResponse(*snapshot, flow, std::move(*result->session),
                                std::move(organization), request.english);
  }
  // The caller was onboarded already (another session, or the wizard): this session
  // completes without a second organization; the answer names the existing one.
  auto session = co_await CompleteSessionOnly(**pool, context, id, std::move(sections));
  if (!session) co_return session.error();
  CountCompleted(FunnelApi::kSession);
  co_return CompletedResponse(*snapshot, flow, std::move(*session), std::move(organization),
                              request.english);
}

void RegisterSessionRoutes(http::Router& router, const Dependencies& deps) {
  const http::RouteOptions signed_in{.authenticated = true};
  const http::RouteOptions writes = WriteOptions(deps, signed_in);
  const http::RouteOptions large =
      WriteOptions(deps, {.max_body_bytes = 4u << 20, .authenticated = true});
  router.Add(verb::post, "/api/onboarding/start",
             WithIdempotency(deps.pools, "POST /api/onboarding/start", BindWrite<StartRoute>(deps)),
             writes);
  router.Add(verb::get, "/api/onboarding/start", Bind<ActiveSessionRoute>(deps), signed_in);
  router.Add(verb::put, "/api/onboarding/progress", BindWrite<SaveProgressRoute>(deps), large);
  router.Add(verb::get, "/api/onboarding/progress", Bind<ReadProgressRoute>(deps), signed_in);
  router.Add(verb::get, "/api/onboarding/session/{id}", Bind<GetSessionRoute>(deps), signed_in);
  router.Add(verb::patch, "/api/onboarding/session/{id}", BindWrite<PatchSessionRoute>(deps),
             writes);
  router.Add(verb::delete_, "/api/onboarding/session/{id}", BindWrite<DeleteSessionRoute>(deps),
             writes);
  router.Add(verb::get, "/api/onboarding/complete", Bind<CompletionStateRoute>(deps), signed_in);
}

}  // namespace onboardd::onboarding
