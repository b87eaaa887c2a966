// Entity tags (RFC 9110 §8.8.3, §13.1): the conditional-request headers the API honours.
// Versioned resources (onboarding sessions) send their version as a strong ETag and refuse
// stale writes through If-Match; cacheable documents (catalog routes) answer 304 to a
// matching If-None-Match. Pure functions over header values; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "http/request.hpp"

namespace onboardd::http {

// True when an If-None-Match value (a list of tags, or "*") holds `etag`, compared weakly
// as §13.1.2 asks ("W/" prefixes ignored). An empty header matches nothing.
bool NoneMatch(std::string_view if_none_match, std::string_view etag);

// The strong ETag of a resource version: "\"7\"".
std::string VersionEtag(long long version);

// The version an If-Match header names. Absent, empty or "*": nullopt (no condition).
// "\"7\"", W/"7" or a bare 7: 7. Anything else names no version this API ever issued, so it
// can never match: kPreconditionFailed.
core::Result<std::optional<int>> IfMatchVersion(std::string_view if_match);

// A public, cacheable document: 304 with no body when If-None-Match holds `etag`, else 200
// with `body`; always ETag and `cache_control`, and Vary: Accept-Language when the body
// depends on the language.
Response CacheableResponse(const Request& request, const std::string& body, std::string etag,
                           std::string cache_control, bool vary_language);

}  // namespace onboardd::http
