// libFuzzer target for the AI decoders: what an OpenAI-compatible endpoint answers goes
// through ai::ParseChatCompletion, and the content it carries through ai::ParseAnswer for
// each kind of question (industry analysis, step review, smart fill, suggestions, full
// analysis), with the bundled catalog. Any crash, sanitizer report or escaping exception is a
// finding; kValidation is the expected answer to what a model should not have said.
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "ai/ai_types.hpp"
#include "ai/model_contract.hpp"
#include "catalog/catalog.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onboardd;
  using namespace onboardd::ai;
  static const std::shared_ptr<const catalog::Snapshot> snapshot = catalog::LoadBundled().value();
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  // The first byte picks the question; odd ones parse the text as a whole chat completion.
  Question question{snapshot, (data[0] & 0x40) != 0, AssistanceLevel::kModerate,
                    SuggestInput{"Acme", "software"}};
  const catalog::Flow& flow = snapshot->session_flow();
  switch ((data[0] >> 1) % 5) {
    case 0:
      break;
    case 1:
      question.input =
          ValidateInput{&flow, &flow.steps[data[0] % flow.steps.size()], boost::json::object{}, ""};
      break;
    case 2:
      question.input = CompleteInput{CompletionType::kSmartFill, boost::json::object{}, {}};
      break;
    case 3:
      question.input = CompleteInput{CompletionType::kSuggestions, boost::json::object{}, {}};
      break;
    default:
      question.input = CompleteInput{CompletionType::kFullAnalysis, boost::json::object{}, {}};
      break;
  }
  if (data[0] & 1) {
    auto reply = ParseChatCompletion(text);
    if (reply) (void)ParseAnswer(question, reply->content);
  } else {
    (void)ParseAnswer(question, text);
  }
  return 0;
}
