// REDIS_URL → where and how to connect. Three forms:
//   redis://[[user]:password@]host[:port][/db]     plain TCP (port 6379 by default)
//   rediss://[[user]:password@]host[:port][/db]    TLS, the peer verified (see RedisOptions)
//   unix:///path/to.sock[?db=N][&user=U][&password=P]    (also redis+unix://)
// User and password are percent-decoded. Errors name the part that is wrong and never echo
// the password (nor anything else from the URL but its scheme), so they can be logged.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace onboardd::cache {

struct RedisEndpoint {
  enum class Transport { kTcp, kTls, kUnix };
  Transport transport = Transport::kTcp;
  std::string host;           // kTcp/kTls: a name or an address (IPv6 without brackets)
  std::uint16_t port = 6379;  // kTcp/kTls
  std::string path;           // kUnix: the socket file
  std::string user;           // empty: AUTH <password> (the default user)
  std::string password;       // empty: no AUTH
  int db = 0;                 // SELECT when not 0

  // The URL again with the password replaced by "***", for logs.
  std::string Redacted() const;
};

// Parses REDIS_URL. kValidation with a message naming the problem (scheme, host, port,
// database number, a query parameter) when the URL cannot be used.
core::Result<RedisEndpoint> ParseRedisUrl(std::string_view url);

}  // namespace onboardd::cache
