// The one interface every AI provider implements: the built-in rules (rules_provider.hpp)
// and any OpenAI-compatible endpoint (openai_provider.hpp). A provider answers a Question
// with a validated AnswerValue or says why it could not; it never throws and never outlives
// the deadline it is given. What happens on a failure (the rules answer instead) is the
// Assistant's business (assistant.hpp), not the provider's.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ai/ai_types.hpp"
#include "core/clock.hpp"

namespace onboardd::ai {

// Why a provider gave no answer. Each becomes the interaction's outcome "fallback_<name>".
enum class Failure {
  kNone,
  kTimeout,      // the deadline passed
  kUnavailable,  // DNS, connect, TLS, I/O: the endpoint could not be reached
  kRateLimited,  // the endpoint answered 429
  kUpstream,     // any other non-2xx answer, or a body that is not a chat completion
  kMalformed,    // a chat completion whose content is not an answer of the asked shape
};
std::string_view ToString(Failure failure);  // "timeout", "unavailable", ...

// What one call cost, whatever its outcome.
struct Usage {
  std::string model;           // the model that answered (or was last tried); "" for rules
  std::string prompt_version;  // the catalog prompt's version
  int tokens_in = 0;
  int tokens_out = 0;
};

struct Answer {
  std::optional<AnswerValue> value;  // set exactly when failure == kNone
  Failure failure = Failure::kNone;
  Usage usage;
  // The model's content, as received, when `value` came from a model: what the response
  // cache keeps (re-parsed on a hit against the catalog of that request). Empty for rules.
  std::string content;
};

class Provider {
 public:
  virtual ~Provider() = default;
  // "rules" or "openai": ai_interactions.provider, cache keys and metric labels.
  virtual std::string_view name() const = 0;
  // The configured model ("" for rules): part of the cache key.
  virtual std::string_view model() const = 0;
  // Answers `question` before `deadline`. Runs on the caller's executor; must be safe to
  // call from every I/O thread at once.
  virtual boost::asio::awaitable<Answer> Ask(Question question, core::Deadline deadline) const = 0;
};

}  // namespace onboardd::ai
