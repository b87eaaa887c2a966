// Looks for things that must never reach a log (tokens, secrets, passwords, what users typed
// into the wizard) in a log's text: each needle as given, percent-encoded (as it would sit in
// a URL or a cookie) and JSON-escaped (as a string value of a JSON line). Test code only.
#pragma once

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace onboardd::testing {

inline std::string PercentEncoded(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

inline std::string JsonEscaped(std::string_view text) {
  std::string quoted = boost::json::serialize(boost::json::value(text));
  return quoted.substr(1, quoted.size() - 2);
}

struct Finding {
  std::string needle;  // what was found (the needle as given)
  std::string line;    // where
};

// Every (needle, line) of `log` (lines split on '\n') where a needle, in any of the three
// forms, occurs. Empty needles are ignored.
inline std::vector<Finding> FindInLog(std::string_view log,
                                      const std::vector<std::string>& needles) {
  std::vector<Finding> found;
  std::size_t start = 0;
  while (start < log.size()) {
    std::size_t end = log.find('\n', start);
    if (end == std::string_view::npos) end = log.size();
    const std::string_view line = log.substr(start, end - start);
    for (const std::string& needle : needles) {
      if (needle.empty()) continue;
      for (const std::string& form : {needle, PercentEncoded(needle), JsonEscaped(needle)}) {
        if (line.find(form) != std::string_view::npos) {
          found.push_back({needle, std::string(line)});
          break;
        }
      }
    }
    start = end + 1;
  }
  return found;
}

}  // namespace onboardd::testing
