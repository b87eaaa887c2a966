// The onboarding feature's SQL for the wizard (SPEC §4.1–§4.2, §4.4): the user's server-side
// draft, the status read, the atomic completion and the organizations. The older session
// API's SQL is in session_store.hpp. Every function is one TenantTransaction, hence one
// database round trip, under the caller's identity (RLS decides what each statement may see
// or write). Rows come back as JSON built by PostgreSQL (json_build_object), so the routes
// embed them without mapping columns by hand.
//
// Coroutines; call them on the I/O thread that owns `pool`. Errors: kUnavailable (database
// down, pool exhausted, deadline), kInternal (a bug or unexpected answer), and those named
// per function.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "catalog/snapshot.hpp"
#include "core/result.hpp"
#include "db/pg_pool.hpp"
#include "db/tenant_transaction.hpp"
#include "onboarding/onboarding_types.hpp"

namespace onboardd::onboarding {

// What the caller's latest session looks like after a step was saved.
struct SavedStep {
  std::string session_id;
  int version = 0;
  int current_step = 1;
  int completion_percentage = 0;
  bool session_created = false;  // this save started the session (audited as started)
};

// Saves `step` (already validated against `flow`) into the caller's in-progress session,
// creating it (expiring after `session_ttl`) if none exists; an in-progress session past
// expires_at is first marked `expired` and a fresh one started. The step's data replaces
// form_data[step id]; its onboarding_progress row is upserted (completed, valid);
// completed_steps, current_step and completion_percentage are recomputed in the same UPDATE
// (by migration 0012's functions) so that concurrent saves of different steps lose nothing.
// Writes an audit row (two when it starts the session, three when it also expired a stale
// one). All of it is one statement, onboardd_private.save_step (migration 0016), in one round
// trip. `context.read_only` is ignored.
boost::asio::awaitable<core::Result<SavedStep>> SaveStep(db::Pool& pool, db::TenantContext context,
                                                         const catalog::Flow& flow,
                                                         ValidatedStep step,
                                                         std::chrono::hours session_ttl);

// GET /status's read, as text for RenderStatus (JSON built in SQL, once). The caller's latest
// session (any status) as camelCase JSON: id, flow, status ("expired" when an in-progress
// session is past expires_at), currentStep, totalSteps, completedSteps, completionPercentage,
// version, organizationId, formData, expiresAt, createdAt, updatedAt, completedAt. Whether the
// caller has a primary profile. The active organization: the one `context.org_id` names
// (X-Organization-Id) when the caller is a member, else the primary profile's.
struct StatusRead {
  std::string session;  // JSON text; empty when the caller has no session
  // When the session is in progress: its expires_at in Unix milliseconds (0 otherwise), so
  // that a cached copy can tell that it has expired since without parsing it.
  std::int64_t in_progress_until_ms = 0;
  bool has_profile = false;
  std::string organization;  // JSON text; empty when there is none
  // context.org_id names an organization the caller is not a member of (or none at all):
  // the route answers 404 and shows nothing of it.
  bool active_org_denied = false;
};
// ReadStatus on a streaming replica (replica_reads.hpp), in one round trip: the same rows,
// and whether the replica has replayed the WAL up to `min_lsn` ("X/Y", "0/0": no minimum)
// — `fresh` false means the rows may be older than that and must not be shown — and the
// replica's replay position. Errors as ReadStatus.
struct ReplicaStatusRead {
  StatusRead read;
  bool fresh = false;
  std::string replay_lsn;  // "X/Y"
};
boost::asio::awaitable<core::Result<ReplicaStatusRead>> ReadStatusOnReplica(
    db::Pool& replica, db::TenantContext context, std::string min_lsn);

// The primary's WAL position now (pg_current_wal_lsn(), "X/Y"): read after a write commits,
// it is at or past that write's commit record. kUnavailable/kInternal as any read.
boost::asio::awaitable<core::Result<std::string>> CurrentWalLsn(db::Pool& primary,
                                                                db::TenantContext context);

boost::asio::awaitable<core::Result<StatusRead>> ReadStatus(db::Pool& pool,
                                                            db::TenantContext context);

// The draft a completion merges over: the in-progress session's form_data ({} when there is
// none) and the existing primary profile/organization, if any.
struct DraftRead {
  boost::json::object form_data;
  std::optional<boost::json::object> profile;
  std::optional<boost::json::object> organization;
};
boost::asio::awaitable<core::Result<DraftRead>> ReadDraft(db::Pool& pool,
                                                          db::TenantContext context);

// GET /api/onboarding/draft/image/{step}/{field}: the data: URL the caller's latest session
// holds at form_data[step][field], with the MD5 hex of that text as its version. `known_md5`
// (from If-None-Match) equal to it: `data_url` stays empty (the client has it). kNotFound
// when that field holds no inline image.
struct DraftImage {
  std::string data_url;
  std::string md5;
};
boost::asio::awaitable<core::Result<DraftImage>> ReadDraftImage(db::Pool& pool,
                                                                db::TenantContext context,
                                                                std::string step, std::string field,
                                                                std::string known_md5);

// An organization to create with the caller as its owner.
struct NewOrganization {
  CompanyData company;
  OrganizationData organization;
  boost::json::object settings;  // organizations.settings (the form's extra answers)
  std::string job_title;         // the owner membership's
  std::string department;        // the owner membership's
};

// The completion (SPEC §4.1; the session form of LEGACY_API §2), in one transaction:
// organization (slug from the name via onboardd_private.available_slug), owner membership,
// departments (parents first), the role catalog, the logo (bytes or URL), the profile, the
// session completed (the in-progress one — `session_id` when given — with the merged form
// data, or a new completed one when the wizard never saved a step), audit rows. Every
// statement is conditional on the caller having no primary profile yet, so an
// already-onboarded caller gets `created = false` and the existing profile, still in one
// round trip. A concurrent identical completion loses on a unique index (23505): then the
// existing profile is read and returned with `created = false` (a second round trip, only in
// that race); a slug race with another user is retried with fresh ids. Errors: kConflict
// when it still conflicts after the retries.
struct CompletionPlan {
  const catalog::Flow* flow = nullptr;  // must not be null
  CompletionData data;
  ProfilePlan profile;
  std::string email;
  std::string session_id;  // empty: the caller's in-progress session
  std::chrono::hours session_ttl{168};
};
struct CompletionResult {
  bool created = false;
  boost::json::object profile;
  boost::json::object organization;            // camelCase; empty when the profile has none
  boost::json::object organization_api;        // LEGACY_API §3 shape; empty when none
  std::optional<boost::json::object> session;  // the completed session (snake_case) if any
};
boost::asio::awaitable<core::Result<CompletionResult>> Complete(db::Pool& pool,
                                                                db::TenantContext context,
                                                                CompletionPlan plan);

// POST /organization: `organization` with the caller as owner (with job title and department),
// the role catalog and an audit row. Answers the organization (LEGACY_API §3 shape) with its
// members [{user_id, role, department, job_title, created_at}], and the membership row
// {organization_id, user_id, role, department, job_title, created_at}.
struct CreatedOrganization {
  boost::json::object organization;
  boost::json::object membership;
};
boost::asio::awaitable<core::Result<CreatedOrganization>> CreateOrganization(
    db::Pool& pool, db::TenantContext context, NewOrganization organization);

// Every organization the caller is a member of, oldest first (LEGACY_API §3 shape, each with
// member_count and user_role). `active_org_denied` as in StatusRead.
struct OrganizationList {
  boost::json::array organizations;
  bool active_org_denied = false;
};
boost::asio::awaitable<core::Result<OrganizationList>> ListOrganizations(db::Pool& pool,
                                                                         db::TenantContext context);

// The statement ReadStatus sends after the identity settings, for bench/db_bench, which runs
// it through pgbench too (the same SQL in the same pipeline shape).
const db::Statement& StatusStatement();

// The transaction SaveStep commits: the identity settings and one statement,
// onboardd_private.save_step (migration 0016). `saved`, when given, receives the index of its
// row (session id, version, current step, percentage, created 't'/'f'). SaveStep uses it;
// bench/db_bench prints it as a pgbench script.
db::TenantTransaction SaveStepTransaction(db::TenantContext context, const catalog::Flow& flow,
                                          const ValidatedStep& step, std::chrono::hours session_ttl,
                                          std::size_t* saved = nullptr);

// The periodic expiry job's one transaction (no identity needed): marks at most `max_rows`
// in-progress sessions past expires_at as expired, for every user, through
// onboardd_private.expire_stale_sessions (migration 0008; since migration "operations" it
// writes each expiry's audit row in the same transaction). Returns how many it marked. Run it
// every minute or so from one thread; a backlog larger than max_rows drains over runs.
boost::asio::awaitable<core::Result<int>> ExpireStaleSessions(db::Pool& pool,
                                                              core::Deadline deadline,
                                                              int max_rows = 1000);

}  // namespace onboardd::onboarding
