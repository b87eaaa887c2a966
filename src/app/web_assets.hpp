// The wizard page's files (web/onboarding/), compiled into the binary by
// cmake/web_embed.cmake so a deployed onboardd serves the page without the source tree.
#pragma once

#include <span>
#include <string_view>

namespace onboardd::app {

struct WebAsset {
  std::string_view name;          // "app.js": the file's name in web/onboarding/
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view bytes;         // the file, byte for byte
  std::string_view etag;          // strong: "\"<first 32 hex digits of its SHA-256>\""
};

// Every file, sorted by name. Constant; thread-safe.
std::span<const WebAsset> WebAssets();

// The file named `name` exactly (no paths: "a/b" or ".." name nothing), or null.
const WebAsset* FindWebAsset(std::string_view name);

}  // namespace onboardd::app
