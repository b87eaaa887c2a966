// What the onboarding feature's two stores (onboarding_store.cpp: wizard, status, completion,
// organizations; session_store.cpp: the older session API) share: the SQL fragments that
// shape rows as JSON, the fragments of the progression rule (which calls the one home of
// that rule, migration 0012), and small parameter/row helpers. Internal to src/onboarding.
#pragma once

#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "db/pg_connection.hpp"
#include "db/tenant_transaction.hpp"

namespace onboardd::onboarding::store {

// The caller, as the policies see it.
#define ONBOARDD_ME "onboardd_private.current_user_id()"

// A session (alias s) as GET /status reports it (camelCase, SPEC §4.2). "expired" when an
// in-progress session is past expires_at, before the expiry job has marked it. formData is
// the preview without inline images (migration 0013).
#define ONBOARDD_SESSION_STATUS                                                                \
  "case when s.status = 'in_progress' and s.expires_at <= now() then 'expired' else s.status " \
  "end"
#define ONBOARDD_SESSION_JSON                                                                  \
  "json_build_object('id', s.id, 'flow', s.flow, 'status', " ONBOARDD_SESSION_STATUS           \
  ", 'currentStep', s.current_step, 'totalSteps', s.total_steps, 'completedSteps', "           \
  "s.completed_steps, 'completionPercentage', s.completion_percentage, 'version', s.version, " \
  "'organizationId', s.organization_id, 'formData', coalesce(s.form_preview, s.form_data), "   \
  "'expiresAt', s.expires_at, "                                                                \
  "'createdAt', s.created_at, 'updatedAt', s.updated_at, 'completedAt', s.completed_at)"

// A session (alias s) as the session API answers it (snake_case, LEGACY_API §2).
#define ONBOARDD_SESSION_SNAKE_JSON                                                       \
  "jsonb_build_object('id', s.id, 'user_id', s.user_id, 'flow', s.flow, "                 \
  "'status', " ONBOARDD_SESSION_STATUS                                                    \
  ", 'current_step', s.current_step, 'total_steps', s.total_steps, "                      \
  "'completed_steps', s.completed_steps, 'form_data', s.form_data, 'ai_suggestions', "    \
  "s.ai_suggestions, 'ai_analysis', s.ai_analysis, 'completion_percentage', "             \
  "s.completion_percentage, 'version', s.version, 'organization_id', s.organization_id, " \
  "'context', s.context, 'completed_at', s.completed_at, 'expires_at', s.expires_at, "    \
  "'created_at', s.created_at, 'updated_at', s.updated_at)"

// A progress row (alias p), snake_case.
#define ONBOARDD_PROGRESS_JSON                                                                 \
  "jsonb_build_object('id', p.id, 'session_id', p.session_id, 'step_number', p.step_number, "  \
  "'step_name', p.step_name, 'data', p.data, 'is_completed', p.is_completed, 'is_skipped', "   \
  "p.is_skipped, 'is_valid', p.is_valid, 'errors', p.errors, 'started_at', p.started_at, "     \
  "'completed_at', p.completed_at, 'time_spent_seconds', p.time_spent_seconds, 'created_at', " \
  "p.created_at, 'updated_at', p.updated_at)"

#define ONBOARDD_PROFILE_JSON                                                             \
  "json_build_object('id', p.id, 'userId', p.user_id, 'fullName', p.full_name, 'email', " \
  "p.email, 'roleType', p.role_type, 'customRole', p.custom_role, 'experienceLevel', "    \
  "p.experience_level, 'department', p.department, 'companyId', p.organization_id, "      \
  "'createdAt', p.created_at, 'updatedAt', p.updated_at)"

// An organization (alias o) as GET /status reports it (camelCase).
#define ONBOARDD_ORGANIZATION_JSON                                                           \
  "json_build_object('id', o.id, 'name', o.name, 'slug', o.slug, 'industry', o.industry, "   \
  "'size', o.size, 'description', o.description, 'teamSize', o.team_size, 'structure', "     \
  "o.structure, 'methodology', o.methodology, 'collaborationStyle', o.collaboration_style, " \
  "'integrations', o.integrations, 'createdBy', o.created_by, 'createdAt', o.created_at, "   \
  "'updatedAt', o.updated_at)"

// An organization (alias o) as the organization routes answer it (LEGACY_API §3): the
// original's snake_case names, its settings' legacy fields at top level, and the camelCase
// twins earlier onboardd clients read.
#define ONBOARDD_ORGANIZATION_API_JSON                                                          \
  "(jsonb_build_object('id', o.id, 'name', o.name, 'slug', o.slug, 'industry_id', o.industry, " \
  "'size', o.size, 'description', o.description, 'website', o.settings ->> 'company.website', " \
  "'country', o.settings ->> 'company.country', 'city', o.settings ->> 'company.city', "        \
  "'employee_count', o.settings -> 'company.employeeCount', 'founded_year', o.settings -> "     \
  "'company.foundedYear', 'okr_maturity', o.settings ->> 'organization.okrMaturity', "          \
  "'business_goals', o.settings -> 'organization.businessGoals', 'current_challenges', "        \
  "o.settings -> 'organization.currentChallenges', 'team_size', o.team_size, 'structure', "     \
  "o.structure, 'methodology', o.methodology, 'collaboration_style', o.collaboration_style, "   \
  "'integrations', o.integrations, 'settings', o.settings, 'created_by', o.created_by, "        \
  "'created_at', o.created_at, 'updated_at', o.updated_at) || jsonb_build_object('teamSize', "  \
  "o.team_size, 'collaborationStyle', o.collaboration_style, 'createdBy', o.created_by, "       \
  "'createdAt', o.created_at, 'updatedAt', o.updated_at))"

// The progression of a session (alias s) after a save of step `STEP` (SQL expressions
// throughout): when `DONE` is true the step joins the steps done and the percentage is
// recomputed; when `MOVE` is true too, the session may move on from it. Only migration
// 0012's functions decide; these fragments only feed them.
#define ONBOARDD_DONE_AFTER(STEP, DONE)                                                     \
  "(case when " DONE " then array(select distinct x from unnest(s.completed_steps || " STEP \
  ") x where x between 1 and s.total_steps order by x) else s.completed_steps end)"
#define ONBOARDD_STEP_AFTER(STEP, DONE, MOVE)                                        \
  "onboardd_private.session_step_after(s.current_step, " STEP ", " DONE " and " MOVE \
  ", " ONBOARDD_DONE_AFTER(STEP, DONE) ", s.total_steps)"
#define ONBOARDD_PERCENTAGE_AFTER(STEP, DONE, MOVE)                                          \
  "(case when " DONE                                                                         \
  " then onboardd_private.session_percentage(s.completion_percentage, " ONBOARDD_STEP_AFTER( \
      STEP, DONE,                                                                            \
      MOVE) ", " ONBOARDD_DONE_AFTER(STEP,                                                   \
                                     DONE) ", s.total_steps) else s.completion_percentage end)"

// Marks the caller's in-progress session expired when it is past expires_at (before a write
// that would otherwise find it), so that a fresh one can start; audited like the periodic
// job's expiries (details.by tells them apart).
inline constexpr db::Statement kExpireStale{
    "onb_expire_stale",
    "with u as (update public.onboarding_sessions set status = 'expired' where user_id "
    "= " ONBOARDD_ME
    " and status = 'in_progress' and expires_at <= now() returning id, user_id) "
    "insert into public.audit_log (actor_id, action, entity_type, entity_id, details) "
    "select u.user_id, 'onboarding.session_expired', 'onboarding_session', u.id::text, "
    "'{\"by\": \"request\"}'::jsonb from u"};

// Column `column` of row `row` parsed as a JSON object; nullopt when absent, NULL or not an
// object.
inline std::optional<boost::json::object> ObjectAt(const db::Rows& rows, int row, int column) {
  if (rows.size() <= row || rows.IsNull(row, column)) return std::nullopt;
  boost::json::value v = boost::json::parse(rows.Get(row, column));
  if (!v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

inline db::Param TextOrNull(const std::string& text) {
  return text.empty() ? db::Param() : db::Param(text);
}

inline db::Param Json(const boost::json::value& value) {
  return db::Param(boost::json::serialize(value));
}

inline db::Param OptionalInt(std::optional<int> value) {
  return value ? db::Param(std::to_string(*value)) : db::Param();
}

inline db::Param Bool(bool value) { return db::Param(value ? "true" : "false"); }

inline int ToInt(std::string_view text) { return std::atoi(std::string(text).c_str()); }
inline std::int64_t ToInt64(std::string_view text) {
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

inline db::TenantContext Writing(db::TenantContext context) {
  context.read_only = false;
  return context;
}

inline db::TenantContext Reading(db::TenantContext context) {
  context.read_only = true;
  return context;
}

}  // namespace onboardd::onboarding::store
