// The OpenAI-compatible provider (see openai_provider.hpp).
#include "ai/openai_provider.hpp"

#include "ai/model_contract.hpp"

namespace onboardd::ai {

namespace asio = boost::asio;

struct OpenAiProvider::Attempt {
  std::optional<AnswerValue> value;
  Failure failure = Failure::kNone;
  int tokens_in = 0;
  int tokens_out = 0;
  std::string content;
};

bool IsConnectError(const core::Error& error) {
  if (error.code != core::ErrorCode::kUnavailable) return false;
  const std::string& what = error.message.en;
  return what.starts_with("connect failed") || what.starts_with("no usable address");
}

namespace {

Failure FailureOf(const core::Error& error) {
  if (error.code != core::ErrorCode::kUnavailable) return Failure::kUpstream;
  return error.message.en.starts_with("deadline passed") ? Failure::kTimeout
                                                         : Failure::kUnavailable;
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

OpenAiProvider::OpenAiProvider(std::shared_ptr<const http_client::Client> client,
                               OpenAiOptions options)
    : client_(std::move(client)),
      options_(std::move(options)),
      url_(TrimSlash(options_.base_url) + "/chat/completions") {}

asio::awaitable<OpenAiProvider::Attempt> OpenAiProvider::Call(const std::string& model,
                                                              const Prompt& prompt,
                                                              const Question& question,
                                                              core::Deadline deadline) const {
  Attempt attempt;
  bool retried_connect = false;
  for (;;) {
    const bool schema = !schema_refused_.load(std::memory_order_relaxed);
    http_client::Request request;
    request.method = "POST";
    request.url = url_;
    request.headers.push_back({"Content-Type", "application/json"});
    request.headers.push_back({"Accept", "application/json"});
    if (!options_.api_key.empty()) {
      request.headers.push_back({"Authorization", "Bearer " + options_.api_key});
    }
    request.body = ChatRequestBody(model, prompt, schema);
    auto response = co_await client_->Fetch(std::move(request), deadline);
    if (!response) {
      if (!retried_connect && IsConnectError(response.error()) &&
          core::SteadyClock::now() < deadline) {
        retried_connect = true;
        continue;
      }
      attempt.failure = FailureOf(response.error());
      co_return attempt;
    }
    if (response->status == 400 && schema &&
        response->body.find("response_format") != std::string::npos) {
      schema_refused_.store(true, std::memory_order_relaxed);
      continue;
    }
    if (response->status == 429) {
      attempt.failure = Failure::kRateLimited;
      co_return attempt;
    }
    if (response->status < 200 || response->status >= 300) {
      attempt.failure = Failure::kUpstream;
      co_return attempt;
    }
    auto reply = ParseChatCompletion(response->body);
    if (!reply) {
      attempt.failure = Failure::kUpstream;
      co_return attempt;
    }
    attempt.tokens_in = reply->tokens_in;
    attempt.tokens_out = reply->tokens_out;
    auto value = ParseAnswer(question, reply->content);
    if (!value) {
      attempt.failure = Failure::kMalformed;
      co_return attempt;
    }
    attempt.value = std::move(*value);
    attempt.content = std::move(reply->content);
    co_return attempt;
  }
}

asio::awaitable<Answer> OpenAiProvider::Ask(Question question, core::Deadline deadline) const {
  Answer answer;
  auto prompt = BuildPrompt(question);
  answer.usage.model = options_.model;
  if (!prompt) {  // a catalog without this prompt: nothing to ask
    answer.failure = Failure::kUpstream;
    co_return answer;
  }
  answer.usage.prompt_version = prompt->version;
  std::vector<std::string> models{options_.model};
  if (!options_.fallback_model.empty() && options_.fallback_model != options_.model) {
    models.push_back(options_.fallback_model);
  }
  for (const std::string& model : models) {
    if (core::SteadyClock::now() >= deadline) break;
    Attempt attempt = co_await Call(model, *prompt, question, deadline);
    answer.usage.model = model;
    answer.usage.tokens_in += attempt.tokens_in;
    answer.usage.tokens_out += attempt.tokens_out;
    answer.failure = attempt.failure;
    if (attempt.failure == Failure::kNone) {
      answer.value = std::move(attempt.value);
      answer.content = std::move(attempt.content);
      co_return answer;
    }
    if (attempt.failure == Failure::kTimeout) break;
  }
  if (answer.failure == Failure::kNone) answer.failure = Failure::kTimeout;
  co_return answer;
}

}  // namespace onboardd::ai
