// Boost.URL does the RFC 3986 parsing and percent-decoding; this file only decides what
// each part means for Redis and refuses what it cannot honour.
#include "cache/redis_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <limits>

namespace onboardd::cache {
namespace {

core::Error Invalid(std::string es, std::string en) {
  return core::MakeError(core::ErrorCode::kValidation, {std::move(es), std::move(en)});
}

// A database number: decimal digits only, 0 … INT_MAX.
bool ParseDb(std::string_view text, int& db) {
  if (text.empty() || text.size() > 10) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() ||
      value > std::numeric_limits<int>::max()) {
    return false;
  }
  db = static_cast<int>(value);
  return true;
}

}  // namespace

std::string RedisEndpoint::Redacted() const {
  std::string out;
  switch (transport) {
    case Transport::kTcp:
    case Transport::kTls: {
      out = transport == Transport::kTls ? "rediss://" : "redis://";
      if (!user.empty() || !password.empty()) out += user + (password.empty() ? "@" : ":***@");
      const bool v6 = host.find(':') != std::string::npos;
      out += v6 ? "[" + host + "]" : host;
      out += ":" + std::to_string(port);
      if (db != 0) out += "/" + std::to_string(db);
      return out;
    }
    case Transport::kUnix: {
      out = "unix://" + path;
      char sep = '?';
      if (db != 0) {
        out += sep + std::string("db=") + std::to_string(db);
        sep = '&';
      }
      if (!user.empty()) {
        out += sep + std::string("user=") + user;
        sep = '&';
      }
      if (!password.empty()) out += sep + std::string("password=***");
      return out;
    }
  }
  return out;
}

core::Result<RedisEndpoint> ParseRedisUrl(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    return Invalid("REDIS_URL no es una URL válida", "REDIS_URL is not a valid URL");
  }
  const boost::urls::url_view& view = *parsed;
  RedisEndpoint endpoint;
  const std::string scheme(view.scheme());
  if (scheme == "redis") {
    endpoint.transport = RedisEndpoint::Transport::kTcp;
  } else if (scheme == "rediss") {
    endpoint.transport = RedisEndpoint::Transport::kTls;
  } else if (scheme == "unix" || scheme == "redis+unix") {
    endpoint.transport = RedisEndpoint::Transport::kUnix;
  } else {
    return Invalid(
        "REDIS_URL: esquema '" + scheme + "' no admitido (redis://, rediss://, unix://)",
        "REDIS_URL: unsupported scheme '" + scheme + "' (use redis://, rediss:// or unix://)");
  }
  if (view.has_fragment()) {
    return Invalid("REDIS_URL: no admite fragmento (#...)",
                   "REDIS_URL: a fragment (#...) is not allowed");
  }
  if (view.has_userinfo()) {
    if (!view.has_password()) {
      return Invalid("REDIS_URL: credenciales sin ':' (escriba :contraseña@ o usuario:contraseña@)",
                     "REDIS_URL: credentials without ':' (write :password@ or user:password@)");
    }
    endpoint.user = view.user();
    endpoint.password = view.password();
  }

  if (endpoint.transport == RedisEndpoint::Transport::kUnix) {
    if (view.has_port() ||
        (view.host_type() != boost::urls::host_type::none && !view.host().empty())) {
      return Invalid("REDIS_URL: unix:// lleva una ruta absoluta, sin host (unix:///ruta.sock)",
                     "REDIS_URL: unix:// takes an absolute path and no host (unix:///path.sock)");
    }
    endpoint.path = view.path();
    if (endpoint.path.empty() || endpoint.path.front() != '/') {
      return Invalid("REDIS_URL: falta la ruta absoluta del socket",
                     "REDIS_URL: the socket's absolute path is missing");
    }
    for (auto param : view.params()) {
      const std::string key(param.key);
      const std::string value = param.has_value ? std::string(param.value) : std::string();
      if (key == "db") {
        if (!ParseDb(value, endpoint.db)) {
          return Invalid("REDIS_URL: db debe ser un número entero >= 0",
                         "REDIS_URL: db must be an integer >= 0");
        }
      } else if (key == "password") {
        endpoint.password = value;
      } else if (key == "user" || key == "username") {
        endpoint.user = value;
      } else {
        return Invalid("REDIS_URL: parámetro '" + key + "' desconocido (db, user, password)",
                       "REDIS_URL: unknown parameter '" + key + "' (db, user, password)");
      }
    }
    if (!endpoint.user.empty() && endpoint.password.empty()) {
      return Invalid("REDIS_URL: usuario sin contraseña", "REDIS_URL: a user without a password");
    }
    return endpoint;
  }

  switch (view.host_type()) {
    case boost::urls::host_type::name:
      endpoint.host = view.host();
      break;
    case boost::urls::host_type::ipv4:
      endpoint.host = view.host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      endpoint.host = view.host_ipv6_address().to_string();
      break;
    default:
      return Invalid("REDIS_URL: host no admitido", "REDIS_URL: unsupported host");
  }
  if (endpoint.host.empty()) {
    return Invalid("REDIS_URL: falta el host", "REDIS_URL: the host is missing");
  }
  if (view.has_port()) {
    const std::string_view port = view.port();
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || port.size() > 5 || ec != std::errc() || end != port.data() + port.size() ||
        value == 0 || value > 65535) {
      return Invalid("REDIS_URL: puerto no válido (1-65535)", "REDIS_URL: invalid port (1-65535)");
    }
    endpoint.port = static_cast<std::uint16_t>(value);
  }
  if (view.has_query()) {
    return Invalid("REDIS_URL: redis:// no admite parámetros (?...)",
                   "REDIS_URL: redis:// takes no query parameters (?...)");
  }
  std::string_view path = view.encoded_path();
  if (!path.empty() && path != "/") {
    if (!ParseDb(path.substr(1), endpoint.db)) {
      return Invalid("REDIS_URL: la ruta debe ser el número de base de datos (/0)",
                     "REDIS_URL: the path must be the database number (/0)");
    }
  }
  if (!endpoint.user.empty() && endpoint.password.empty()) {
    return Invalid("REDIS_URL: usuario sin contraseña", "REDIS_URL: a user without a password");
  }
  return endpoint;
}

}  // namespace onboardd::cache
