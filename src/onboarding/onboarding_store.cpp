// The onboarding SQL. Each public function queues its statements on one TenantTransaction
// (one pipeline, one round trip). Statements that depend on an earlier one in the same
// pipeline refer to it by ids generated here (core::NewUuid), never by reading results back.
// How to write through the policies: sql/README.md.
#include "onboarding/onboarding_store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/ids.hpp"
#include "db/error_mapping.hpp"
#include "onboarding/onboarding_logic.hpp"

namespace onboardd::onboarding {

namespace asio = boost::asio;
namespace json = boost::json;
using db::Param;
using db::Statement;

namespace {

// JSON shapes of the rows the API returns, built by PostgreSQL.
#define ONBOARDD_SESSION_JSON                                                                   \
  "json_build_object('id', s.id, 'flow', s.flow, 'status', case when s.status = 'in_progress' " \
  "and s.expires_at <= now() then 'expired' else s.status end, 'currentStep', s.current_step, " \
  "'totalSteps', s.total_steps, 'completedSteps', s.completed_steps, 'completionPercentage', "  \
  "s.completion_percentage, 'version', s.version, 'organizationId', s.organization_id, "        \
  "'formData', s.form_data, 'expiresAt', s.expires_at, 'createdAt', s.created_at, "             \
  "'updatedAt', s.updated_at, 'completedAt', s.completed_at)"
#define ONBOARDD_PROFILE_JSON                                                             \
  "json_build_object('id', p.id, 'userId', p.user_id, 'fullName', p.full_name, 'email', " \
  "p.email, 'roleType', p.role_type, 'customRole', p.custom_role, 'experienceLevel', "    \
  "p.experience_level, 'department', p.department, 'companyId', p.organization_id, "      \
  "'createdAt', p.created_at, 'updatedAt', p.updated_at)"
#define ONBOARDD_ORGANIZATION_JSON                                                           \
  "json_build_object('id', o.id, 'name', o.name, 'slug', o.slug, 'industry', o.industry, "   \
  "'size', o.size, 'description', o.description, 'teamSize', o.team_size, 'structure', "     \
  "o.structure, 'methodology', o.methodology, 'collaborationStyle', o.collaboration_style, " \
  "'integrations', o.integrations, 'createdBy', o.created_by, 'createdAt', o.created_at, "   \
  "'updatedAt', o.updated_at)"
#define ONBOARDD_ME "onboardd_private.current_user_id()"

// --- POST /step -------------------------------------------------------------------------------

constexpr Statement kExpireStale{
    "onb_expire_stale",
    "update public.onboarding_sessions set status = 'expired' where user_id = " ONBOARDD_ME
    " and status = 'in_progress' and expires_at <= now()"};

// $1 id, $2 flow, $3 total_steps. A concurrent creator wins; this one then does nothing.
constexpr Statement kEnsureSession{
    "onb_ensure_session",
    "insert into public.onboarding_sessions (id, user_id, flow, total_steps) values "
    "($1::uuid, " ONBOARDD_ME
    ", $2, $3::int) on conflict (user_id) where status = 'in_progress' do nothing"};

// $1 step id, $2 data, $3 step number. Computed from the row being updated (not from a
// CTE), so a concurrent save of another step is re-read, not overwritten. current_step and
// completion_percentage follow NextStep and CompletionPercentage (onboarding_logic.hpp).
constexpr Statement kSaveDraft{
    "onb_save_draft",
    "update public.onboarding_sessions s set "
    "form_data = s.form_data || jsonb_build_object($1::text, $2::jsonb), "
    "completed_steps = array(select distinct x from unnest(s.completed_steps || $3::int) x order "
    "by x), "
    "current_step = coalesce((select min(n) from generate_series(1, s.total_steps) n "
    "  where n <> all (s.completed_steps || $3::int)), s.total_steps), "
    "completion_percentage = least(100, greatest(s.completion_percentage, 100 * "
    "  (select count(distinct x) from unnest(s.completed_steps || $3::int) x "
    "   where x between 1 and s.total_steps)::int / s.total_steps)) "
    "where s.user_id = " ONBOARDD_ME
    " and s.status = 'in_progress' "
    "returning s.id, s.version, s.current_step, s.completion_percentage"};

// $1 step number, $2 step id. The data is the draft's copy (sent once, in kSaveDraft).
constexpr Statement kUpsertProgress{
    "onb_upsert_progress",
    "insert into public.onboarding_progress (session_id, user_id, step_number, step_name, data, "
    "is_completed, is_valid, completed_at) "
    "select s.id, s.user_id, $1::int, $2, s.form_data -> $2, true, true, now() "
    "from public.onboarding_sessions s where s.user_id = " ONBOARDD_ME
    " and s.status = 'in_progress' "
    "on conflict (session_id, step_number) do update set data = excluded.data, "
    "step_name = excluded.step_name, is_completed = true, is_valid = true, errors = '[]', "
    "completed_at = now()"};

// $1 step number.
constexpr Statement kAuditStep{
    "onb_audit_step",
    "insert into public.audit_log (actor_id, action, entity_type, entity_id, details) "
    "select s.user_id, 'onboarding.step_saved', 'onboarding_session', s.id::text, "
    "jsonb_build_object('step', $1::int) from public.onboarding_sessions s "
    "where s.user_id = " ONBOARDD_ME " and s.status = 'in_progress'"};

// --- GET /status, the draft -------------------------------------------------------------------

constexpr Statement kReadStatus{
    "onb_read_status",
    "select (select " ONBOARDD_SESSION_JSON
    " from public.onboarding_sessions s where s.user_id = " ONBOARDD_ME
    " order by s.created_at desc limit 1)::text, "
    "(select " ONBOARDD_PROFILE_JSON " from public.profiles p where p.user_id = " ONBOARDD_ME
    " and p.is_primary)::text, "
    "(select " ONBOARDD_ORGANIZATION_JSON
    " from public.profiles p join public.organizations o "
    "on o.id = p.organization_id where p.user_id = " ONBOARDD_ME " and p.is_primary)::text"};

constexpr Statement kReadDraft{
    "onb_read_draft",
    "select (select s.form_data from public.onboarding_sessions s where s.user_id = " ONBOARDD_ME
    " and s.status = 'in_progress')::text, "
    "(select " ONBOARDD_PROFILE_JSON " from public.profiles p where p.user_id = " ONBOARDD_ME
    " and p.is_primary)::text, "
    "(select " ONBOARDD_ORGANIZATION_JSON
    " from public.profiles p join public.organizations o "
    "on o.id = p.organization_id where p.user_id = " ONBOARDD_ME " and p.is_primary)::text"};

// --- POST /complete ---------------------------------------------------------------------------

// $1 id, $2 name, $3 slug base, $4 industry, $5 size, $6 description, $7 team_size,
// $8 structure, $9 methodology, $10 collaboration_style, $11 integrations (JSON array).
// Nothing is inserted when the caller already has a primary profile; every later statement
// hangs off this row (visible to its creator inside this transaction), so they do nothing too.
constexpr Statement kCreateOrganizationOnce{
    "onb_create_org_once",
    "insert into public.organizations (id, name, slug, industry, size, description, team_size, "
    "structure, methodology, collaboration_style, integrations, created_by) "
    "select $1::uuid, $2, onboardd_private.available_slug($3), $4, $5, $6, $7::int, $8, $9, $10, "
    "array(select jsonb_array_elements_text($11::jsonb)), " ONBOARDD_ME
    " where not exists (select 1 from public.profiles p where p.user_id = " ONBOARDD_ME
    " and p.is_primary)"};

// Same columns, unconditionally (POST /organization).
constexpr Statement kCreateOrganization{
    "onb_create_org",
    "insert into public.organizations (id, name, slug, industry, size, description, team_size, "
    "structure, methodology, collaboration_style, integrations, created_by) "
    "values ($1::uuid, $2, onboardd_private.available_slug($3), $4, $5, $6, $7::int, $8, $9, $10, "
    "array(select jsonb_array_elements_text($11::jsonb)), " ONBOARDD_ME ")"};

// $1 organization id.
constexpr Statement kCreateOwner{
    "onb_create_owner",
    "insert into public.organization_members (organization_id, user_id, role) "
    "select o.id, o.created_by, 'owner' from public.organizations o where o.id = $1::uuid"};

// $1 organization id, $2 [{id, name, description, parent_id}] with parents first.
constexpr Statement kCreateDepartments{
    "onb_create_departments",
    "insert into public.departments (id, organization_id, name, description, parent_id) "
    "select d.id, o.id, d.name, d.description, d.parent_id from public.organizations o, "
    "jsonb_to_recordset($2::jsonb) as d(id uuid, name text, description text, parent_id uuid) "
    "where o.id = $1::uuid"};

// $1 organization id: the role catalog every organization starts with.
constexpr Statement kCreateRoles{
    "onb_create_roles",
    "insert into public.roles (organization_id, key, name, description, is_system) "
    "select o.id, r.key, r.name, r.description, true from public.organizations o, (values "
    "('corporativo', 'Corporativo', 'Dirección: define la estrategia y los OKR de la "
    "organización'), "
    "('gerente', 'Gerente', 'Lidera equipos y sus OKR'), "
    "('empleado', 'Empleado', 'Contribuye a los OKR de su equipo')) as r(key, name, description) "
    "where o.id = $1::uuid"};

// $1 organization id, $2 content type, $3 bytes (binary parameter).
constexpr Statement kCreateLogoBytes{
    "onb_create_logo_bytes",
    "insert into public.organization_logos (organization_id, content_type, data) "
    "select o.id, $2, $3::bytea from public.organizations o where o.id = $1::uuid"};

// $1 organization id, $2 URL.
constexpr Statement kCreateLogoUrl{
    "onb_create_logo_url",
    "insert into public.organization_logos (organization_id, source_url) "
    "select o.id, $2 from public.organizations o where o.id = $1::uuid"};

// $1 profile id, $2 organization id, $3 full name, $4 email, $5 role type, $6 custom role,
// $7 experience level, $8 department.
constexpr Statement kCreateProfile{
    "onb_create_profile",
    "insert into public.profiles (id, user_id, organization_id, full_name, email, role_type, "
    "custom_role, experience_level, department) "
    "select $1::uuid, o.created_by, o.id, $3, $4, $5, $6, $7, $8 from public.organizations o "
    "where o.id = $2::uuid"};

// $1 organization id, $2 form data. The in-progress session, if any, becomes completed.
constexpr Statement kCompleteSession{
    "onb_complete_session",
    "update public.onboarding_sessions s set status = 'completed', organization_id = o.id, "
    "form_data = $2::jsonb, completed_steps = array(select generate_series(1, s.total_steps)), "
    "current_step = s.total_steps, completion_percentage = 100 "
    "from public.organizations o where o.id = $1::uuid and s.user_id = " ONBOARDD_ME
    " and s.status = 'in_progress'"};

// $1 session id, $2 organization id, $3 flow, $4 total steps, $5 form data: when the wizard
// never saved a step there is no session to complete, so a completed one is recorded.
constexpr Statement kInsertCompletedSession{
    "onb_insert_completed_session",
    "insert into public.onboarding_sessions (id, user_id, flow, status, current_step, total_steps, "
    "form_data, completed_steps, completion_percentage, organization_id) "
    "select $1::uuid, o.created_by, $3, 'completed', $4::int, $4::int, $5::jsonb, "
    "array(select generate_series(1, $4::int)), 100, o.id from public.organizations o "
    "where o.id = $2::uuid and not exists (select 1 from public.onboarding_sessions s "
    "where s.user_id = " ONBOARDD_ME " and s.organization_id = o.id)"};

// $1 organization id, $2 details, $3 action of the second row, $4 its entity type, $5 its id.
constexpr Statement kAuditOrganization{
    "onb_audit_org",
    "insert into public.audit_log (organization_id, actor_id, action, entity_type, entity_id, "
    "details) "
    "select o.id, o.created_by, a.action, a.entity_type, coalesce(a.entity_id, o.id::text), "
    "$2::jsonb "
    "from public.organizations o cross join (values ('organization.created', 'organization', "
    "null::text), "
    "($3::text, $4::text, $5::text)) as a(action, entity_type, entity_id) where o.id = $1::uuid"};

constexpr Statement kReadProfile{
    "onb_read_profile",
    "select (" ONBOARDD_PROFILE_JSON
    ")::text, (case when o.id is null then null else " ONBOARDD_ORGANIZATION_JSON
    " end)::text from public.profiles p left join public.organizations o on o.id = "
    "p.organization_id "
    "where p.user_id = " ONBOARDD_ME " and p.is_primary"};

// $1 organization id.
constexpr Statement kReadCreatedOrganization{
    "onb_read_created_org",
    "select (" ONBOARDD_ORGANIZATION_JSON
    ")::text, (select json_build_object('organizationId', "
    "m.organization_id, 'userId', m.user_id, 'role', m.role, 'createdAt', m.created_at) from "
    "public.organization_members m where m.organization_id = o.id and m.user_id = " ONBOARDD_ME
    ")::text from public.organizations o where o.id = $1::uuid"};

constexpr Statement kListOrganizations{
    "onb_list_orgs",
    "select coalesce(jsonb_agg((" ONBOARDD_ORGANIZATION_JSON
    ")::jsonb || jsonb_build_object("
    "'member_count', (select count(*) from public.organization_members c where c.organization_id = "
    "o.id), "
    "'user_role', m.role) order by o.created_at, o.id), '[]'::jsonb)::text "
    "from public.organization_members m join public.organizations o on o.id = m.organization_id "
    "where m.user_id = " ONBOARDD_ME};

// --- The session API --------------------------------------------------------------------------

#define ONBOARDD_IN_PROGRESS_ID                                                   \
  "(select c.id from public.onboarding_sessions c where c.user_id = " ONBOARDD_ME \
  " and c.status = 'in_progress')"

constexpr Statement kAbandonInProgress{
    "onb_abandon_in_progress",
    "with u as (update public.onboarding_sessions set status = 'abandoned' where user_id "
    "= " ONBOARDD_ME
    " and status = 'in_progress' returning id, user_id) "
    "insert into public.audit_log (actor_id, action, entity_type, entity_id, details) "
    "select u.user_id, 'onboarding.session_abandoned', 'onboarding_session', u.id::text, "
    "'{\"reason\": \"restart\"}'::jsonb from u"};

// $1 id, $2 flow, $3 total steps, $4 context. A concurrent creator wins; this one then
// inserts (and audits) nothing.
constexpr Statement kStartSession{
    "onb_start_session",
    "with ins as (insert into public.onboarding_sessions (id, user_id, flow, total_steps, context) "
    "values ($1::uuid, " ONBOARDD_ME
    ", $2, $3::int, $4::jsonb) "
    "on conflict (user_id) where status = 'in_progress' do nothing returning id, user_id, flow) "
    "insert into public.audit_log (actor_id, action, entity_type, entity_id, details) "
    "select ins.user_id, 'onboarding.session_started', 'onboarding_session', ins.id::text, "
    "jsonb_build_object('flow', ins.flow) from ins"};

// $1 session id or NULL for the in-progress one, $2 with its progress rows.
constexpr Statement kReadSession{
    "onb_read_session",
    "select ((" ONBOARDD_SESSION_JSON
    ")::jsonb || case when $2::bool then jsonb_build_object('steps', "
    "coalesce((select jsonb_agg(jsonb_build_object('stepNumber', p.step_number, 'stepName', "
    "p.step_name, 'data', p.data, 'isCompleted', p.is_completed, 'isSkipped', p.is_skipped, "
    "'isValid', p.is_valid, 'errors', p.errors, 'startedAt', p.started_at, 'completedAt', "
    "p.completed_at, 'timeSpentSeconds', p.time_spent_seconds) order by p.step_number) "
    "from public.onboarding_progress p where p.session_id = s.id), '[]'::jsonb)) "
    "else '{}'::jsonb end)::text from public.onboarding_sessions s where s.user_id = " ONBOARDD_ME
    " and s.id = coalesce($1::uuid, " ONBOARDD_IN_PROGRESS_ID ")"};

// Why a conditional write matched nothing. $1 session id or NULL for the in-progress one.
constexpr Statement kSessionCheck{
    "onb_session_check",
    "select s.flow, s.version, s.status, s.expires_at <= now() from public.onboarding_sessions s "
    "where s.user_id = " ONBOARDD_ME " and s.id = coalesce($1::uuid, " ONBOARDD_IN_PROGRESS_ID ")"};

// $1 id, $2 If-Match version or NULL, $3 current step or NULL, $4 context or NULL.
constexpr Statement kPatchSession{
    "onb_patch_session",
    "with u as (update public.onboarding_sessions s set current_step = case when $3::int is null "
    "then s.current_step else least(greatest($3::int, 1), coalesce((select min(n) from "
    "generate_series(1, s.total_steps) n where n <> all (s.completed_steps)), s.total_steps)) end, "
    "context = coalesce($4::jsonb, s.context) where s.id = $1::uuid and s.user_id = " ONBOARDD_ME
    " and s.status = 'in_progress' and ($2::int is null or s.version = $2::int) returning s.*), "
    "a as (insert into public.audit_log (actor_id, action, entity_type, entity_id) "
    "select u.user_id, 'onboarding.session_updated', 'onboarding_session', u.id::text from u) "
    "select (" ONBOARDD_SESSION_JSON ")::text from u s"};

// $1 id, $2 If-Match version or NULL.
constexpr Statement kAbandonSession{
    "onb_abandon_session",
    "with u as (update public.onboarding_sessions s set status = 'abandoned' where s.id = $1::uuid "
    "and s.user_id = " ONBOARDD_ME
    " and s.status <> 'completed' and ($2::int is null or "
    "s.version = $2::int) returning s.*), "
    "a as (insert into public.audit_log (actor_id, action, entity_type, entity_id) "
    "select u.user_id, 'onboarding.session_abandoned', 'onboarding_session', u.id::text from u) "
    "select (" ONBOARDD_SESSION_JSON ")::text from u s"};

// $1 step id, $2 data, $3 step number, $4 session id or NULL, $5 flow, $6 If-Match or NULL,
// $7 advance, $8 completed, $9 skipped, $10 seconds spent. The progress row and the audit row
// hang off the updated session (data-modifying CTEs), so a write that matches nothing
// writes nothing.
constexpr Statement kSaveProgress{
    "onb_save_progress",
    "with u as (update public.onboarding_sessions s set "
    "form_data = s.form_data || jsonb_build_object($1::text, $2::jsonb), "
    "completed_steps = case when $7::bool then array(select distinct x from "
    "  unnest(s.completed_steps || $3::int) x order by x) else s.completed_steps end, "
    "current_step = case when $7::bool then coalesce((select min(n) from "
    "  generate_series(1, s.total_steps) n where n <> all (s.completed_steps || $3::int)), "
    "  s.total_steps) else s.current_step end, "
    "completion_percentage = case when $7::bool then least(100, greatest(s.completion_percentage, "
    "  100 * (select count(distinct x) from unnest(s.completed_steps || $3::int) x "
    "  where x between 1 and s.total_steps)::int / s.total_steps)) else s.completion_percentage "
    "end "
    "where s.id = coalesce($4::uuid, " ONBOARDD_IN_PROGRESS_ID ") and s.user_id = " ONBOARDD_ME
    " and s.status = 'in_progress' and s.expires_at > now() and s.flow = $5 "
    "and ($6::int is null or s.version = $6::int) returning s.*), "
    "p as (insert into public.onboarding_progress (session_id, user_id, step_number, step_name, "
    "data, is_completed, is_skipped, is_valid, completed_at, time_spent_seconds) "
    "select u.id, u.user_id, $3::int, $1, $2::jsonb, $8::bool, $9::bool, true, "
    "case when $7::bool then now() end, $10::int from u "
    "on conflict (session_id, step_number) do update set data = excluded.data, "
    "step_name = excluded.step_name, is_completed = excluded.is_completed, "
    "is_skipped = excluded.is_skipped, is_valid = true, errors = '[]', "
    "completed_at = excluded.completed_at, "
    "time_spent_seconds = onboarding_progress.time_spent_seconds + excluded.time_spent_seconds), "
    "a as (insert into public.audit_log (actor_id, action, entity_type, entity_id, details) "
    "select u.user_id, 'onboarding.progress_saved', 'onboarding_session', u.id::text, "
    "jsonb_build_object('step', $3::int) from u) "
    "select (" ONBOARDD_SESSION_JSON ")::text from u s"};

// $1 most rows.
constexpr Statement kExpireStaleSessions{"onb_expire_stale_sessions",
                                         "select onboardd_private.expire_stale_sessions($1::int)"};

std::optional<json::object> ObjectAt(const db::Rows& rows, int row, int column) {
  if (rows.size() <= row || rows.IsNull(row, column)) return std::nullopt;
  json::value v = json::parse(rows.Get(row, column));
  if (!v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

Param TextOrNull(const std::string& text) { return text.empty() ? Param() : Param(text); }

Param Json(const json::value& value) { return Param(json::serialize(value)); }

int ToInt(std::string_view text) { return std::atoi(std::string(text).c_str()); }

db::TenantContext Writing(db::TenantContext context) {
  context.read_only = false;
  return context;
}

db::TenantContext Reading(db::TenantContext context) {
  context.read_only = true;
  return context;
}

json::array IntegrationsJson(const OrganizationData& organization) {
  json::array out;
  for (const auto& i : organization.integrations) out.emplace_back(i);
  return out;
}

// Queues the organization row, its owner, role catalog and logo.
// The slug's base: the name's slug, and after a lost race for it a random suffix, so that
// many organizations of the same name created at once do not collide again and again.
std::string SlugBase(const std::string& name, int attempt) {
  if (attempt == 0) return Slugify(name);
  return Slugify(name, kMaxSlugLength - 7) + "-" + core::NewRequestId().substr(0, 6);
}

void AddOrganization(db::TenantTransaction& tx, const Statement& create, const std::string& org_id,
                     const CompanyData& company, const OrganizationData* organization,
                     int attempt) {
  OrganizationData none;
  const OrganizationData& o = organization ? *organization : none;
  tx.Add(create,
         {Param(org_id), Param(company.name), Param(SlugBase(company.name, attempt)),
          Param(company.industry), Param(company.size), TextOrNull(company.description),
          organization ? Param(std::to_string(o.team_size)) : Param(), TextOrNull(o.structure),
          TextOrNull(o.methodology), TextOrNull(o.collaboration_style), Json(IntegrationsJson(o))});
  tx.Add(kCreateOwner, {Param(org_id)});
  tx.Add(kCreateRoles, {Param(org_id)});
  if (company.logo) {
    tx.Add(kCreateLogoBytes,
           {Param(org_id), Param(company.logo->content_type), Param::Binary(company.logo->bytes)});
  } else if (!company.logo_url.empty()) {
    tx.Add(kCreateLogoUrl, {Param(org_id), Param(company.logo_url)});
  }
}

// Departments with generated ids; parents refer to the planned index.
json::array DepartmentRows(const std::vector<Department>& departments) {
  std::vector<PlannedDepartment> planned = PlanDepartments(departments);
  std::vector<std::string> ids;
  ids.reserve(planned.size());
  for (std::size_t i = 0; i < planned.size(); ++i) ids.push_back(core::NewUuid());
  json::array rows;
  for (std::size_t i = 0; i < planned.size(); ++i) {
    json::object row{{"id", ids[i]}, {"name", planned[i].name}};
    row["description"] = planned[i].description ? json::value(*planned[i].description) : nullptr;
    row["parent_id"] = planned[i].parent ? json::value(ids[*planned[i].parent]) : nullptr;
    rows.push_back(std::move(row));
  }
  return rows;
}

// The completed session's form data: the merged sections, without an inline logo (its bytes
// live in organization_logos).
json::object CompletedFormData(const CompletionData& data) {
  json::object form = data.sections;
  if (data.company.logo) {
    if (auto* company = form.if_contains("company"); company && company->is_object()) {
      company->as_object().erase("logo");
    }
  }
  return form;
}

}  // namespace

db::TenantTransaction SaveStepTransaction(db::TenantContext context, const catalog::Flow& flow,
                                          const ValidatedStep& step, std::size_t* saved) {
  db::TenantTransaction tx(Writing(std::move(context)));
  tx.Add(kExpireStale);
  tx.Add(kEnsureSession,
         {Param(core::NewUuid()), Param(flow.id), Param(std::to_string(flow.total_steps()))});
  std::size_t index = tx.Add(
      kSaveDraft, {Param(step.step_id), Json(step.data), Param(std::to_string(step.number))});
  if (saved) *saved = index;
  tx.Add(kUpsertProgress, {Param(std::to_string(step.number)), Param(step.step_id)});
  tx.Add(kAuditStep, {Param(std::to_string(step.number))});
  return tx;
}

asio::awaitable<core::Result<SavedStep>> SaveStep(db::Pool& pool, db::TenantContext context,
                                                  const catalog::Flow& flow, ValidatedStep step) {
  std::size_t saved = 0;
  db::TenantTransaction tx = SaveStepTransaction(std::move(context), flow, step, &saved);
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[saved];
  if (r.empty()) co_return core::MakeError(core::ErrorCode::kInternal);
  SavedStep out;
  out.session_id = std::string(r.Get(0, 0));
  out.version = ToInt(r.Get(0, 1));
  out.current_step = ToInt(r.Get(0, 2));
  out.completion_percentage = ToInt(r.Get(0, 3));
  co_return out;
}

asio::awaitable<core::Result<StatusRead>> ReadStatus(db::Pool& pool, db::TenantContext context) {
  db::TenantTransaction tx(Reading(std::move(context)));
  std::size_t index = tx.Add(kReadStatus);
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[index];
  StatusRead out;
  out.session = ObjectAt(r, 0, 0);
  out.profile = ObjectAt(r, 0, 1);
  out.organization = ObjectAt(r, 0, 2);
  co_return out;
}

asio::awaitable<core::Result<DraftRead>> ReadDraft(db::Pool& pool, db::TenantContext context) {
  db::TenantTransaction tx(Reading(std::move(context)));
  std::size_t index = tx.Add(kReadDraft);
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[index];
  DraftRead out;
  if (auto form = ObjectAt(r, 0, 0)) out.form_data = std::move(*form);
  out.profile = ObjectAt(r, 0, 1);
  out.organization = ObjectAt(r, 0, 2);
  co_return out;
}

asio::awaitable<core::Result<CompletionResult>> Complete(db::Pool& pool, db::TenantContext context,
                                                         const catalog::Flow& flow,
                                                         CompletionData data, ProfilePlan profile,
                                                         std::string email) {
  if (email.size() > 320) email.clear();
  const json::array departments = DepartmentRows(data.organization.departments);
  const json::object form_data = CompletedFormData(data);
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::string org_id = core::NewUuid();
    const std::string profile_id = core::NewUuid();
    db::TenantTransaction tx(Writing(context));
    AddOrganization(tx, kCreateOrganizationOnce, org_id, data.company, &data.organization, attempt);
    if (!departments.empty()) tx.Add(kCreateDepartments, {Param(org_id), Json(departments)});
    tx.Add(kCreateProfile,
           {Param(profile_id), Param(org_id), Param(profile.full_name), TextOrNull(email),
            Param(std::string(ToString(profile.role_type))), TextOrNull(profile.custom_role),
            TextOrNull(profile.experience_level), TextOrNull(profile.department)});
    tx.Add(kCompleteSession, {Param(org_id), Json(form_data)});
    tx.Add(kInsertCompletedSession, {Param(core::NewUuid()), Param(org_id), Param(flow.id),
                                     Param(std::to_string(flow.total_steps())), Json(form_data)});
    json::object details{{"slugBase", Slugify(data.company.name)},
                         {"departments", departments.size()},
                         {"roleType", ToString(profile.role_type)}};
    tx.Add(kAuditOrganization, {Param(org_id), Json(details), Param("onboarding.completed"),
                                Param("profile"), Param(profile_id)});
    std::size_t read = tx.Add(kReadProfile);
    std::string sqlstate;
    auto rows = co_await tx.Commit(pool, &sqlstate);
    if (rows) {
      const db::Rows& r = (*rows)[read];
      auto saved_profile = ObjectAt(r, 0, 0);
      if (!saved_profile) co_return core::MakeError(core::ErrorCode::kInternal);
      CompletionResult out;
      out.profile = std::move(*saved_profile);
      if (auto organization = ObjectAt(r, 0, 1)) out.organization = std::move(*organization);
      const json::value* company = out.profile.if_contains("companyId");
      out.created = company && company->is_string() && company->as_string() == org_id;
      co_return out;
    }
    if (sqlstate != "23505") co_return rows.error();
    // Lost a race: to this user's own concurrent completion (answer with its profile), or
    // to another organization taking the same slug (try again with a random suffix).
    db::CountRetry(sqlstate);
    auto existing = co_await ReadDraft(pool, Reading(context));
    if (!existing) co_return existing.error();
    if (existing->profile) {
      CompletionResult out;
      out.profile = std::move(*existing->profile);
      if (existing->organization) out.organization = std::move(*existing->organization);
      co_return out;
    }
  }
  co_return core::MakeError(core::ErrorCode::kConflict);
}

namespace {

// Why a conditional session write matched nothing, from kSessionCheck's rows.
core::Error SessionWriteFailure(const db::Rows& check, std::optional<int> if_match,
                                bool needs_in_progress) {
  if (check.empty()) return core::MakeError(core::ErrorCode::kNotFound);
  const std::string_view status = check.Get(0, 2);
  const bool past_expiry = check.Get(0, 3) == "t";
  if (if_match && ToInt(check.Get(0, 1)) != *if_match) {
    return core::MakeError(core::ErrorCode::kPreconditionFailed);
  }
  if (status == "completed" || (needs_in_progress && (status != "in_progress" || past_expiry))) {
    return core::MakeError(core::ErrorCode::kConflict,
                           {"La sesión no está en curso", "The session is not in progress"});
  }
  return core::MakeError(core::ErrorCode::kConflict);
}

Param OptionalInt(std::optional<int> value) {
  return value ? Param(std::to_string(*value)) : Param();
}

}  // namespace

asio::awaitable<core::Result<StartedSession>> StartSession(db::Pool& pool,
                                                           db::TenantContext context,
                                                           const catalog::Flow& flow, bool restart,
                                                           json::object session_context) {
  const std::string id = core::NewUuid();
  db::TenantTransaction tx(Writing(std::move(context)));
  tx.Add(kExpireStale);
  if (restart) tx.Add(kAbandonInProgress);
  tx.Add(kStartSession, {Param(id), Param(flow.id), Param(std::to_string(flow.total_steps())),
                         Json(session_context)});
  std::size_t read = tx.Add(kReadSession, {Param(), Param("false")});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  auto session = ObjectAt((*rows)[read], 0, 0);
  if (!session) co_return core::MakeError(core::ErrorCode::kInternal);
  const json::value* got = session->if_contains("id");
  const bool created = got && got->is_string() && got->as_string() == id;
  co_return StartedSession{std::move(*session), created};
}

asio::awaitable<core::Result<json::object>> ReadSession(db::Pool& pool, db::TenantContext context,
                                                        std::string id, bool with_steps) {
  db::TenantTransaction tx(Reading(std::move(context)));
  std::size_t read = tx.Add(kReadSession, {TextOrNull(id), Param(with_steps ? "true" : "false")});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  auto session = ObjectAt((*rows)[read], 0, 0);
  if (!session) co_return core::MakeError(core::ErrorCode::kNotFound);
  co_return std::move(*session);
}

asio::awaitable<core::Result<json::object>> PatchSession(db::Pool& pool, db::TenantContext context,
                                                         std::string id,
                                                         std::optional<int> if_match,
                                                         SessionPatch patch) {
  db::TenantTransaction tx(Writing(std::move(context)));
  std::size_t write =
      tx.Add(kPatchSession, {Param(id), OptionalInt(if_match), OptionalInt(patch.current_step),
                             patch.context ? Json(*patch.context) : Param()});
  std::size_t check = tx.Add(kSessionCheck, {Param(id)});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  if (auto session = ObjectAt((*rows)[write], 0, 0)) co_return std::move(*session);
  co_return SessionWriteFailure((*rows)[check], if_match, true);
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
  if (auto session = ObjectAt((*rows)[write], 0, 0)) co_return std::move(*session);
  co_return SessionWriteFailure((*rows)[check], if_match, false);
}

asio::awaitable<core::Result<json::object>> SaveProgress(db::Pool& pool, db::TenantContext context,
                                                         const catalog::Flow& flow, ProgressWrite w,
                                                         std::string* actual_flow) {
  const bool advance = w.completed || w.skipped;
  db::TenantTransaction tx(Writing(std::move(context)));
  std::size_t write = tx.Add(
      kSaveProgress,
      {Param(w.step_id), Json(w.data), Param(std::to_string(w.step)), TextOrNull(w.session_id),
       Param(flow.id), OptionalInt(w.if_match), Param(advance ? "true" : "false"),
       Param(w.completed ? "true" : "false"), Param(w.skipped ? "true" : "false"),
       Param(std::to_string(std::max(0, w.time_spent_seconds)))});
  std::size_t check = tx.Add(kSessionCheck, {TextOrNull(w.session_id)});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  if (auto session = ObjectAt((*rows)[write], 0, 0)) co_return std::move(*session);
  const db::Rows& c = (*rows)[check];
  if (!c.empty() && c.Get(0, 0) != flow.id) {
    if (actual_flow) *actual_flow = std::string(c.Get(0, 0));
    co_return core::MakeError(core::ErrorCode::kConflict);
  }
  co_return SessionWriteFailure(c, w.if_match, true);
}

asio::awaitable<core::Result<CreatedOrganization>> CreateOrganization(db::Pool& pool,
                                                                      db::TenantContext context,
                                                                      CompanyData company) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::string org_id = core::NewUuid();
    db::TenantTransaction tx(Writing(context));
    AddOrganization(tx, kCreateOrganization, org_id, company, nullptr, attempt);
    tx.Add(kAuditOrganization,
           {Param(org_id), Json(json::object{{"source", "organization_api"}}),
            Param("membership.created"), Param("organization_member"), Param()});
    std::size_t read = tx.Add(kReadCreatedOrganization, {Param(org_id)});
    std::string sqlstate;
    auto rows = co_await tx.Commit(pool, &sqlstate);
    if (rows) {
      const db::Rows& r = (*rows)[read];
      auto organization = ObjectAt(r, 0, 0);
      auto membership = ObjectAt(r, 0, 1);
      if (!organization || !membership) co_return core::MakeError(core::ErrorCode::kInternal);
      co_return CreatedOrganization{std::move(*organization), std::move(*membership)};
    }
    if (sqlstate != "23505") co_return rows.error();  // a slug race: try a random suffix
    db::CountRetry(sqlstate);
  }
  co_return core::MakeError(core::ErrorCode::kConflict);
}

asio::awaitable<core::Result<json::array>> ListOrganizations(db::Pool& pool,
                                                             db::TenantContext context) {
  db::TenantTransaction tx(Reading(std::move(context)));
  std::size_t index = tx.Add(kListOrganizations);
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[index];
  if (r.empty()) co_return json::array{};
  json::value v = json::parse(r.Get(0, 0));
  if (!v.is_array()) co_return core::MakeError(core::ErrorCode::kInternal);
  co_return std::move(v.as_array());
}

}  // namespace onboardd::onboarding

namespace onboardd::onboarding {

const db::Statement& StatusStatement() { return kReadStatus; }

asio::awaitable<core::Result<int>> ExpireStaleSessions(db::Pool& pool, core::Deadline deadline,
                                                       int max_rows) {
  db::TenantContext context;
  context.request_id = "expire-stale-sessions";
  context.deadline = deadline;
  context.read_only = false;
  db::TenantTransaction tx(std::move(context));
  std::size_t index = tx.Add(kExpireStaleSessions, {Param(std::to_string(max_rows))});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[index];
  co_return r.empty() ? 0 : ToInt(r.Get(0, 0));
}

}  // namespace onboardd::onboarding
