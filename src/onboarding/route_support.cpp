// The onboarding routes' shared decoders (see route_support.hpp).
#include "onboarding/route_support.hpp"

#include "core/ids.hpp"

namespace onboardd::onboarding {

namespace json = boost::json;

CallerContext ContextOf(const http::Request& request) {
  CallerContext out;
  db::TenantContext& context = out.tenant;
  context.user_id = request.principal ? request.principal->user_id : std::string();
  context.request_id = request.request_id;
  context.deadline = request.deadline;
  context.commit_lsn = request.commit_lsn;
  if (request.admitted_to_database) context.admission = db::Admission::kAlreadyAdmitted;
  if (std::string_view org = request.Header("X-Organization-Id"); !org.empty()) {
    if (core::IsUuid(org)) {
      context.org_id = std::string(org);
    } else {
      out.org_header_invalid = true;
    }
  }
  return out;
}

http::RouteOptions WriteOptions(const Dependencies& dependencies, http::RouteOptions options) {
  options.screen = [pools = dependencies.pools](int worker,
                                                core::Deadline deadline) -> core::Status {
    auto pool = pools->For(worker);
    if (!pool) return {};  // no database here: the handler answers that
    return (*pool)->Screen(deadline);
  };
  return options;
}

core::Error FieldError(std::string path, std::string es, std::string en) {
  return core::ValidationError({{std::move(path), {std::move(es), std::move(en)}}});
}

core::Result<json::object> BodyObject(const http::Request& request) {
  auto body = http::ParseJsonBody(request);
  if (!body) return body.error();
  if (!body->is_object()) {
    return FieldError("body", "El cuerpo debe ser un objeto JSON",
                      "The body must be a JSON object");
  }
  return std::move(body->as_object());
}

core::Result<json::object> OptionalBody(const http::Request& request) {
  if (request.body().find_first_not_of(" \t\r\n") == std::string::npos) return json::object{};
  return BodyObject(request);
}

std::optional<int> StepNumber(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64() && v->as_int64() >= 1 && v->as_int64() <= 50)
    return static_cast<int>(v->as_int64());
  if (v->is_uint64() && v->as_uint64() >= 1 && v->as_uint64() <= 50)
    return static_cast<int>(v->as_uint64());
  if (v->is_double()) {
    double d = v->as_double();
    if (d >= 1 && d <= 50 && d == static_cast<int>(d)) return static_cast<int>(d);
  }
  return std::nullopt;
}

const json::value* Member(const json::object& body, std::string_view snake,
                          std::string_view camel) {
  if (const json::value* v = body.if_contains(snake)) return v;
  return body.if_contains(camel);
}

core::Result<bool> OptionalBool(const json::object& body, std::string_view snake,
                                std::string_view camel, bool fallback) {
  const json::value* v = Member(body, snake, camel);
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_bool()) {
    return FieldError(std::string(snake), "Debe ser verdadero o falso", "Must be true or false");
  }
  return v->as_bool();
}

core::Result<std::string> SessionId(std::string_view id) {
  if (!core::IsUuid(id)) return core::MakeError(core::ErrorCode::kNotFound);
  return std::string(id);
}

std::string Message(const catalog::Snapshot& snapshot, std::string_view key, bool english) {
  const core::LocalizedText* text = snapshot.FindMessage(key);
  return text ? text->In(english) : std::string(key);
}

}  // namespace onboardd::onboarding
