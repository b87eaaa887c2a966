// Error codes become HTTP answers here and nowhere else.
#include "http/error_response.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

#include "core/clock.hpp"

namespace onboardd::http {
namespace {

using boost::beast::http::status;
using core::ErrorCode;

struct DefaultText {
  const char* short_text;  // the envelope's "error"
  core::LocalizedText message;
};

DefaultText DefaultFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kValidation:
      return {"Validation failed",
              {"Los datos enviados no son válidos", "The submitted data is not valid"}};
    case ErrorCode::kUnauthenticated:
      return {"Unauthenticated", {"Se requiere autenticación", "Authentication is required"}};
    case ErrorCode::kForbidden:
      return {"Forbidden",
              {"No tienes permiso para esta acción", "You are not allowed to do this"}};
    case ErrorCode::kNotFound:
      return {"Not found", {"Recurso no encontrado", "Resource not found"}};
    case ErrorCode::kMethodNotAllowed:
      return {"Method not allowed",
              {"Método no permitido en esta ruta", "Method not allowed on this route"}};
    case ErrorCode::kConflict:
      return {"Conflict",
              {"La operación entra en conflicto con el estado actual",
               "The operation conflicts with the current state"}};
    case ErrorCode::kPreconditionFailed:
      return {"Precondition failed",
              {"La versión enviada ya no es la actual; recarga los datos",
               "The version sent is no longer current; reload the data"}};
    case ErrorCode::kPayloadTooLarge:
      return {"Payload too large",
              {"El cuerpo de la petición es demasiado grande", "The request body is too large"}};
    case ErrorCode::kHeadersTooLarge:
      return {"Request header fields too large",
              {"Las cabeceras de la petición son demasiado grandes",
               "The request headers are too large"}};
    case ErrorCode::kRequestTimeout:
      return {"Request timeout",
              {"La petición no llegó completa a tiempo; envíala de nuevo",
               "The request did not arrive complete in time; send it again"}};
    case ErrorCode::kRateLimited:
      return {"Too many requests",
              {"Demasiadas peticiones; inténtalo más tarde", "Too many requests; try again later"}};
    case ErrorCode::kUnavailable:
      return {"Service unavailable",
              {"Servicio no disponible temporalmente; inténtalo de nuevo",
               "Service temporarily unavailable; try again"}};
    case ErrorCode::kInternal:
      return {"Internal error", {"Error interno del servidor", "Internal server error"}};
  }
  return {"Internal error", {"Error interno del servidor", "Internal server error"}};
}

// `text` as a JSON string: quoted as is when nothing in it needs escaping (the common case),
// else as Boost.JSON serializes it.
void AppendJsonString(std::string& out, std::string_view text) {
  const bool plain = std::none_of(text.begin(), text.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
  if (plain) {
    out += '"';
    out += text;
    out += '"';
  } else {
    out += boost::json::serialize(boost::json::string_view(text.data(), text.size()));
  }
}

}  // namespace

status StatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kValidation:
      return status::bad_request;
    case ErrorCode::kUnauthenticated:
      return status::unauthorized;
    case ErrorCode::kForbidden:
      return status::forbidden;
    case ErrorCode::kNotFound:
      return status::not_found;
    case ErrorCode::kMethodNotAllowed:
      return status::method_not_allowed;
    case ErrorCode::kConflict:
      return status::conflict;
    case ErrorCode::kPreconditionFailed:
      return status::precondition_failed;
    case ErrorCode::kPayloadTooLarge:
      return status::payload_too_large;
    case ErrorCode::kHeadersTooLarge:
      return status::request_header_fields_too_large;
    case ErrorCode::kRequestTimeout:
      return status::request_timeout;
    case ErrorCode::kRateLimited:
      return status::too_many_requests;
    case ErrorCode::kUnavailable:
      return status::service_unavailable;
    case ErrorCode::kInternal:
      return status::internal_server_error;
  }
  return status::internal_server_error;
}

Response ErrorResponse(const core::Error& error, std::string_view request_id, bool english) {
  DefaultText defaults = DefaultFor(error.code);
  const core::LocalizedText& message = error.message.empty() ? defaults.message : error.message;
  // Written out directly rather than built as a json::object and serialized: under overload
  // every shed request is answered with one, and building the object took 5.9 % of the
  // server's CPU (perf, /step at 10x).
  std::string body;
  body.reserve(256);
  body += R"({"success":false,"error":)";
  AppendJsonString(body, defaults.short_text);
  body += R"(,"code":)";
  AppendJsonString(body, core::ToCodeString(error.code));
  body += R"(,"message":)";
  AppendJsonString(body, message.In(english));
  body += R"(,"details":[)";
  for (std::size_t i = 0; i < error.details.size(); ++i) {
    const auto& d = error.details[i];
    body += i == 0 ? R"({"path":)" : R"(,{"path":)";
    AppendJsonString(body, d.path);
    body += R"(,"message":)";
    AppendJsonString(body, d.message.In(english));
    body += '}';
  }
  body += R"(],"request_id":)";
  AppendJsonString(body, request_id);
  body += R"(,"timestamp":)";
  AppendJsonString(body, core::NowIso8601());
  body += '}';

  Response response;
  response.status = StatusFor(error.code);
  response.body = std::move(body);
  if (error.retry_after_seconds > 0) {
    response.With("Retry-After", std::to_string(error.retry_after_seconds));
  }
  if (error.code == ErrorCode::kUnauthenticated) response.With("WWW-Authenticate", "Bearer");
  return response;
}

}  // namespace onboardd::http
