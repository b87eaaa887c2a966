// Error codes become HTTP answers here and nowhere else.
#include "http/error_response.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

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
  boost::json::array details;
  for (const auto& d : error.details) {
    details.push_back(boost::json::object{{"path", d.path}, {"message", d.message.In(english)}});
  }
  boost::json::object body{{"success", false},
                           {"error", defaults.short_text},
                           {"code", core::ToCodeString(error.code)},
                           {"message", message.In(english)},
                           {"details", std::move(details)},
                           {"request_id", request_id},
                           {"timestamp", core::NowIso8601()}};
  Response response = JsonResponse(body, StatusFor(error.code));
  if (error.retry_after_seconds > 0) {
    response.With("Retry-After", std::to_string(error.retry_after_seconds));
  }
  if (error.code == ErrorCode::kUnauthenticated) response.With("WWW-Authenticate", "Bearer");
  return response;
}

}  // namespace onboardd::http
