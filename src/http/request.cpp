// Request accessors and JSON body parsing with the limits every route shares.
#include "http/request.hpp"

#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

namespace onboardd::http {

std::string_view Request::Header(std::string_view name) const {
  auto it = message.find(name);
  return it == message.end() ? std::string_view{} : std::string_view(it->value());
}

std::string_view Request::Param(std::string_view name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string_view{} : std::string_view(it->second);
}

std::string_view Request::Query(std::string_view name) const {
  auto it = query.find(name);
  return it == query.end() ? std::string_view{} : std::string_view(it->second);
}

Response JsonResponse(const boost::json::value& body, beast_http::status status) {
  Response response;
  response.status = status;
  response.body = boost::json::serialize(body);
  return response;
}

core::Result<boost::json::value> ParseJsonBody(const Request& request) {
  const std::string& body = request.body();
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return core::MakeError(core::ErrorCode::kValidation, {"El cuerpo de la petición debe ser JSON",
                                                          "The request body must be JSON"});
  }
  boost::json::parse_options options;
  options.max_depth = 64;
  boost::json::parser parser(boost::json::storage_ptr(), options);
  boost::system::error_code ec;
  parser.write(body.data(), body.size(), ec);
  if (ec) {
    return core::MakeError(core::ErrorCode::kValidation,
                           {"JSON no válido: " + ec.message(), "Invalid JSON: " + ec.message()});
  }
  return parser.release();
}

bool PrefersEnglish(std::string_view accept_language) {
  while (!accept_language.empty() && accept_language.front() == ' ')
    accept_language.remove_prefix(1);
  if (accept_language.size() < 2) return false;
  bool en = std::tolower(static_cast<unsigned char>(accept_language[0])) == 'e' &&
            std::tolower(static_cast<unsigned char>(accept_language[1])) == 'n';
  return en && (accept_language.size() == 2 || accept_language[2] == '-' ||
                accept_language[2] == ',' || accept_language[2] == ';');
}

}  // namespace onboardd::http
