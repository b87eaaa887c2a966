// Every setting onboardd reads: its environment variable, its flag, its default and what it
// does, in one table (settings.cpp). Settings are read once at start, validated, and then
// constant: share them by const reference from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace onboardd::config {

struct Settings {
  // --- HTTP server
  std::string host = "0.0.0.0";
  int port = 8080;
  int threads = 0;  // 0: one I/O thread per core
  int max_connections = 10000;
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 64 * 1024;  // routes may raise it (POST /step: 4 MiB)
  int header_timeout_ms = 10'000;          // whole header block, from its first byte
  int body_timeout_ms = 30'000;            // whole body
  int idle_timeout_ms = 60'000;            // keep-alive wait for the next request
  int request_deadline_ms = 5'000;         // budget of one request, database included
  int shutdown_grace_ms = 10'000;          // SIGTERM: time in-flight requests get to finish
  // Proxies of the operator's own in front of the server: the client of a request is the
  // N-th X-Forwarded-For entry from the right (0: the socket's peer; the header is ignored).
  int trusted_proxy_hops = 0;

  // --- Logs
  std::string log_level = "info";  // trace, debug, info, warn, error, off
  bool access_log = true;

  // --- PostgreSQL
  std::string database_url;        // the app role (not owner, no BYPASSRLS)
  std::string database_owner_url;  // the owner role: migrations only
  int db_connections_per_thread = 4;
  // Waiting for a free connection (up to the request's deadline) and when to refuse to:
  // see db/admission.hpp.
  int db_queue_max = 1'024;             // requests waiting per I/O thread; beyond, 503 at once
  int db_queue_target_ms = 500;         // a wait longer than this is "above target"
  int db_queue_interval_ms = 1'000;     // above target this long, not draining: it stands
  int db_queue_standing_wait_ms = 500;  // while it stands, the longest wait admitted
  int db_connect_timeout_ms = 2'000;
  std::string database_replica_url;    // a streaming replica for GET /status; empty: none
  bool db_prepared_statements = true;  // off for transaction-mode poolers < pgbouncer 1.21

  // --- Redis
  std::string redis_url;  // empty: in-process cache only
  std::string redis_prefix = "onboardd:";
  std::string redis_ca_file;  // rediss://: a private CA's PEM, trusted with the system's
  int redis_connect_timeout_ms = 500;
  int redis_command_timeout_ms = 100;
  int cache_status_ttl_seconds = 60;      // a user's status rows in Redis
  int cache_status_local_ttl_ms = 5'000;  // and in process (0: no in-process copy)
  int cache_local_max_mb = 16;            // in-process cache, per I/O thread
  int cache_ai_ttl_seconds = 86'400;      // an AI answer in Redis (or in process without it)
  int cache_ai_local_ttl_seconds = 60;    // and each instance's copy of it (0: none)

  // --- Catalog (Edge Config)
  std::string edge_config;  // https://edge-config.vercel.com/<id>?token=<token>
  int edge_config_poll_seconds = 30;
  int edge_config_timeout_ms = 3'000;  // one check; also the longest start-up waits for it
  std::string catalog_file;            // empty: the bundled catalog

  // --- Authentication
  std::string auth_jwks_url;
  std::string auth_issuer;
  std::vector<std::string> auth_audience;      // comma-separated in the environment
  bool auth_allow_anonymous_audience = false;  // Stack's "<project>:anon"
  std::string auth_cookie_name = "stack-access";
  std::string auth_dev_secret;  // enables HS256; development only
  int auth_leeway_seconds = 30;
  int auth_token_cache_size = 10'000;
  std::string ops_token;  // bearer for operator routes (analytics across orgs)

  // --- Onboarding
  int session_ttl_hours = 168;  // 7 days

  // --- AI
  std::string ai_provider = "rules";  // rules | openai
  std::string ai_base_url;
  std::string ai_api_key;
  std::string ai_model;
  std::string ai_fallback_model;
  int ai_timeout_ms = 1'500;
  int ai_breaker_failures = 5;           // failures in a row that open the breaker
  int ai_breaker_cool_down_ms = 30'000;  // open this long, then one probe

  int EffectiveThreads() const;
};

// How one setting is named and documented, for --help and error messages.
struct SettingInfo {
  std::string env;   // "DATABASE_URL"
  std::string flag;  // "--database-url"
  std::string default_value;
  std::string help;
  bool secret = false;  // never printed
};

const std::vector<SettingInfo>& AllSettings();

// The --help text: every setting with its variable, flag, default and meaning.
std::string HelpText();

// Reads defaults, then the environment (`environ`), then `--flag value` / `--flag=value`
// pairs from args (args not naming a setting are returned in `rest`, in order).
// Fails with kValidation naming each bad setting; never throws.
struct Parsed {
  Settings settings;
  std::vector<std::string> rest;
};
core::Result<Parsed> Parse(const std::vector<std::string>& args, bool read_environment = true);

// Checks cross-setting rules (ranges, URL forms, AI provider needs a base URL, ...).
core::Status Validate(const Settings& settings);

}  // namespace onboardd::config
