// The outbound client: URL → resolve (cancelled at the deadline) → connect → optional TLS
// → one request/response with Beast, each step bounded by the same deadline. Outbound TLS
// lives here and nowhere else.
#include "http_client/http_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <system_error>
#include <utility>

namespace onboardd::http_client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;
constexpr auto kUseAwaitable = asio::as_tuple(asio::use_awaitable);

core::Error Fail(core::ErrorCode code, std::string what) {
  return core::MakeError(code, {.es = what, .en = std::move(what)});
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool IsLoopbackAddress(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).is_loopback();
  }
  return address.is_loopback();
}

// Sends one request on an established stream (TCP or TLS) and reads one response.
template <class Stream>
asio::awaitable<core::Result<Response>> Exchange(Stream stream,
                                                 http::request<http::string_body> request,
                                                 std::size_t max_header_bytes,
                                                 std::size_t max_body_bytes) {
  auto [write_error, written] = co_await http::async_write(stream, request, kUseAwaitable);
  if (write_error) {
    co_return Fail(core::ErrorCode::kUnavailable, "write failed: " + write_error.message());
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(max_header_bytes));
  parser.body_limit(max_body_bytes);
  auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kUseAwaitable);
  if (read_error == http::error::body_limit || read_error == http::error::header_limit) {
    co_return Fail(core::ErrorCode::kInternal, "response too large");
  }
  if (read_error && read_error != http::error::end_of_stream &&
      read_error != http::error::partial_message &&
      &read_error.category() == &make_error_code(http::error::bad_target).category()) {
    co_return Fail(core::ErrorCode::kInternal, "malformed response: " + read_error.message());
  }
  if (read_error) {
    co_return Fail(core::ErrorCode::kUnavailable, "read failed: " + read_error.message());
  }
  auto& message = parser.get();
  Response response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  response.body = std::move(message.body());
  co_return response;
}

}  // namespace

std::string_view Response::Header(std::string_view name) const {
  for (const auto& field : headers) {
    if (EqualsIgnoreCase(field.name, name)) return field.value;
  }
  return {};
}

bool IsLoopbackHost(std::string_view host) {
  if (EqualsIgnoreCase(host, "localhost")) return true;
  constexpr std::string_view kSuffix = ".localhost";
  if (host.size() > kSuffix.size() &&
      EqualsIgnoreCase(host.substr(host.size() - kSuffix.size()), kSuffix)) {
    return true;
  }
  error_code ec;
  const auto address = asio::ip::make_address(std::string(host), ec);
  return !ec && IsLoopbackAddress(address);
}

core::Result<Target> ParseTarget(std::string_view url, bool allow_plain_http) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Fail(core::ErrorCode::kInternal, "malformed URL");
  const boost::urls::url_view& view = *parsed;
  Target target;
  if (view.scheme_id() == boost::urls::scheme::https) {
    target.tls = true;
  } else if (view.scheme_id() != boost::urls::scheme::http) {
    return Fail(core::ErrorCode::kInternal, "unsupported URL scheme");
  }
  if (view.has_userinfo()) return Fail(core::ErrorCode::kInternal, "URL with userinfo");
  switch (view.host_type()) {
    case boost::urls::host_type::name:
      target.host = view.host();  // percent-decoded
      break;
    case boost::urls::host_type::ipv4:
      target.host = view.host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      target.host = view.host_ipv6_address().to_string();
      break;
    default:
      return Fail(core::ErrorCode::kInternal, "unsupported URL host");
  }
  if (target.host.empty()) return Fail(core::ErrorCode::kInternal, "URL without host");
  if (view.has_port()) {
    if (view.port().empty() || view.port_number() == 0) {
      return Fail(core::ErrorCode::kInternal, "invalid URL port");
    }
    target.port = std::to_string(view.port_number());
  } else {
    target.port = target.tls ? "443" : "80";
  }
  if (!target.tls && !allow_plain_http && !IsLoopbackHost(target.host)) {
    return Fail(core::ErrorCode::kInternal, "plain http is only allowed to loopback hosts");
  }
  target.path_and_query = view.encoded_path().empty() ? "/" : std::string(view.encoded_path());
  if (view.has_query()) {
    target.path_and_query += '?';
    target.path_and_query += view.encoded_query();
  }
  target.host_header = std::string(view.encoded_host_and_port());
  return target;
}

Client::Client(ClientOptions options)
    : options_(std::move(options)),
      tls_(std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client)) {
  tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
  tls_->set_verify_mode(asio::ssl::verify_peer);
  if (options_.use_system_ca) tls_->set_default_verify_paths();
  if (!options_.ca_file.empty()) tls_->load_verify_file(options_.ca_file);  // throws
}

Client::~Client() = default;

asio::awaitable<core::Result<Response>> Client::Fetch(Request request,
                                                      core::Deadline deadline) const {
  auto target = ParseTarget(request.url, options_.allow_plain_http);
  if (!target) co_return target.error();
  const http::verb verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) {
    co_return Fail(core::ErrorCode::kInternal, "unsupported HTTP method");
  }

  http::request<http::string_body> message{verb, target->path_and_query, 11};
  message.set(http::field::host, target->host_header);
  message.set(http::field::user_agent, options_.user_agent);
  for (auto& header : request.headers) {
    if (EqualsIgnoreCase(header.name, "host") || EqualsIgnoreCase(header.name, "user-agent")) {
      message.set(header.name, header.value);
    } else {
      message.insert(header.name, header.value);
    }
  }
  message.body() = std::move(request.body);
  if (!message.body().empty() || verb == http::verb::post || verb == http::verb::put ||
      verb == http::verb::patch) {
    message.prepare_payload();
  }

  auto executor = co_await asio::this_coro::executor;

  // The resolver has no per-operation timeout: a timer cancels it at the deadline. Both
  // are shared with the timer's handler, which may run after this frame moved on.
  auto resolver = std::make_shared<tcp::resolver>(executor);
  asio::steady_timer resolve_timer(executor, deadline);
  resolve_timer.async_wait([weak = std::weak_ptr<tcp::resolver>(resolver)](error_code ec) {
    if (ec) return;
    if (auto alive = weak.lock()) alive->cancel();
  });
  auto [resolve_error, results] =
      co_await resolver->async_resolve(target->host, target->port, kUseAwaitable);
  resolve_timer.cancel();
  if (resolve_error == asio::error::operation_aborted || core::SteadyClock::now() >= deadline) {
    co_return Fail(core::ErrorCode::kUnavailable, "deadline passed while resolving");
  }
  if (resolve_error) {
    co_return Fail(core::ErrorCode::kUnavailable, "resolve failed: " + resolve_error.message());
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) {
    // Plain HTTP without permission: only loopback, whatever the name resolves to.
    if (!target->tls && !options_.allow_plain_http &&
        !IsLoopbackAddress(entry.endpoint().address())) {
      continue;
    }
    endpoints.push_back(entry.endpoint());
  }
  if (endpoints.empty()) {
    co_return Fail(core::ErrorCode::kUnavailable, "no usable address for host");
  }

  beast::tcp_stream tcp_stream(executor);
  tcp_stream.expires_at(deadline);
  auto [connect_error, endpoint] = co_await tcp_stream.async_connect(endpoints, kUseAwaitable);
  if (connect_error == beast::error::timeout) {
    co_return Fail(core::ErrorCode::kUnavailable, "deadline passed while connecting");
  }
  if (connect_error) {
    co_return Fail(core::ErrorCode::kUnavailable, "connect failed: " + connect_error.message());
  }
  tcp_stream.socket().set_option(tcp::no_delay(true));

  core::Result<Response> result = Fail(core::ErrorCode::kInternal, "not sent");
  if (!target->tls) {
    result = co_await Exchange(std::move(tcp_stream), std::move(message), options_.max_header_bytes,
                               options_.max_body_bytes);
  } else {
    beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(tcp_stream), *tls_);
    error_code not_an_address;
    asio::ip::make_address(target->host, not_an_address);
    if (not_an_address) {
      // SNI names a host, never an address (RFC 6066 §3).
      SSL_set_tlsext_host_name(tls_stream.native_handle(), target->host.c_str());
    }
    tls_stream.set_verify_callback(asio::ssl::host_name_verification(target->host));
    auto [handshake_error] =
        co_await tls_stream.async_handshake(asio::ssl::stream_base::client, kUseAwaitable);
    if (handshake_error == beast::error::timeout) {
      co_return Fail(core::ErrorCode::kUnavailable, "deadline passed during TLS handshake");
    }
    if (handshake_error) {
      co_return Fail(core::ErrorCode::kUnavailable,
                     "TLS handshake failed: " + handshake_error.message());
    }
    result = co_await Exchange(std::move(tls_stream), std::move(message), options_.max_header_bytes,
                               options_.max_body_bytes);
  }
  if (!result && core::SteadyClock::now() >= deadline &&
      result.error().code == core::ErrorCode::kUnavailable) {
    co_return Fail(core::ErrorCode::kUnavailable, "deadline passed");
  }
  co_return result;
}

}  // namespace onboardd::http_client
