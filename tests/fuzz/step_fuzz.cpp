// libFuzzer target for the wizard's and the session API's input path: JSON as the routes
// parse it, then ValidateStep (every step of the wizard and legacy flows), MergeCompletion,
// the session API's progress check, and the texts built from a session's form data. Any
// crash, sanitizer report or exception escaping is a finding; validation errors are expected.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/catalog.hpp"
#include "onboarding/onboarding_logic.hpp"
#include "onboarding/session_logic.hpp"
#include "onboarding/step_validation.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onboardd;
  static const auto snapshot = catalog::LoadBundled().value();
  if (size < 1) return 0;
  // The first byte picks the flow and the step; the rest is the body.
  const catalog::Flow* flow = (data[0] & 0x80) ? snapshot->FindFlow("legacy") : nullptr;
  if (flow == nullptr) flow = &snapshot->default_flow();
  const int step = 1 + (data[0] & 0x7f) % static_cast<int>(flow->steps.size());
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  boost::json::parse_options options;
  options.max_depth = 64;  // as http::ParseJsonBody
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec, {}, options);
  if (ec) return 0;
  (void)onboarding::ValidateStep(*flow, step, value);
  static const boost::json::object kEmptyDraft;
  (void)onboarding::MergeCompletion(*flow, kEmptyDraft, value);
  if (value.is_object()) {
    const boost::json::object& object = value.as_object();
    (void)onboarding::MergeCompletion(*flow, object, value);
    (void)onboarding::CheckProgress(*flow->FindStep(step), object, (data[0] & 1) != 0);
    const onboarding::TextStyle style = onboarding::StyleOf(*flow, object, false);
    (void)onboarding::BuildCompletionTexts(*snapshot, *flow, object, style.english);
    (void)onboarding::StepFeedback(snapshot->templates(), *flow->FindStep(step), object, true,
                                   style.english);
  }
  return 0;
}
