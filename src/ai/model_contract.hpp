// What onboardd says to a chat model and what it accepts back: the prompt of each question
// (rendered from the catalog's versioned prompt templates), the JSON schema of each answer
// (sent as response_format where the endpoint supports it), the chat-completions request
// body, and the strict parsers of the reply. Nothing a model writes reaches a user unchecked:
// every member is type-checked, numbers must be in range, texts are trimmed and capped, lists
// are capped, fields and values must be the catalog's, and industry ids the model invents
// are replaced by real ones (LEGACY_API §4: confidence = max(50, confidence − 20)).
// Pure functions; no I/O; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "ai/ai_types.hpp"
#include "core/result.hpp"

namespace onboardd::ai {

struct Prompt {
  std::string system;
  std::string user;            // contains the user's data: never log it
  std::string version;         // the catalog prompt's version
  std::string schema_name;     // "industry_analysis", ...
  boost::json::object schema;  // JSON schema of the expected content (strict-mode ready)
};

// The prompt for `question`; nullopt when the catalog has no prompt for it.
std::optional<Prompt> BuildPrompt(const Question& question);

// The POST body of /chat/completions for `model`: system and user messages, a low
// temperature, a token cap, and response_format json_schema (strict) when `json_schema`, else
// {"type": "json_object"} for endpoints that refuse schemas.
std::string ChatRequestBody(std::string_view model, const Prompt& prompt, bool json_schema);

// The parts of a chat completion onboardd uses.
struct ChatReply {
  std::string content;  // choices[0].message.content, trimmed
  std::string model;    // as reported, may be empty
  int tokens_in = 0;    // usage.prompt_tokens (0 when absent)
  int tokens_out = 0;   // usage.completion_tokens (0 when absent)
};
// kValidation (message says what is wrong, never echoing content) when `body` is not JSON, has
// no choices[0].message.content string, or that content is empty.
core::Result<ChatReply> ParseChatCompletion(std::string_view body);

// Parses `content` as the answer `question` asks for, strictly. kValidation (the English
// message names the first offending member) when: it is not a JSON object; a required member
// is missing or of the wrong type; a confidence or score is not a number in 0..100; a required
// text is empty; an OKR category or priority is not one of the allowed words. Leniencies, all
// in the user's favour: list items beyond the caps are dropped; corrections and fills naming a
// field the step or ai/complete does not have, or a value the catalog does not allow, are
// dropped; alternatives with ids not in the catalog are dropped; a suggested industry id not
// in the catalog (nor an industry's name) is replaced, see above.
core::Result<AnswerValue> ParseAnswer(const Question& question, std::string_view content);

}  // namespace onboardd::ai
