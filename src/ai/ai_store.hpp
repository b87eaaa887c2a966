// The AI overlay's SQL (tables of migration 0004, view of 0015), under the caller's identity:
// every row is the caller's own (RLS), so another user's suggestion or session reads as
// absent (kNotFound), never as forbidden. Every function is one TenantTransaction (one round
// trip). Errors besides those below: what TenantTransaction::Commit reports (kUnavailable
// when the database cannot be reached in time).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ai/ai_answers.hpp"
#include "ai/ai_types.hpp"
#include "core/result.hpp"
#include "db/pg_pool.hpp"
#include "db/tenant_transaction.hpp"

namespace onboardd::ai {

struct Preferences {
  bool enabled = true;  // the defaults of a user who never chose
  AssistanceLevel level = AssistanceLevel::kModerate;
};

// What an AI request needs to know before anyone is asked: the caller's preferences and,
// when `session_id` is not empty, the flow that session follows. kNotFound when session_id
// names no session of the caller's.
struct AiContext {
  Preferences preferences;
  std::string session_flow;  // empty when no session was named
};
boost::asio::awaitable<core::Result<AiContext>> ReadAiContext(db::Pool& pool,
                                                              db::TenantContext context,
                                                              std::string session_id);

// One AI answer's accounting (ai_interactions) and its suggestions (ai_suggestions), written
// together. The organization is recorded only when the caller is a member of
// `context.org_id` (a hint that must never make the write fail); `session_id` must be one of
// the caller's sessions or empty (ReadAiContext checked it).
struct InteractionRecord {
  std::string id;  // uuid, made by the caller
  std::string session_id;
  Feature feature = Feature::kSuggest;
  std::string provider;
  std::string model;
  std::string prompt_version;
  std::string input_hash;
  bool cached = false;
  int latency_ms = 0;
  int tokens_in = 0;
  int tokens_out = 0;
  double cost_usd = 0;
  std::string outcome;
};
boost::asio::awaitable<core::Status> RecordInteraction(db::Pool& pool, db::TenantContext context,
                                                       InteractionRecord record,
                                                       std::vector<SuggestionRow> suggestions);

// POST /api/ai/suggestions/{id}/decision: records the caller's decision on suggestion `id`
// (a uuid: the caller checks). accepted → final_value = the suggested value; declined →
// final_value NULL; modified → final_value = `value`. A suggestion is decided once: the same
// decision again (same final value) answers as the first time did; a different one is
// kConflict. kNotFound when `id` is not the caller's. Writes an audit row. Returns the
// suggestion {id, interaction_id, feature, field, suggested_value, decision, final_value,
// decided_at, created_at}.
boost::asio::awaitable<core::Result<boost::json::object>> DecideSuggestion(
    db::Pool& pool, db::TenantContext context, std::string id, std::string decision,
    std::optional<boost::json::value> value);

// GET /api/ai/preferences: the caller's, or the defaults.
boost::asio::awaitable<core::Result<Preferences>> ReadPreferences(db::Pool& pool,
                                                                  db::TenantContext context);
// PUT /api/ai/preferences: upserts what is given (nullopt keeps the current value, or the
// default for a user who had none); writes an audit row; returns the stored preferences.
boost::asio::awaitable<core::Result<Preferences>> SavePreferences(
    db::Pool& pool, db::TenantContext context, std::optional<bool> enabled,
    std::optional<AssistanceLevel> level);

}  // namespace onboardd::ai
