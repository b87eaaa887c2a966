// What a handler sees of one HTTP request, and what it returns. Neither knows about
// sockets: tests build a Request by hand and call Router::Dispatch.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/trace_context.hpp"

namespace onboardd::http {

namespace beast_http = boost::beast::http;

// The verified caller of a route that requires authentication.
struct Principal {
  std::string user_id;  // the token's `sub`
  std::string email;    // empty when the token has none
  std::string name;     // empty when the token has none
};

struct Request {
  beast_http::request<beast_http::string_body> message;
  std::string path;                                        // decoded path, no query
  std::map<std::string, std::string, std::less<>> query;   // decoded query parameters
  std::map<std::string, std::string, std::less<>> params;  // from the route pattern
  std::string request_id;
  // Our span on this request, in the trace its `traceparent` named (a new trace when it had
  // none or an invalid one). Outbound calls made while serving it carry it (http_client).
  core::TraceContext trace;
  // The I/O thread serving this request (0..threads-1): the index of the per-thread
  // resources (database pool, Redis connection) a handler may use. 0 outside a server.
  int worker = 0;
  // Who sent it (http/client_address.hpp): the socket's peer, or the client the trusted
  // proxies named (TRUSTED_PROXY_HOPS). What per-address limits count against; never
  // logged. 0.0.0.0 outside a server.
  boost::asio::ip::address client_address;
  bool english = false;  // Accept-Language prefers English; Spanish otherwise
  core::Deadline deadline{};
  std::optional<Principal> principal;  // set by the Router for authenticated routes
  // Where the database layer leaves the primary's WAL position after this request's last
  // committed write (db::TenantContext::commit_lsn), when a write route asks for it: status
  // reads from a replica (onboarding/replica_reads.hpp). Null: not asked.
  std::shared_ptr<std::string> commit_lsn;
  // Set by a write route once the request has waited for its turn (db::KeyTurns): it was
  // admitted to wait for the database once, and the pool must not refuse it again later
  // (db::Admission::kAlreadyAdmitted, db::TenantContext::admission).
  bool admitted_to_database = false;

  beast_http::verb method() const { return message.method(); }
  const std::string& body() const { return message.body(); }
  // The header's value, or empty.
  std::string_view Header(std::string_view name) const;
  std::string_view Param(std::string_view name) const;
  std::string_view Query(std::string_view name) const;
};

struct Response {
  beast_http::status status = beast_http::status::ok;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string user_hash;  // for the access log: set by the Router for authenticated routes
  // What an Idempotency-Key replay of this answer sends instead of `body`, when that must
  // differ (POST /step: the echoed data without inline images). Never sent itself.
  std::optional<std::string> replay_body;

  Response& With(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// 200 (or `status`) with a serialized JSON body.
Response JsonResponse(const boost::json::value& body,
                      beast_http::status status = beast_http::status::ok);

// Parses a JSON request body: kValidation (with a localized message) for empty, malformed,
// too deep (> 64 levels) or invalid UTF-8 input. Never throws.
core::Result<boost::json::value> ParseJsonBody(const Request& request);

// True when Accept-Language's first language is English ("en", "en-US", ...).
bool PrefersEnglish(std::string_view accept_language);

}  // namespace onboardd::http
