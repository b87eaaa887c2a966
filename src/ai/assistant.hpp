// The AI overlay's one promise, kept in one place: an answer always comes back, in time, and
// from the rules whenever the configured provider cannot give one. For each question the
// Assistant
//   1. answers from the rules when the user switched AI off or the provider is the rules;
//   2. else looks the question up in the response cache (a hit is re-parsed against this
//      request's catalog, so a stale id can never come back);
//   3. else asks the provider through its circuit breaker, within AI_TIMEOUT_MS (and never
//      past the request's own deadline), caching a good answer;
//   4. on any failure (deadline, transport, 429, 5xx, malformed output, open breaker, even
//      an exception) answers from the rules, saying why in `outcome`.
// It also prices the call (the catalog's price table) and publishes the metrics of every
// call: onboardd_ai_calls_total{feature,provider,model,outcome},
// onboardd_ai_call_seconds{provider,model,outcome}, onboardd_ai_tokens_total{provider,model,
// direction}, onboardd_ai_cost_microdollars_total{provider,model},
// onboardd_ai_cache_lookups_total{result} (and the breaker's own gauge). Nothing of the
// question or answer is logged. Thread-safe: one Assistant serves every I/O thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "ai/circuit_breaker.hpp"
#include "ai/provider.hpp"
#include "ai/response_cache.hpp"

namespace onboardd::ai {

struct AssistantOptions {
  std::chrono::milliseconds timeout{1500};  // AI_TIMEOUT_MS: one provider call, retries included
  std::chrono::seconds cache_ttl{3600};
  CircuitBreaker::Options breaker;
};

// An answer and its accounting: what ai_interactions records.
struct Served {
  AnswerValue value;
  std::string provider;  // the provider asked ("rules" when AI is off or rules-only)
  Usage usage;           // model, prompt version, tokens of the provider's attempts
  double cost_usd = 0;
  bool cached = false;
  // success | cached | disabled | fallback_breaker_open | fallback_<Failure> (timeout,
  // unavailable, rate_limited, upstream, malformed, error)
  std::string outcome;
  int latency_ms = 0;
  std::string input_hash;  // SHA-256 hex of the normalized input
};

class Assistant {
 public:
  // `provider` null or the rules: rules only (no cache, no breaker). `cache` must not be null
  // when `provider` is a model.
  Assistant(std::shared_ptr<const Provider> provider, std::shared_ptr<ResponseCache> cache,
            AssistantOptions options = {});

  // Never fails, never throws (see above). `worker`: the request's I/O thread, for the cache.
  boost::asio::awaitable<Served> Ask(int worker, Question question, bool ai_enabled,
                                     core::Deadline request_deadline);

  // "rules" or the provider's name, and its model ("" for rules).
  std::string_view provider_name() const;
  std::string_view model() const;
  bool uses_model() const { return model_provider_ != nullptr; }
  CircuitBreaker::State breaker_state() const;

 private:
  // Constant after construction.
  const std::shared_ptr<const Provider> model_provider_;  // null: rules only
  const std::shared_ptr<ResponseCache> cache_;
  const AssistantOptions options_;
  // Thread-safe itself.
  std::unique_ptr<CircuitBreaker> breaker_;
};

// The question as the cache sees it: a canonical JSON text of everything that changes the
// model's answer (task, language, the input with whitespace runs collapsed and trimmed,
// object keys sorted), and nothing that does not (assistance level, key order, stray
// spaces).
std::string NormalizedInput(const Question& question);

// The cost of `tokens_in` + `tokens_out` on (provider, model) by the catalog's price table;
// 0 for an unknown pair.
double CostUsd(const catalog::Snapshot& snapshot, std::string_view provider, std::string_view model,
               int tokens_in, int tokens_out);

}  // namespace onboardd::ai
