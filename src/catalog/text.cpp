// UTF-8 validity, code point counting and accent folding (see text.hpp).
#include "catalog/text.hpp"

#include <cstdint>

namespace onboardd::catalog {
namespace {

// Decodes one code point at `text[i]`; returns its byte length, or 0 when the sequence is
// not well-formed UTF-8 (RFC 3629 table 3-7).
std::size_t DecodeOne(std::string_view text, std::size_t i, char32_t& out) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const std::size_t left = text.size() - i;
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) {
    out = b0;
    return 1;
  }
  const auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < left && byte(k) >= lo && byte(k) <= hi;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (!cont(1)) return 0;
    out = (char32_t{b0} & 0x1F) << 6 | (byte(1) & 0x3F);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = b0 == 0xED ? 0x9F : 0xBF;  // no UTF-16 surrogates
    if (!cont(1, lo, hi) || !cont(2)) return 0;
    out = (char32_t{b0} & 0x0F) << 12 | (char32_t{byte(1)} & 0x3F) << 6 | (byte(2) & 0x3F);
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF;  // ≤ U+10FFFF
    if (!cont(1, lo, hi) || !cont(2) || !cont(3)) return 0;
    out = (char32_t{b0} & 0x07) << 18 | (char32_t{byte(1)} & 0x3F) << 12 |
          (char32_t{byte(2)} & 0x3F) << 6 | (byte(3) & 0x3F);
    return 4;
  }
  return 0;
}

struct FoldRange {
  char32_t first;
  char32_t last;
  const char* ascii;
};

// Latin Extended-A (U+0100–U+017F), by ranges of the same base letter.
constexpr FoldRange kExtendedA[] = {
    {0x100, 0x105, "a"}, {0x106, 0x10D, "c"},  {0x10E, 0x111, "d"}, {0x112, 0x11B, "e"},
    {0x11C, 0x123, "g"}, {0x124, 0x127, "h"},  {0x128, 0x131, "i"}, {0x132, 0x133, "ij"},
    {0x134, 0x135, "j"}, {0x136, 0x138, "k"},  {0x139, 0x142, "l"}, {0x143, 0x14B, "n"},
    {0x14C, 0x151, "o"}, {0x152, 0x153, "oe"}, {0x154, 0x159, "r"}, {0x15A, 0x161, "s"},
    {0x162, 0x167, "t"}, {0x168, 0x173, "u"},  {0x174, 0x175, "w"}, {0x176, 0x178, "y"},
    {0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"},
};

// Latin-1 Supplement letters U+00C0–U+00FF (upper and lower halves fold alike); nullptr for
// × and ÷, which are not letters.
constexpr const char* kLatin1[32] = {
    "a", "a", "a", "a", "a", "a", "ae", "c",     "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  nullptr, "o", "u", "u", "u", "u", "y", "th", "ss",
};

const char* Fold(char32_t cp) {
  if (cp >= 0xC0 && cp <= 0xFF) {
    if (cp == 0xFF) return "y";
    if (cp == 0xDF) return "ss";
    return kLatin1[(cp - 0xC0) % 32];
  }
  for (const FoldRange& range : kExtendedA) {
    if (cp >= range.first && cp <= range.last) return range.ascii;
  }
  return nullptr;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t n = DecodeOne(text, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::size_t CountCodePoints(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::string FoldForSearch(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t n = DecodeOne(text, i, cp);
    if (n == 0) {
      ++i;
      continue;
    }
    if (cp < 0x80) {
      out.push_back(cp >= 'A' && cp <= 'Z' ? static_cast<char>(cp - 'A' + 'a')
                                           : static_cast<char>(cp));
    } else if (const char* folded = Fold(cp)) {
      out += folded;
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string RenderTemplate(std::string_view text,
                           const std::map<std::string, std::string, std::less<>>& values) {
  const auto name_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
  };
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t open = text.find("{{", i);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    const std::string_view name = text.substr(open + 2, close - open - 2);
    bool valid = !name.empty();
    for (char c : name) valid = valid && name_char(c);
    out.append(text.substr(i, open - i));
    if (valid) {
      if (auto it = values.find(name); it != values.end()) out += it->second;
      i = close + 2;
    } else {
      out += "{{";
      i = open + 2;
    }
  }
  out.append(text.substr(i));
  return out;
}

}  // namespace onboardd::catalog
