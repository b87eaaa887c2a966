// libFuzzer target for what the server does with a request's bytes before any handler runs:
// Beast's parser with the server's limits (8 KiB header block, a body limit), the origin-form
// target parsed by Boost.URL with its query, the client address from X-Forwarded-For at 0–3
// trusted hops, traceparent, X-Request-Id, Accept-Language, and the JSON body as
// http::ParseJsonBody parses it. Any crash, sanitizer report or escaping exception is a
// finding; refusals are expected.
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/ids.hpp"
#include "core/trace_context.hpp"
#include "http/client_address.hpp"
#include "http/request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace beast = boost::beast;
  namespace bhttp = beast::http;
  using namespace onboardd;
  if (size < 1) return 0;
  const int hops = data[0] % 4;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(8 * 1024);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  beast::error_code ec;
  std::size_t used = parser.put(boost::asio::buffer(data + 1, size - 1), ec);
  if (!ec && !parser.is_done() && used < size - 1) {
    parser.put(boost::asio::buffer(data + 1 + used, size - 1 - used), ec);
  }
  if (ec || !parser.is_header_done()) return 0;

  bhttp::request<bhttp::string_body>& message = parser.get();
  if (auto target = boost::urls::parse_origin_form(message.target())) {
    std::string path = target->path();
    for (auto param : target->params()) {
      std::string key(param.key), value(param.value);
      (void)key;
      (void)value;
    }
  }
  const auto peer = boost::asio::ip::make_address("127.0.0.1");
  (void)http::ClientAddress(peer, message, hops);
  (void)core::ContinueTrace(core::ParseTraceparent(message["traceparent"]));
  (void)core::IsAcceptableRequestId(message["X-Request-Id"]);
  (void)http::PrefersEnglish(message["Accept-Language"]);
  if (parser.is_done()) {
    http::Request request;
    request.message = parser.release();
    (void)http::ParseJsonBody(request);
  }
  return 0;
}
