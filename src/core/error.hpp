// The small, closed set of expected failures every layer reports, and the Error value that
// carries one to the HTTP edge. Bugs are exceptions; everything a client or the environment
// can cause is an Error. The mapping to HTTP status lives in exactly one switch
// (http/error_response.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace onboardd::core {

enum class ErrorCode {
  // The request is well-formed HTTP but its content is not acceptable: bad JSON, wrong
  // types, out-of-range values, missing required fields. Details name each field.
  kValidation,
  // No credentials, or credentials that do not verify.
  kUnauthenticated,
  // Authenticated, but the caller may not do this to a resource they are allowed to know of.
  kForbidden,
  // The resource does not exist *for this caller* (also used for other tenants' resources,
  // so that their existence is never confirmed) or no route matches.
  kNotFound,
  // The route exists but not for this method (405, with Allow).
  kMethodNotAllowed,
  // The write conflicts with the current state (duplicate, concurrent creation).
  kConflict,
  // A precondition header (If-Match) does not hold: the client's version is stale.
  kPreconditionFailed,
  // The body is larger than the route accepts (413).
  kPayloadTooLarge,
  // The header block is larger than the server accepts (431).
  kHeadersTooLarge,
  // The request did not arrive whole within the header or body timeout (408).
  kRequestTimeout,
  // A quota was exceeded (429, with Retry-After).
  kRateLimited,
  // A dependency (database, pool) is unavailable or overloaded; retrying later may work
  // (503, with Retry-After).
  kUnavailable,
  // A bug or an unexpected dependency answer. Never used for anything a client caused.
  kInternal,
};

// "VALIDATION_ERROR", "NOT_FOUND", ...: the stable code of the error envelope, always one of
// SPEC's closed list. The HTTP status tells apart what shares a code: 405 and 408 are
// VALIDATION_ERROR (the request cannot be served as sent), 431 is PAYLOAD_TOO_LARGE.
std::string_view ToCodeString(ErrorCode code);

// A message in both languages the API speaks. Empty means "use the code's default".
struct LocalizedText {
  std::string es;
  std::string en;

  bool empty() const { return es.empty() && en.empty(); }
  const std::string& In(bool english) const { return english ? en : es; }
};

// One field-level problem: `path` is the dotted JSON path ("company.name").
struct FieldError {
  std::string path;
  LocalizedText message;
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  LocalizedText message;  // empty: the code's default message
  std::vector<FieldError> details;
  // Seconds the client should wait before retrying (Retry-After), 0 for none.
  int retry_after_seconds = 0;
};

Error MakeError(ErrorCode code, LocalizedText message = {});
Error ValidationError(std::vector<FieldError> details);

}  // namespace onboardd::core
