#include "http/error_response.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace onboardd::http {
namespace {

TEST(ErrorResponse, EnvelopeHasEveryField) {
  auto response = ErrorResponse(core::MakeError(core::ErrorCode::kNotFound), "rid", false);
  EXPECT_EQ(response.status, beast_http::status::not_found);
  auto body = boost::json::parse(response.body).as_object();
  EXPECT_EQ(body.at("success"), false);
  EXPECT_EQ(body.at("error"), "Not found");
  EXPECT_EQ(body.at("code"), "NOT_FOUND");
  EXPECT_EQ(body.at("message"), "Recurso no encontrado");
  EXPECT_TRUE(body.at("details").as_array().empty());
  EXPECT_EQ(body.at("request_id"), "rid");
  std::string ts(body.at("timestamp").as_string());
  EXPECT_EQ(ts.size(), 24u) << ts;
  EXPECT_EQ(ts.back(), 'Z');
}

// The envelope is written out by hand: what a detail carries must still come back intact.
TEST(ErrorResponse, DetailsAreEscapedAndKeptInOrder) {
  auto error = core::ValidationError(
      {{"data.\"name\"\n", {"línea\\uno\t", "line\\one\t"}}, {"data.size", {"Tamaño", "Size"}}});
  auto response = ErrorResponse(error, "rid-1", false);
  auto body = boost::json::parse(response.body).as_object();
  const auto& details = body.at("details").as_array();
  ASSERT_EQ(details.size(), 2u);
  EXPECT_EQ(details[0].at("path"), "data.\"name\"\n");
  EXPECT_EQ(details[0].at("message"), "línea\\uno\t");
  EXPECT_EQ(details[1].at("path"), "data.size");
  EXPECT_EQ(details[1].at("message"), "Tamaño");
  EXPECT_EQ(body.at("request_id"), "rid-1");
  EXPECT_EQ(body.size(), 7u);
}

TEST(ErrorResponse, EnglishWhenAsked) {
  auto response = ErrorResponse(core::MakeError(core::ErrorCode::kNotFound), "rid", true);
  EXPECT_EQ(boost::json::parse(response.body).at("message"), "Resource not found");
}

TEST(ErrorResponse, StatusMapping) {
  using core::ErrorCode;
  using s = beast_http::status;
  EXPECT_EQ(StatusFor(ErrorCode::kValidation), s::bad_request);
  EXPECT_EQ(StatusFor(ErrorCode::kUnauthenticated), s::unauthorized);
  EXPECT_EQ(StatusFor(ErrorCode::kPreconditionFailed), s::precondition_failed);
  EXPECT_EQ(StatusFor(ErrorCode::kPayloadTooLarge), s::payload_too_large);
  EXPECT_EQ(StatusFor(ErrorCode::kHeadersTooLarge), s::request_header_fields_too_large);
  EXPECT_EQ(StatusFor(ErrorCode::kRateLimited), s::too_many_requests);
  EXPECT_EQ(StatusFor(ErrorCode::kUnavailable), s::service_unavailable);
}

TEST(ErrorResponse, RetryAfterAndWwwAuthenticate) {
  auto busy = core::MakeError(core::ErrorCode::kUnavailable);
  busy.retry_after_seconds = 2;
  auto r = ErrorResponse(busy, "x", false);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Retry-After", "2"}));
  auto unauth = ErrorResponse(core::MakeError(core::ErrorCode::kUnauthenticated), "x", false);
  ASSERT_EQ(unauth.headers.size(), 1u);
  EXPECT_EQ(unauth.headers[0].first, "WWW-Authenticate");
}

TEST(Request, LanguagePreference) {
  EXPECT_TRUE(PrefersEnglish("en"));
  EXPECT_TRUE(PrefersEnglish("en-US,es;q=0.5"));
  EXPECT_FALSE(PrefersEnglish("es-ES,en;q=0.8"));
  EXPECT_FALSE(PrefersEnglish(""));
  EXPECT_FALSE(PrefersEnglish("eng"));
}

TEST(Request, JsonBodyErrorsAreValidationErrors) {
  Request r;
  for (const std::string& bad :
       std::vector<std::string>{"", "   ", "{", "{\"a\":}", "[1,2",
                                std::string(100, '[') + std::string(100, ']'), "\"\xff\xfe\""}) {
    r.message.body() = bad;
    auto parsed = ParseJsonBody(r);
    ASSERT_TRUE(parsed.has_error()) << bad;
    EXPECT_EQ(parsed.error().code, core::ErrorCode::kValidation);
  }
  r.message.body() = R"({"step": 1, "data": {"role": "ceo"}})";
  EXPECT_TRUE(ParseJsonBody(r).has_value());
}

}  // namespace
}  // namespace onboardd::http
