// Random identifiers from a per-thread PRNG seeded by std::random_device; request ids are
// not secrets, and UUIDs only need to be unique.
#include "core/ids.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>

namespace onboardd::core {
namespace {

std::mt19937_64& Generator() {
  thread_local std::mt19937_64 generator{[] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }()};
  return generator;
}

constexpr char kHex[] = "0123456789abcdef";

void AppendHex(std::string& out, std::uint64_t value, int digits) {
  for (int i = digits - 1; i >= 0; --i) out.push_back(kHex[(value >> (i * 4)) & 0xF]);
}

}  // namespace

std::string NewRequestId() { return RandomHex(32); }

std::string RandomHex(int digits) {
  std::string id;
  id.reserve(static_cast<std::size_t>(digits));
  for (; digits > 0; digits -= 16) AppendHex(id, Generator()(), std::min(digits, 16));
  return id;
}

std::string NewUuid() {
  std::uint64_t high = Generator()();
  std::uint64_t low = Generator()();
  high = (high & ~0xF000ULL) | 0x4000ULL;                // version 4
  low = (low & ~(0xC000ULL << 48)) | (0x8000ULL << 48);  // RFC 4122 variant
  std::string id;
  id.reserve(36);
  AppendHex(id, high >> 32, 8);
  id.push_back('-');
  AppendHex(id, (high >> 16) & 0xFFFF, 4);
  id.push_back('-');
  AppendHex(id, high & 0xFFFF, 4);
  id.push_back('-');
  AppendHex(id, low >> 48, 4);
  id.push_back('-');
  AppendHex(id, low & 0xFFFFFFFFFFFFULL, 12);
  return id;
}

bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

}  // namespace onboardd::core
