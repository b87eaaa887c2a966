// Error codes' stable names and constructors.
#include "core/error.hpp"

#include <utility>

namespace onboardd::core {

std::string_view ToCodeString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kValidation:
      return "VALIDATION_ERROR";
    case ErrorCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    case ErrorCode::kForbidden:
      return "FORBIDDEN";
    case ErrorCode::kNotFound:
      return "NOT_FOUND";
    case ErrorCode::kMethodNotAllowed:
      return "VALIDATION_ERROR";
    case ErrorCode::kConflict:
      return "CONFLICT";
    case ErrorCode::kPreconditionFailed:
      return "PRECONDITION_FAILED";
    case ErrorCode::kPayloadTooLarge:
      return "PAYLOAD_TOO_LARGE";
    case ErrorCode::kHeadersTooLarge:
      return "PAYLOAD_TOO_LARGE";
    case ErrorCode::kRequestTimeout:
      return "VALIDATION_ERROR";
    case ErrorCode::kRateLimited:
      return "RATE_LIMITED";
    case ErrorCode::kUnavailable:
      return "UNAVAILABLE";
    case ErrorCode::kInternal:
      return "INTERNAL_ERROR";
  }
  return "INTERNAL_ERROR";
}

Error MakeError(ErrorCode code, LocalizedText message) {
  Error error;
  error.code = code;
  error.message = std::move(message);
  return error;
}

Error ValidationError(std::vector<FieldError> details) {
  Error error;
  error.code = ErrorCode::kValidation;
  error.details = std::move(details);
  return error;
}

}  // namespace onboardd::core
