// The AI routes' handlers (see ai_routes.hpp): decode, take quota, call, record, encode.
#include "ai/ai_routes.hpp"

#include <ctime>

#include <boost/json/serialize.hpp>

#include "ai/ai_answers.hpp"
#include "ai/ai_store.hpp"
#include "catalog/text.hpp"
#include "core/ids.hpp"
#include "http/error_response.hpp"
#include "observability/metrics.hpp"
#include "onboarding/step_validation.hpp"

namespace onboardd::ai {

namespace asio = boost::asio;
namespace json = boost::json;
using http::Request;
using http::Response;
using verb = http::beast_http::verb;
using Reply = asio::awaitable<core::Result<Response>>;

namespace {

constexpr std::size_t kMaxObjectBytes = 64 * 1024;  // step_data, partial_data
constexpr std::size_t kMaxContextBytes = 4096;

core::Error FieldError(std::string path, std::string es, std::string en) {
  return core::ValidationError({{std::move(path), {std::move(es), std::move(en)}}});
}

// The caller for SQL; X-Organization-Id is only a hint (ai_store keeps it when the caller is a
// member), so a malformed one is ignored rather than refused: AI never fails a request.
db::TenantContext ContextOf(const Request& request) {
  db::TenantContext context;
  context.user_id = request.principal ? request.principal->user_id : std::string();
  context.request_id = request.request_id;
  context.deadline = request.deadline;
  if (std::string_view org = request.Header("X-Organization-Id"); core::IsUuid(org)) {
    context.org_id = std::string(org);
  }
  return context;
}

core::Result<json::object> BodyObject(const Request& request) {
  auto body = http::ParseJsonBody(request);
  if (!body) return body.error();
  if (!body->is_object()) {
    return FieldError("body", "El cuerpo debe ser un objeto JSON",
                      "The body must be a JSON object");
  }
  return std::move(body->as_object());
}

const json::value* Member(const json::object& body, std::string_view snake,
                          std::string_view camel) {
  if (const json::value* v = body.if_contains(snake); v && !v->is_null()) return v;
  if (const json::value* v = body.if_contains(camel); v && !v->is_null()) return v;
  return nullptr;
}

// An optional (or required) text member of at most `most` code points, trimmed.
core::Result<std::string> TextMember(const json::object& body, std::string_view snake,
                                     std::string_view camel, std::size_t most,
                                     bool required = false) {
  const json::value* v = Member(body, snake, camel);
  const std::string path(snake);
  if (v == nullptr) {
    if (!required) return std::string();
    return FieldError(path, "Este campo es obligatorio", "This field is required");
  }
  if (!v->is_string()) return FieldError(path, "Debe ser un texto", "Must be a string");
  std::string_view text = v->as_string();
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  text = first == std::string_view::npos
             ? std::string_view()
             : text.substr(first, text.find_last_not_of(" \t\r\n") + 1 - first);
  if (required && text.empty()) {
    return FieldError(path, "Este campo es obligatorio", "This field is required");
  }
  if (catalog::CountCodePoints(text) > most || text.find('\0') != std::string_view::npos) {
    const std::string n = std::to_string(most);
    return FieldError(path, "Debe tener como máximo " + n + " caracteres",
                      "Must be at most " + n + " characters");
  }
  return std::string(text);
}

// An optional object member of at most kMaxObjectBytes serialized ({} when absent).
core::Result<json::object> ObjectMember(const json::object& body, std::string_view snake,
                                        std::string_view camel) {
  const json::value* v = Member(body, snake, camel);
  if (v == nullptr) return json::object{};
  if (!v->is_object() || json::serialize(*v).size() > kMaxObjectBytes) {
    return FieldError(std::string(snake), "Debe ser un objeto de hasta 64 KB",
                      "Must be an object of at most 64 KB");
  }
  return v->as_object();
}

// `context` / `additional_context`: a text or an object, kept as text.
core::Result<std::string> ContextMember(const json::object& body, std::string_view snake,
                                        std::string_view camel) {
  const json::value* v = Member(body, snake, camel);
  if (v == nullptr) return std::string();
  if (v->is_object()) {
    std::string text = json::serialize(*v);
    if (text.size() > kMaxContextBytes) {
      return FieldError(std::string(snake), "Debe ocupar como máximo 4 KB", "Must be at most 4 KB");
    }
    return text;
  }
  return TextMember(body, snake, camel, 2000);
}

// An optional session id in the body: a uuid, else 400.
core::Result<std::string> SessionMember(const json::object& body) {
  const json::value* v = Member(body, "session_id", "sessionId");
  if (v == nullptr) return std::string();
  if (!v->is_string() || !core::IsUuid(v->as_string())) {
    return FieldError("session_id", "Debe ser el identificador (uuid) de la sesión",
                      "Must be the session's id (a uuid)");
  }
  return std::string(v->as_string());
}

std::string IsoFromEpoch(std::int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// The caller's quota of `feature` (nullopt: the catalog sets none). Takes one call when
// `take`.
asio::awaitable<std::optional<Quota>> QuotaOf(const Dependencies& deps, const Request& request,
                                              const catalog::Snapshot& snapshot, Feature feature,
                                              bool take) {
  const catalog::RateLimit* limit = snapshot.FindRateLimit(RateLimitId(feature));
  if (limit == nullptr || !request.principal) co_return std::nullopt;
  const std::chrono::seconds window(limit->window_seconds);
  if (take) {
    co_return co_await deps.quotas->Take(request.worker, request.principal->user_id,
                                         std::string(limit->id), limit->limit, window);
  }
  co_return co_await deps.quotas->Peek(request.worker, request.principal->user_id,
                                       std::string(limit->id), limit->limit, window);
}

void WithQuota(Response& response, const std::optional<Quota>& quota) {
  if (!quota) return;
  response.With("X-RateLimit-Limit", std::to_string(quota->limit))
      .With("X-RateLimit-Remaining", std::to_string(quota->remaining))
      .With("X-RateLimit-Reset", std::to_string(quota->reset_epoch));
}

json::object RateLimitJson(const std::optional<Quota>& quota) {
  if (!quota) return json::object{{"requests_per_hour", nullptr}, {"remaining", nullptr}};
  return json::object{{"requests_per_hour", quota->limit},
                      {"remaining", quota->remaining},
                      {"current_usage", quota->limit - quota->remaining},
                      {"reset_time", IsoFromEpoch(quota->reset_epoch)}};
}

// 429 in the envelope, with the three headers.
Response Refused(const Request& request, Feature feature, const Quota& quota) {
  observability::Metrics()
      .GetCounter("onboardd_ai_quota_refusals_total", "AI requests refused by the per-user quota.",
                  {{"feature", std::string(FeatureName(feature))}})
      .Add();
  core::Error error = core::MakeError(core::ErrorCode::kRateLimited,
                                      {"Has alcanzado el límite de " + std::to_string(quota.limit) +
                                           " solicitudes por hora de esta función de IA",
                                       "You reached this AI feature's limit of " +
                                           std::to_string(quota.limit) + " requests per hour"});
  error.retry_after_seconds = std::max(1, quota.retry_after_seconds);
  Response response = http::ErrorResponse(error, request);
  WithQuota(response, quota);
  return response;
}

Response Answered(json::object body, const std::optional<Quota>& quota) {
  json::object out{{"success", true}};
  for (auto& [key, value] : body) out[key] = std::move(value);
  Response response = http::JsonResponse(out);
  response.With("Cache-Control", "no-store");
  WithQuota(response, quota);
  return response;
}

// Asks, records, and shapes: the common tail of the three POST routes. `shape` turns the
// served answer into the route's body and its suggestion rows.
template <class ShapeFn>
asio::awaitable<core::Result<json::object>> AskAndRecord(const Dependencies& deps,
                                                         const Request& request, db::Pool& pool,
                                                         Question question, bool ai_enabled,
                                                         std::string session_id, ShapeFn shape) {
  const Feature feature = question.feature();
  Served served =
      co_await deps.assistant->Ask(request.worker, question, ai_enabled, request.deadline);
  Shaped shaped = shape(served.value);
  InteractionRecord record;
  record.id = core::NewUuid();
  record.session_id = std::move(session_id);
  record.feature = feature;
  record.provider = served.provider;
  record.model = served.usage.model;
  record.prompt_version = served.usage.prompt_version;
  record.input_hash = served.input_hash;
  record.cached = served.cached;
  record.latency_ms = served.latency_ms;
  record.tokens_in = served.usage.tokens_in;
  record.tokens_out = served.usage.tokens_out;
  record.cost_usd = served.cost_usd;
  record.outcome = served.outcome;
  const std::string interaction = record.id;
  auto written = co_await RecordInteraction(pool, ContextOf(request), std::move(record),
                                            std::move(shaped.suggestions));
  if (!written) co_return written.error();
  shaped.body["ai"] =
      json::object{{"interaction_id", interaction},
                   {"provider", served.provider},
                   {"model", served.usage.model.empty() ? json::value(nullptr)
                                                        : json::value(served.usage.model)},
                   {"prompt_version", served.usage.prompt_version},
                   {"outcome", served.outcome},
                   {"cached", served.cached},
                   {"latency_ms", served.latency_ms}};
  co_return std::move(shaped.body);
}

NewId Uuids() {
  return [] { return core::NewUuid(); };
}

// --- handlers -------------------------------------------------------------------------------

Reply SuggestRoute(Dependencies deps, Request request) {
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  SuggestInput input;
  for (auto [snake, camel, most, required, target] :
       {std::tuple{"company_name", "companyName", 255, true, &input.company_name},
        std::tuple{"description", "description", 2000, false, &input.description},
        std::tuple{"website", "website", 2048, false, &input.website},
        std::tuple{"existing_industry", "existingIndustry", 100, false,
                   &input.existing_industry}}) {
    auto text = TextMember(*body, snake, camel, static_cast<std::size_t>(most), required);
    if (!text) co_return text.error();
    *target = std::move(*text);
  }
  auto context = ContextMember(*body, "additional_context", "additionalContext");
  if (!context) co_return context.error();
  input.additional_context = std::move(*context);

  auto snapshot = deps.catalog->Current();
  auto quota = co_await QuotaOf(deps, request, *snapshot, Feature::kSuggest, true);
  if (quota && !quota->allowed) co_return Refused(request, Feature::kSuggest, *quota);
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto ai = co_await ReadAiContext(**pool, ContextOf(request), "");
  if (!ai) co_return ai.error();
  Question question{snapshot, request.english, ai->preferences.level, std::move(input)};
  auto answer =
      co_await AskAndRecord(deps, request, **pool, std::move(question), ai->preferences.enabled, "",
                            [&](const AnswerValue& value) {
                              return SuggestAnswer(*snapshot, std::get<IndustryAnalysis>(value),
                                                   request.english, Uuids());
                            });
  if (!answer) co_return answer.error();
  co_return Answered(std::move(*answer), quota);
}

Reply SuggestStatusRoute(Dependencies deps, Request request) {
  auto snapshot = deps.catalog->Current();
  auto quota = co_await QuotaOf(deps, request, *snapshot, Feature::kSuggest, false);
  const bool database = static_cast<bool>(deps.pools->For(request.worker));
  const Assistant& assistant = *deps.assistant;
  std::string gateway = "rules";
  if (assistant.uses_model()) {
    gateway =
        assistant.breaker_state() == CircuitBreaker::State::kClosed ? "operational" : "degraded";
  }
  json::object limits = RateLimitJson(quota);
  json::object body{
      {"status", database ? "operational" : "degraded"},
      {"timestamp", core::NowIso8601()},
      {"provider", assistant.provider_name()},
      {"model", assistant.model().empty() ? json::value(nullptr) : json::value(assistant.model())},
      {"breaker", CircuitBreaker::ToString(assistant.breaker_state())},
      {"services", json::object{{"ai_gateway", gateway},
                                {"database", database ? "operational" : "unavailable"},
                                {"rate_limiting", "operational"}}},
      {"limits", std::move(limits)}};
  co_return Answered(std::move(body), quota);
}

Reply ValidateRoute(Dependencies deps, Request request) {
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  auto step_name = TextMember(*body, "step_name", "stepName", 64, true);
  if (!step_name) co_return step_name.error();
  auto session_id = SessionMember(*body);
  if (!session_id) co_return session_id.error();
  auto step_data = ObjectMember(*body, "step_data", "stepData");
  if (!step_data) co_return step_data.error();
  auto context = ContextMember(*body, "context", "context");
  if (!context) co_return context.error();

  auto snapshot = deps.catalog->Current();
  auto quota = co_await QuotaOf(deps, request, *snapshot, Feature::kValidate, true);
  if (quota && !quota->allowed) co_return Refused(request, Feature::kValidate, *quota);
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto ai = co_await ReadAiContext(**pool, ContextOf(request), *session_id);
  if (!ai) co_return ai.error();
  const catalog::Flow* flow = snapshot->FindFlow(ai->session_flow);
  if (flow == nullptr) flow = &snapshot->session_flow();
  const catalog::StepDef* step = flow->FindStep(std::string_view(*step_name));
  if (step == nullptr) {
    std::string steps;
    for (const auto& s : flow->steps) steps += (steps.empty() ? "" : ", ") + s.id;
    co_return FieldError("step_name", "Debe ser un paso del flujo de la sesión: " + steps,
                         "Must be a step of the session's flow: " + steps);
  }
  const bool empty = step_data->empty();
  const bool valid = !empty && onboarding::ValidateStep(*flow, step->id, json::value(*step_data));
  ValidateInput input{flow, step, *step_data, std::move(*context)};
  Question question{snapshot, request.english, ai->preferences.level, std::move(input)};
  auto answer = co_await AskAndRecord(
      deps, request, **pool, std::move(question), ai->preferences.enabled, *session_id,
      [&](const AnswerValue& value) {
        return ValidateAnswer(*snapshot, std::get<StepReview>(value), step->id, empty, valid,
                              request.english, Uuids());
      });
  if (!answer) co_return answer.error();
  (*answer)["step_name"] = step->id;
  (*answer)["session_id"] = session_id->empty() ? json::value(nullptr) : json::value(*session_id);
  co_return Answered(std::move(*answer), quota);
}

Reply ValidateInfoRoute(Dependencies deps, Request request) {
  auto snapshot = deps.catalog->Current();
  const std::string_view step_name = request.Query("step");
  const catalog::StepDef* step = nullptr;
  if (!step_name.empty()) {
    step = snapshot->session_flow().FindStep(step_name);
    for (const catalog::Flow& flow : snapshot->flows()) {
      if (step == nullptr) step = flow.FindStep(step_name);
    }
    if (step == nullptr) {
      co_return FieldError("step", "Paso desconocido", "Unknown step");
    }
  }
  json::array validations{"required_fields", "field_formats", "allowed_values"};
  const auto has = [&](auto predicate) {
    if (step == nullptr) return true;
    return std::any_of(step->fields.begin(), step->fields.end(), predicate);
  };
  if (has([](const catalog::FieldDef& f) { return f.type == catalog::FieldType::kString; })) {
    validations.emplace_back("whitespace");
  }
  if (has([](const catalog::FieldDef& f) { return f.type == catalog::FieldType::kUrl; })) {
    validations.emplace_back("website_scheme");
  }
  if (has([](const catalog::FieldDef& f) { return f.canonical == "company.employeeCount"; })) {
    validations.emplace_back("size_consistency");
  }
  auto quota = co_await QuotaOf(deps, request, *snapshot, Feature::kValidate, false);
  const int estimate = deps.assistant->uses_model() ? 1500 : 5;
  json::object body{{"step_name", step ? json::value(step->id) : json::value(nullptr)},
                    {"available_validations", std::move(validations)},
                    {"rate_limit", RateLimitJson(quota)},
                    {"response_time_estimate", std::to_string(estimate) + "ms"},
                    {"provider", deps.assistant->provider_name()}};
  co_return Answered(std::move(body), quota);
}

Reply CompleteRoute(Dependencies deps, Request request) {
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  auto session_id = SessionMember(*body);
  if (!session_id) co_return session_id.error();
  auto partial = ObjectMember(*body, "partial_data", "partialData");
  if (!partial) co_return partial.error();
  CompleteInput input;
  input.partial_data = std::move(*partial);
  if (const json::value* type = Member(*body, "completion_type", "completionType")) {
    auto parsed = type->is_string() ? ParseCompletionType(type->as_string()) : std::nullopt;
    if (!parsed) {
      co_return FieldError("completion_type", "Debe ser smart_fill, suggestions o full_analysis",
                           "Must be smart_fill, suggestions or full_analysis");
    }
    input.type = *parsed;
  }
  if (const json::value* fields = Member(*body, "fields_to_complete", "fieldsToComplete")) {
    if (!fields->is_array() || fields->as_array().size() > 32) {
      co_return FieldError("fields_to_complete", "Debe ser una lista de campos",
                           "Must be a list of fields");
    }
    for (std::size_t i = 0; i < fields->as_array().size(); ++i) {
      const json::value& f = fields->as_array()[i];
      if (!f.is_string() || !IsSupportedField(f.as_string())) {
        co_return FieldError("fields_to_complete[" + std::to_string(i) + "]", "Campo no admitido",
                             "Unsupported field");
      }
      if (std::find(input.fields.begin(), input.fields.end(), f.as_string()) ==
          input.fields.end()) {
        input.fields.emplace_back(f.as_string());
      }
    }
  }
  auto snapshot = deps.catalog->Current();
  auto quota = co_await QuotaOf(deps, request, *snapshot, Feature::kComplete, true);
  if (quota && !quota->allowed) co_return Refused(request, Feature::kComplete, *quota);
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto ai = co_await ReadAiContext(**pool, ContextOf(request), *session_id);
  if (!ai) co_return ai.error();
  const CompletionType type = input.type;
  Question question{snapshot, request.english, ai->preferences.level, std::move(input)};
  auto answer = co_await AskAndRecord(
      deps, request, **pool, std::move(question), ai->preferences.enabled, *session_id,
      [&](const AnswerValue& value) {
        return CompleteAnswer(std::get<CompletionAnswer>(value), type, Uuids());
      });
  if (!answer) co_return answer.error();
  (*answer)["session_id"] = session_id->empty() ? json::value(nullptr) : json::value(*session_id);
  (*answer)["completion_type"] = ToString(type);
  (*answer)["timestamp"] = core::NowIso8601();
  co_return Answered(std::move(*answer), quota);
}

Reply CompleteInfoRoute(Dependencies deps, Request request) {
  auto snapshot = deps.catalog->Current();
  auto quota = co_await QuotaOf(deps, request, *snapshot, Feature::kComplete, false);
  json::array fields;
  for (std::string_view f : kSupportedFields) fields.emplace_back(f);
  json::object body{
      {"capabilities",
       json::object{{"completion_types", json::array{"smart_fill", "suggestions", "full_analysis"}},
                    {"provider", deps.assistant->provider_name()},
                    {"suggestion_decisions", json::array{"accepted", "declined", "modified"}}}},
      {"rate_limit", RateLimitJson(quota)},
      {"supported_fields", std::move(fields)}};
  co_return Answered(std::move(body), quota);
}

Reply DecisionRoute(Dependencies deps, Request request) {
  const std::string_view id = request.Param("id");
  if (!core::IsUuid(id)) co_return core::MakeError(core::ErrorCode::kNotFound);
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  const json::value* decision = body->if_contains("decision");
  if (decision == nullptr || !decision->is_string() ||
      (decision->as_string() != "accepted" && decision->as_string() != "declined" &&
       decision->as_string() != "modified")) {
    co_return FieldError("decision", "Debe ser accepted, declined o modified",
                         "Must be accepted, declined or modified");
  }
  std::optional<json::value> value;
  if (decision->as_string() == "modified") {
    const json::value* v = body->if_contains("value");
    if (v == nullptr || v->is_null()) {
      co_return FieldError("value", "Una decisión modified necesita el valor elegido",
                           "A modified decision needs the chosen value");
    }
    if (json::serialize(*v).size() > 16 * 1024) {
      co_return FieldError("value", "Debe ocupar como máximo 16 KB", "Must be at most 16 KB");
    }
    value = *v;
  }
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto decided = co_await DecideSuggestion(**pool, ContextOf(request), std::string(id),
                                           std::string(decision->as_string()), std::move(value));
  if (!decided) co_return decided.error();
  co_return Answered(json::object{{"suggestion", std::move(*decided)}}, std::nullopt);
}

json::object PreferencesJson(const Preferences& p) {
  return {{"enabled", p.enabled}, {"assistance_level", ToString(p.level)}};
}

Reply ReadPreferencesRoute(Dependencies deps, Request request) {
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto prefs = co_await ReadPreferences(**pool, ContextOf(request));
  if (!prefs) co_return prefs.error();
  co_return Answered(PreferencesJson(*prefs), std::nullopt);
}

Reply SavePreferencesRoute(Dependencies deps, Request request) {
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  std::optional<bool> enabled;
  std::optional<AssistanceLevel> level;
  if (const json::value* v = Member(*body, "enabled", "enabled")) {
    if (!v->is_bool())
      co_return FieldError("enabled", "Debe ser verdadero o falso", "Must be true or false");
    enabled = v->as_bool();
  }
  if (const json::value* v = Member(*body, "assistance_level", "assistanceLevel")) {
    level = v->is_string() ? ParseAssistanceLevel(v->as_string()) : std::nullopt;
    if (!level) {
      co_return FieldError("assistance_level", "Debe ser minimal, moderate o extensive",
                           "Must be minimal, moderate or extensive");
    }
  }
  if (!enabled && !level) {
    co_return FieldError("enabled", "Indica enabled o assistance_level",
                         "Give enabled or assistance_level");
  }
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto saved = co_await SavePreferences(**pool, ContextOf(request), enabled, level);
  if (!saved) co_return saved.error();
  co_return Answered(PreferencesJson(*saved), std::nullopt);
}

template <Reply (*Handler)(Dependencies, Request)>
http::Handler Bind(const Dependencies& deps) {
  return [deps](Request request) { return Handler(deps, std::move(request)); };
}

}  // namespace

void RegisterAiRoutes(http::Router& router, const Dependencies& deps) {
  const http::RouteOptions signed_in{.authenticated = true};
  const http::RouteOptions large{.max_body_bytes = 256 * 1024, .authenticated = true};
  router.Add(verb::post, "/api/onboarding/ai/suggest", Bind<SuggestRoute>(deps), signed_in);
  router.Add(verb::get, "/api/onboarding/ai/suggest", Bind<SuggestStatusRoute>(deps), signed_in);
  router.Add(verb::post, "/api/onboarding/ai/validate", Bind<ValidateRoute>(deps), large);
  router.Add(verb::get, "/api/onboarding/ai/validate", Bind<ValidateInfoRoute>(deps), signed_in);
  router.Add(verb::post, "/api/onboarding/ai/complete", Bind<CompleteRoute>(deps), large);
  router.Add(verb::get, "/api/onboarding/ai/complete", Bind<CompleteInfoRoute>(deps), signed_in);
  router.Add(verb::post, "/api/ai/suggestions/{id}/decision", Bind<DecisionRoute>(deps), signed_in);
  router.Add(verb::get, "/api/ai/preferences", Bind<ReadPreferencesRoute>(deps), signed_in);
  router.Add(verb::put, "/api/ai/preferences", Bind<SavePreferencesRoute>(deps), signed_in);
}

}  // namespace onboardd::ai
