// One immutable, validated version of the catalog (SPEC §5): industries, company sizes,
// onboarding flows with their field definitions, feature flags, messages, rate limits and AI
// prompt templates, plus the pre-serialized JSON bodies of the public catalog routes. Built
// once by Parse(), never modified afterwards, so any number of threads may read it without
// synchronization; Catalog (catalog.hpp) swaps whole snapshots.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/error.hpp"
#include "core/result.hpp"

namespace onboardd::catalog {

using core::LocalizedText;

struct Category {
  std::string id;
  LocalizedText name;
};

struct Industry {
  std::string id;        // "technology", "real_estate": what organizations.industry stores
  std::string category;  // a Category id
  LocalizedText name;
  LocalizedText description;
};

struct CompanySize {
  std::string id;  // startup, small, medium, large, enterprise
  int min_employees = 1;
  std::optional<int> max_employees;  // none: unbounded ("1000+")
  LocalizedText label;
};

// How a field's value is checked and normalized (onboarding/step_validation.hpp).
enum class FieldType {
  kString,       // text; lengths in Unicode code points (min_length..max_length)
  kEnum,         // one of `values`
  kBoolean,      // true/false
  kInteger,      // whole number in [min, max]
  kEnumList,     // array of `values`, deduplicated, at most max_items raw elements
  kDepartments,  // array of names or {id?, name, description?, parentId?}
  kImage,        // http(s) URL or data:image/(png|jpeg|webp);base64 URL
  kUrl,          // http(s) URL
};

std::string_view ToString(FieldType type);

struct FieldDef {
  std::string key;  // the JSON key inside the step's data ("name", "company_name")
  FieldType type = FieldType::kString;
  bool required = false;
  LocalizedText label;
  // Where the value lands in the completion pipeline, independent of the flow's spelling:
  // "company.name" for both wizard `name` and legacy `company_name`.
  std::string canonical;
  std::optional<boost::json::value> default_value;  // applied when absent; already valid

  // kString, kUrl, kImage (URL form), kDepartments (each name): code points.
  std::size_t min_length = 0;
  std::size_t max_length = 0;  // 0: the type's built-in cap
  // kEnum, kEnumList: the allowed values (resolved from `valuesFrom` for catalog lists).
  std::vector<std::string> values;
  // kInteger
  std::int64_t min = 0;
  std::int64_t max = 0;
  // kEnumList, kDepartments: most elements accepted in the raw array; kEnumList: fewest
  // (after deduplication) when the field is present.
  std::size_t max_items = 0;
  std::size_t min_items = 0;
  // kDepartments: description length cap in code points.
  std::size_t description_max_length = 500;
  // kImage: decoded data-URL size cap and accepted content types.
  std::size_t max_bytes = 0;
  std::vector<std::string> content_types;

  // How a form shows it (the session API's step info): text, email, select, multiselect,
  // textarea or number; from the catalog's "widget", else derived from the type.
  std::string widget;
  LocalizedText placeholder;  // empty when the catalog gives none

  bool AllowsValue(std::string_view value) const;
};

struct StepDef {
  int number = 0;  // 1-based, contiguous within its flow
  std::string id;  // "welcome": also the prefix of error paths ("welcome.role")
  LocalizedText title;
  bool skippable = false;
  bool final = false;                   // the summary step: no data of its own, completes the flow
  LocalizedText description;            // empty when the catalog gives none
  int estimated_minutes = 3;            // shown to the user; remaining time estimates
  std::vector<LocalizedText> ai_hints;  // short tips shown with the step
  // The one-sentence feedback after a valid save of this step (the session API's
  // ai_feedback); {{key}} placeholders name the step's own field keys. Empty: the
  // catalog-wide templates.step_feedback.
  LocalizedText feedback;
  std::vector<FieldDef> fields;

  const FieldDef* FindField(std::string_view key) const;  // nullptr when absent
};

struct Flow {
  std::string id;  // "wizard", "legacy"
  int version = 1;
  LocalizedText name;
  std::vector<StepDef> steps;  // ordered by number, steps[i].number == i + 1

  int total_steps() const { return static_cast<int>(steps.size()); }
  const StepDef* FindStep(int number) const;           // nullptr outside 1..total_steps
  const StepDef* FindStep(std::string_view id) const;  // nullptr when unknown
};

// A fixed-window limit: `limit` requests per `window_seconds` (1..1,000,000 per 1 s..1 day).
struct RateLimit {
  std::string id;  // "ai.suggest", "public.ip"
  int limit = 0;
  int window_seconds = 3600;
};

// The limit of every route that runs without a verified caller, per client address
// (app/public_rate_limit.hpp). Optional: a catalog without it limits nothing.
inline constexpr std::string_view kPublicRateLimitId = "public.ip";
inline constexpr std::int64_t kMaxRateLimit = 1'000'000;
inline constexpr std::int64_t kMaxRateWindowSeconds = 86'400;

struct PromptTemplate {
  std::string id;
  std::string version;  // recorded with every AI interaction and part of its cache key
  std::string system;
  std::string user;  // {{placeholders}} filled by ai/
};

// A starter OKR the rule-based texts may recommend: chosen when one of `goals` is among
// the organization's business goals (an empty list: a fallback for anyone).
struct OkrTemplate {
  std::vector<std::string> goals;
  LocalizedText objective;
  std::vector<LocalizedText> key_results;
  LocalizedText rationale;
};

// The texts the session API builds from templates ({{name}} placeholders, see
// RenderTemplate in text.hpp), in both languages.
struct Templates {
  LocalizedText greeting_formal;
  LocalizedText greeting_informal;
  LocalizedText resume_formal;     // {{step}}, {{total}}
  LocalizedText resume_informal;   // {{step}}, {{total}}
  LocalizedText step_feedback;     // after a valid save of a step without its own feedback
  LocalizedText invalid_feedback;  // after a save whose data did not validate
  LocalizedText summary;           // {{company}}, {{industry}}, {{goal}}
  LocalizedText summary_no_goal;
  std::vector<LocalizedText> next_steps;  // in order; at least one
  std::vector<OkrTemplate> okrs;          // in order of preference; at least one fallback
};

// What one provider's model costs, for the AI overlay's accounting (ai_interactions.cost_usd).
struct AiPrice {
  std::string provider;  // "openai"
  std::string model;     // "gpt-4o-mini"
  double input_per_million_usd = 0;
  double output_per_million_usd = 0;
};

// Market context the rules provider gives for an industry category (ai/suggest's
// business_insights).
struct AiInsights {
  std::vector<LocalizedText> market_trends;
  LocalizedText competitive_landscape;
  std::vector<LocalizedText> growth_opportunities;
  std::vector<LocalizedText> potential_challenges;
};

// The AI overlay's catalog data ("ai"): the price table, and what the deterministic rules
// provider (ai/rules_provider.hpp) answers with. Keys are validated against the rest of the
// catalog: keywords by industry id, goals and insights by category id, challenges by OKR
// maturity, goal categories for every business goal of the OKR templates.
struct AiCatalog {
  std::vector<AiPrice> prices;
  // Industry id → keywords, folded with FoldForSearch (lowercase, no accents).
  std::map<std::string, std::vector<std::string>, std::less<>> industry_keywords;
  // Category id → the business goals usual in it (values of the legacy flow's business_goals).
  std::map<std::string, std::vector<std::string>, std::less<>> category_goals;
  // Business goal → OKR category (growth, efficiency, innovation, customer).
  std::map<std::string, std::string, std::less<>> goal_categories;
  // OKR maturity (beginner, intermediate, advanced) → usual challenges.
  std::map<std::string, std::vector<std::string>, std::less<>> maturity_challenges;
  // Category id → insights; every category has one.
  std::map<std::string, AiInsights, std::less<>> category_insights;
  // Named texts with {{placeholders}}; every name in kAiTextKeys is present.
  std::map<std::string, LocalizedText, std::less<>> texts;

  // The named text, or an empty one when absent (never, in a parsed snapshot).
  const LocalizedText& Text(std::string_view key) const;
};

// The texts every catalog's "ai.texts" must define (the rules provider uses each).
inline constexpr std::string_view kAiTextKeys[] = {"industryRationale",
                                                   "industryRationaleExisting",
                                                   "industryRationaleDefault",
                                                   "alternativeRationale",
                                                   "siblingRationale",
                                                   "okrRationale",
                                                   "fieldProblem",
                                                   "emptyStep",
                                                   "lowScore",
                                                   "highScoreHint",
                                                   "sizeMismatch",
                                                   "websiteScheme",
                                                   "trimmed",
                                                   "fillSizeFromEmployees",
                                                   "fillSizeDefault",
                                                   "fillMaturity",
                                                   "fillMaturityDefault",
                                                   "fillStyle",
                                                   "fillGoals",
                                                   "fillChallenges",
                                                   "recommendMissing",
                                                   "recommendFirstOkr",
                                                   "riskNoGoals",
                                                   "riskUrgent",
                                                   "riskBeginner",
                                                   "predictorGoals",
                                                   "predictorMaturity",
                                                   "predictorComplete"};

// The prompts every catalog must define, one per AI task (ai/model_contract.hpp).
inline constexpr std::string_view kAiPromptIds[] = {"industry_analysis", "step_validation",
                                                    "smart_fill", "completion_analysis"};

// A response body ready to send, with its strong ETag ("\"<hex>\"", quotes included).
struct JsonBody {
  std::shared_ptr<const std::string> body;
  std::string etag;
};

// Computes the strong ETag of a body: a 128-bit hash of the bytes, as a quoted string.
std::string StrongEtag(std::string_view body);

class Snapshot {
 public:
  // Parses and validates a catalog document. Errors (all ErrorCode::kInternal, because a bad
  // catalog is an operator's fault, never a client's): `message` says the catalog is invalid;
  // `details` name each fault by path ("flows[0].steps[1].fields.role.default": unknown enum
  // value ...): JSON syntax, missing or mistyped members, duplicate ids (industries,
  // categories, sizes, flows, steps, fields, rate limits, prompts), an industry in an
  // unknown category, flows without steps or with non-contiguous step numbers, an unknown
  // field type, enums without values, a default that its own field would refuse, an unknown
  // default flow, an image field accepting anything but png/jpeg/webp, an unknown widget,
  // minItems above maxItems, a rate limit outside 1..1,000,000 per 1..86,400 s, templates missing a
  // language or empty lists of next steps or OKRs, a missing AI prompt (kAiPromptIds), and in "ai":
  // a negative price, keywords of an unknown industry, goals or insights of an unknown category (or
  // a category without insights), an unknown business goal or OKR category, a missing text
  // (kAiTextKeys).
  static core::Result<std::shared_ptr<const Snapshot>> Parse(std::string_view json_text);
  // The same from an already parsed document (the Edge Config poller's item value).
  static core::Result<std::shared_ptr<const Snapshot>> FromJson(const boost::json::value& document);

  const std::string& version() const { return version_; }

  const std::vector<Category>& categories() const { return categories_; }
  const std::vector<Industry>& industries() const { return industries_; }
  const Industry* FindIndustry(std::string_view id) const;
  const std::vector<CompanySize>& company_sizes() const { return company_sizes_; }
  const CompanySize* FindCompanySize(std::string_view id) const;

  const std::vector<Flow>& flows() const { return flows_; }
  const Flow& default_flow() const { return flows_[default_flow_index_]; }
  // The flow POST /start gives new sessions when the client names none ("sessionFlow";
  // the default flow when absent).
  const Flow& session_flow() const { return flows_[session_flow_index_]; }
  const Templates& templates() const { return templates_; }
  // POST /organization's fields (LEGACY_API §3), as a flow of one step ("organization").
  const Flow& organization_form() const { return organization_form_; }
  const Flow* FindFlow(std::string_view id) const;  // nullptr when unknown

  // False for unknown flags.
  bool FeatureEnabled(std::string_view flag) const;
  const std::map<std::string, bool, std::less<>>& feature_flags() const { return flags_; }
  // nullptr when unknown.
  const LocalizedText* FindMessage(std::string_view key) const;
  const std::map<std::string, LocalizedText, std::less<>>& messages() const { return messages_; }
  const RateLimit* FindRateLimit(std::string_view id) const;
  const std::vector<RateLimit>& rate_limits() const { return rate_limits_; }
  const PromptTemplate* FindPrompt(std::string_view id) const;
  const std::vector<PromptTemplate>& prompts() const { return prompts_; }
  const AiCatalog& ai() const { return ai_; }
  // The price of (provider, model); nullptr when the table has none (the call costs 0).
  const AiPrice* FindAiPrice(std::string_view provider, std::string_view model) const;

  // Body of GET /api/onboarding/industries: {industries, categorized, categories, total}.
  // `q` (trimmed) matches id, name (es and en), description, and the category's id and names,
  // case- and accent-insensitively;
  // `category` keeps one category id (unknown id: empty result, not an error). Names and
  // descriptions are in Spanish, or English when `english`. The unfiltered bodies are
  // pre-serialized (no allocation beyond the shared_ptr copy); filtered ones are built per
  // call. Routes should send `Vary: Accept-Language`.
  JsonBody IndustriesBody(std::string_view q, std::string_view category, bool english) const;
  // Body of GET /api/onboarding/config: {version, defaultFlow, flows, enums, featureFlags,
  // messages, rateLimits}; language-neutral (texts as {es, en}); pre-serialized.
  const JsonBody& ConfigBody() const { return config_body_; }

 private:
  Snapshot() = default;
  JsonBody BuildIndustriesBody(std::string_view q, std::string_view category, bool english) const;

  std::string version_;
  std::vector<Category> categories_;
  std::vector<Industry> industries_;
  std::vector<CompanySize> company_sizes_;
  std::vector<Flow> flows_;
  std::size_t default_flow_index_ = 0;
  std::size_t session_flow_index_ = 0;
  Templates templates_;
  Flow organization_form_;
  std::map<std::string, bool, std::less<>> flags_;
  std::map<std::string, LocalizedText, std::less<>> messages_;
  std::vector<RateLimit> rate_limits_;
  std::vector<PromptTemplate> prompts_;
  AiCatalog ai_;
  JsonBody industries_es_;
  JsonBody industries_en_;
  JsonBody config_body_;

  friend class SnapshotBuilder;
};

}  // namespace onboardd::catalog
