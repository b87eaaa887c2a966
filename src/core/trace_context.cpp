// The traceparent grammar of W3C Trace Context level 1, §3.2, with its forward-compatibility
// rule for versions after 00.
#include "core/trace_context.hpp"

#include "core/ids.hpp"

namespace onboardd::core {
namespace {

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

// A random id of `digits` hex digits that is not all zero.
std::string RandomId(int digits) {
  for (;;) {
    std::string id = RandomHex(digits);
    if (!AllZero(id)) return id;
  }
}

}  // namespace

std::optional<TraceContext> ParseTraceparent(std::string_view value) {
  // version "-" trace-id "-" parent-id "-" trace-flags: 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55.
  constexpr std::size_t kLength = 55;
  if (value.size() < kLength) return std::nullopt;
  const std::string_view version = value.substr(0, 2);
  if (!IsLowerHex(version) || version == "ff") return std::nullopt;
  if (value.size() > kLength && (version == "00" || value[kLength] != '-')) return std::nullopt;
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') return std::nullopt;
  const std::string_view trace_id = value.substr(3, 32);
  const std::string_view span_id = value.substr(36, 16);
  const std::string_view flags = value.substr(53, 2);
  if (!IsLowerHex(trace_id) || !IsLowerHex(span_id) || !IsLowerHex(flags)) return std::nullopt;
  if (AllZero(trace_id) || AllZero(span_id)) return std::nullopt;
  TraceContext out;
  out.trace_id = std::string(trace_id);
  out.span_id = std::string(span_id);
  out.flags = static_cast<std::uint8_t>(HexValue(flags[0]) * 16 + HexValue(flags[1]));
  return out;
}

std::string FormatTraceparent(const TraceContext& context) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string out = "00-" + context.trace_id + "-" + context.span_id + "-";
  out.push_back(kHex[context.flags >> 4]);
  out.push_back(kHex[context.flags & 0xF]);
  return out;
}

TraceContext ContinueTrace(const std::optional<TraceContext>& caller) {
  TraceContext out;
  out.trace_id = caller ? caller->trace_id : RandomId(32);
  out.span_id = RandomId(16);
  out.flags = caller ? caller->flags : 0;
  return out;
}

}  // namespace onboardd::core
