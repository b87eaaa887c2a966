// SerializeResponse: the bytes of a response on the wire, without a socket (a unit test, so
// that it also runs under the sanitizers).
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "http/server.hpp"

namespace onboardd::http {
namespace {

// The response bytes, exactly: what any HTTP/1.x client must be able to read.
TEST(SerializeResponse, WritesTheStatusLineFieldsInOrderLengthAndBody) {
  Response response;
  response.body = R"({"ok":true})";
  response.With("Retry-After", "1").With("ETag", "\"v2\"");
  EXPECT_EQ(SerializeResponse(response, "abc", 11, true, false),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json\r\n"
            "X-Request-Id: abc\r\n"
            "Retry-After: 1\r\n"
            "ETag: \"v2\"\r\n"
            "Content-Length: 11\r\n"
            "\r\n"
            R"({"ok":true})");
  response.status = beast_http::status::service_unavailable;
  EXPECT_EQ(SerializeResponse(response, "abc", 11, true, false).substr(0, 33),
            "HTTP/1.1 503 Service Unavailable\r");
}

TEST(SerializeResponse, ConnectionIsSaidOnlyWhereTheVersionsDefaultDiffers) {
  Response response;
  response.body = "{}";
  auto has = [](const std::string& bytes, std::string_view field) {
    return bytes.find(std::string("\r\n") + std::string(field) + "\r\n") != std::string::npos;
  };
  EXPECT_FALSE(has(SerializeResponse(response, "r", 11, true, false), "Connection: close"));
  EXPECT_TRUE(has(SerializeResponse(response, "r", 11, false, false), "Connection: close"));
  const std::string http10 = SerializeResponse(response, "r", 10, true, false);
  EXPECT_EQ(http10.substr(0, 9), "HTTP/1.0 ");
  EXPECT_TRUE(has(http10, "Connection: keep-alive"));
  EXPECT_EQ(SerializeResponse(response, "r", 10, false, false).find("Connection"),
            std::string::npos);
}

TEST(SerializeResponse, HeadSendsTheLengthWithoutTheBodyAnd204And304SendNeither) {
  Response response;
  response.body = "0123456789";
  const std::string head = SerializeResponse(response, "r", 11, true, true);
  EXPECT_NE(head.find("\r\nContent-Length: 10\r\n"), std::string::npos);
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
  for (auto status : {beast_http::status::no_content, beast_http::status::not_modified}) {
    response.status = status;
    const std::string bytes = SerializeResponse(response, "r", 11, true, false);
    EXPECT_EQ(bytes.find("Content-Length"), std::string::npos) << bytes;
    EXPECT_EQ(bytes.substr(bytes.size() - 4), "\r\n\r\n") << bytes;
  }
}

TEST(SerializeResponse, AFieldWithALineBreakIsLeftOut) {
  Response response;
  response.With("Location", "/a\r\nSet-Cookie: session=stolen").With("X-Kept", "yes");
  response.With("Bad\nName", "v");
  const std::string bytes = SerializeResponse(response, "r", 11, true, false);
  EXPECT_EQ(bytes.find("Set-Cookie"), std::string::npos);
  EXPECT_EQ(bytes.find("Location"), std::string::npos);
  EXPECT_EQ(bytes.find("Bad"), std::string::npos);
  EXPECT_NE(bytes.find("\r\nX-Kept: yes\r\n"), std::string::npos);
}

}  // namespace
}  // namespace onboardd::http
