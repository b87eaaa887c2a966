// Who is calling: the address a per-client limit counts against. The socket's peer, unless
// the operator says how many proxies of their own stand in front (TRUSTED_PROXY_HOPS): then
// the address those proxies appended to X-Forwarded-For. Only the trusted hops' entries are
// read; whatever a client wrote to the left of them is never believed.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/fields.hpp>
#include <optional>
#include <string_view>

namespace onboardd::http {

// The client of a request that arrived from `peer` with `headers`. With
// `trusted_proxy_hops` = 0, `peer`. With N > 0, X-Forwarded-For (every field of that name,
// in order, as one comma-separated list; empty elements ignored) must hold at least N
// entries: the N-th from the right is the client, the nearest proxy being the peer. Too few
// entries, or an entry that is not an address, answer `peer`. IPv4-mapped IPv6 addresses
// are returned as IPv4. Pure; never throws.
boost::asio::ip::address ClientAddress(const boost::asio::ip::address& peer,
                                       const boost::beast::http::fields& headers,
                                       int trusted_proxy_hops);

// One X-Forwarded-For entry: "203.0.113.7", "203.0.113.7:4711", "2001:db8::1",
// "[2001:db8::1]" or "[2001:db8::1]:443", with optional spaces or tabs around it. nullopt
// for anything else (obfuscated identifiers, "unknown", zone ids, more than 64 characters).
std::optional<boost::asio::ip::address> ParseForwardedFor(std::string_view entry);

// `address`, with an IPv4-mapped IPv6 address ("::ffff:203.0.113.7") as IPv4.
boost::asio::ip::address Canonical(const boost::asio::ip::address& address);

}  // namespace onboardd::http
