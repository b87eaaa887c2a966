// The values the onboarding feature passes between its pure logic, its store and its routes:
// validated step data, the flow-independent completion data, session states. Plain data,
// no behaviour beyond string conversions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

namespace onboardd::onboarding {

// Where GET /status points for a draft's inline image (migration 0013): a draft's data: URL
// appears in the status as "<kDraftImagePath><step id>/<field key>", the route that serves
// it. Sent back as that same field's value, it means "keep the saved image".
inline constexpr std::string_view kDraftImagePath = "/api/onboarding/draft/image/";

// profiles.role_type.
enum class RoleType { kCorporativo, kGerente, kEmpleado };
std::string_view ToString(RoleType role);  // "corporativo", "gerente", "empleado"

// onboarding_sessions.status; kNotStarted is never stored (no session row).
enum class SessionStatus { kNotStarted, kInProgress, kCompleted, kAbandoned, kExpired };
std::string_view ToString(SessionStatus status);  // "not_started", "in_progress", ...
std::optional<SessionStatus> ParseSessionStatus(std::string_view text);

// A logo sent inline as a data URL, decoded and checked (magic bytes match content_type).
struct Logo {
  std::string content_type;  // "image/png", "image/jpeg" or "image/webp"
  std::string bytes;         // decoded, ≤ the field's max_bytes (2 MB)
};

// One department as the client sent it, normalized: names trimmed, ids as strings.
struct Department {
  std::optional<std::string> id;  // the client's id (may be a temporary one)
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> parent_id;  // another department's id (or, failing that, name)
};

// A department ready to insert: parents always come before their children.
struct PlannedDepartment {
  std::string name;
  std::optional<std::string> description;
  std::optional<std::size_t> parent;  // index into the same planned list
};

// One step's data after validation: what POST /step answers as `data` and what is saved in
// onboarding_sessions.form_data under the step's id.
struct ValidatedStep {
  int number = 0;
  std::string step_id;       // "company"
  boost::json::object data;  // known keys only, defaults applied, empty optionals removed
  std::optional<Logo> logo;  // decoded, when the step carried a data-URL image
};

// The completion data, independent of the flow that collected it (fields are read through
// their catalog `canonical` name, so the wizard's `name` and the legacy `company_name` both
// land in company.name). Optional fields that were absent are empty strings.
struct WelcomeData {
  std::string role;  // ceo, manager, team_lead, individual, custom
  std::string custom_role;
  std::string experience_level;  // beginner, intermediate, advanced
  bool has_seen_welcome = false;
  std::string full_name;       // the session flow (LEGACY_API §2) only
  std::string job_title;       // the session flow only: the owner membership's job_title
  std::string okr_experience;  // the session flow only: none, beginner, intermediate, advanced
};

struct CompanyData {
  std::string name;
  std::string industry;  // catalog industry id
  std::string size;      // catalog company size id
  std::string description;
  std::string website;
  std::string logo_url;      // the logo when given as an http(s) URL
  std::optional<Logo> logo;  // the logo when given inline
};

struct OrganizationData {
  std::optional<int> team_size;  // 1..10000 when known (the session flow allows 0: unknown)
  std::string structure;
  std::string methodology;
  std::string collaboration_style;
  std::vector<std::string> integrations;
  std::vector<Department> departments;  // deduplicated, parents resolvable
  std::string department;               // the session flow only: the caller's own department
};

struct CompletionData {
  WelcomeData welcome;
  CompanyData company;
  OrganizationData organization;
  // The merged, validated sections keyed by step id ({"welcome": {...}, ...}): what the
  // session's form_data becomes.
  boost::json::object sections;
  // Every validated value whose canonical name the typed data above does not model
  // ({"company.country": "España", "organization.businessGoals": [...]}): what the
  // organization keeps in its settings.
  boost::json::object extras;
};

// The profile row derived from the completion data and the token's identity.
struct ProfilePlan {
  std::string full_name;
  RoleType role_type = RoleType::kEmpleado;
  std::string custom_role;
  std::string experience_level;
  std::string department;
  std::string job_title;  // the owner membership's; empty when the flow asks none
};

// Where a session stands, as the store reads it: the step numbers completed or skipped.
struct StepProgress {
  int number = 0;
  bool completed = false;
  bool skipped = false;
  bool valid = false;
};

// GET /status's flags and redirect.
struct RedirectDecision {
  std::optional<std::string> redirect_to;  // null: stay where you are
  bool should_redirect = false;
  bool can_resume = false;
  bool has_expired = false;
};

}  // namespace onboardd::onboarding
