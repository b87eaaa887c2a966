// X-Forwarded-For is read from the right: each proxy appends the address it received the
// request from, so the entries the operator's own proxies wrote are the right-most ones and
// anything further left came from the client, who can write whatever it likes.
#include "http/client_address.hpp"

#include <vector>

namespace onboardd::http {

namespace ip = boost::asio::ip;

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsPort(std::string_view s) {
  if (s.empty() || s.size() > 5) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::optional<ip::address> Parse(std::string_view text, bool v6) {
  if (text.empty() || text.find('%') != std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  ip::address address;
  if (v6) {
    address = ip::make_address_v6(text, ec);
  } else {
    address = ip::make_address_v4(text, ec);
  }
  if (ec) return std::nullopt;
  return Canonical(address);
}

}  // namespace

ip::address Canonical(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::optional<ip::address> ParseForwardedFor(std::string_view entry) {
  entry = Trim(entry);
  if (entry.empty() || entry.size() > 64) return std::nullopt;
  if (entry.front() == '[') {
    const std::size_t close = entry.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view rest = entry.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && IsPort(rest.substr(1)))) return std::nullopt;
    return Parse(entry.substr(1, close - 1), true);
  }
  const std::size_t colon = entry.find(':');
  if (colon == std::string_view::npos) return Parse(entry, false);
  if (entry.find(':', colon + 1) != std::string_view::npos) return Parse(entry, true);
  // One colon: IPv4 with a port.
  if (!IsPort(entry.substr(colon + 1))) return std::nullopt;
  return Parse(entry.substr(0, colon), false);
}

ip::address ClientAddress(const ip::address& peer, const boost::beast::http::fields& headers,
                          int trusted_proxy_hops) {
  const ip::address socket_address = Canonical(peer);
  if (trusted_proxy_hops <= 0) return socket_address;
  std::vector<std::string_view> entries;
  // Beast has no enumerator for it: looked up by name (case-insensitively).
  auto [first, last] = headers.equal_range("X-Forwarded-For");
  for (auto it = first; it != last; ++it) {
    std::string_view list = it->value();
    while (true) {
      const std::size_t comma = list.find(',');
      std::string_view element = Trim(list.substr(0, comma));
      if (!element.empty()) entries.push_back(element);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  if (entries.size() < static_cast<std::size_t>(trusted_proxy_hops)) return socket_address;
  std::optional<ip::address> client =
      ParseForwardedFor(entries[entries.size() - static_cast<std::size_t>(trusted_proxy_hops)]);
  return client ? *client : socket_address;
}

}  // namespace onboardd::http
