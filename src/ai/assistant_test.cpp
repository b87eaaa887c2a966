// The Assistant with a scripted provider: no sockets; coroutines run on a local io_context.
#include "ai/assistant.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <deque>
#include <stdexcept>
#include <thread>

#include "ai/model_contract.hpp"
#include "ai/rules_provider.hpp"
#include "catalog/catalog.hpp"
#include "observability/metrics.hpp"
#include "support/onboarding_fixtures.hpp"

namespace onboardd::ai {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

Question Suggest(std::string company = "Acme", std::string description = "software SaaS",
                 bool english = false) {
  return Question{testing::BundledCatalogPtr(), english, AssistanceLevel::kModerate,
                  SuggestInput{std::move(company), std::move(description)}};
}

constexpr std::string_view kGood = R"({"industry": {"id": "finance", "confidence": 91,
  "rationale": "model"}, "alternatives": [], "insights": {"market_trends": [],
  "competitive_landscape": "", "growth_opportunities": [], "potential_challenges": []},
  "okrs": []})";

// Answers from a script of failures (kNone = the good answer); counts its calls.
class ScriptedProvider final : public Provider {
 public:
  std::string_view name() const override { return "openai"; }
  std::string_view model() const override { return "gpt-4o-mini"; }
  asio::awaitable<Answer> Ask(Question question, core::Deadline) const override {
    ++calls;
    Failure next = Failure::kNone;
    if (!script.empty()) {
      next = script.front();
      script.pop_front();
    }
    if (throw_next) throw std::runtime_error("bug");
    Answer answer;
    answer.usage = {"gpt-4o-mini", "2.0.0", 1000, 500};
    answer.failure = next;
    if (next == Failure::kNone) {
      answer.value = *ParseAnswer(question, content);
      answer.content = content;
    }
    co_return answer;
  }
  std::string content{kGood};
  mutable int calls = 0;
  mutable std::deque<Failure> script;
  bool throw_next = false;
};

Served Ask(Assistant& assistant, Question q, bool enabled = true) {
  asio::io_context io;
  auto future = asio::co_spawn(
      io, assistant.Ask(0, std::move(q), enabled, core::SteadyClock::now() + 5s), asio::use_future);
  io.run();
  return future.get();
}

std::string Industry(const Served& s) { return std::get<IndustryAnalysis>(s.value).suggested.id; }

struct AssistantTest : ::testing::Test {
  std::shared_ptr<ScriptedProvider> provider = std::make_shared<ScriptedProvider>();
  std::shared_ptr<InProcessResponseCache> cache = std::make_shared<InProcessResponseCache>();
  AssistantOptions options{.timeout = 1500ms,
                           .cache_ttl = 3600s,
                           .breaker = {.failure_threshold = 3, .cool_down = 50ms}};
};

TEST_F(AssistantTest, DisabledNeverCallsTheProvider) {
  Assistant assistant(provider, cache, options);
  Served s = Ask(assistant, Suggest(), false);
  EXPECT_EQ(provider->calls, 0);
  EXPECT_EQ(s.provider, "rules");
  EXPECT_EQ(s.outcome, "disabled");
  EXPECT_EQ(Industry(s), "technology");  // the rules' answer
  EXPECT_EQ(s.usage.prompt_version,
            testing::BundledCatalogPtr()->FindPrompt("industry_analysis")->version);
}

TEST_F(AssistantTest, RulesOnlyWithoutAProvider) {
  Assistant assistant(nullptr, nullptr);
  Served s = Ask(assistant, Suggest());
  EXPECT_EQ(s.provider, "rules");
  EXPECT_EQ(s.outcome, "success");
  EXPECT_EQ(s.cost_usd, 0);
  EXPECT_FALSE(assistant.uses_model());
  Assistant explicit_rules(std::make_shared<RulesProvider>(), nullptr);
  EXPECT_FALSE(explicit_rules.uses_model());
}

TEST_F(AssistantTest, AGoodAnswerIsPricedAndCached) {
  Assistant assistant(provider, cache, options);
  Served first = Ask(assistant, Suggest());
  EXPECT_EQ(first.outcome, "success");
  EXPECT_EQ(first.provider, "openai");
  EXPECT_EQ(Industry(first), "finance");  // the model's answer
  EXPECT_EQ(first.usage.tokens_in, 1000);
  EXPECT_NEAR(first.cost_usd, 1000 * 0.15e-6 + 500 * 0.60e-6, 1e-12);
  // The same question, spelled with other spaces: from the cache, no second call, no cost.
  Served second = Ask(assistant, Suggest("  Acme ", "software   SaaS"));
  EXPECT_EQ(provider->calls, 1);
  EXPECT_TRUE(second.cached);
  EXPECT_EQ(second.outcome, "cached");
  EXPECT_EQ(Industry(second), "finance");
  EXPECT_EQ(second.cost_usd, 0);
  EXPECT_EQ(first.input_hash, second.input_hash);
  // Another language is another question.
  Ask(assistant, Suggest("Acme", "software SaaS", true));
  EXPECT_EQ(provider->calls, 2);
}

TEST_F(AssistantTest, EveryFailureFallsBackToTheRulesAndTheBreakerOpensAndCloses) {
  Assistant assistant(provider, cache, options);
  provider->script = {Failure::kTimeout, Failure::kMalformed, Failure::kRateLimited};
  const char* expected[] = {"fallback_timeout", "fallback_malformed", "fallback_rate_limited"};
  for (int i = 0; i < 3; ++i) {
    Served s = Ask(assistant, Suggest("Acme" + std::to_string(i)));
    EXPECT_EQ(s.outcome, expected[i]);
    EXPECT_EQ(Industry(s), "technology") << "the rules answered";
    EXPECT_EQ(s.usage.tokens_in, 1000) << "a failed call's tokens are still counted";
  }
  EXPECT_EQ(assistant.breaker_state(), CircuitBreaker::State::kOpen);
  Served blocked = Ask(assistant, Suggest("Acme-blocked"));
  EXPECT_EQ(blocked.outcome, "fallback_breaker_open");
  EXPECT_EQ(provider->calls, 3);
  std::this_thread::sleep_for(60ms);
  Served probe = Ask(assistant, Suggest("Acme-probe"));
  EXPECT_EQ(probe.outcome, "success");
  EXPECT_EQ(provider->calls, 4);
  EXPECT_EQ(assistant.breaker_state(), CircuitBreaker::State::kClosed);
}

TEST_F(AssistantTest, TheAssistanceLevelBoundsTheModelsAnswerToo) {
  provider->content = R"({"industry": {"id": "finance", "confidence": 91, "rationale": "m"},
    "alternatives": [{"id": "technology", "confidence": 50, "rationale": "a"},
                     {"id": "retail", "confidence": 40, "rationale": "b"}],
    "insights": {"market_trends": [], "competitive_landscape": "", "growth_opportunities": [],
                 "potential_challenges": []},
    "okrs": [{"objective": "o1", "key_results": ["k"], "category": "growth", "priority": "high", "rationale": "r"},
             {"objective": "o2", "key_results": ["k"], "category": "growth", "priority": "low", "rationale": "r"}]})";
  Assistant assistant(provider, cache, options);
  Question minimal = Suggest();
  minimal.level = AssistanceLevel::kMinimal;
  Served s = Ask(assistant, minimal);
  ASSERT_EQ(s.outcome, "success");
  EXPECT_EQ(std::get<IndustryAnalysis>(s.value).alternatives.size(), 1u);
  EXPECT_EQ(std::get<IndustryAnalysis>(s.value).okrs.size(), 1u);
  Served moderate = Ask(assistant, Suggest());  // the same question, from the cache
  ASSERT_EQ(moderate.outcome, "cached");
  EXPECT_EQ(std::get<IndustryAnalysis>(moderate.value).alternatives.size(), 2u);
  EXPECT_EQ(std::get<IndustryAnalysis>(moderate.value).okrs.size(), 2u);
}

TEST_F(AssistantTest, AProviderThatThrowsIsAFailureToo) {
  Assistant assistant(provider, cache, options);
  provider->throw_next = true;
  Served s = Ask(assistant, Suggest());
  EXPECT_EQ(s.outcome, "fallback_error");
  EXPECT_EQ(Industry(s), "technology");
}

TEST_F(AssistantTest, ACorruptCacheEntryIsAMiss) {
  Assistant assistant(provider, cache, options);
  const Question q = Suggest();
  cache->Store(CacheKey("openai", "gpt-4o-mini",
                        testing::BundledCatalogPtr()->FindPrompt("industry_analysis")->version,
                        NormalizedInput(q)),
               "{not json", 60s);
  Served s = Ask(assistant, q);
  EXPECT_EQ(s.outcome, "success");
  EXPECT_EQ(provider->calls, 1);
}

TEST(NormalizedInput, IgnoresSpacingKeyOrderAndAssistanceLevel) {
  const catalog::Flow& flow = testing::BundledCatalogPtr()->session_flow();
  const auto validate = [&](std::string_view data, AssistanceLevel level) {
    return NormalizedInput(Question{
        testing::BundledCatalogPtr(), false, level,
        ValidateInput{&flow, flow.FindStep("company"), json::parse(data).as_object(), ""}});
  };
  EXPECT_EQ(validate(R"({"a": " x  y ", "b": 1})", AssistanceLevel::kMinimal),
            validate(R"({"b": 1, "a": "x y"})", AssistanceLevel::kExtensive));
  EXPECT_NE(validate(R"({"a": "x"})", AssistanceLevel::kMinimal),
            validate(R"({"a": "X"})", AssistanceLevel::kMinimal));
  EXPECT_NE(NormalizedInput(Suggest()), NormalizedInput(Suggest("Acme", "software SaaS", true)));
}

TEST(CostUsd, FromThePriceTable) {
  EXPECT_NEAR(CostUsd(*testing::BundledCatalogPtr(), "openai", "gpt-4o", 2000, 1000), 0.005 + 0.01,
              1e-12);
  EXPECT_EQ(CostUsd(*testing::BundledCatalogPtr(), "openai", "unknown-model", 2000, 1000), 0);
}

}  // namespace
}  // namespace onboardd::ai
