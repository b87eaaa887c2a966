// Structured JSON logs on stdout, one object per line. Two kinds of line: events
// (start-up, errors, reconnects) and the access log (one per request). Callers pass only
// what may be logged: never tokens, secrets, or step contents. Thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

namespace onboardd::observability {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError };

// Sets the threshold ("trace" … "error", "off"). Call once at start; default is info.
void InitLogging(std::string_view level);

bool Enabled(Level level);

// {"ts": ..., "level": ..., "event": event, ...fields}. Called while serving a request
// (core::CurrentRequest()), the line also carries "request_id" and "trace_id" (a field of
// the same name in `fields` wins).
void Log(Level level, std::string_view event, boost::json::object fields = {});

// A stable, non-reversible short hash of a user id for logs (first 12 hex of SHA-256 would
// need OpenSSL here; a keyed 64-bit hash is enough to correlate lines without naming users).
std::string UserHash(std::string_view user_id);

}  // namespace onboardd::observability
