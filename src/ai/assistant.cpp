// The Assistant (see assistant.hpp).
#include "ai/assistant.hpp"

#include <algorithm>
#include <exception>

#include <boost/json/serialize.hpp>

#include "ai/model_contract.hpp"
#include "ai/rules_provider.hpp"
#include "observability/log.hpp"
#include "observability/metrics.hpp"

namespace onboardd::ai {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::string Collapsed(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (space) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Sorted keys, collapsed strings, all the way down.
json::value Canonical(const json::value& v) {
  if (v.is_string()) return json::value(Collapsed(v.as_string()));
  if (v.is_array()) {
    json::array out;
    for (const auto& item : v.as_array()) out.push_back(Canonical(item));
    return out;
  }
  if (v.is_object()) {
    std::vector<std::pair<std::string, json::value>> members;
    for (const auto& [key, value] : v.as_object()) {
      members.emplace_back(std::string(key), Canonical(value));
    }
    std::sort(members.begin(), members.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    json::object out;
    for (auto& [key, value] : members) out[key] = std::move(value);
    return out;
  }
  return v;
}

void Count(const Served& s, Feature feature) {
  auto& m = observability::Metrics();
  const std::string model = s.usage.model;
  m.GetCounter("onboardd_ai_calls_total", "AI answers by feature, provider, model and outcome.",
               {{"feature", std::string(FeatureName(feature))},
                {"provider", s.provider},
                {"model", model},
                {"outcome", s.outcome}})
      .Add();
  m.GetHistogram("onboardd_ai_call_seconds", "Time to an AI answer (fallbacks included).",
                 {{"provider", s.provider}, {"model", model}, {"outcome", s.outcome}})
      .Observe(s.latency_ms / 1000.0);
  if (s.usage.tokens_in > 0 || s.usage.tokens_out > 0) {
    m.GetCounter("onboardd_ai_tokens_total", "Tokens sent to and received from AI models.",
                 {{"provider", s.provider}, {"model", model}, {"direction", "in"}})
        .Add(static_cast<std::uint64_t>(s.usage.tokens_in));
    m.GetCounter("onboardd_ai_tokens_total", "Tokens sent to and received from AI models.",
                 {{"provider", s.provider}, {"model", model}, {"direction", "out"}})
        .Add(static_cast<std::uint64_t>(s.usage.tokens_out));
  }
  if (s.cost_usd > 0) {
    m.GetCounter("onboardd_ai_cost_microdollars_total",
                 "Cost of AI model calls in millionths of a US dollar (catalog price table).",
                 {{"provider", s.provider}, {"model", model}})
        .Add(static_cast<std::uint64_t>(s.cost_usd * 1e6 + 0.5));
  }
}

void CountCache(bool hit) {
  observability::Metrics()
      .GetCounter("onboardd_ai_cache_lookups_total", "AI response cache lookups by result.",
                  {{"result", hit ? "hit" : "miss"}})
      .Add();
}

// The assistance level bounds every analysis the same way, the model's as the rules'.
void ApplyLevel(AnswerValue& value, AssistanceLevel level) {
  if (auto* analysis = std::get_if<IndustryAnalysis>(&value)) {
    if (analysis->alternatives.size() > MostAlternatives(level)) {
      analysis->alternatives.resize(MostAlternatives(level));
    }
    if (analysis->okrs.size() > MostOkrs(level)) analysis->okrs.resize(MostOkrs(level));
  }
}

int MillisecondsSince(core::SteadyClock::time_point start) {
  return static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(core::SteadyClock::now() - start)
          .count());
}

}  // namespace

std::string NormalizedInput(const Question& q) {
  json::object out{{"feature", FeatureName(q.feature())}, {"language", q.english ? "en" : "es"}};
  switch (q.feature()) {
    case Feature::kSuggest: {
      const auto& in = std::get<SuggestInput>(q.input);
      out["input"] = json::object{{"company_name", Collapsed(in.company_name)},
                                  {"description", Collapsed(in.description)},
                                  {"website", Collapsed(in.website)},
                                  {"existing_industry", Collapsed(in.existing_industry)},
                                  {"additional_context", Collapsed(in.additional_context)}};
      break;
    }
    case Feature::kValidate: {
      const auto& in = std::get<ValidateInput>(q.input);
      out["input"] = json::object{{"flow", in.flow->id},
                                  {"step", in.step->id},
                                  {"step_data", Canonical(in.step_data)},
                                  {"context", Collapsed(in.context)}};
      break;
    }
    case Feature::kComplete: {
      const auto& in = std::get<CompleteInput>(q.input);
      std::vector<std::string> fields = in.fields;
      std::sort(fields.begin(), fields.end());
      json::array list;
      for (auto& f : fields) list.emplace_back(f);
      out["input"] = json::object{{"type", ToString(in.type)},
                                  {"fields", std::move(list)},
                                  {"partial_data", Canonical(in.partial_data)}};
      break;
    }
  }
  return json::serialize(out);
}

double CostUsd(const catalog::Snapshot& snapshot, std::string_view provider, std::string_view model,
               int tokens_in, int tokens_out) {
  const catalog::AiPrice* price = snapshot.FindAiPrice(provider, model);
  if (price == nullptr) return 0;
  return (tokens_in * price->input_per_million_usd + tokens_out * price->output_per_million_usd) /
         1e6;
}

Assistant::Assistant(std::shared_ptr<const Provider> provider, std::shared_ptr<ResponseCache> cache,
                     AssistantOptions options)
    : model_provider_(provider && provider->name() != "rules" ? std::move(provider) : nullptr),
      cache_(std::move(cache)),
      options_(options) {
  if (model_provider_) {
    breaker_ =
        std::make_unique<CircuitBreaker>(std::string(model_provider_->name()), options_.breaker);
  }
}

std::string_view Assistant::provider_name() const {
  return model_provider_ ? model_provider_->name() : "rules";
}

std::string_view Assistant::model() const {
  return model_provider_ ? model_provider_->model() : "";
}

CircuitBreaker::State Assistant::breaker_state() const {
  return breaker_ ? breaker_->state() : CircuitBreaker::State::kClosed;
}

asio::awaitable<Served> Assistant::Ask(int worker, Question question, bool ai_enabled,
                                       core::Deadline request_deadline) {
  const auto start = core::SteadyClock::now();
  const Feature feature = question.feature();
  const std::string normalized = NormalizedInput(question);
  Served served{RulesAnswer(question)};  // the answer whenever nothing better comes
  served.input_hash = CacheKey("", "", "", normalized);
  served.usage.prompt_version = PromptVersion(question);
  served.provider = "rules";
  served.outcome = ai_enabled ? "success" : "disabled";
  if (!ai_enabled || !model_provider_) {
    served.latency_ms = MillisecondsSince(start);
    Count(served, feature);
    co_return served;
  }

  served.provider = std::string(model_provider_->name());
  served.usage.model = std::string(model_provider_->model());
  const std::string key =
      CacheKey(served.provider, served.usage.model, served.usage.prompt_version, normalized);
  if (auto hit = co_await cache_->Get(worker, key)) {
    if (auto value = ParseAnswer(question, *hit)) {
      CountCache(true);
      served.value = std::move(*value);
      ApplyLevel(served.value, question.level);
      served.cached = true;
      served.outcome = "cached";
      served.latency_ms = MillisecondsSince(start);
      Count(served, feature);
      co_return served;
    }
  }
  CountCache(false);

  if (!breaker_->Allow(core::SteadyClock::now())) {
    served.outcome = "fallback_breaker_open";
    served.latency_ms = MillisecondsSince(start);
    Count(served, feature);
    co_return served;
  }
  const core::Deadline deadline = std::min(start + options_.timeout, request_deadline);
  Answer answer;
  bool threw = false;
  try {
    answer = co_await model_provider_->Ask(question, deadline);
  } catch (const std::exception&) {
    threw = true;  // a bug in a provider must not reach the user either
  }
  if (!threw && answer.failure == Failure::kNone && answer.value) {
    breaker_->RecordSuccess();
    served.value = std::move(*answer.value);
    ApplyLevel(served.value, question.level);
    served.outcome = "success";
    co_await cache_->Put(worker, key, std::move(answer.content), options_.cache_ttl);
  } else {
    breaker_->RecordFailure(core::SteadyClock::now());
    served.outcome = threw ? "fallback_error"
                           : "fallback_" + std::string(ToString(answer.failure == Failure::kNone
                                                                    ? Failure::kMalformed
                                                                    : answer.failure));
    // What failed, never what was asked or answered.
    observability::Log(observability::Level::kWarn, "ai_fallback",
                       {{"provider", served.provider},
                        {"model", served.usage.model},
                        {"feature", FeatureName(feature)},
                        {"outcome", served.outcome}});
  }
  if (!threw) {
    if (!answer.usage.model.empty()) served.usage.model = answer.usage.model;
    if (!answer.usage.prompt_version.empty())
      served.usage.prompt_version = answer.usage.prompt_version;
    served.usage.tokens_in = answer.usage.tokens_in;
    served.usage.tokens_out = answer.usage.tokens_out;
  }
  served.cost_usd = CostUsd(*question.catalog, served.provider, served.usage.model,
                            served.usage.tokens_in, served.usage.tokens_out);
  served.latency_ms = MillisecondsSince(start);
  Count(served, feature);
  co_return served;
}

std::string_view ToString(Failure failure) {
  switch (failure) {
    case Failure::kNone:
      return "none";
    case Failure::kTimeout:
      return "timeout";
    case Failure::kUnavailable:
      return "unavailable";
    case Failure::kRateLimited:
      return "rate_limited";
    case Failure::kUpstream:
      return "upstream";
    case Failure::kMalformed:
      return "malformed";
  }
  return "none";
}

}  // namespace onboardd::ai
