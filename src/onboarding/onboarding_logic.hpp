// The onboarding decisions, as pure functions the routes and the store call: completion
// merge, role mapping, profile fields, slugs, department planning, step progression and the
// status redirect. No I/O, no clocks, no globals; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "catalog/snapshot.hpp"
#include "core/result.hpp"
#include "onboarding/onboarding_types.hpp"

namespace onboardd::onboarding {

// --- Completion -----------------------------------------------------------------------------

// Merges POST /complete's `submitted` sections ({"welcome": {...}, "company": {...}, ...}
// keyed by step id; each optional; null or absent means {}) over the saved `draft` (the
// session's form_data, same shape): for each step of `flow` with fields, the submitted keys
// replace the draft's keys one by one, then the merged step is validated like POST /step.
// Success: the typed, flow-independent data. Errors (kValidation): `submitted` not an object
// ("data"), a section not an object ("company"), and every field error of every step at once,
// including each missing required field ("company.name", "company.industry", "welcome.role").
core::Result<CompletionData> MergeCompletion(const catalog::Flow& flow,
                                             const boost::json::object& draft,
                                             const boost::json::value& submitted);

// ceo/custom -> corporativo, manager/team_lead -> gerente, anything else -> empleado.
RoleType MapRole(std::string_view role);

// The profile's name: the token's `name` when it has one (trimmed, valid UTF-8, ≤ 200 code
// points), else the local part of `email`, else "User".
std::string FullName(std::string_view token_name, std::string_view token_email);

// The profile row: role mapping, department = first department's name or "General".
ProfilePlan PlanProfile(const CompletionData& data, std::string_view token_name,
                        std::string_view token_email);

// --- Slugs ----------------------------------------------------------------------------------

inline constexpr std::size_t kMaxSlugLength = 50;

// "Compañía Ñandú, S.L." -> "compania-nandu-s-l": accents folded, lowercase ASCII letters and
// digits, every other run of characters one dash, no leading/trailing dash, at most
// `max_length` characters (a trailing dash left by the cut is removed). Never empty:
// "organizacion" when nothing usable remains.
std::string Slugify(std::string_view name, std::size_t max_length = kMaxSlugLength);

// The n-th alternative when `slug` is taken (n ≥ 2): "acme" -> "acme-2", shortening the base
// so the result stays within `max_length`. The caller decides when there is a conflict.
std::string SlugWithSuffix(std::string_view slug, int n, std::size_t max_length = kMaxSlugLength);

// --- Departments ----------------------------------------------------------------------------

// Deduplicates `departments` case- and accent-insensitively by name (first occurrence wins;
// a later duplicate's id is an alias of the survivor) and resolves each parentId against the
// ids, then the names, of the list. Returns the survivors in their original order, with
// parent ids rewritten to the survivor's id (or name when it has no id). Errors
// (kValidation, paths "<path>[i].parentId"): a parent that matches nothing, a department
// that is its own ancestor.
core::Result<std::vector<Department>> NormalizeDepartments(std::vector<Department> departments,
                                                           std::string_view path);

// Orders already-normalized departments for insertion, parents first, with parent indexes.
// Precondition: NormalizeDepartments accepted them (throws std::logic_error otherwise).
std::vector<PlannedDepartment> PlanDepartments(const std::vector<Department>& departments);

// --- Session progression (SPEC §4.3) --------------------------------------------------------
// Which step a session is on and how complete it is are decided in one place only, the SQL
// functions onboardd_private.session_step_after and session_percentage (migration 0012), so
// that every write computes them inside its own UPDATE. What C++ decides is whether a save
// counts as done:

// True when a save moves the session on: its data is valid and it was completed or skipped.
bool CanAdvance(const StepProgress& progress);

// --- Status redirect (SPEC §4.2) ------------------------------------------------------------

// The wizard page of a step: "/onboarding/<step id>" ("/onboarding/company").
std::string StepPath(const catalog::StepDef& step);

// not_started -> "/onboarding/welcome" (the flow's first step); in_progress -> the current
// step's page (can_resume); completed -> no redirect; abandoned/expired -> the first step
// again, has_expired for expired. `current_step` outside the flow counts as step 1.
RedirectDecision DecideRedirect(SessionStatus status, const catalog::Flow& flow, int current_step);

// What GET /status reports besides the stored rows.
struct StatusMetadata {
  std::string last_checked;  // ISO-8601, when the rows were read
  bool from_cache = false;
  double check_duration_ms = 0;
};

// GET /status's body (SPEC §4.2) from the caller's latest session, primary profile and active
// organization: status (completed as soon as a profile with an organization exists), the
// session, progress {completedSteps, currentStepData (the current step's saved data), nextStep
// {number, id, title, path} or null when completed}, organization, flags, redirectTo,
// metadata. The session's flow is looked up in `snapshot` (the default flow when unknown).
// Titles in English when `english`.
//
// The JSON is built once: `session_json` and `organization_json` are the store's JSON texts
// (built in SQL; empty when there is none) and go into the body as they are, never parsed
// into a tree and serialized again; `session` is session_json parsed, read for the fields the
// rest of the body is derived from (nullptr when there is no session).
std::string RenderStatus(std::string_view session_json, const boost::json::object* session,
                         std::string_view organization_json, bool has_profile,
                         const catalog::Snapshot& snapshot, bool english,
                         const StatusMetadata& metadata);

// The flow a stored session follows: its "flow" member when `snapshot` knows it, else the
// default flow.
const catalog::Flow& FlowOfSession(const catalog::Snapshot& snapshot,
                                   const boost::json::object* session);

// --- Idempotent replays (idempotency.hpp) ---------------------------------------------------

// A saved step's data as a replay of POST /step answers it: each inline image (a "data:"
// string) replaced by the path that serves the saved one, "<kDraftImagePath><step id>/<key>"
// — GET /status's convention (migration 0013) — so that the stored answer holds no image
// bytes and what it names is still the image the draft keeps.
boost::json::object WithoutInlineImages(const boost::json::object& data, std::string_view step_id);

}  // namespace onboardd::onboarding
