// The wizard's SQL. Each public function queues its statements on one TenantTransaction (one
// pipeline, one round trip). Statements that depend on an earlier one in the same pipeline
// refer to it by ids generated here (core::NewUuid), never by reading results back.
// How to write through the policies: sql/README.md.
#include "onboarding/onboarding_store.hpp"

#include "core/ids.hpp"
#include "db/error_mapping.hpp"
#include "onboarding/onboarding_logic.hpp"
#include "onboarding/store_support.hpp"

namespace onboardd::onboarding {

namespace asio = boost::asio;
namespace json = boost::json;
using db::Param;
using db::Statement;
using namespace store;

namespace {

// --- POST /step -------------------------------------------------------------------------------

// One call does POST /step's five writes (expire a stale session, ensure one, save the draft,
// upsert the progress row, audit): migration 0016, SECURITY INVOKER, so every policy applies.
// $1 id of a session it may create, $2 flow, $3 total_steps, $4 hours until it expires,
// $5 step number, $6 step id, $7 the step's data. One row: session id, version, current step,
// percentage, whether this save created the session; no row when nothing could be written.
constexpr Statement kSaveStep{
    "onb_save_step",
    "select * from onboardd_private.save_step($1::uuid, $2, $3::int, $4::int, $5::int, $6, "
    "$7::jsonb)"};

// --- GET /status, the draft -------------------------------------------------------------------

#define ONBOARDD_PRIMARY_ORG_ID                                                     \
  "(select p.organization_id from public.profiles p where p.user_id = " ONBOARDD_ME \
  " and p.is_primary)"

// The active organization is the one app.org_id names, else the primary profile's; the
// organizations policy shows it only to its members, so a named organization the caller is
// not in reads as absent and the last column says so. The JSON texts are the answer's: the
// route copies them into the body (onboarding_logic.hpp, RenderStatus). The profile is only
// asked whether it exists. The active organization's id is a scalar subquery (a parameter
// to the plan): `o.id = coalesce(...)` is not leakproof to the planner (CoalesceExpr), so
// under RLS it ran after the organizations policy, as a bitmap scan of the caller's created
// and member organizations on every read, even for a caller with none (measured: RLS cost
// 20-22 % of this read's throughput at 64 connections, 0-8 % as a primary-key lookup).
#define ONBOARDD_READ_STATUS_COLUMNS                                             \
  "s.doc::text, s.live_until, "                                                  \
  "exists (select 1 from public.profiles p where p.user_id = " ONBOARDD_ME       \
  " and p.is_primary), "                                                         \
  "(select " ONBOARDD_ORGANIZATION_JSON                                          \
  " from public.organizations o where o.id = "                                   \
  "(select coalesce(onboardd_private.current_org_id(), " ONBOARDD_PRIMARY_ORG_ID \
  ")))::text, "                                                                  \
  "onboardd_private.current_org_id() is not null and not exists (select 1 from " \
  "public.organizations o where o.id = onboardd_private.current_org_id())"
#define ONBOARDD_READ_STATUS_FROM                                              \
  " from (select) as one left join lateral (select " ONBOARDD_SESSION_JSON     \
  " as doc, case when s.status = 'in_progress' and s.expires_at > now() then " \
  "floor(extract(epoch from s.expires_at) * 1000)::bigint end as live_until "  \
  "from public.onboarding_sessions s where s.user_id = " ONBOARDD_ME           \
  " order by s.created_at desc limit 1) as s on true"

// The same on a streaming replica, with whether it has replayed the WAL up to $1 (the
// caller's last write; NULL on a server that is not a replica: never fresh) and how far.
constexpr Statement kReadStatusOnReplica{
    "onb_read_status_replica",
    "select " ONBOARDD_READ_STATUS_COLUMNS
    ", coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false), "
    "coalesce(pg_last_wal_replay_lsn()::text, '0/0')" ONBOARDD_READ_STATUS_FROM};

constexpr Statement kCurrentWalLsn{"onb_current_wal_lsn", "select pg_current_wal_lsn()::text"};

constexpr Statement kReadStatus{"onb_read_status",
                                "select " ONBOARDD_READ_STATUS_COLUMNS ONBOARDD_READ_STATUS_FROM};

constexpr Statement kReadDraft{
    "onb_read_draft",
    "select (select s.form_data from public.onboarding_sessions s where s.user_id = " ONBOARDD_ME
    " and s.status = 'in_progress')::text, "
    "(select " ONBOARDD_PROFILE_JSON " from public.profiles p where p.user_id = " ONBOARDD_ME
    " and p.is_primary)::text, "
    "(select " ONBOARDD_ORGANIZATION_JSON
    " from public.profiles p join public.organizations o "
    "on o.id = p.organization_id where p.user_id = " ONBOARDD_ME " and p.is_primary)::text"};

// $1 step, $2 field, $3 the MD5 the client holds (or NULL).
constexpr Statement kReadDraftImage{
    "onb_read_draft_image",
    "select case when md5(x.v) = $3 then null else x.v end, md5(x.v) from (select s.form_data "
    "-> $1 ->> $2 as v from public.onboarding_sessions s where s.user_id = " ONBOARDD_ME
    " order by s.created_at desc limit 1) x where x.v ilike 'data:%'"};

// --- POST /complete, POST /organization -------------------------------------------------------

#define ONBOARDD_ORG_COLUMNS                                                                   \
  "insert into public.organizations (id, name, slug, industry, size, description, team_size, " \
  "structure, methodology, collaboration_style, integrations, settings, created_by) "
#define ONBOARDD_ORG_VALUES                                                               \
  "$1::uuid, $2, onboardd_private.available_slug($3), $4, $5, $6, $7::int, $8, $9, $10, " \
  "array(select jsonb_array_elements_text($11::jsonb)), $12::jsonb, " ONBOARDD_ME

// $1 id, $2 name, $3 slug base, $4 industry, $5 size, $6 description, $7 team_size,
// $8 structure, $9 methodology, $10 collaboration_style, $11 integrations (JSON array),
// $12 settings. Nothing is inserted when the caller already has a primary profile; every later
// statement hangs off this row (visible to its creator inside this transaction), so they do
// nothing too.
constexpr Statement kCreateOrganizationOnce{
    "onb_create_org_once", ONBOARDD_ORG_COLUMNS
    "select " ONBOARDD_ORG_VALUES
    " where not exists (select 1 from public.profiles p where p.user_id = " ONBOARDD_ME
    " and p.is_primary)"};

// Same columns, unconditionally (POST /organization).
constexpr Statement kCreateOrganization{"onb_create_org",
                                        ONBOARDD_ORG_COLUMNS "values (" ONBOARDD_ORG_VALUES ")"};

// $1 organization id, $2 job title, $3 department.
constexpr Statement kCreateOwner{
    "onb_create_owner",
    "insert into public.organization_members (organization_id, user_id, role, job_title, "
    "department) select o.id, o.created_by, 'owner', $2, $3 from public.organizations o "
    "where o.id = $1::uuid"};

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

// $1 organization id, $2 form data (merged over the session's: what the session's own keys,
// like the start preferences, hold stays), $3 the session id or NULL for the in-progress one.
constexpr Statement kCompleteSession{
    "onb_complete_session",
    "update public.onboarding_sessions s set status = 'completed', organization_id = o.id, "
    "form_data = s.form_data || $2::jsonb, "
    "completed_steps = array(select generate_series(1, s.total_steps)), "
    "current_step = s.total_steps, completion_percentage = 100 "
    "from public.organizations o where o.id = $1::uuid and s.user_id = " ONBOARDD_ME
    " and s.status = 'in_progress' and ($3::uuid is null or s.id = $3::uuid)"};

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
// An `onboarding.completed` row also seals the draft's step saves (details.stepSaves, 0019).
constexpr Statement kAuditOrganization{
    "onb_audit_org",
    "insert into public.audit_log (organization_id, actor_id, action, entity_type, entity_id, "
    "details) "
    "select o.id, o.created_by, a.action, a.entity_type, coalesce(a.entity_id, o.id::text), "
    "case when a.action = 'onboarding.completed' then $2::jsonb || jsonb_build_object("
    "'stepSaves', onboardd_private.step_saves_seal(o.id)) else $2::jsonb end "
    "from public.organizations o cross join (values ('organization.created', 'organization', "
    "null::text), "
    "($3::text, $4::text, $5::text)) as a(action, entity_type, entity_id) where o.id = $1::uuid"};

// $1 session id or NULL. The primary profile, its organization in both shapes, and the
// session that completed into it (the named one, else the latest one linked to it).
constexpr Statement kReadProfile{
    "onb_read_profile",
    "select (" ONBOARDD_PROFILE_JSON
    ")::text, (case when o.id is null then null else " ONBOARDD_ORGANIZATION_JSON
    " end)::text, (case when o.id is null then null else " ONBOARDD_ORGANIZATION_API_JSON
    " end)::text, (select " ONBOARDD_SESSION_SNAKE_JSON
    " from public.onboarding_sessions s where s.user_id = " ONBOARDD_ME
    " and (s.id = $1::uuid or ($1::uuid is null and s.organization_id = p.organization_id)) "
    "order by s.updated_at desc limit 1)::text "
    "from public.profiles p left join public.organizations o on o.id = p.organization_id "
    "where p.user_id = " ONBOARDD_ME " and p.is_primary"};

// $1 organization id.
constexpr Statement kReadCreatedOrganization{
    "onb_read_created_org",
    "select (" ONBOARDD_ORGANIZATION_API_JSON
    " || jsonb_build_object('members', (select jsonb_agg(jsonb_build_object('user_id', "
    "m.user_id, 'role', m.role, 'department', m.department, 'job_title', m.job_title, "
    "'created_at', m.created_at) order by m.created_at) from public.organization_members m "
    "where m.organization_id = o.id)))::text, "
    "(select jsonb_build_object('organization_id', m.organization_id, 'user_id', m.user_id, "
    "'role', m.role, 'department', m.department, 'job_title', m.job_title, 'created_at', "
    "m.created_at, 'organizationId', m.organization_id, 'userId', m.user_id, 'createdAt', "
    "m.created_at) from public.organization_members m where m.organization_id = o.id and "
    "m.user_id = " ONBOARDD_ME ")::text from public.organizations o where o.id = $1::uuid"};

constexpr Statement kListOrganizations{
    "onb_list_orgs",
    "select coalesce(jsonb_agg(" ONBOARDD_ORGANIZATION_API_JSON
    " || jsonb_build_object('member_count', (select count(*) from public.organization_members c "
    "where c.organization_id = o.id), 'user_role', m.role) order by o.created_at, o.id), "
    "'[]'::jsonb)::text, "
    "onboardd_private.current_org_id() is not null and not exists (select 1 from "
    "public.organizations x where x.id = onboardd_private.current_org_id()) "
    "from public.organization_members m join public.organizations o on o.id = m.organization_id "
    "where m.user_id = " ONBOARDD_ME};

// $1 most rows.
constexpr Statement kExpireStaleSessions{"onb_expire_stale_sessions",
                                         "select onboardd_private.expire_stale_sessions($1::int)"};

// What the audit rows of a new organization record besides it: the role catalog kCreateRoles
// seeds, and whether a logo was stored (its bytes or URL never enter the log).
constexpr int kSeededRoles = 3;
bool HasLogo(const CompanyData& company) { return company.logo || !company.logo_url.empty(); }

json::array IntegrationsJson(const OrganizationData& organization) {
  json::array out;
  for (const auto& i : organization.integrations) out.emplace_back(i);
  return out;
}

// The slug's base: the name's slug, and after a lost race for it a random suffix, so that
// many organizations of the same name created at once do not collide again and again.
std::string SlugBase(const std::string& name, int attempt) {
  if (attempt == 0) return Slugify(name);
  return Slugify(name, kMaxSlugLength - 7) + "-" + core::NewRequestId().substr(0, 6);
}

// Queues the organization row, its owner, role catalog and logo.
void AddOrganization(db::TenantTransaction& tx, const Statement& create, const std::string& org_id,
                     const NewOrganization& n, int attempt) {
  const CompanyData& company = n.company;
  const OrganizationData& o = n.organization;
  tx.Add(create, {Param(org_id), Param(company.name), Param(SlugBase(company.name, attempt)),
                  Param(company.industry), Param(company.size), TextOrNull(company.description),
                  OptionalInt(o.team_size), TextOrNull(o.structure), TextOrNull(o.methodology),
                  TextOrNull(o.collaboration_style), Json(IntegrationsJson(o)), Json(n.settings)});
  tx.Add(kCreateOwner, {Param(org_id), TextOrNull(n.job_title), TextOrNull(n.department)});
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
    for (auto& [step, section] : form) {
      if (!section.is_object()) continue;
      for (auto it = section.as_object().begin(); it != section.as_object().end();) {
        const bool inline_image =
            it->value().is_string() && it->value().as_string().starts_with("data:");
        it = inline_image ? section.as_object().erase(it) : std::next(it);
      }
    }
  }
  return form;
}

// Reads the primary profile (and what hangs off it) after a completion.
core::Result<CompletionResult> ProfileFrom(const db::Rows& r) {
  auto profile = ObjectAt(r, 0, 0);
  if (!profile) return core::MakeError(core::ErrorCode::kInternal);
  CompletionResult out;
  out.profile = std::move(*profile);
  if (auto organization = ObjectAt(r, 0, 1)) out.organization = std::move(*organization);
  if (auto organization = ObjectAt(r, 0, 2)) out.organization_api = std::move(*organization);
  out.session = ObjectAt(r, 0, 3);
  return out;
}

}  // namespace

db::TenantTransaction SaveStepTransaction(db::TenantContext context, const catalog::Flow& flow,
                                          const ValidatedStep& step, std::chrono::hours session_ttl,
                                          std::size_t* saved) {
  db::TenantTransaction tx(Writing(std::move(context)));
  std::size_t index = tx.Add(
      kSaveStep, {Param(core::NewUuid()), Param(flow.id), Param(std::to_string(flow.total_steps())),
                  Param(std::to_string(session_ttl.count())), Param(std::to_string(step.number)),
                  Param(step.step_id), Json(step.data)});
  if (saved) *saved = index;
  return tx;
}

asio::awaitable<core::Result<SavedStep>> SaveStep(db::Pool& pool, db::TenantContext context,
                                                  const catalog::Flow& flow, ValidatedStep step,
                                                  std::chrono::hours session_ttl) {
  std::size_t saved = 0;
  db::TenantTransaction tx =
      SaveStepTransaction(std::move(context), flow, step, session_ttl, &saved);
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[saved];
  if (r.empty()) co_return core::MakeError(core::ErrorCode::kInternal);
  SavedStep out;
  out.session_id = std::string(r.Get(0, 0));
  out.version = ToInt(r.Get(0, 1));
  out.current_step = ToInt(r.Get(0, 2));
  out.completion_percentage = ToInt(r.Get(0, 3));
  out.session_created = r.Get(0, 4) == "t";
  co_return out;
}

namespace {

// The first five columns of kReadStatus / kReadStatusOnReplica's one row.
core::Result<StatusRead> StatusReadFrom(const db::Rows& r) {
  if (r.empty()) return core::MakeError(core::ErrorCode::kInternal);  // always one row
  StatusRead out;
  out.session = std::string(r.Get(0, 0));
  if (!r.IsNull(0, 1)) out.in_progress_until_ms = ToInt64(r.Get(0, 1));
  out.has_profile = r.Get(0, 2) == "t";
  out.organization = std::string(r.Get(0, 3));
  out.active_org_denied = r.Get(0, 4) == "t";
  return out;
}

}  // namespace

asio::awaitable<core::Result<StatusRead>> ReadStatus(db::Pool& pool, db::TenantContext context) {
  db::TenantTransaction tx(Reading(std::move(context)));
  std::size_t index = tx.Add(kReadStatus);
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  co_return StatusReadFrom((*rows)[index]);
}

asio::awaitable<core::Result<ReplicaStatusRead>> ReadStatusOnReplica(db::Pool& replica,
                                                                     db::TenantContext context,
                                                                     std::string min_lsn) {
  db::TenantTransaction tx(Reading(std::move(context)));
  std::size_t index = tx.Add(kReadStatusOnReplica, {Param(std::move(min_lsn))});
  auto rows = co_await tx.Commit(replica);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[index];
  auto read = StatusReadFrom(r);
  if (!read) co_return read.error();
  ReplicaStatusRead out;
  out.read = std::move(*read);
  out.fresh = r.Get(0, 5) == "t";
  out.replay_lsn = std::string(r.Get(0, 6));
  co_return out;
}

asio::awaitable<core::Result<std::string>> CurrentWalLsn(db::Pool& primary,
                                                         db::TenantContext context) {
  db::TenantTransaction tx(Reading(std::move(context)));
  std::size_t index = tx.Add(kCurrentWalLsn);
  auto rows = co_await tx.Commit(primary);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[index];
  if (r.empty()) co_return core::MakeError(core::ErrorCode::kInternal);
  co_return std::string(r.Get(0, 0));
}

asio::awaitable<core::Result<DraftImage>> ReadDraftImage(db::Pool& pool, db::TenantContext context,
                                                         std::string step, std::string field,
                                                         std::string known_md5) {
  db::TenantTransaction tx(Reading(std::move(context)));
  std::size_t index = tx.Add(kReadDraftImage, {Param(step), Param(field), TextOrNull(known_md5)});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[index];
  if (r.empty()) co_return core::MakeError(core::ErrorCode::kNotFound);
  DraftImage out;
  if (!r.IsNull(0, 0)) out.data_url = std::string(r.Get(0, 0));
  out.md5 = std::string(r.Get(0, 1));
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
                                                         CompletionPlan plan) {
  const CompletionData& data = plan.data;
  const ProfilePlan& profile = plan.profile;
  if (plan.email.size() > 320) plan.email.clear();
  const json::array departments = DepartmentRows(data.organization.departments);
  const json::object form_data = CompletedFormData(data);
  NewOrganization organization{data.company, data.organization, data.extras, profile.job_title,
                               profile.department};
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::string org_id = core::NewUuid();
    const std::string profile_id = core::NewUuid();
    db::TenantTransaction tx(Writing(context));
    AddOrganization(tx, kCreateOrganizationOnce, org_id, organization, attempt);
    if (!departments.empty()) tx.Add(kCreateDepartments, {Param(org_id), Json(departments)});
    tx.Add(kCreateProfile,
           {Param(profile_id), Param(org_id), Param(profile.full_name), TextOrNull(plan.email),
            Param(std::string(ToString(profile.role_type))), TextOrNull(profile.custom_role),
            TextOrNull(profile.experience_level), TextOrNull(profile.department)});
    tx.Add(kCompleteSession, {Param(org_id), Json(form_data), TextOrNull(plan.session_id)});
    tx.Add(kInsertCompletedSession,
           {Param(core::NewUuid()), Param(org_id), Param(plan.flow->id),
            Param(std::to_string(plan.flow->total_steps())), Json(form_data)});
    json::object details{{"slugBase", Slugify(data.company.name)},
                         {"departments", departments.size()},
                         {"roles", kSeededRoles},
                         {"logo", HasLogo(data.company)},
                         {"roleType", ToString(profile.role_type)},
                         {"flow", plan.flow->id}};
    tx.Add(kAuditOrganization, {Param(org_id), Json(details), Param("onboarding.completed"),
                                Param("profile"), Param(profile_id)});
    std::size_t read = tx.Add(kReadProfile, {TextOrNull(plan.session_id)});
    std::string sqlstate;
    auto rows = co_await tx.Commit(pool, &sqlstate);
    if (rows) {
      auto out = ProfileFrom((*rows)[read]);
      if (!out) co_return out.error();
      const json::value* company = out->profile.if_contains("companyId");
      out->created = company && company->is_string() && company->as_string() == org_id;
      co_return std::move(*out);
    }
    if (sqlstate != "23505") co_return rows.error();
    // Lost a race: to this user's own concurrent completion (answer with its profile), or
    // to another organization taking the same slug (try again with a random suffix).
    db::CountRetry(sqlstate);
    db::TenantTransaction existing(Reading(context));
    std::size_t again = existing.Add(kReadProfile, {TextOrNull(plan.session_id)});
    auto read_again = co_await existing.Commit(pool);
    if (!read_again) co_return read_again.error();
    if (!(*read_again)[again].empty()) {
      auto out = ProfileFrom((*read_again)[again]);
      if (!out) co_return out.error();
      co_return std::move(*out);
    }
  }
  co_return core::MakeError(core::ErrorCode::kConflict);
}

asio::awaitable<core::Result<CreatedOrganization>> CreateOrganization(
    db::Pool& pool, db::TenantContext context, NewOrganization organization) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::string org_id = core::NewUuid();
    db::TenantTransaction tx(Writing(context));
    AddOrganization(tx, kCreateOrganization, org_id, organization, attempt);
    tx.Add(kAuditOrganization,
           {Param(org_id),
            Json(json::object{{"source", "organization_api"},
                              {"roles", kSeededRoles},
                              {"logo", HasLogo(organization.company)}}),
            Param("membership.created"), Param("organization_member"), Param()});
    std::size_t read = tx.Add(kReadCreatedOrganization, {Param(org_id)});
    std::string sqlstate;
    auto rows = co_await tx.Commit(pool, &sqlstate);
    if (rows) {
      const db::Rows& r = (*rows)[read];
      auto created = ObjectAt(r, 0, 0);
      auto membership = ObjectAt(r, 0, 1);
      if (!created || !membership) co_return core::MakeError(core::ErrorCode::kInternal);
      co_return CreatedOrganization{std::move(*created), std::move(*membership)};
    }
    if (sqlstate != "23505") co_return rows.error();  // a slug race: try a random suffix
    db::CountRetry(sqlstate);
  }
  co_return core::MakeError(core::ErrorCode::kConflict);
}

asio::awaitable<core::Result<OrganizationList>> ListOrganizations(db::Pool& pool,
                                                                  db::TenantContext context) {
  db::TenantTransaction tx(Reading(std::move(context)));
  std::size_t index = tx.Add(kListOrganizations);
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[index];
  OrganizationList out;
  if (r.empty()) co_return out;
  json::value v = json::parse(r.Get(0, 0));
  if (!v.is_array()) co_return core::MakeError(core::ErrorCode::kInternal);
  out.organizations = std::move(v.as_array());
  out.active_org_denied = r.Get(0, 1) == "t";
  co_return out;
}

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
