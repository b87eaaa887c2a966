// The AI overlay's routes (SPEC §4.5) with LEGACY_API.md §4's names and shapes. Thin
// handlers: decode and bound the input (400 naming the field), take the caller's quota (429
// with Retry-After, X-RateLimit-Remaining, X-RateLimit-Reset), read the caller's preferences
// (and session flow) in one round trip, ask the Assistant (which always answers, from the
// rules when the provider fails or AI is off for the caller), record the interaction and its
// suggestions in a second round trip, answer. The provider's fate never changes the status:
// an AI route answers 200 whatever the model did; only the caller's input (4xx) or the
// database (503) can fail it.
#pragma once

#include <memory>

#include "ai/assistant.hpp"
#include "ai/quota_counter.hpp"
#include "catalog/catalog.hpp"
#include "db/pg_pool.hpp"
#include "http/router.hpp"

namespace onboardd::ai {

// What the AI routes need, made once at start-up; all thread-safe. None may be null.
struct Dependencies {
  std::shared_ptr<const catalog::Catalog> catalog;
  std::shared_ptr<const db::Pools> pools;
  std::shared_ptr<Assistant> assistant;
  std::shared_ptr<QuotaCounter> quotas;  // per user, per feature, from the catalog's rateLimits
};

// Registers, all authenticated:
//   POST/GET /api/onboarding/ai/suggest    industry analysis / status and the caller's quota
//   POST/GET /api/onboarding/ai/validate   review of one step of a session / validations
//   POST/GET /api/onboarding/ai/complete   smart_fill | suggestions | full_analysis / capabilities
//   POST /api/ai/suggestions/{id}/decision accepted | declined | modified (+ value)
//   GET/PUT  /api/ai/preferences           {enabled, assistance_level}
void RegisterAiRoutes(http::Router& router, const Dependencies& dependencies);

}  // namespace onboardd::ai
