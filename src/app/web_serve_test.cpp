// The wizard page served by a real `onboardd serve` over real sockets: its headers (CSP and
// the other security headers, Content-Type, ETag, Cache-Control), 304, 404 for any other
// name and for every path-traversal spelling, and GET /'s redirect. The server runs as in
// production (no dev secret): a dev token signs no one in. Needs DATABASE_URL (scripts/test).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "auth/dev_token.hpp"
#include "support/db_harness.hpp"
#include "support/serve_process.hpp"

namespace {

using onboardd::testing::HeaderOf;
using onboardd::testing::HttpReply;
using onboardd::testing::ServeProcess;

constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

class WebServe : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Production: no AUTH_DEV_SECRET, no JWKS: nobody is signed in by anything dev-made.
    server_ = new ServeProcess(ONBOARDD_BIN,
                               {"DATABASE_URL=" + onboardd::testing::RequireEnv("DATABASE_URL"),
                                "AUTH_DEV_SECRET=", "AUTH_JWKS_URL=", "REDIS_URL="},
                               "web_serve");
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ServeProcess* server_;
};
ServeProcess* WebServe::server_ = nullptr;

void ExpectSecurityHeaders(const HttpReply& reply) {
  EXPECT_EQ(HeaderOf(reply.head, "Content-Security-Policy"), kCsp);
  EXPECT_EQ(HeaderOf(reply.head, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(HeaderOf(reply.head, "X-Frame-Options"), "DENY");
  EXPECT_EQ(HeaderOf(reply.head, "Referrer-Policy"), "no-referrer");
  EXPECT_NE(HeaderOf(reply.head, "Permissions-Policy").find("camera=()"), std::string::npos);
}

TEST_F(WebServe, ThePageWithItsHeaders) {
  HttpReply page = server_->Call("GET", "/onboarding/");
  ASSERT_EQ(page.status, 200) << page.head;
  EXPECT_EQ(HeaderOf(page.head, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(HeaderOf(page.head, "Cache-Control"), "no-cache");
  ExpectSecurityHeaders(page);
  EXPECT_NE(page.body.find("<script src=\"/onboarding/app.js\" defer></script>"),
            std::string::npos);
  const std::string etag = HeaderOf(page.head, "ETag");
  ASSERT_EQ(etag.size(), 34u) << page.head;

  HttpReply again = server_->Call("GET", "/onboarding/", "", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(HeaderOf(again.head, "ETag"), etag);
  ExpectSecurityHeaders(again);

  HttpReply other = server_->Call("GET", "/onboarding/", "", "If-None-Match: \"stale\"\r\n");
  EXPECT_EQ(other.status, 200);
}

TEST_F(WebServe, FilesAndStepPaths) {
  HttpReply script = server_->Call("GET", "/onboarding/app.js");
  ASSERT_EQ(script.status, 200);
  EXPECT_EQ(HeaderOf(script.head, "Content-Type"), "text/javascript; charset=utf-8");
  ExpectSecurityHeaders(script);
  HttpReply css = server_->Call("GET", "/onboarding/styles.css");
  ASSERT_EQ(css.status, 200);
  EXPECT_EQ(HeaderOf(css.head, "Content-Type"), "text/css; charset=utf-8");
  EXPECT_NE(HeaderOf(css.head, "ETag"), HeaderOf(script.head, "ETag"));

  // The catalog's step ids are the page itself (a reload on /onboarding/company).
  const std::string index = server_->Call("GET", "/onboarding/").body;
  for (const char* step : {"welcome", "company", "organization", "complete"}) {
    HttpReply page = server_->Call("GET", std::string("/onboarding/") + step);
    EXPECT_EQ(page.status, 200) << step;
    EXPECT_EQ(page.body, index) << step;
  }
  HttpReply bare = server_->Call("GET", "/onboarding");
  EXPECT_EQ(bare.status, 301);
  EXPECT_EQ(HeaderOf(bare.head, "Location"), "/onboarding/");
  EXPECT_EQ(server_->Call("POST", "/onboarding/app.js").status, 405);
}

TEST_F(WebServe, NothingElseAndNoTraversal) {
  for (const char* path :
       {"/onboarding/missing.js", "/onboarding/preferences", "/onboarding/..", "/onboarding/.",
        "/onboarding/../CMakeLists.txt", "/onboarding/%2e%2e/CMakeLists.txt",
        "/onboarding/..%2fCMakeLists.txt", "/onboarding/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/onboarding/app.js/", "/onboarding/app.js%00", "/onboarding//etc/passwd",
        "/onboarding/web/onboarding/app.js", "/onboarding/APP.JS", "/dev/token",
        "/onboarding/token"}) {
    HttpReply reply = server_->Call("GET", path);
    EXPECT_EQ(reply.status, 404) << path;
    EXPECT_EQ(reply.body.find("passwd"), std::string::npos) << path;
    EXPECT_EQ(reply.body.find("cmake_minimum_required"), std::string::npos) << path;
  }
}

TEST_F(WebServe, HomeRedirectsAndDevTokensSignNoOneIn) {
  HttpReply home = server_->Call("GET", "/");
  EXPECT_EQ(home.status, 302);
  EXPECT_EQ(HeaderOf(home.head, "Location"), "/onboarding/");
  EXPECT_EQ(HeaderOf(home.head, "Cache-Control"), "no-store");
  ExpectSecurityHeaders(home);

  // A dev token (any secret) in Stack's cookie or as a Bearer: production refuses it.
  onboardd::auth::DevClaims claims;
  claims.sub = "web-serve-dev-user";
  const std::string token =
      onboardd::auth::SignDevToken("some-dev-secret-of-32-characters!", claims);
  HttpReply cookie =
      server_->Call("GET", "/", "", "Cookie: stack-access=%5B%22r%22%2C%22" + token + "%22%5D\r\n");
  EXPECT_EQ(cookie.status, 302);
  EXPECT_EQ(HeaderOf(cookie.head, "Location"), "/onboarding/");
  HttpReply status =
      server_->Call("GET", "/api/onboarding/status", "", "Authorization: Bearer " + token + "\r\n");
  EXPECT_EQ(status.status, 401);
}

}  // namespace
