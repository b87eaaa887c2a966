// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header that
// ties a request to whoever called us and to every call we make for it. onboardd records no
// spans itself; it keeps the caller's trace id, names its own work on a request with a new
// span id (written to the access log), and sends that span as the parent of its outbound
// calls, so that one trace id follows a request through the JWKS endpoint, Edge Config and
// the AI provider. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onboardd::core {

struct TraceContext {
  std::string trace_id;    // 32 lowercase hex digits, not all zero; empty: no trace
  std::string span_id;     // 16 lowercase hex digits, not all zero: the span this names
  std::uint8_t flags = 0;  // trace-flags; bit 0 is "sampled"

  bool empty() const { return trace_id.empty(); }
};

// A `traceparent` value as the specification reads it: version 00 is exactly
// "00-<trace-id>-<parent-id>-<flags>" in lowercase hex with non-zero ids; a later version
// (not "ff") is read the same way when what follows those four fields, if anything, starts
// with '-'. nullopt for anything else (upper case, wrong lengths, all-zero ids, version ff).
std::optional<TraceContext> ParseTraceparent(std::string_view value);

// "00-<trace-id>-<span-id>-<flags>".
std::string FormatTraceparent(const TraceContext& context);

// The context of our work on a request that arrived with `caller` (parsed from its
// traceparent, or nullopt when it had none or an invalid one): the caller's trace id and
// flags with a new span id; or, without a caller, a new trace (random ids, flags 00: we do
// not record, so we ask nobody downstream to).
TraceContext ContinueTrace(const std::optional<TraceContext>& caller);

}  // namespace onboardd::core
