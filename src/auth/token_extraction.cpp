// ExtractToken: header and cookie parsing, no validation of the token itself.
#include "auth/token_extraction.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cctype>

namespace onboardd::auth {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int high = HexValue(s[i + 1]);
    const int low = HexValue(s[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '~' || c == '+' || c == '/' || c == '=';
}

}  // namespace

std::optional<std::string> TokenFromCookieValue(std::string_view value) {
  value = Trim(value);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  if (value.empty()) return std::nullopt;
  auto decoded = PercentDecode(value);
  if (!decoded || decoded->empty()) return std::nullopt;
  if (decoded->front() != '[') {
    for (char c : *decoded) {
      if (!IsTokenChar(c)) return std::nullopt;
    }
    return decoded;
  }
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(*decoded, ec);
  if (ec || !json.is_array() || json.get_array().empty()) return std::nullopt;
  const boost::json::value& last = json.get_array().back();
  if (!last.is_string() || last.get_string().empty()) return std::nullopt;
  return std::string(last.get_string());
}

std::optional<std::string> ExtractToken(std::string_view authorization,
                                        std::string_view cookie_header,
                                        std::string_view cookie_name) {
  authorization = Trim(authorization);
  if (!authorization.empty()) {
    constexpr std::string_view kScheme = "bearer";
    if (authorization.size() < kScheme.size()) return std::nullopt;
    for (std::size_t i = 0; i < kScheme.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) {
        return std::nullopt;
      }
    }
    std::string_view rest = authorization.substr(kScheme.size());
    if (!rest.empty() && rest.front() != ' ' && rest.front() != '\t') return std::nullopt;
    rest = Trim(rest);
    if (rest.empty()) return std::nullopt;
    return std::string(rest);
  }
  if (cookie_name.empty()) return std::nullopt;
  while (!cookie_header.empty()) {
    const auto semicolon = cookie_header.find(';');
    std::string_view pair = Trim(cookie_header.substr(0, semicolon));
    cookie_header = semicolon == std::string_view::npos ? std::string_view{}
                                                        : cookie_header.substr(semicolon + 1);
    const auto equals = pair.find('=');
    if (equals == std::string_view::npos) continue;
    if (Trim(pair.substr(0, equals)) != cookie_name) continue;
    return TokenFromCookieValue(pair.substr(equals + 1));
  }
  return std::nullopt;
}

}  // namespace onboardd::auth
