// The older session API's SQL (SPEC §4.3, LEGACY_API.md §2): sessions and their per-step
// progress rows, read and written by id under the caller's identity. Sessions are answered
// as snake_case JSON (id, user_id, flow, status, current_step, total_steps, completed_steps,
// form_data, ai_suggestions, ai_analysis, completion_percentage, version, organization_id,
// context, completed_at, expires_at, created_at, updated_at); progress rows likewise (id,
// session_id, step_number, step_name, data, is_completed, is_skipped, is_valid, errors,
// started_at, completed_at, time_spent_seconds, created_at, updated_at).
//
// Every function is one TenantTransaction (one round trip). Another user's session id reads
// as absent (kNotFound), never as forbidden. Writes are conditional on the version the client
// holds (`if_match`, from If-Match; nullopt: unconditional). Errors besides those of
// onboarding_store.hpp: kNotFound (no such session of the caller), kPreconditionFailed
// (stale version), kValidation with the session_not_in_progress message (the write needs a
// session in progress, or at least not completed for AbandonSession).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "catalog/snapshot.hpp"
#include "core/result.hpp"
#include "db/pg_pool.hpp"
#include "db/tenant_transaction.hpp"

namespace onboardd::onboarding {

// POST /start: the caller's in-progress session, or a new one of `flow` when there is none
// (or, with `restart`, after marking the current one abandoned). Stale sessions are marked
// expired first. A new session starts with `form_data` (the start preferences and context)
// and `session_context`, and expires after `ttl`. `created` tells which.
struct StartedSession {
  boost::json::object session;
  bool created = false;
};
boost::asio::awaitable<core::Result<StartedSession>> StartSession(
    db::Pool& pool, db::TenantContext context, const catalog::Flow& flow, bool restart,
    boost::json::object form_data, boost::json::object session_context, std::chrono::hours ttl);

// The session `id` (a uuid: the caller checks), or the caller's in-progress one when `id` is
// empty, with its progress rows in step order when `with_progress`, and the organization it
// completed into (LEGACY_API §3 shape) when the caller is a member of it. kNotFound when none.
struct SessionRead {
  boost::json::object session;
  boost::json::array progress;  // empty unless with_progress
  std::optional<boost::json::object> organization;
};
boost::asio::awaitable<core::Result<SessionRead>> ReadSession(db::Pool& pool,
                                                              db::TenantContext context,
                                                              std::string id, bool with_progress);

// PUT /progress: one step of session `session_id`, judged by the caller against the flow
// `flow_id` (session_logic.hpp CheckProgress). form_data[step_id] = data, whether valid or
// not; the step's progress row is upserted (is_completed only when `done`); when `done` the
// step joins completed_steps and the percentage is recomputed, and when `move` too the session
// may move on (migration 0012's rule). Errors as above; when the session follows another flow
// than `flow_id`, fails with kConflict and sets `actual_flow` so that the caller can judge
// again and retry.
struct ProgressWrite {
  std::string session_id;
  std::string flow_id;
  std::optional<int> if_match;
  int step = 0;
  std::string step_id;
  boost::json::object data;
  bool completed = false;  // as requested; stored only when valid
  bool skipped = false;
  bool valid = false;
  boost::json::array errors;  // stored with the row
  bool done = false;          // valid and (completed or skipped)
  bool move = false;          // auto_advance
  int time_spent_seconds = 0;
};
struct SavedProgress {
  boost::json::object session;
  boost::json::object progress;
};
boost::asio::awaitable<core::Result<SavedProgress>> SaveProgress(db::Pool& pool,
                                                                 db::TenantContext context,
                                                                 ProgressWrite write,
                                                                 std::string* actual_flow);

// PATCH /session/{id}: any of current_step (clamped to the flow), form_data (merged over
// the saved one key by key), ai_suggestions, ai_analysis, context. Errors as above.
struct SessionPatch {
  std::optional<int> current_step;
  std::optional<boost::json::object> form_data;
  std::optional<boost::json::value> ai_suggestions;
  std::optional<boost::json::value> ai_analysis;
  std::optional<boost::json::object> context;
};
boost::asio::awaitable<core::Result<boost::json::object>> PatchSession(db::Pool& pool,
                                                                       db::TenantContext context,
                                                                       std::string id,
                                                                       std::optional<int> if_match,
                                                                       SessionPatch patch);

// DELETE /session/{id}: soft delete (status abandoned). A completed session cannot be
// abandoned. Errors as above.
boost::asio::awaitable<core::Result<boost::json::object>> AbandonSession(
    db::Pool& pool, db::TenantContext context, std::string id, std::optional<int> if_match);

// POST /complete with create_organization false: session `id` (in progress) becomes
// completed with `form_data` merged over its own, and nothing else is created. Errors as
// above.
boost::asio::awaitable<core::Result<boost::json::object>> CompleteSessionOnly(
    db::Pool& pool, db::TenantContext context, std::string id, boost::json::object form_data);

}  // namespace onboardd::onboarding
