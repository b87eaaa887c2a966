// The wizard page's pure parts: where GET / sends a browser, the embedded files, and that the
// page keeps its own CSP (no inline script or style for the browser to refuse).
#include "app/web_routes.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <regex>
#include <string>

#include "app/web_assets.hpp"

namespace onboardd::app {
namespace {

namespace json = boost::json;

json::object Status(std::string_view text) { return json::parse(text).as_object(); }

TEST(HomeRedirect, SignedOutGoesToThePage) {
  EXPECT_EQ(HomeRedirect(std::nullopt), "/onboarding/");
}

TEST(HomeRedirect, FollowsTheStatusRedirect) {
  EXPECT_EQ(HomeRedirect(Status(R"({"status":"in_progress","redirectTo":"/onboarding/company"})")),
            "/onboarding/company");
  EXPECT_EQ(HomeRedirect(Status(R"({"status":"not_started","redirectTo":"/onboarding/welcome"})")),
            "/onboarding/welcome");
}

TEST(HomeRedirect, CompletedShowsTheOrganization) {
  EXPECT_EQ(HomeRedirect(Status(R"({"status":"completed","redirectTo":null})")),
            "/onboarding/complete");
}

TEST(HomeRedirect, NeverLeavesThePage) {
  EXPECT_EQ(HomeRedirect(Status(R"({"redirectTo":"https://evil.example/"})")),
            "/onboarding/complete");
  EXPECT_EQ(HomeRedirect(Status(R"({"redirectTo":"/onboarding//evil.example"})")),
            "/onboarding/complete");
}

TEST(WebAssets, ThePageIsEmbeddedWithTypesAndTags) {
  for (const char* name : {"index.html", "app.js", "styles.css"}) {
    const WebAsset* asset = FindWebAsset(name);
    ASSERT_NE(asset, nullptr) << name;
    EXPECT_FALSE(asset->bytes.empty()) << name;
    EXPECT_EQ(asset->etag.size(), 34u) << name;
  }
  EXPECT_EQ(FindWebAsset("index.html")->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(FindWebAsset("app.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(FindWebAsset("styles.css")->content_type, "text/css; charset=utf-8");
}

TEST(WebAssets, OnlyExactNames) {
  for (const char* name : {"", ".", "..", "../index.html", "/index.html", "INDEX.HTML",
                           "index.html/", "index.html%00", "app.js.map"}) {
    EXPECT_EQ(FindWebAsset(name), nullptr) << name;
  }
}

// The CSP allows no inline script, no inline style and no event-handler attributes: a page
// that had any would break in the browser, so it is refused here first.
TEST(WebAssets, NoInlineScriptOrStyle) {
  const std::regex inline_script(R"(<script(?![^>]*\bsrc=)[^>]*>)", std::regex::icase);
  const std::regex handler(R"(\son[a-z]+\s*=)", std::regex::icase);
  const std::regex style(R"(<style\b|\sstyle\s*=)", std::regex::icase);
  for (const WebAsset& asset : WebAssets()) {
    if (!asset.name.ends_with(".html")) continue;
    const std::string text(asset.bytes);
    EXPECT_FALSE(std::regex_search(text, inline_script)) << asset.name;
    EXPECT_FALSE(std::regex_search(text, handler)) << asset.name;
    EXPECT_FALSE(std::regex_search(text, style)) << asset.name;
  }
}

}  // namespace
}  // namespace onboardd::app
