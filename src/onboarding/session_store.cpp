// The session API's SQL (see session_store.hpp). Writes are data-modifying CTEs: the progress
// row and the audit row hang off the updated session, so a write that matches nothing
// writes nothing, and a second statement (kSessionCheck) says why.
#include "onboarding/session_store.hpp"

#include "core/ids.hpp"
#include "onboarding/store_support.hpp"

namespace onboardd::onboarding {

namespace asio = boost::asio;
namespace json = boost::json;
using db::Param;
using db::Statement;
using namespace store;

namespace {

#define ONBOARDD_IN_PROGRESS_ID                                                   \
  "(select c.id from public.onboarding_sessions c where c.user_id = " ONBOARDD_ME \
  " and c.status = 'in_progress')"

constexpr Statement kAbandonInProgress{
    "ses_abandon_in_progress",
    "with u as (update public.onboarding_sessions set status = 'abandoned' where user_id "
    "= " ONBOARDD_ME
    " and status = 'in_progress' returning id, user_id) "
    "insert into public.audit_log (actor_id, action, entity_type, entity_id, details) "
    "select u.user_id, 'onboarding.session_abandoned', 'onboarding_session', u.id::text, "
    "'{\"reason\": \"restart\"}'::jsonb from u"};

// $1 id, $2 flow, $3 total steps, $4 context, $5 form data, $6 hours until it expires. A
// concurrent creator wins; this one then inserts (and audits) nothing.
constexpr Statement kStartSession{
    "ses_start",
    "with ins as (insert into public.onboarding_sessions (id, user_id, flow, total_steps, context, "
    "form_data, expires_at) values ($1::uuid, " ONBOARDD_ME
    ", $2, $3::int, $4::jsonb, $5::jsonb, now() + make_interval(hours => $6::int)) "
    "on conflict (user_id) where status = 'in_progress' do nothing returning id, user_id, flow) "
    "insert into public.audit_log (actor_id, action, entity_type, entity_id, details) "
    "select ins.user_id, 'onboarding.session_started', 'onboarding_session', ins.id::text, "
    "jsonb_build_object('flow', ins.flow) from ins"};

// $1 session id or NULL for the in-progress one, $2 with its progress rows. Also the
// organization it completed into, when the caller is a member of it.
constexpr Statement kReadSession{
    "ses_read",
    "select (" ONBOARDD_SESSION_SNAKE_JSON
    ")::text, case when $2::bool then coalesce((select jsonb_agg(" ONBOARDD_PROGRESS_JSON
    " order by p.step_number) from public.onboarding_progress p where p.session_id = s.id), "
    "'[]'::jsonb)::text end, "
    "(select " ONBOARDD_ORGANIZATION_API_JSON
    " from public.organizations o where o.id = s.organization_id)::text "
    "from public.onboarding_sessions s where s.user_id = " ONBOARDD_ME
    " and s.id = coalesce($1::uuid, " ONBOARDD_IN_PROGRESS_ID ")"};

// Why a conditional write matched nothing. $1 session id or NULL for the in-progress one.
constexpr Statement kSessionCheck{
    "ses_check",
    "select s.flow, s.version, s.status, s.expires_at <= now() from public.onboarding_sessions s "
    "where s.user_id = " ONBOARDD_ME " and s.id = coalesce($1::uuid, " ONBOARDD_IN_PROGRESS_ID ")"};

// $1 step id, $2 data, $3 step number, $4 session id, $5 flow, $6 If-Match or NULL, $7 done,
// $8 move, $9 completed (as stored), $10 skipped, $11 valid, $12 errors, $13 seconds spent.
constexpr Statement kSaveProgress{
    "ses_save_progress",
    "with u as (update public.onboarding_sessions s set "
    "form_data = s.form_data || jsonb_build_object($1::text, "
    "onboardd_private.keep_draft_images($1, s.form_data -> $1, $2::jsonb)), "
    "completed_steps = " ONBOARDD_DONE_AFTER("$3::int", "$7::bool") ", "
    "current_step = " ONBOARDD_STEP_AFTER("$3::int", "$7::bool", "$8::bool") ", "
    "completion_percentage = " ONBOARDD_PERCENTAGE_AFTER("$3::int", "$7::bool", "$8::bool")
    " where s.id = $4::uuid and s.user_id = " ONBOARDD_ME
    " and s.status = 'in_progress' and s.expires_at > now() and s.flow = $5 "
    "and ($6::int is null or s.version = $6::int) returning s.*), "
    "p as (insert into public.onboarding_progress (session_id, user_id, step_number, step_name, "
    "data, is_completed, is_skipped, is_valid, errors, completed_at, time_spent_seconds) "
    "select u.id, u.user_id, $3::int, $1, $2::jsonb, $9::bool, $10::bool, $11::bool, "
    "$12::jsonb, case when $7::bool then now() end, $13::int from u "
    "on conflict (session_id, step_number) do update set data = excluded.data, "
    "step_name = excluded.step_name, is_completed = excluded.is_completed, "
    "is_skipped = excluded.is_skipped, is_valid = excluded.is_valid, errors = excluded.errors, "
    "completed_at = excluded.completed_at, "
    "time_spent_seconds = onboarding_progress.time_spent_seconds + excluded.time_spent_seconds "
    "returning *), "
    "a as (insert into public.audit_log (actor_id, action, entity_type, entity_id, details) "
    "select u.user_id, 'onboarding.progress_saved', 'onboarding_session', u.id::text, "
    "jsonb_build_object('step', $3::int, 'valid', $11::bool) from u) "
    "select (select (" ONBOARDD_SESSION_SNAKE_JSON ")::text from u s), "
    "(select (" ONBOARDD_PROGRESS_JSON ")::text from p)"};

// $1 id, $2 If-Match version or NULL, $3 current step or NULL, $4 form data or NULL,
// $5 ai_suggestions or NULL, $6 ai_analysis or NULL, $7 context or NULL.
constexpr Statement kPatchSession{
    "ses_patch",
    "with u as (update public.onboarding_sessions s set current_step = case when $3::int is null "
    "then s.current_step else least(greatest($3::int, 1), s.total_steps) end, "
    "form_data = s.form_data || coalesce($4::jsonb, '{}'::jsonb), "
    "ai_suggestions = coalesce($5::jsonb, s.ai_suggestions), "
    "ai_analysis = coalesce($6::jsonb, s.ai_analysis), "
    "context = coalesce($7::jsonb, s.context) where s.id = $1::uuid and s.user_id = " ONBOARDD_ME
    " and s.status = 'in_progress' and ($2::int is null or s.version = $2::int) returning s.*), "
    "a as (insert into public.audit_log (actor_id, action, entity_type, entity_id) "
    "select u.user_id, 'onboarding.session_updated', 'onboarding_session', u.id::text from u) "
    "select (" ONBOARDD_SESSION_SNAKE_JSON ")::text from u s"};

// $1 id, $2 If-Match version or NULL.
constexpr Statement kAbandonSession{
    "ses_abandon",
    "with u as (update public.onboarding_sessions s set status = 'abandoned' where s.id = $1::uuid "
    "and s.user_id = " ONBOARDD_ME
    " and s.status <> 'completed' and ($2::int is null or "
    "s.version = $2::int) returning s.*), "
    "a as (insert into public.audit_log (actor_id, action, entity_type, entity_id) "
    "select u.user_id, 'onboarding.session_abandoned', 'onboarding_session', u.id::text from u) "
    "select (" ONBOARDD_SESSION_SNAKE_JSON ")::text from u s"};

// $1 id, $2 form data.
constexpr Statement kCompleteSessionOnly{
    "ses_complete_only",
    "with u as (update public.onboarding_sessions s set status = 'completed', "
    "form_data = s.form_data || $2::jsonb, "
    "completed_steps = array(select generate_series(1, s.total_steps)), "
    "current_step = s.total_steps, completion_percentage = 100 "
    "where s.id = $1::uuid and s.user_id = " ONBOARDD_ME
    " and s.status = 'in_progress' and s.expires_at > now() returning s.*), "
    "a as (insert into public.audit_log (actor_id, action, entity_type, entity_id, details) "
    "select u.user_id, 'onboarding.session_completed', 'onboarding_session', u.id::text, "
    "'{\"organization\": false}'::jsonb from u) "
    "select (" ONBOARDD_SESSION_SNAKE_JSON ")::text from u s"};

core::Error NotInProgress() {
  return core::MakeError(core::ErrorCode::kValidation,
                         {"La sesión no está en curso", "The session is not in progress"});
}

// Why a conditional session write matched nothing, from kSessionCheck's rows.
core::Error SessionWriteFailure(const db::Rows& check, std::optional<int> if_match) {
  if (check.empty()) return core::MakeError(core::ErrorCode::kNotFound);
  if (if_match && ToInt(check.Get(0, 1)) != *if_match) {
    return core::MakeError(core::ErrorCode::kPreconditionFailed);
  }
  return NotInProgress();
}

// The session a write returned, or why there is none.
core::Result<json::object> Written(const std::vector<db::Rows>& rows, std::size_t write,
                                   std::size_t check, std::optional<int> if_match) {
  if (auto session = ObjectAt(rows[write], 0, 0)) return std::move(*session);
  return SessionWriteFailure(rows[check], if_match);
}

}  // namespace

asio::awaitable<core::Result<StartedSession>> StartSession(
    db::Pool& pool, db::TenantContext context, const catalog::Flow& flow, bool restart,
    json::object form_data, json::object session_context, std::chrono::hours ttl) {
  const std::string id = core::NewUuid();
  db::TenantTransaction tx(Writing(std::move(context)));
  tx.Add(kExpireStale);
  if (restart) tx.Add(kAbandonInProgress);
  tx.Add(kStartSession,
         {Param(id), Param(flow.id), Param(std::to_string(flow.total_steps())),
          Json(session_context), Json(form_data), Param(std::to_string(ttl.count()))});
  std::size_t read = tx.Add(kReadSession, {Param(), Bool(false)});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  auto session = ObjectAt((*rows)[read], 0, 0);
  if (!session) co_return core::MakeError(core::ErrorCode::kInternal);
  const json::value* got = session->if_contains("id");
  const bool created = got && got->is_string() && got->as_string() == id;
  co_return StartedSession{std::move(*session), created};
}

asio::awaitable<core::Result<SessionRead>> ReadSession(db::Pool& pool, db::TenantContext context,
                                                       std::string id, bool with_progress) {
  db::TenantTransaction tx(Reading(std::move(context)));
  std::size_t read = tx.Add(kReadSession, {TextOrNull(id), Bool(with_progress)});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[read];
  auto session = ObjectAt(r, 0, 0);
  if (!session) co_return core::MakeError(core::ErrorCode::kNotFound);
  SessionRead out{std::move(*session), {}, ObjectAt(r, 0, 2)};
  if (with_progress && !r.IsNull(0, 1)) {
    json::value progress = json::parse(r.Get(0, 1));
    if (progress.is_array()) out.progress = std::move(progress.as_array());
  }
  co_return out;
}

asio::awaitable<core::Result<SavedProgress>> SaveProgress(db::Pool& pool, db::TenantContext context,
                                                          ProgressWrite w,
                                                          std::string* actual_flow) {
  db::TenantTransaction tx(Writing(std::move(context)));
  std::size_t write = tx.Add(
      kSaveProgress, {Param(w.step_id), Json(w.data), Param(std::to_string(w.step)),
                      Param(w.session_id), Param(w.flow_id), OptionalInt(w.if_match), Bool(w.done),
                      Bool(w.move), Bool(w.completed && w.valid), Bool(w.skipped), Bool(w.valid),
                      Json(w.errors), Param(std::to_string(std::max(0, w.time_spent_seconds)))});
  std::size_t check = tx.Add(kSessionCheck, {Param(w.session_id)});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[write];
  auto session = ObjectAt(r, 0, 0);
  auto progress = ObjectAt(r, 0, 1);
  if (session && progress) co_return SavedProgress{std::move(*session), std::move(*progress)};
  const db::Rows& c = (*rows)[check];
  if (!c.empty() && c.Get(0, 0) != w.flow_id && c.Get(0, 2) == "in_progress") {
    if (actual_flow) *actual_flow = std::string(c.Get(0, 0));
    co_return core::MakeError(core::ErrorCode::kConflict);
  }
  co_return SessionWriteFailure(c, w.if_match);
}

asio::awaitable<core::Result<json::object>> PatchSession(db::Pool& pool, db::TenantContext context,
                                                         std::string id,
                                                         std::optional<int> if_match,
                                                         SessionPatch patch) {
  const auto optional_json = [](const auto& v) { return v ? Json(*v) : Param(); };
  db::TenantTransaction tx(Writing(std::move(context)));
  std::size_t write =
      tx.Add(kPatchSession, {Param(id), OptionalInt(if_match), OptionalInt(patch.current_step),
                             optional_json(patch.form_data), optional_json(patch.ai_suggestions),
                             optional_json(patch.ai_analysis), optional_json(patch.context)});
  std::size_t check = tx.Add(kSessionCheck, {Param(id)});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  co_return Written(*rows, write, check, if_match);
}

asio::awaitable<core::Result<json::object>> AbandonSession(db::Pool& pool,
                                                           db::TenantContext context,
                                                           std::string id,
                                                           std::optional<int> if_match) {
  db::TenantTransaction tx(Writing(std::move(context)));
  std::size_t write = tx.Add(kAbandonSession, {Param(id), OptionalInt(if_match)});
  std::size_t check = tx.Add(kSessionCheck, {Param(id)});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  co_return Written(*rows, write, check, if_match);
}

asio::awaitable<core::Result<json::object>> CompleteSessionOnly(db::Pool& pool,
                                                                db::TenantContext context,
                                                                std::string id,
                                                                json::object form_data) {
  db::TenantTransaction tx(Writing(std::move(context)));
  std::size_t write = tx.Add(kCompleteSessionOnly, {Param(id), Json(form_data)});
  std::size_t check = tx.Add(kSessionCheck, {Param(id)});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  co_return Written(*rows, write, check, std::nullopt);
}

}  // namespace onboardd::onboarding
