// Entity-tag parsing and the conditional answers built on it (see etag.hpp).
#include "http/etag.hpp"

#include <charconv>

namespace onboardd::http {

namespace {

std::string_view TrimSpace(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

}  // namespace

bool NoneMatch(std::string_view header, std::string_view etag) {
  if (header.empty()) return false;
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  std::size_t start = 0;
  while (start <= header.size()) {
    std::size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view item = TrimSpace(header.substr(start, end - start));
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    start = end + 1;
  }
  return false;
}

std::string VersionEtag(long long version) { return "\"" + std::to_string(version) + "\""; }

core::Result<std::optional<int>> IfMatchVersion(std::string_view v) {
  v = TrimSpace(v);
  if (v.empty() || v == "*") return std::optional<int>();
  if (v.starts_with("W/")) v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  int version = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), version);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || version < 0) {
    return core::MakeError(core::ErrorCode::kPreconditionFailed);
  }
  return std::optional<int>(version);
}

Response CacheableResponse(const Request& request, const std::string& body, std::string etag,
                           std::string cache_control, bool vary_language) {
  Response response;
  if (NoneMatch(request.Header("If-None-Match"), etag)) {
    response.status = beast_http::status::not_modified;
  } else {
    response.body = body;
  }
  response.With("ETag", std::move(etag)).With("Cache-Control", std::move(cache_control));
  if (vary_language) response.With("Vary", "Accept-Language");
  return response;
}

}  // namespace onboardd::http
