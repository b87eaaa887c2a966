// libFuzzer target for the catalog decoder Edge Config feeds: the document its /items answer
// holds goes through catalog::Snapshot::Parse (JSON, then every validation) before it may
// replace the catalog in use. Any crash, sanitizer report or escaping exception is a finding;
// a refusal (kInternal naming the path) is the expected answer to a bad document.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/catalog.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using onboardd::catalog::Snapshot;
  auto parsed = Snapshot::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (parsed) (void)(*parsed)->ConfigBody();
  return 0;
}
