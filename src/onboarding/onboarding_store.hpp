// The onboarding feature's SQL: the user's server-side draft (onboarding_sessions and
// onboarding_progress), the status read, the atomic completion and the organization list.
// Every function is one TenantTransaction, hence one database round trip, under the
// caller's identity (RLS decides what each statement may see or write). Rows come back as
// JSON built by PostgreSQL (json_build_object), so the routes embed them without mapping
// columns by hand.
//
// Coroutines; call them on the I/O thread that owns `pool`. Errors: kUnavailable (database
// down, pool exhausted, deadline), kInternal (a bug or unexpected answer), and those named
// per function.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
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
};

// Saves `step` (already validated against `flow`) into the caller's in-progress session,
// creating it if none exists; an in-progress session past expires_at is first marked
// `expired` and a fresh one started. The step's data replaces form_data[step id]; its
// onboarding_progress row is upserted (completed, valid); completed_steps, current_step
// (the lowest step not done, as NextStep) and completion_percentage (never decreasing, as
// CompletionPercentage) are recomputed in the same UPDATE so that concurrent saves of
// different steps lose nothing. Writes an audit row. `context.read_only` is ignored.
boost::asio::awaitable<core::Result<SavedStep>> SaveStep(db::Pool& pool, db::TenantContext context,
                                                         const catalog::Flow& flow,
                                                         ValidatedStep step);

// The caller's latest session (any status) as JSON: id, flow, status ("expired" when an
// in-progress session is past expires_at), currentStep, totalSteps, completedSteps,
// completionPercentage, version, organizationId, formData, expiresAt, createdAt,
// updatedAt, completedAt. And the caller's primary profile and its organization.
struct StatusRead {
  std::optional<boost::json::object> session;
  std::optional<boost::json::object> profile;       // see ProfileJson below
  std::optional<boost::json::object> organization;  // see OrganizationJson below
};
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

// The completion (SPEC §4.1), in one transaction: organization (slug from the name via
// onboardd_private.available_slug), owner membership, departments (parents first), the role
// catalog, the logo (bytes or URL), the profile, the session completed (the in-progress one,
// or a new completed one when the wizard never saved a step), audit rows. Every statement is
// conditional on the caller having no primary profile yet, so an already-onboarded caller
// gets `created = false` and the existing profile, still in one round trip. A concurrent
// identical completion loses on a unique index (23505): then the existing profile is read
// and returned with `created = false` (a second round trip, only in that race); a slug race
// with another user is retried once with fresh ids. Errors: kConflict when it still
// conflicts after that retry.
struct CompletionResult {
  bool created = false;
  boost::json::object profile;
  boost::json::object organization;  // empty when the profile has no organization
};
boost::asio::awaitable<core::Result<CompletionResult>> Complete(
    db::Pool& pool, db::TenantContext context, const catalog::Flow& flow, CompletionData data,
    ProfilePlan profile, std::string email);

// POST /organization: an organization from a validated company step (name, industry, size,
// description, logo URL) with the caller as owner, the role catalog and an audit row.
// The membership row is returned as JSON {organizationId, userId, role, createdAt}.
struct CreatedOrganization {
  boost::json::object organization;
  boost::json::object membership;
};
boost::asio::awaitable<core::Result<CreatedOrganization>> CreateOrganization(
    db::Pool& pool, db::TenantContext context, CompanyData company);

// Every organization the caller is a member of, oldest first, each with member_count and
// user_role.
boost::asio::awaitable<core::Result<boost::json::array>> ListOrganizations(
    db::Pool& pool, db::TenantContext context);

// --- The session API (SPEC §4.3) ----------------------------------------------------------
// Sessions are returned as the JSON of ReadStatus's `session`. Another user's session id
// reads as absent (kNotFound), never as forbidden.

// POST /start: the caller's in-progress session, or a new one of `flow` when there is none
// (or, with `restart`, after marking the current one abandoned). Stale sessions are marked
// expired first. `created` tells which.
struct StartedSession {
  boost::json::object session;
  bool created = false;
};
boost::asio::awaitable<core::Result<StartedSession>> StartSession(
    db::Pool& pool, db::TenantContext context, const catalog::Flow& flow, bool restart,
    boost::json::object session_context);

// The session `id` (a uuid: the caller checks), or the caller's in-progress one when `id` is
// empty; with its onboarding_progress rows as `steps` when `with_steps`. kNotFound when none.
boost::asio::awaitable<core::Result<boost::json::object>> ReadSession(db::Pool& pool,
                                                                      db::TenantContext context,
                                                                      std::string id,
                                                                      bool with_steps);

// PATCH /session/{id}: current_step (clamped to the lowest step not yet done) and/or context.
// `if_match`: the version the client holds. Errors: kNotFound, kPreconditionFailed (stale
// version), kConflict (the session is not in progress).
struct SessionPatch {
  std::optional<int> current_step;
  std::optional<boost::json::object> context;
};
boost::asio::awaitable<core::Result<boost::json::object>> PatchSession(db::Pool& pool,
                                                                       db::TenantContext context,
                                                                       std::string id,
                                                                       std::optional<int> if_match,
                                                                       SessionPatch patch);

// DELETE /session/{id}: soft delete (status abandoned). Errors as PatchSession; a completed
// session cannot be abandoned (kConflict).
boost::asio::awaitable<core::Result<boost::json::object>> AbandonSession(
    db::Pool& pool, db::TenantContext context, std::string id, std::optional<int> if_match);

// PUT /progress: upserts one step of the session `session_id` (empty: the in-progress one),
// validated by the caller against `flow`; `advance` (completed, or skipped and skippable)
// adds it to completed_steps and recomputes current_step and completion_percentage as
// SaveStep does. Errors: kNotFound, kPreconditionFailed, kConflict (not in progress or past
// expires_at). When the session's flow is not `flow.id`, fails with kConflict and sets
// `actual_flow` so that the caller can validate again and retry.
struct ProgressWrite {
  std::string session_id;
  std::optional<int> if_match;
  int step = 0;
  std::string step_id;
  boost::json::object data;
  bool completed = false;
  bool skipped = false;
  int time_spent_seconds = 0;
};
boost::asio::awaitable<core::Result<boost::json::object>> SaveProgress(db::Pool& pool,
                                                                       db::TenantContext context,
                                                                       const catalog::Flow& flow,
                                                                       ProgressWrite write,
                                                                       std::string* actual_flow);

}  // namespace onboardd::onboarding

namespace onboardd::onboarding {

// The statement ReadStatus sends after the identity settings, for bench/db_bench, which runs
// it through pgbench too (the same SQL in the same pipeline shape).
const db::Statement& StatusStatement();

// The transaction SaveStep commits (`saved`, when given, receives the index of the draft's
// row). SaveStep uses it; bench/db_bench prints it as a pgbench script.
db::TenantTransaction SaveStepTransaction(db::TenantContext context, const catalog::Flow& flow,
                                          const ValidatedStep& step, std::size_t* saved = nullptr);

// The periodic expiry job's one transaction (no identity needed): marks at most `max_rows`
// in-progress sessions past expires_at as expired, for every user, through
// onboardd_private.expire_stale_sessions (migration 0008). Returns how many it marked. Run it
// every minute or so from one thread; a backlog larger than max_rows drains over runs.
boost::asio::awaitable<core::Result<int>> ExpireStaleSessions(db::Pool& pool,
                                                              core::Deadline deadline,
                                                              int max_rows = 1000);

}  // namespace onboardd::onboarding
