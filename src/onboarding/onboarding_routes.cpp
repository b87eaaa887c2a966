// The wizard's routes: decode, call the logic and the store, encode. Decisions live in
// onboarding_logic.hpp / step_validation.hpp; SQL lives in onboarding_store.cpp.
#include "onboarding/onboarding_routes.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <ctime>

#include "catalog/text.hpp"
#include "core/clock.hpp"
#include "http/etag.hpp"
#include "onboarding/funnel_metrics.hpp"
#include "onboarding/idempotency.hpp"
#include "onboarding/onboarding_logic.hpp"
#include "onboarding/onboarding_store.hpp"
#include "onboarding/session_routes.hpp"
#include "onboarding/step_validation.hpp"

namespace onboardd::onboarding {

namespace json = boost::json;
using http::Request;
using http::Response;
using verb = http::beast_http::verb;

namespace {

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

Response AlreadyExists(json::object profile, json::object organization) {
  json::object out{
      {"success", true}, {"message", "Profile already exists"}, {"profile", std::move(profile)}};
  if (!organization.empty()) out["organization"] = std::move(organization);
  return http::JsonResponse(out);
}

// LEGACY_API §4's size rule, for an organization created without a size: ≤ 10 employees
// startup, ≤ 50 pyme, ≤ 250 empresa, else corporacion.
std::string SizeForEmployees(std::int64_t employees) {
  if (employees <= 10) return "startup";
  if (employees <= 50) return "pyme";
  if (employees <= 250) return "empresa";
  return "corporacion";
}

int CurrentYear() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  return utc.tm_year + 1900;
}

// --- handlers -------------------------------------------------------------------------------

Reply SaveStepRoute(Dependencies deps, Request request) {
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  std::optional<int> number = StepNumber(body->if_contains("step"));
  if (!number) {
    co_return FieldError("step", "Debe ser un número de paso entero",
                         "Must be a whole step number");
  }
  auto snapshot = deps.catalog->Current();
  const catalog::Flow& flow = snapshot->default_flow();
  static const json::value kNull;
  const json::value* data = body->if_contains("data");
  auto validated = ValidateStep(flow, *number, data ? *data : kNull);
  if (!validated) co_return validated.error();
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  json::object saved_data = validated->data;
  const std::string step_id = validated->step_id;
  auto saved = co_await SaveStep(**pool, ContextOf(request).tenant, flow, std::move(*validated),
                                 deps.session_ttl);
  if (!saved) co_return saved.error();
  if (saved->session_created) CountSessionStarted(FunnelApi::kWizard);
  CountStepSaved(*number);
  json::object out{{"success", true},
                   {"message", "Step " + std::to_string(*number) + " saved successfully"},
                   {"step", *number},
                   {"data", std::move(saved_data)}};
  Response response = http::JsonResponse(out);
  response.With("ETag", http::VersionEtag(saved->version));
  if (!request.Header("Idempotency-Key").empty()) {
    // Remembered for replays without the image bytes the draft already holds.
    out["data"] = WithoutInlineImages(out["data"].as_object(), step_id);
    response.replay_body = json::serialize(out);
  }
  co_return response;
}

Reply StatusRoute(Dependencies deps, Request request) {
  auto body = co_await ReadCallerStatus(std::move(deps), std::move(request));
  if (!body) co_return body.error();
  Response response;
  response.body = std::move(*body);
  response.With("Cache-Control", "no-store");
  co_return response;
}

Reply CompleteRoute(Dependencies deps, Request request) {
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  if (const json::value* sid = Member(*body, "session_id", "sessionId"); sid && !sid->is_null()) {
    co_return co_await CompleteSessionRoute(deps, std::move(request), std::move(*body));
  }
  // Completing without creating the organization is the session form's (it names the session
  // that completes); the wizard's form always creates one, so `false` is refused, not ignored.
  if (const json::value* create = Member(*body, "create_organization", "createOrganization");
      create && !create->is_null() && !(create->is_bool() && create->as_bool())) {
    co_return FieldError("create_organization",
                         "Solo con session_id: sin él, completar crea la organización",
                         "Only with a session_id: without one, completing creates the "
                         "organization");
  }
  json::value data = nullptr;
  if (const json::value* d = body->if_contains("data")) data = *d;
  auto snapshot = deps.catalog->Current();
  const catalog::Flow& flow = snapshot->default_flow();
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  db::TenantContext context = ContextOf(request).tenant;

  // The wizard sends its whole form at the end: then the body alone is the completion and
  // the draft is not read (one round trip). Otherwise the draft fills what is missing (or,
  // when the body alone is invalid, may turn out to belong to an onboarded user).
  core::Result<CompletionData> merged = core::MakeError(core::ErrorCode::kValidation);
  if (HasEveryField(flow, data)) merged = MergeCompletion(flow, json::object{}, data);
  if (!merged) {
    auto draft = co_await ReadDraft(**pool, context);
    if (!draft) co_return draft.error();
    if (draft->profile) {
      co_return AlreadyExists(std::move(*draft->profile), draft->organization
                                                              ? std::move(*draft->organization)
                                                              : json::object{});
    }
    merged = MergeCompletion(flow, draft->form_data, data);
    if (!merged) co_return merged.error();
    // The request met the pool's gate once (the draft's read): refused on arrival now, its
    // 503 would come after that read's wait (admission.hpp's Admission).
    context.admission = db::Admission::kAlreadyAdmitted;
  }
  const http::Principal& me = *request.principal;
  CompletionPlan plan;
  plan.flow = &flow;
  plan.profile = PlanProfile(*merged, me.name, me.email);
  plan.data = std::move(*merged);
  plan.email = me.email;
  plan.session_ttl = deps.session_ttl;
  auto result = co_await Complete(**pool, context, std::move(plan));
  if (!result) co_return result.error();
  if (!result->created) {
    co_return AlreadyExists(std::move(result->profile), std::move(result->organization));
  }
  CountCompleted(FunnelApi::kWizard);
  json::value company_id = result->organization.at("id");
  json::object out{{"success", true},
                   {"message", "Onboarding completed successfully"},
                   {"profile", std::move(result->profile)},
                   {"company_id", std::move(company_id)},
                   {"organization", std::move(result->organization)}};
  co_return http::JsonResponse(out);
}

Reply CreateOrganizationRoute(Dependencies deps, Request request) {
  auto body = BodyObject(request);
  if (!body) co_return body.error();
  auto snapshot = deps.catalog->Current();
  const catalog::Flow& form = snapshot->organization_form();
  const std::string& step_id = form.steps.front().id;
  auto read = MergeCompletion(form, json::object{}, json::object{{step_id, *body}});
  if (!read) co_return read.error();
  NewOrganization organization{std::move(read->company),
                               std::move(read->organization),
                               std::move(read->extras),
                               std::move(read->welcome.job_title),
                               {}};
  organization.department = organization.organization.department;
  organization.settings.erase("membership.role");  // always owner: the policies allow no other
  const json::value* founded = organization.settings.if_contains("company.foundedYear");
  if (founded && founded->is_int64() && founded->as_int64() > CurrentYear()) {
    co_return FieldError(step_id + ".founded_year", "No puede ser un año futuro",
                         "Cannot be a future year");
  }
  if (organization.company.size.empty()) {
    const json::value* employees = organization.settings.if_contains("company.employeeCount");
    if (employees == nullptr || !employees->is_int64()) {
      co_return FieldError(step_id + ".size", "Indica el tamaño o el número de empleados",
                           "Give the size or the number of employees");
    }
    organization.company.size = SizeForEmployees(employees->as_int64());
  }
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto created =
      co_await CreateOrganization(**pool, ContextOf(request).tenant, std::move(organization));
  if (!created) co_return created.error();
  json::value industry = nullptr;
  if (const json::value* id = created->organization.if_contains("industry_id");
      id && id->is_string()) {
    if (const catalog::Industry* known = snapshot->FindIndustry(id->as_string())) {
      industry = json::object{{"id", known->id},
                              {"name", known->name.In(request.english)},
                              {"description", known->description.In(request.english)},
                              {"category", known->category}};
    }
  }
  created->organization["industry"] = std::move(industry);
  std::string org_id(created->organization.at("id").as_string());
  json::object out{{"success", true},
                   {"organization", std::move(created->organization)},
                   {"membership", std::move(created->membership)},
                   {"message", Message(*snapshot, "organization_created_legacy", request.english)}};
  Response response = http::JsonResponse(out, http::beast_http::status::created);
  response.With("x-organization-id", std::move(org_id));
  co_return response;
}

Reply ListOrganizationsRoute(Dependencies deps, Request request) {
  const CallerContext caller = ContextOf(request);
  if (caller.org_header_invalid) co_return core::MakeError(core::ErrorCode::kNotFound);
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto list = co_await ListOrganizations(**pool, caller.tenant);
  if (!list) co_return list.error();
  if (list->active_org_denied) co_return core::MakeError(core::ErrorCode::kNotFound);
  const std::size_t total = list->organizations.size();
  Response response = http::JsonResponse(
      json::object{{"organizations", std::move(list->organizations)}, {"total", total}});
  // LEGACY_API §3: private, five minutes. `Vary` because the answer depends on the caller.
  response.With("Cache-Control", "private, max-age=300")
      .With("Vary", "Authorization, Cookie, X-Organization-Id");
  co_return response;
}

// A path segment naming a step or a field: the catalog's identifier shape, else nothing.
bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 64 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The inline image a draft holds, which GET /status names by this route's path instead of
// carrying its bytes (migration 0013). Revalidated by ETag (the MD5 of the data URL).
Reply DraftImageRoute(Dependencies deps, Request request) {
  const std::string step(request.Param("step")), field(request.Param("field"));
  if (!IsIdentifier(step) || !IsIdentifier(field)) {
    co_return core::MakeError(core::ErrorCode::kNotFound);
  }
  std::string known(request.Header("If-None-Match"));
  if (known.size() == 34 && known.front() == '"' && known.back() == '"') {
    known = known.substr(1, 32);
  } else {
    known.clear();
  }
  auto pool = deps.pools->For(request.worker);
  if (!pool) co_return pool.error();
  auto image = co_await ReadDraftImage(**pool, ContextOf(request).tenant, step, field, known);
  if (!image) co_return image.error();
  Response response;
  response.With("ETag", "\"" + image->md5 + "\"")
      .With("Cache-Control", "private, no-cache")
      .With("X-Content-Type-Options", "nosniff");
  if (image->data_url.empty()) {
    response.status = http::beast_http::status::not_modified;
    co_return response;
  }
  // Saved only after validation (png, jpeg or webp, strict base64): decode what is there.
  const std::string_view url = image->data_url;
  const std::size_t comma = url.find(',');
  const std::size_t semicolon = url.find(';');
  std::optional<std::string> bytes =
      comma == std::string_view::npos ? std::nullopt : DecodeBase64(url.substr(comma + 1));
  if (!bytes || semicolon == std::string_view::npos || semicolon < 5) {
    co_return core::MakeError(core::ErrorCode::kNotFound);
  }
  std::string type = catalog::FoldForSearch(url.substr(5, semicolon - 5));
  if (type != "image/png" && type != "image/jpeg" && type != "image/webp") {
    co_return core::MakeError(core::ErrorCode::kNotFound);
  }
  response.content_type = std::move(type);
  response.body = std::move(*bytes);
  co_return response;
}

Reply IndustriesRoute(Dependencies deps, Request request) {
  auto snapshot = deps.catalog->Current();
  catalog::JsonBody body =
      snapshot->IndustriesBody(request.Query("q"), request.Query("category"), request.english);
  co_return http::CacheableResponse(request, *body.body, body.etag, "public, max-age=3600", true);
}

Reply ConfigRoute(Dependencies deps, Request request) {
  auto snapshot = deps.catalog->Current();
  const catalog::JsonBody& body = snapshot->ConfigBody();
  co_return http::CacheableResponse(request, *body.body, body.etag, "public, max-age=3600", false);
}

}  // namespace

boost::asio::awaitable<core::Result<std::string>> ReadCallerStatus(Dependencies deps,
                                                                   Request request) {
  const auto started = core::SteadyClock::now();
  const CallerContext caller = ContextOf(request);
  if (caller.org_header_invalid) co_return core::MakeError(core::ErrorCode::kNotFound);
  StatusRows rows;
  StatusMetadata metadata;
  if (deps.status_cache && caller.tenant.org_id.empty()) {
    auto read = co_await deps.status_cache->Get(request.worker, deps.pools, caller.tenant);
    if (!read) co_return read.error();
    rows = std::move(read->rows);
    metadata.from_cache = read->from_cache;
  } else {
    // X-Organization-Id names an organization whose membership only SQL can check.
    auto pool = deps.pools->For(request.worker);
    if (!pool) co_return pool.error();
    core::Result<StatusRead> read = core::MakeError(core::ErrorCode::kInternal);
    if (deps.replica_reads) {  // (no co_await inside ?: — GCC 12 miscompiles it)
      read = co_await deps.replica_reads->ReadStatus(request.worker, **pool, caller.tenant);
    } else {
      read = co_await ReadStatus(**pool, caller.tenant);
    }
    if (!read) co_return read.error();
    if (read->active_org_denied) co_return core::MakeError(core::ErrorCode::kNotFound);
    rows = {std::move(read->session), read->in_progress_until_ms, read->has_profile,
            std::move(read->organization)};
  }
  metadata.last_checked = core::NowIso8601();
  metadata.check_duration_ms =
      std::chrono::duration<double, std::milli>(core::SteadyClock::now() - started).count();
  auto body = RenderStatusRows(rows, *deps.catalog->Current(), request.english, metadata);
  if (!body && metadata.from_cache) {
    // Only a damaged cache entry gets here: drop it and answer from the database.
    co_await deps.status_cache->Invalidate(request.worker, caller.tenant.user_id);
    auto pool = deps.pools->For(request.worker);
    if (!pool) co_return pool.error();
    auto read = co_await ReadStatus(**pool, caller.tenant);
    if (!read) co_return read.error();
    rows = {std::move(read->session), read->in_progress_until_ms, read->has_profile,
            std::move(read->organization)};
    metadata.from_cache = false;
    body = RenderStatusRows(rows, *deps.catalog->Current(), request.english, metadata);
  }
  co_return body;
}

void RegisterRoutes(http::Router& router, const Dependencies& deps) {
  const http::RouteOptions wizard =
      WriteOptions(deps, {.max_body_bytes = kWizardMaxBodyBytes, .authenticated = true});
  const http::RouteOptions signed_in{.authenticated = true};
  const auto idempotent = [&](std::string route, http::Handler handler) {
    return WithIdempotency(deps.pools, std::move(route), std::move(handler));
  };

  router.Add(verb::post, "/api/onboarding/step",
             idempotent("POST /api/onboarding/step", BindWrite<SaveStepRoute>(deps)), wizard);
  router.Add(verb::get, "/api/onboarding/status", Bind<StatusRoute>(deps), signed_in);
  router.Add(verb::get, "/api/onboarding/draft/image/{step}/{field}", Bind<DraftImageRoute>(deps),
             signed_in);
  router.Add(verb::post, "/api/onboarding/complete",
             idempotent("POST /api/onboarding/complete", BindWrite<CompleteRoute>(deps)), wizard);
  router.Add(
      verb::post, "/api/onboarding/organization",
      idempotent("POST /api/onboarding/organization", BindWrite<CreateOrganizationRoute>(deps)),
      wizard);
  router.Add(verb::get, "/api/onboarding/organization", Bind<ListOrganizationsRoute>(deps),
             signed_in);
  router.Add(verb::get, "/api/onboarding/industries", Bind<IndustriesRoute>(deps));
  router.Add(verb::get, "/api/onboarding/config", Bind<ConfigRoute>(deps));
}

}  // namespace onboardd::onboarding
