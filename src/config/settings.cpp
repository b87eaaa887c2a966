// The one table of settings: each entry names its environment variable, its flag, its
// default and its meaning, and knows how to parse itself into Settings. --help is printed
// from this table, so the documentation cannot drift from the code.
#include "config/settings.hpp"

#include <fmt/format.h>
#include <boost/url/parse.hpp>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <thread>

extern char** environ;

namespace onboardd::config {
namespace {

using Setter = std::function<bool(Settings&, std::string_view)>;

struct Entry {
  SettingInfo info;
  Setter set;  // false: the value does not parse
};

Setter Text(std::string Settings::*field) {
  return [field](Settings& s, std::string_view v) {
    s.*field = std::string(v);
    return true;
  };
}

Setter Int(int Settings::*field, int min, int max) {
  return [=](Settings& s, std::string_view v) {
    int value = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
    if (ec != std::errc() || end != v.data() + v.size() || value < min || value > max) return false;
    s.*field = value;
    return true;
  };
}

Setter Size(std::size_t Settings::*field, std::size_t min, std::size_t max) {
  return [=](Settings& s, std::string_view v) {
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
    if (ec != std::errc() || end != v.data() + v.size() || value < min || value > max) return false;
    s.*field = value;
    return true;
  };
}

Setter Bool(bool Settings::*field) {
  return [field](Settings& s, std::string_view v) {
    if (v == "1" || v == "true" || v == "yes" || v == "on") {
      s.*field = true;
    } else if (v == "0" || v == "false" || v == "no" || v == "off") {
      s.*field = false;
    } else {
      return false;
    }
    return true;
  };
}

Setter List(std::vector<std::string> Settings::*field) {
  return [field](Settings& s, std::string_view v) {
    std::vector<std::string> items;
    while (!v.empty()) {
      auto comma = v.find(',');
      std::string_view item = v.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) items.emplace_back(item);
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
    s.*field = std::move(items);
    return true;
  };
}

Setter OneOf(std::string Settings::*field, std::vector<std::string> allowed) {
  return [field, allowed = std::move(allowed)](Settings& s, std::string_view v) {
    for (const auto& a : allowed) {
      if (a == v) {
        s.*field = a;
        return true;
      }
    }
    return false;
  };
}

std::string FlagFor(std::string_view env) {
  std::string flag = "--";
  for (char c : env) flag.push_back(c == '_' ? '-' : static_cast<char>(std::tolower(c)));
  return flag;
}

Entry Make(std::string env, std::string default_value, std::string help, Setter set,
           bool secret = false) {
  Entry e;
  e.info.flag = FlagFor(env);
  e.info.env = std::move(env);
  e.info.default_value = std::move(default_value);
  e.info.help = std::move(help);
  e.info.secret = secret;
  e.set = std::move(set);
  return e;
}

const std::vector<Entry>& Table() {
  static const std::vector<Entry> table = [] {
    using S = Settings;
    std::vector<Entry> t;
    // HTTP server
    t.push_back(Make("HOST", "0.0.0.0", "Address to listen on (dev: 127.0.0.1).", Text(&S::host)));
    t.push_back(
        Make("PORT", "8080", "TCP port to listen on (0: any free port).", Int(&S::port, 0, 65535)));
    t.push_back(
        Make("THREADS", "0", "I/O threads; 0 means one per core.", Int(&S::threads, 0, 256)));
    t.push_back(Make("MAX_CONNECTIONS", "10000", "Open client connections accepted at once.",
                     Int(&S::max_connections, 1, 1'000'000)));
    t.push_back(Make("MAX_HEADER_BYTES", "8192", "Largest request header block (431 past it).",
                     Size(&S::max_header_bytes, 1024, 1 << 20)));
    t.push_back(Make("MAX_BODY_BYTES", "65536",
                     "Default largest request body (413 past it); some routes allow more.",
                     Size(&S::max_body_bytes, 1024, 64 << 20)));
    t.push_back(Make("HEADER_TIMEOUT_MS", "10000", "Time a client has to send its header block.",
                     Int(&S::header_timeout_ms, 100, 600'000)));
    t.push_back(Make("BODY_TIMEOUT_MS", "30000", "Time a client has to send its body.",
                     Int(&S::body_timeout_ms, 100, 600'000)));
    t.push_back(Make("IDLE_TIMEOUT_MS", "60000", "Keep-alive wait for the next request.",
                     Int(&S::idle_timeout_ms, 100, 3'600'000)));
    t.push_back(Make("REQUEST_DEADLINE_MS", "5000",
                     "Budget of one request; its remainder becomes the statement_timeout.",
                     Int(&S::request_deadline_ms, 10, 600'000)));
    t.push_back(Make("SHUTDOWN_GRACE_MS", "10000",
                     "On SIGTERM, time in-flight requests get to finish.",
                     Int(&S::shutdown_grace_ms, 0, 600'000)));
    t.push_back(Make("TRUSTED_PROXY_HOPS", "0",
                     "Proxies of yours in front of the server: 0 limits public routes by the "
                     "socket's peer; N by the N-th X-Forwarded-For entry from the right.",
                     Int(&S::trusted_proxy_hops, 0, 10)));
    // Logs
    t.push_back(Make("LOG_LEVEL", "info", "trace, debug, info, warn, error or off.",
                     OneOf(&S::log_level, {"trace", "debug", "info", "warn", "error", "off"})));
    t.push_back(Make("ACCESS_LOG", "true", "One JSON line per request.", Bool(&S::access_log)));
    // PostgreSQL
    t.push_back(Make("DATABASE_URL", "",
                     "PostgreSQL URL of the app role (not the owner, no BYPASSRLS).",
                     Text(&S::database_url), true));
    t.push_back(Make("DATABASE_OWNER_URL", "", "PostgreSQL URL of the owner role (migrations).",
                     Text(&S::database_owner_url), true));
    t.push_back(Make("DB_CONNECTIONS_PER_THREAD", "4", "Database connections per I/O thread.",
                     Int(&S::db_connections_per_thread, 1, 64)));
    t.push_back(Make("DB_QUEUE_MAX", "1024",
                     "Requests that may wait for a database connection, and writes that may wait "
                     "for their user's turn, per I/O thread; a waiting request waits up to its "
                     "deadline; more are refused with 503.",
                     Int(&S::db_queue_max, 0, 1'000'000)));
    t.push_back(Make("DB_QUEUE_TARGET_MS", "500",
                     "Overload detection: a wait for a database connection longer than this is "
                     "above target.",
                     Int(&S::db_queue_target_ms, 1, 60'000)));
    t.push_back(Make("DB_QUEUE_INTERVAL_MS", "1000",
                     "When every wait was above target this long and the queue did not get "
                     "shorter, it stands (overload).",
                     Int(&S::db_queue_interval_ms, 1, 600'000)));
    t.push_back(Make("DB_QUEUE_STANDING_WAIT_MS", "500",
                     "While the queue stands and arrivals come at twice the rate it is served "
                     "or more, a new arrival it would not serve within this long (or before "
                     "the arrival's deadline) is refused with 503 at once; a waiter that "
                     "reaches its head after twice this long is refused there. At r times "
                     "the rate, r < 2, the wait allowed is this / (r - 1); arrivals no faster "
                     "than the rate are refused only by their deadline.",
                     Int(&S::db_queue_standing_wait_ms, 1, 600'000)));
    t.push_back(Make("DB_CONNECT_TIMEOUT_MS", "2000", "Database connect timeout.",
                     Int(&S::db_connect_timeout_ms, 100, 60'000)));
    t.push_back(Make("DATABASE_REPLICA_URL", "",
                     "A streaming replica (hot standby) of DATABASE_URL for GET /status, app "
                     "role; read-your-writes through Redis (needs REDIS_URL). Empty: none.",
                     Text(&S::database_replica_url), true));
    t.push_back(Make("DB_PREPARED_STATEMENTS", "true",
                     "Named prepared statements; false for transaction-mode pgbouncer < 1.21.",
                     Bool(&S::db_prepared_statements)));
    // Redis
    t.push_back(Make("REDIS_URL", "", "redis://host:port[/db]; empty: in-process cache only.",
                     Text(&S::redis_url), true));
    t.push_back(
        Make("REDIS_PREFIX", "onboardd:", "Prefix of every Redis key.", Text(&S::redis_prefix)));
    t.push_back(Make("REDIS_CA_FILE", "",
                     "rediss://: PEM file of a private CA, trusted besides the system's.",
                     Text(&S::redis_ca_file)));
    t.push_back(Make("REDIS_CONNECT_TIMEOUT_MS", "500",
                     "Redis connect (TCP, TLS, AUTH) timeout; reconnects back off up to 1 s.",
                     Int(&S::redis_connect_timeout_ms, 10, 60'000)));
    t.push_back(Make("REDIS_COMMAND_TIMEOUT_MS", "100",
                     "Longest wait for a Redis reply; past it the cache answers from the database.",
                     Int(&S::redis_command_timeout_ms, 1, 60'000)));
    t.push_back(Make("CACHE_STATUS_TTL_SECONDS", "60",
                     "How long GET /status's rows stay in Redis (writes invalidate them at once).",
                     Int(&S::cache_status_ttl_seconds, 1, 86'400)));
    t.push_back(Make("CACHE_STATUS_LOCAL_TTL_MS", "5000",
                     "How long an instance keeps them in process; 0: Redis only.",
                     Int(&S::cache_status_local_ttl_ms, 0, 3'600'000)));
    t.push_back(Make("CACHE_LOCAL_MAX_MB", "16", "In-process cache size per I/O thread.",
                     Int(&S::cache_local_max_mb, 1, 4'096)));
    t.push_back(Make("CACHE_AI_TTL_SECONDS", "86400",
                     "How long an AI answer is reused for the same question (Redis, else in "
                     "process).",
                     Int(&S::cache_ai_ttl_seconds, 1, 30 * 86'400)));
    t.push_back(Make("CACHE_AI_LOCAL_TTL_SECONDS", "60",
                     "How long an instance keeps its own copy of an AI answer; 0: Redis only.",
                     Int(&S::cache_ai_local_ttl_seconds, 0, 86'400)));
    // Catalog
    t.push_back(Make("EDGE_CONFIG", "",
                     "Vercel Edge Config connection string "
                     "(https://edge-config.vercel.com/<id>?token=<token>): the catalog is its "
                     "items, followed by digest; empty: bundled catalog (or CATALOG_FILE).",
                     Text(&S::edge_config), true));
    t.push_back(Make("EDGE_CONFIG_POLL_SECONDS", "30",
                     "Seconds between Edge Config digest checks (doubled after each failure in "
                     "a row, up to 5 minutes).",
                     Int(&S::edge_config_poll_seconds, 1, 86'400)));
    t.push_back(Make("EDGE_CONFIG_TIMEOUT_MS", "3000",
                     "Deadline of one Edge Config check (digest, then items); start-up waits at "
                     "most this long for the first before serving the bundled catalog.",
                     Int(&S::edge_config_timeout_ms, 100, 60'000)));
    t.push_back(Make("CATALOG_FILE", "", "A catalog JSON file replacing the bundled one.",
                     Text(&S::catalog_file)));
    // Authentication
    t.push_back(Make("AUTH_JWKS_URL", "",
                     "JWKS URL of Stack Auth / Neon Auth (HTTPS; HTTP only to loopback).",
                     Text(&S::auth_jwks_url)));
    t.push_back(Make("AUTH_ISSUER", "", "Required `iss` of tokens; empty: not checked.",
                     Text(&S::auth_issuer)));
    t.push_back(Make("AUTH_AUDIENCE", "",
                     "Accepted `aud` values, comma-separated; empty: not checked.",
                     List(&S::auth_audience)));
    t.push_back(Make("AUTH_ALLOW_ANONYMOUS_AUDIENCE", "false",
                     "Accept Stack's `<project>:anon` audience.",
                     Bool(&S::auth_allow_anonymous_audience)));
    t.push_back(Make("AUTH_COOKIE_NAME", "stack-access", "Cookie holding the access token.",
                     Text(&S::auth_cookie_name)));
    t.push_back(Make("AUTH_DEV_SECRET", "",
                     "Enables HS256 tokens signed with it: development only.",
                     Text(&S::auth_dev_secret), true));
    t.push_back(Make("AUTH_LEEWAY_SECONDS", "30", "Clock leeway for exp/nbf.",
                     Int(&S::auth_leeway_seconds, 0, 600)));
    t.push_back(Make("AUTH_TOKEN_CACHE_SIZE", "10000", "Verified tokens kept in memory.",
                     Int(&S::auth_token_cache_size, 0, 10'000'000)));
    t.push_back(Make("OPS_TOKEN", "",
                     "Bearer token of the operator (at least 32 characters): GET "
                     "/api/onboarding/analytics of every organization. Empty: no operator.",
                     Text(&S::ops_token), true));
    // Onboarding
    t.push_back(Make("SESSION_TTL_HOURS", "168", "Onboarding sessions expire after this long.",
                     Int(&S::session_ttl_hours, 1, 24 * 365)));
    // AI
    t.push_back(Make("AI_PROVIDER", "rules", "rules (built in) or openai (any compatible API).",
                     OneOf(&S::ai_provider, {"rules", "openai"})));
    t.push_back(
        Make("AI_BASE_URL", "", "OpenAI-compatible base URL (…/v1).", Text(&S::ai_base_url)));
    t.push_back(Make("AI_API_KEY", "", "API key of the AI provider.", Text(&S::ai_api_key), true));
    t.push_back(Make("AI_MODEL", "", "Model name.", Text(&S::ai_model)));
    t.push_back(Make("AI_FALLBACK_MODEL", "", "Model tried when the first fails.",
                     Text(&S::ai_fallback_model)));
    t.push_back(Make("AI_TIMEOUT_MS", "1500", "Deadline of one AI call.",
                     Int(&S::ai_timeout_ms, 50, 60'000)));
    t.push_back(Make("AI_BREAKER_FAILURES", "5",
                     "AI calls failed in a row after which the provider is left alone (the "
                     "rules answer) for AI_BREAKER_COOL_DOWN_MS.",
                     Int(&S::ai_breaker_failures, 1, 1'000)));
    t.push_back(Make("AI_BREAKER_COOL_DOWN_MS", "30000",
                     "How long the AI provider is left alone once the breaker opened; then one "
                     "call probes it.",
                     Int(&S::ai_breaker_cool_down_ms, 100, 3'600'000)));
    return t;
  }();
  return table;
}

core::FieldError Bad(const SettingInfo& info, std::string_view value) {
  std::string shown = info.secret ? "<hidden>" : std::string(value);
  return {info.env,
          {fmt::format("valor no válido «{}»: {}", shown, info.help),
           fmt::format("invalid value '{}': {}", shown, info.help)}};
}

bool ValidUrl(std::string_view url, std::initializer_list<std::string_view> schemes) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return false;
  for (auto scheme : schemes) {
    if (parsed->scheme() == scheme)
      return !parsed->host().empty() || scheme.starts_with("postgres");
  }
  return false;
}

}  // namespace

int Settings::EffectiveThreads() const {
  if (threads > 0) return threads;
  unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

const std::vector<SettingInfo>& AllSettings() {
  static const std::vector<SettingInfo> infos = [] {
    std::vector<SettingInfo> v;
    for (const auto& e : Table()) v.push_back(e.info);
    return v;
  }();
  return infos;
}

std::string HelpText() {
  std::string out;
  for (const auto& e : Table()) {
    out +=
        fmt::format("  {:<34} {}\n  {:<34} {}{}\n", e.info.flag, e.info.env, "", e.info.help,
                    e.info.default_value.empty() ? "" : " [default: " + e.info.default_value + "]");
  }
  return out;
}

core::Result<Parsed> Parse(const std::vector<std::string>& args, bool read_environment) {
  Parsed parsed;
  std::vector<core::FieldError> errors;
  for (const auto& e : Table()) {
    if (!e.info.default_value.empty()) e.set(parsed.settings, e.info.default_value);
  }
  if (read_environment) {
    for (const auto& e : Table()) {
      if (const char* value = std::getenv(e.info.env.c_str())) {
        if (!e.set(parsed.settings, value)) errors.push_back(Bad(e.info, value));
      }
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const Entry* match = nullptr;
    std::string value;
    bool has_value = false;
    for (const auto& e : Table()) {
      if (arg == e.info.flag) {
        match = &e;
      } else if (arg.size() > e.info.flag.size() && arg.starts_with(e.info.flag) &&
                 arg[e.info.flag.size()] == '=') {
        match = &e;
        value = arg.substr(e.info.flag.size() + 1);
        has_value = true;
      }
      if (match) break;
    }
    if (!match) {
      parsed.rest.push_back(arg);
      continue;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        errors.push_back(
            {match->info.env,
             {"falta el valor de " + match->info.flag, "missing value for " + match->info.flag}});
        continue;
      }
      value = args[++i];
    }
    if (!match->set(parsed.settings, value)) errors.push_back(Bad(match->info, value));
  }
  if (!errors.empty()) return core::ValidationError(std::move(errors));
  return parsed;
}

core::Status Validate(const Settings& s) {
  std::vector<core::FieldError> errors;
  auto fail = [&](std::string env, std::string es, std::string en) {
    errors.push_back({std::move(env), {std::move(es), std::move(en)}});
  };
  for (auto [env, url] : {std::pair{"DATABASE_URL", &s.database_url},
                          std::pair{"DATABASE_OWNER_URL", &s.database_owner_url},
                          std::pair{"DATABASE_REPLICA_URL", &s.database_replica_url}}) {
    if (!url->empty() && !url->starts_with("postgres://") && !url->starts_with("postgresql://") &&
        url->find('=') == std::string::npos) {
      fail(env, "debe ser una URL postgresql:// o una cadena clave=valor",
           "must be a postgresql:// URL or a key=value connection string");
    }
  }
  if (!s.redis_url.empty() && !ValidUrl(s.redis_url, {"redis", "rediss"}) &&
      !s.redis_url.starts_with("unix://") && !s.redis_url.starts_with("redis+unix://")) {
    fail("REDIS_URL", "debe ser redis://, rediss:// o unix:///ruta",
         "must be redis://, rediss:// or unix:///path");
  }
  // The form only; catalog::ParseEdgeConfigConnection checks the rest at start-up (an id in
  // the path, plain http only to loopback, as the HTTP client decides).
  if (!s.edge_config.empty() && (!ValidUrl(s.edge_config, {"https", "http"}) ||
                                 s.edge_config.find("token=") == std::string::npos)) {
    fail("EDGE_CONFIG", "debe ser https://edge-config.vercel.com/<id>?token=<token>",
         "must be https://edge-config.vercel.com/<id>?token=<token>");
  }
  if (!s.auth_jwks_url.empty() && !ValidUrl(s.auth_jwks_url, {"https", "http"})) {
    fail("AUTH_JWKS_URL", "debe ser una URL https://", "must be an https:// URL");
  }
  if (s.auth_jwks_url.empty() && s.auth_dev_secret.empty()) {
    // Allowed: the server then rejects every token. Said at start-up as a warning instead.
  }
  if (!s.auth_dev_secret.empty() && s.auth_dev_secret.size() < 32) {
    fail("AUTH_DEV_SECRET", "debe tener al menos 32 caracteres", "must be at least 32 characters");
  }
  if (!s.ops_token.empty() && s.ops_token.size() < 32) {
    fail("OPS_TOKEN", "debe tener al menos 32 caracteres", "must be at least 32 characters");
  }
  if (s.ai_provider == "openai" && (s.ai_base_url.empty() || s.ai_model.empty())) {
    fail("AI_PROVIDER", "openai necesita AI_BASE_URL y AI_MODEL",
         "openai needs AI_BASE_URL and AI_MODEL");
  }
  if (!s.ai_base_url.empty() && !ValidUrl(s.ai_base_url, {"https", "http"})) {
    fail("AI_BASE_URL", "debe ser una URL http(s)://", "must be an http(s):// URL");
  }
  if (!errors.empty()) return core::ValidationError(std::move(errors));
  return {};
}

}  // namespace onboardd::config
