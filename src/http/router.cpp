// Routes are matched segment by segment against a short list; the table has a few dozen
// entries, so a linear scan over pre-split patterns is faster than anything cleverer.
#include "http/router.hpp"

#include <algorithm>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "http/error_response.hpp"
#include "observability/log.hpp"

namespace onboardd::http {

struct Router::Route {
  beast_http::verb method;
  std::string pattern;
  std::vector<std::string> segments;  // "{id}" marks a parameter
  Handler handler;
  RouteOptions options;
};

namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  parts.reserve(static_cast<std::size_t>(std::count(path.begin(), path.end(), '/')) + 1);
  std::size_t start = 0;
  if (!path.empty() && path.front() == '/') start = 1;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool Matches(const Router::Route& route, const std::vector<std::string_view>& parts,
             std::vector<std::pair<std::string, std::string>>* params) {
  if (route.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (IsParam(seg)) {
      if (parts[i].empty()) return false;
      if (params) params->emplace_back(seg.substr(1, seg.size() - 2), std::string(parts[i]));
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

void WithRateLimit(Response& response, const std::optional<RateLimitVerdict>& verdict) {
  if (!verdict) return;
  response.With("X-RateLimit-Limit", std::to_string(verdict->limit))
      .With("X-RateLimit-Remaining", std::to_string(verdict->remaining))
      .With("X-RateLimit-Reset", std::to_string(verdict->reset_epoch_seconds));
}

Response RateLimited(const RateLimitVerdict& verdict, std::string_view request_id, bool english) {
  // Windows last at most a day (catalog::kMaxRateWindowSeconds).
  const int wait =
      static_cast<int>(std::clamp<std::int64_t>(verdict.retry_after_seconds, 1, 86'400));
  core::Error error = core::MakeError(
      core::ErrorCode::kRateLimited,
      {"Demasiadas peticiones desde esta dirección; inténtalo de nuevo en " + std::to_string(wait) +
           " s",
       "Too many requests from this address; try again in " + std::to_string(wait) + " s"});
  error.retry_after_seconds = wait;
  Response response = ErrorResponse(error, request_id, english);
  response.With("Cache-Control", "no-store");
  WithRateLimit(response, verdict);
  return response;
}

}  // namespace

Router::Router() = default;
Router::~Router() = default;

void Router::Add(beast_http::verb method, std::string pattern, Handler handler,
                 RouteOptions options) {
  for (const auto& r : routes_) {
    if (r->method == method && r->pattern == pattern) {
      throw std::logic_error("route registered twice: " + pattern);
    }
  }
  auto route = std::make_unique<Route>();
  route->method = method;
  for (auto s : Split(pattern)) route->segments.emplace_back(s);
  route->pattern = std::move(pattern);
  route->handler = std::move(handler);
  route->options = options;
  routes_.push_back(std::move(route));
}

void Router::SetAuthenticate(Authenticate authenticate) { authenticate_ = std::move(authenticate); }

void Router::SetPublicRateLimit(PublicRateLimit limit) { public_rate_limit_ = std::move(limit); }

Router::Match Router::Resolve(beast_http::verb method, std::string_view path) const {
  Match match;
  match.pattern = "unmatched";
  auto parts = Split(path);
  std::string allow;
  for (const auto& r : routes_) {
    if (!Matches(*r, parts, nullptr)) continue;
    if (r->method == method ||
        (method == beast_http::verb::head && r->method == beast_http::verb::get)) {
      match.route = r.get();
      Matches(*r, parts, &match.params);
      match.max_body_bytes = r->options.max_body_bytes;
      match.pattern = r->pattern;
      return match;
    }
    std::string name(beast_http::to_string(r->method));
    if (allow.find(name) == std::string::npos) allow += (allow.empty() ? "" : ", ") + name;
  }
  if (!allow.empty()) {
    match.error = core::MakeError(core::ErrorCode::kMethodNotAllowed);
    match.allow = std::move(allow);
  } else {
    match.error = core::MakeError(core::ErrorCode::kNotFound);
  }
  return match;
}

boost::asio::awaitable<Response> Router::Dispatch(Request request) const {
  Match match = Resolve(request.method(), request.path);
  co_return co_await Dispatch(std::move(request), std::move(match));
}

boost::asio::awaitable<Response> Router::Dispatch(Request request, Match match) const {
  if (match.error) {
    Response response = ErrorResponse(*match.error, request);
    if (!match.allow.empty()) response.With("Allow", match.allow);
    co_return response;
  }
  for (auto& [name, value] : match.params) request.params.emplace(name, value);
  std::string request_id = request.request_id;
  bool english = request.english;
  std::string user_hash;
  std::optional<core::Error> failure;
  std::optional<RateLimitVerdict> verdict;
  try {
    const RouteOptions& options = match.route->options;
    if (options.screen) {
      if (core::Status screened = options.screen(request.worker, request.deadline); !screened) {
        co_return ErrorResponse(screened.error(), request_id, english);
      }
    }
    if (public_rate_limit_ && options.public_rate_limit && !options.authenticated) {
      const int worker = request.worker;
      const boost::asio::ip::address client = request.client_address;
      verdict = co_await public_rate_limit_(worker, client);
      if (verdict && !verdict->allowed) co_return RateLimited(*verdict, request_id, english);
    }
    const bool presented =
        !request.Header("Authorization").empty() || !request.Header("Cookie").empty();
    if (options.authenticated || (options.authentication_optional && presented)) {
      core::Result<Principal> principal = core::MakeError(core::ErrorCode::kUnauthenticated);
      if (authenticate_) {
        principal = co_await authenticate_(std::string(request.Header("Authorization")),
                                           std::string(request.Header("Cookie")));
      }
      if (principal) {
        user_hash = observability::UserHash(principal->user_id);
        request.principal = std::move(*principal);
      } else if (!options.authentication_optional) {
        co_return ErrorResponse(principal.error(), request_id, english);
      }
    }
    core::Result<Response> result = co_await match.route->handler(std::move(request));
    if (result.has_value()) {
      result->user_hash = std::move(user_hash);
      WithRateLimit(*result, verdict);
      co_return std::move(*result);
    }
    failure = std::move(result.error());
  } catch (const std::exception& e) {
    observability::Log(
        observability::Level::kError, "handler_exception",
        {{"request_id", request_id}, {"route", match.route->pattern}, {"what", e.what()}});
    failure = core::MakeError(core::ErrorCode::kInternal);
  }
  Response response = ErrorResponse(*failure, request_id, english);
  response.user_hash = std::move(user_hash);
  WithRateLimit(response, verdict);
  co_return response;
}

std::vector<Router::RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const auto& r : routes_) {
    out.push_back({std::string(beast_http::to_string(r->method)), r->pattern, r->options});
  }
  return out;
}

}  // namespace onboardd::http
