// The AI overlay's SQL (see ai_store.hpp). Writes hang their audit rows off a data-modifying
// CTE, so a write that matches nothing audits nothing.
#include "ai/ai_store.hpp"

#include <cstdio>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace onboardd::ai {

namespace asio = boost::asio;
namespace json = boost::json;
using db::Param;
using db::Statement;

namespace {

#define ONBOARDD_AI_ME "onboardd_private.current_user_id()"

// $1 session id or NULL.
constexpr Statement kReadContext{
    "ai_read_context",
    "select coalesce((select p.enabled from public.ai_preferences p where p.user_id "
    "= " ONBOARDD_AI_ME
    "), true), coalesce((select p.assistance_level from public.ai_preferences p where p.user_id "
    "= " ONBOARDD_AI_ME
    "), 'moderate'), (select s.flow from public.onboarding_sessions s where s.id = "
    "$1::uuid and s.user_id = " ONBOARDD_AI_ME ")"};

// $1 id, $2 organization hint or NULL, $3 session or NULL, $4 feature, $5 provider, $6 model or
// NULL, $7 prompt version or NULL, $8 input hash, $9 cached, $10 latency, $11 tokens in,
// $12 tokens out, $13 cost, $14 outcome. The organization is kept only when the caller is a
// member (the policy would refuse the row otherwise, and accounting must not fail a request).
constexpr Statement kRecordInteraction{
    "ai_record_interaction",
    "insert into public.ai_interactions (id, user_id, organization_id, session_id, feature, "
    "provider, model, prompt_version, input_hash, cached, latency_ms, tokens_in, tokens_out, "
    "cost_usd, outcome) values ($1::uuid, " ONBOARDD_AI_ME
    ", case when $2::uuid = any ((select onboardd_private.member_org_ids())::uuid[]) then "
    "$2::uuid end, $3::uuid, $4, $5, $6, $7, $8, $9::bool, $10::int, $11::int, $12::int, "
    "$13::numeric, $14)"};

// $1 interaction id, $2 [{id, field, value}].
constexpr Statement kRecordSuggestions{
    "ai_record_suggestions",
    "insert into public.ai_suggestions (id, interaction_id, user_id, field, suggested_value) "
    "select (x ->> 'id')::uuid, $1::uuid, " ONBOARDD_AI_ME
    ", x ->> 'field', x -> 'value' from jsonb_array_elements($2::jsonb) x"};

// $1 id, $2 decision, $3 the modified value or NULL. Decides an undecided suggestion only.
constexpr Statement kDecide{
    "ai_decide",
    "with u as (update public.ai_suggestions s set decision = $2, final_value = case $2 when "
    "'accepted' then s.suggested_value when 'declined' then null else $3::jsonb end, "
    "decided_at = now() where s.id = $1::uuid and s.user_id = " ONBOARDD_AI_ME
    " and s.decision is null returning s.*), "
    "a as (insert into public.audit_log (actor_id, action, entity_type, entity_id, details) "
    "select u.user_id, 'ai.suggestion_decided', 'ai_suggestion', u.id::text, "
    "jsonb_build_object('decision', u.decision, 'field', u.field) from u) "
    "select count(*) from u"};

// $1 id. The suggestion as answered, after kDecide in the same transaction.
constexpr Statement kReadSuggestion{
    "ai_read_suggestion",
    "select jsonb_build_object('id', s.id, 'interaction_id', s.interaction_id, 'feature', "
    "i.feature, 'field', s.field, 'suggested_value', s.suggested_value, 'decision', s.decision, "
    "'final_value', s.final_value, 'decided_at', s.decided_at, 'created_at', s.created_at)::text "
    "from public.ai_suggestions s join public.ai_interactions i on i.id = s.interaction_id and "
    "i.user_id = s.user_id where s.id = $1::uuid and s.user_id = " ONBOARDD_AI_ME};

constexpr Statement kReadPreferences{"ai_read_preferences",
                                     "select p.enabled, p.assistance_level from "
                                     "public.ai_preferences p where p.user_id = " ONBOARDD_AI_ME};

// $1 enabled or NULL, $2 assistance level or NULL.
constexpr Statement kSavePreferences{
    "ai_save_preferences",
    "with u as (insert into public.ai_preferences as p (user_id, enabled, assistance_level) "
    "values (" ONBOARDD_AI_ME
    ", coalesce($1::bool, true), coalesce($2, 'moderate')) on conflict (user_id) do update set "
    "enabled = coalesce($1::bool, p.enabled), assistance_level = coalesce($2, "
    "p.assistance_level) returning p.user_id, p.enabled, p.assistance_level), "
    "a as (insert into public.audit_log (actor_id, action, entity_type, entity_id, details) "
    "select u.user_id, 'ai.preferences_updated', 'ai_preferences', u.user_id, "
    "jsonb_build_object('enabled', u.enabled, 'assistance_level', u.assistance_level) from u) "
    "select u.enabled, u.assistance_level from u"};

#undef ONBOARDD_AI_ME

Param TextOrNull(const std::string& text) { return text.empty() ? Param() : Param(text); }

db::TenantContext As(db::TenantContext context, bool read_only) {
  context.read_only = read_only;
  return context;
}

Preferences PreferencesAt(const db::Rows& rows, int row) {
  Preferences out;
  out.enabled = rows.Get(row, 0) == "t";
  out.level = ParseAssistanceLevel(rows.Get(row, 1)).value_or(AssistanceLevel::kModerate);
  return out;
}

std::string Cost(double usd) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6f", usd < 0 ? 0.0 : usd);
  return buffer;
}

}  // namespace

asio::awaitable<core::Result<AiContext>> ReadAiContext(db::Pool& pool, db::TenantContext context,
                                                       std::string session_id) {
  db::TenantTransaction tx(As(std::move(context), true));
  const std::size_t read = tx.Add(kReadContext, {TextOrNull(session_id)});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[read];
  if (r.empty()) co_return core::MakeError(core::ErrorCode::kInternal);
  AiContext out;
  out.preferences = PreferencesAt(r, 0);
  if (!session_id.empty()) {
    if (r.IsNull(0, 2)) co_return core::MakeError(core::ErrorCode::kNotFound);
    out.session_flow = std::string(r.Get(0, 2));
  }
  co_return out;
}

asio::awaitable<core::Status> RecordInteraction(db::Pool& pool, db::TenantContext context,
                                                InteractionRecord rec,
                                                std::vector<SuggestionRow> suggestions) {
  const std::string org = context.org_id;
  db::TenantTransaction tx(As(std::move(context), false));
  tx.Add(kRecordInteraction,
         {Param(rec.id), TextOrNull(org), TextOrNull(rec.session_id),
          Param(FeatureName(rec.feature)), Param(rec.provider), TextOrNull(rec.model),
          TextOrNull(rec.prompt_version), Param(rec.input_hash),
          Param(rec.cached ? "true" : "false"), Param(std::to_string(std::max(0, rec.latency_ms))),
          Param(std::to_string(std::max(0, rec.tokens_in))),
          Param(std::to_string(std::max(0, rec.tokens_out))), Param(Cost(rec.cost_usd)),
          Param(rec.outcome)});
  if (!suggestions.empty()) {
    json::array rows;
    for (SuggestionRow& s : suggestions) {
      rows.push_back(json::object{
          {"id", std::move(s.id)}, {"field", std::move(s.field)}, {"value", std::move(s.value)}});
    }
    tx.Add(kRecordSuggestions, {Param(rec.id), Param(json::serialize(rows))});
  }
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  co_return core::Status();
}

asio::awaitable<core::Result<json::object>> DecideSuggestion(db::Pool& pool,
                                                             db::TenantContext context,
                                                             std::string id, std::string decision,
                                                             std::optional<json::value> value) {
  db::TenantTransaction tx(As(std::move(context), false));
  const std::size_t decide = tx.Add(
      kDecide, {Param(id), Param(decision), value ? Param(json::serialize(*value)) : Param()});
  const std::size_t read = tx.Add(kReadSuggestion, {Param(id)});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[read];
  if (r.empty()) co_return core::MakeError(core::ErrorCode::kNotFound);
  json::value row = json::parse(r.Get(0, 0));
  if (!row.is_object()) co_return core::MakeError(core::ErrorCode::kInternal);
  json::object suggestion = std::move(row.as_object());
  if ((*rows)[decide].Get(0, 0) == "1") co_return suggestion;
  // Decided before: the same decision again is a retry, anything else a conflict.
  const json::value* was = suggestion.if_contains("decision");
  const json::value* final_value = suggestion.if_contains("final_value");
  const bool same_decision = was && was->is_string() && was->as_string() == decision;
  const bool same_value =
      decision != "modified" || (value && final_value && *final_value == *value);
  if (same_decision && same_value) co_return suggestion;
  co_return core::MakeError(
      core::ErrorCode::kConflict,
      {"Esta sugerencia ya tiene una decisión", "This suggestion has already been decided"});
}

asio::awaitable<core::Result<Preferences>> ReadPreferences(db::Pool& pool,
                                                           db::TenantContext context) {
  db::TenantTransaction tx(As(std::move(context), true));
  const std::size_t read = tx.Add(kReadPreferences);
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  if ((*rows)[read].empty()) co_return Preferences{};
  co_return PreferencesAt((*rows)[read], 0);
}

asio::awaitable<core::Result<Preferences>> SavePreferences(db::Pool& pool,
                                                           db::TenantContext context,
                                                           std::optional<bool> enabled,
                                                           std::optional<AssistanceLevel> level) {
  db::TenantTransaction tx(As(std::move(context), false));
  const std::size_t save =
      tx.Add(kSavePreferences, {enabled ? Param(*enabled ? "true" : "false") : Param(),
                                level ? Param(ToString(*level)) : Param()});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  if ((*rows)[save].empty()) co_return core::MakeError(core::ErrorCode::kInternal);
  co_return PreferencesAt((*rows)[save], 0);
}

}  // namespace onboardd::ai
