// GET /openapi.json: the OpenAPI 3.1 description of every route the router serves, generated
// from the route table itself so that no route can be missing from it.
#pragma once

#include <string>

#include "http/router.hpp"

namespace onboardd::app {

// The document for every route registered so far (call it after the last Add).
std::string OpenApiDocument(const http::Router& router);

// Registers GET /openapi.json; call it last in RegisterRoutes.
void RegisterOpenApiRoute(http::Router& router);

}  // namespace onboardd::app
