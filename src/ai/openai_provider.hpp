// A provider for any OpenAI-compatible chat-completions endpoint (OpenAI, Azure's
// compatible API, vLLM, Ollama, LiteLLM, ...), over the project's outbound client
// (http_client/): POST <base_url>/chat/completions with the catalog's prompt, a strict
// response_format json_schema, and a Bearer key. Within the one deadline it is given:
//   - a connect error is retried once (nothing was sent, so nothing was spent);
//   - an endpoint that refuses json_schema (400 naming response_format) is asked again with
//     {"type": "json_object"}, and from then on always so;
//   - when the model fails (any failure but the deadline), the fallback model is tried once.
// The reply is parsed strictly (model_contract.hpp). Tokens of every attempt are counted.
// Never logs the key, the prompt or the model's output.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "ai/provider.hpp"
#include "http_client/http_client.hpp"

namespace onboardd::ai {

struct Prompt;  // model_contract.hpp

struct OpenAiOptions {
  std::string base_url;        // AI_BASE_URL, e.g. https://api.openai.com/v1
  std::string api_key;         // AI_API_KEY; empty: no Authorization header (local servers)
  std::string model;           // AI_MODEL
  std::string fallback_model;  // AI_FALLBACK_MODEL; empty: none
};

class OpenAiProvider final : public Provider {
 public:
  // `client` must not be null; it is shared (thread-safe).
  OpenAiProvider(std::shared_ptr<const http_client::Client> client, OpenAiOptions options);

  std::string_view name() const override { return "openai"; }
  std::string_view model() const override { return options_.model; }
  boost::asio::awaitable<Answer> Ask(Question question, core::Deadline deadline) const override;

 private:
  struct Attempt;
  boost::asio::awaitable<Attempt> Call(const std::string& model, const Prompt& prompt,
                                       const Question& question, core::Deadline deadline) const;

  // Constant after construction.
  const std::shared_ptr<const http_client::Client> client_;
  const OpenAiOptions options_;
  const std::string url_;  // base_url + "/chat/completions"
  // Set once an endpoint refused response_format json_schema; read by every thread.
  mutable std::atomic<bool> schema_refused_{false};
};

// True for an outbound failure that happened before anything was sent (the only kind worth
// retrying at once): http_client reports those as kUnavailable "connect failed: ..." or "no
// usable address ...".
bool IsConnectError(const core::Error& error);

}  // namespace onboardd::ai
