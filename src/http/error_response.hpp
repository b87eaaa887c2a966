// The one error envelope of SPEC §4 and the one mapping from error codes to HTTP status.
#pragma once

#include <boost/beast/http/status.hpp>
#include <string_view>

#include "core/error.hpp"
#include "http/request.hpp"

namespace onboardd::http {

// The HTTP status of each error code (one switch, no default: a new code must be mapped).
boost::beast::http::status StatusFor(core::ErrorCode code);

// {"success": false, "error", "code", "message", "details", "request_id", "timestamp"} with
// the message in Spanish, or English when `english`. Adds Retry-After when the error has one.
Response ErrorResponse(const core::Error& error, std::string_view request_id, bool english);
inline Response ErrorResponse(const core::Error& error, const Request& request) {
  return ErrorResponse(error, request.request_id, request.english);
}

}  // namespace onboardd::http
