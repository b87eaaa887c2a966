// Shared by the onboarding tests: the bundled catalog and its flows, and standard base64
// (what a browser puts in a data: URL) for building logo payloads. Test code only.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "catalog/catalog.hpp"

namespace onboardd::testing {

// The bundled catalog, loaded once per test process.
inline std::shared_ptr<const catalog::Snapshot> BundledCatalogPtr() {
  static const std::shared_ptr<const catalog::Snapshot> snapshot = catalog::LoadBundled().value();
  return snapshot;
}
inline const catalog::Snapshot& BundledCatalog() { return *BundledCatalogPtr(); }
inline const catalog::Flow& Wizard() { return *BundledCatalog().FindFlow("wizard"); }
inline const catalog::Flow& Legacy() { return *BundledCatalog().FindFlow("legacy"); }

inline std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t left = bytes.size() - i;
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (left > 1) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (left > 2) n |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += left > 1 ? kAlphabet[(n >> 6) & 63] : '=';
    out += left > 2 ? kAlphabet[n & 63] : '=';
  }
  return out;
}

}  // namespace onboardd::testing
