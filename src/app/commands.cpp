// Subcommands: wiring only. `serve` runs the server from settings; `dev` first starts the
// private services of a data dir and points the settings at them.
#include "app/commands.hpp"

#include <signal.h>

#include <fmt/format.h>
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdio>
#include <functional>
#include <thread>

#include "ai/openai_provider.hpp"
#include "ai/response_cache.hpp"
#include "ai/shared_quota_counter.hpp"
#include "ai/shared_response_cache.hpp"
#include "app/dev_environment.hpp"
#include "app/maintenance.hpp"
#include "app/public_rate_limit.hpp"
#include "app/routes.hpp"
#include "audit/chain_verify.hpp"
#include "auth/authenticator.hpp"
#include "auth/dev_token.hpp"
#include "cache/cache_system.hpp"
#include "catalog/edge_config.hpp"
#include "core/ids.hpp"
#include "db/migrator.hpp"
#include "db/pg_pool.hpp"
#include "db/readiness.hpp"
#include "http/server.hpp"
#include "http_client/http_client.hpp"
#include "observability/log.hpp"
#include "observability/process_metrics.hpp"

namespace onboardd::app {
namespace {

namespace asio = boost::asio;
using observability::Level;
using observability::Log;

std::string OptionValue(const std::vector<std::string>& args, const std::string& name,
                        std::string fallback) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == name && i + 1 < args.size()) return args[i + 1];
    if (args[i].starts_with(name + "=")) return args[i].substr(name.size() + 1);
  }
  return fallback;
}

bool HasFlag(const std::vector<std::string>& args, const std::string& name) {
  for (const auto& a : args) {
    if (a == name) return true;
  }
  return false;
}

http::ServerOptions ServerOptionsFrom(const config::Settings& s) {
  http::ServerOptions o;
  o.host = s.host;
  o.port = static_cast<unsigned short>(s.port);
  o.threads = s.EffectiveThreads();
  o.max_connections = s.max_connections;
  o.max_header_bytes = s.max_header_bytes;
  o.max_body_bytes = s.max_body_bytes;
  o.header_timeout = std::chrono::milliseconds(s.header_timeout_ms);
  o.body_timeout = std::chrono::milliseconds(s.body_timeout_ms);
  o.idle_timeout = std::chrono::milliseconds(s.idle_timeout_ms);
  o.request_deadline = std::chrono::milliseconds(s.request_deadline_ms);
  o.shutdown_grace = std::chrono::milliseconds(s.shutdown_grace_ms);
  o.access_log = s.access_log;
  o.trusted_proxy_hops = s.trusted_proxy_hops;
  return o;
}

cache::CacheSystemOptions CacheSystemOptionsFrom(const config::Settings& s) {
  cache::CacheSystemOptions o;
  o.redis_url = s.redis_url;
  o.prefix = s.redis_prefix;
  o.redis.ca_file = s.redis_ca_file;
  o.redis.connect_timeout = std::chrono::milliseconds(s.redis_connect_timeout_ms);
  o.redis.command_timeout = std::chrono::milliseconds(s.redis_command_timeout_ms);
  o.cache.local.max_bytes_per_worker = static_cast<std::size_t>(s.cache_local_max_mb) << 20;
  return o;
}

// With EDGE_CONFIG the live catalog follows Edge Config from now on, on a thread of its own
// (catalog/edge_config.hpp); the first check runs here, bounded by EDGE_CONFIG_TIMEOUT_MS, and
// if it fails the server starts on `live`'s snapshot while polling goes on. Without it (null),
// the catalog stays the bundled one or CATALOG_FILE. An unusable EDGE_CONFIG is an error.
core::Result<std::unique_ptr<catalog::EdgeConfigThread>> StartEdgeConfig(
    const config::Settings& settings, const std::shared_ptr<catalog::Catalog>& live) {
  const std::string source = settings.catalog_file.empty() ? "bundled" : "file";
  if (settings.edge_config.empty()) {
    catalog::CatalogInfoMetric(observability::Metrics()).Set(live->Current()->version(), source);
    return std::unique_ptr<catalog::EdgeConfigThread>();
  }
  auto connection = catalog::ParseEdgeConfigConnection(settings.edge_config);
  if (!connection) return connection.error();
  catalog::EdgeConfigOptions options;
  options.connection = std::move(*connection);
  options.poll_interval = std::chrono::seconds(settings.edge_config_poll_seconds);
  options.timeout = std::chrono::milliseconds(settings.edge_config_timeout_ms);
  options.initial_source = source;
  const std::string base_url = options.connection.base_url;  // never the token
  // An Edge Config store holds 512 KB at most (Enterprise); the cap only stops a runaway body.
  auto client = std::make_shared<const http_client::Client>(
      http_client::ClientOptions{.max_body_bytes = 2 * 1024 * 1024});
  auto thread =
      std::make_unique<catalog::EdgeConfigThread>(live, std::move(client), std::move(options));
  const catalog::PollOutcome first = thread->Start();
  Log(Level::kInfo, "edge_config_started",
      {{"edge_config", base_url},
       {"first_check", catalog::ToString(first)},
       {"catalog_version", live->Current()->version()}});
  return thread;
}

// Serves until SIGINT/SIGTERM, then drains. `on_listening` runs once the port is bound.
int ServeUntilSignal(const config::Settings& settings,
                     const std::function<void(unsigned short)>& on_listening) {
  observability::RegisterProcessMetrics(observability::Metrics());
  // One database pool per I/O thread, made and destroyed on that thread while its
  // io_context still exists (see db/pg_pool.hpp).
  auto pools = std::make_shared<db::Pools>(settings.EffectiveThreads());
  db::PoolOptions pool_options;
  pool_options.conninfo = settings.database_url;
  pool_options.connections = settings.db_connections_per_thread;
  pool_options.admission.max_waiters = static_cast<std::size_t>(settings.db_queue_max);
  pool_options.admission.target = std::chrono::milliseconds(settings.db_queue_target_ms);
  pool_options.admission.interval = std::chrono::milliseconds(settings.db_queue_interval_ms);
  pool_options.admission.standing_wait =
      std::chrono::milliseconds(settings.db_queue_standing_wait_ms);
  pool_options.connect_timeout = std::chrono::milliseconds(settings.db_connect_timeout_ms);
  pool_options.use_prepared = settings.db_prepared_statements;

  auto snapshot = catalog::LoadConfigured(settings.catalog_file);
  if (!snapshot) {
    Log(Level::kError, "catalog_invalid", {{"error", snapshot.error().message.en}});
    return 1;
  }
  auto live_catalog = std::make_shared<catalog::Catalog>(std::move(*snapshot));
  auto edge_config = StartEdgeConfig(settings, live_catalog);
  if (!edge_config) {
    Log(Level::kError, "edge_config_invalid",
        {{"error", "EDGE_CONFIG " + edge_config.error().details.front().message.en}});
    return 2;
  }
  // Authentication: the JWKS of Stack Auth / Neon Auth when configured, dev tokens when a
  // dev secret is set; with neither, every authenticated route answers 401.
  auth::AuthOptions auth_options;
  auth_options.issuer = settings.auth_issuer;
  auth_options.audiences = settings.auth_audience;
  auth_options.allow_anonymous_audience = settings.auth_allow_anonymous_audience;
  auth_options.cookie_name = settings.auth_cookie_name;
  auth_options.dev_secret = settings.auth_dev_secret;
  auth_options.leeway_seconds = settings.auth_leeway_seconds;
  auth_options.token_cache_size = static_cast<std::size_t>(settings.auth_token_cache_size);
  auto http_client = std::make_shared<const http_client::Client>();
  auth::JwksFetcher fetcher;
  if (!settings.auth_jwks_url.empty()) {
    if (auto target = http_client::ParseTarget(settings.auth_jwks_url, false); !target) {
      Log(Level::kError, "auth_jwks_url_invalid", {{"error", target.error().message.en}});
      return 2;
    }
    fetcher = auth::MakeHttpJwksFetcher(http_client, settings.auth_jwks_url);
  } else if (settings.auth_dev_secret.empty()) {
    Log(Level::kWarn, "auth_not_configured",
        {{"hint", "set AUTH_JWKS_URL (or AUTH_DEV_SECRET in development)"}});
  }
  auth::Authenticator authenticator(auth_options, fetcher);

  // Caching and rate limits: Redis when REDIS_URL is set (shared by every instance), in
  // process otherwise. Made before the server, so that it outlives every I/O thread.
  auto caches =
      cache::CacheSystem::Create(CacheSystemOptionsFrom(settings), settings.EffectiveThreads());
  if (!caches) {
    Log(Level::kError, "redis_url_invalid", {{"error", caches.error().message.en}});
    return 2;
  }
  const cache::Keyspace status_space(
      "status", {.ttl = std::chrono::seconds(settings.cache_status_ttl_seconds),
                 .local_ttl = std::chrono::milliseconds(settings.cache_status_local_ttl_ms)});

  // AI: the rules (default), or an OpenAI-compatible endpoint with the rules as fallback.
  std::shared_ptr<const ai::Provider> ai_provider;
  if (settings.ai_provider == "openai") {
    const std::string endpoint = settings.ai_base_url + "/chat/completions";
    if (auto target = http_client::ParseTarget(endpoint, false); !target) {
      Log(Level::kError, "ai_base_url_invalid", {{"error", target.error().message.en}});
      return 2;
    }
    ai_provider = std::make_shared<ai::OpenAiProvider>(
        http_client, ai::OpenAiOptions{settings.ai_base_url, settings.ai_api_key, settings.ai_model,
                                       settings.ai_fallback_model});
  }
  ai::AssistantOptions ai_options;
  ai_options.timeout = std::chrono::milliseconds(settings.ai_timeout_ms);
  ai_options.breaker = {.failure_threshold = settings.ai_breaker_failures,
                        .cool_down = std::chrono::milliseconds(settings.ai_breaker_cool_down_ms)};
  ai_options.cache_ttl = std::chrono::seconds(settings.cache_ai_ttl_seconds);
  ai::SharedResponseCacheOptions ai_cache_options;
  ai_cache_options.local_ttl = std::chrono::seconds(settings.cache_ai_local_ttl_seconds);
  // Answers in Redis (shared) behind an in-process copy; in process only without Redis.
  auto assistant = std::make_shared<ai::Assistant>(
      ai_provider, ai::MakeResponseCache(caches->get(), ai_cache_options), ai_options);
  Log(Level::kInfo, "ai_provider",
      {{"provider", assistant->provider_name()}, {"model", assistant->model()}});

  http::Router router;
  router.SetAuthenticate(
      [&authenticator](std::string authorization,
                       std::string cookie) -> asio::awaitable<core::Result<http::Principal>> {
        auto identity =
            co_await authenticator.Authenticate(std::move(authorization), std::move(cookie));
        if (!identity) co_return identity.error();
        co_return http::Principal{identity->user_id, identity->email, identity->name};
      });
  // Public routes: the catalog's public.ip limit per client address (shared through Redis).
  router.SetPublicRateLimit(MakePublicRateLimit((*caches)->rate_limiter(), live_catalog));
  Services services;
  services.settings = &settings;
  services.catalog = live_catalog;
  services.pools = pools;
  services.assistant = assistant;
  services.ai_quotas = ai::MakeQuotaCounter(caches->get());  // shared through Redis when set
  // A streaming replica for status reads, read-your-writes through Redis (without Redis no
  // instance could know another's writes: the primary only).
  auto replica_pools = std::make_shared<db::Pools>(settings.EffectiveThreads());
  db::PoolOptions replica_options = pool_options;
  replica_options.conninfo = settings.database_replica_url;
  if (!settings.database_replica_url.empty()) {
    if ((*caches)->redis_configured()) {
      services.replica_reads = std::make_shared<onboarding::ReplicaReads>(
          replica_pools, **caches, settings.EffectiveThreads());
    } else {
      Log(Level::kWarn, "replica_reads_need_redis",
          {{"hint", "DATABASE_REPLICA_URL is ignored without REDIS_URL"}});
    }
  }
  services.status_cache = std::make_shared<onboarding::StatusCache>(
      (*caches)->cache(), status_space, std::chrono::milliseconds(settings.request_deadline_ms),
      services.replica_reads);
  services.database_ready = [pools](int worker) -> asio::awaitable<core::Status> {
    auto pool = pools->For(worker);
    if (!pool) {
      co_return core::MakeError(core::ErrorCode::kUnavailable,
                                {"base de datos no configurada", "database not configured"});
    }
    co_return co_await db::CheckReady(**pool);
  };
  RegisterRoutes(router, services);
  http::Server server(ServerOptionsFrom(settings), router);
  // Each I/O thread: its Redis connection (connecting in the background: until it is up,
  // the cache answers from the database) and, with a database, its pool.
  server.OnThreadStart([&](int index, asio::io_context& io) {
    try {
      (*caches)->StartWorker(index, io);
    } catch (const std::system_error& e) {
      Log(Level::kError, "redis_ca_file_unreadable", {{"error", e.what()}});
      throw;
    }
    if (settings.database_url.empty()) return;
    {
      db::Pool& pool = pools->Emplace(index, io, pool_options);
      // Connect before this thread accepts anything, so the first requests find a ready
      // pool; bounded by the connect timeout (failed connections keep retrying).
      auto started = asio::co_spawn(io, pool.Start(), asio::use_future);
      http::RunUntilReady(io, started);
      // Thread 0 runs the periodic jobs (app/maintenance.hpp); they end with its io_context.
      if (index == 0) SpawnMaintenance(io, pool);
    }
    if (services.replica_reads) {
      // Not awaited: until the replica answers, status reads go to the primary.
      asio::co_spawn(io, replica_pools->Emplace(index, io, replica_options).Start(),
                     asio::detached);
    }
  });
  server.OnThreadStop([&](int index) {
    replica_pools->Reset(index);
    pools->Reset(index);
    (*caches)->StopWorker(index);
  });
  try {
    server.Listen();
  } catch (const std::system_error& e) {
    Log(Level::kError, "listen_failed",
        {{"host", settings.host}, {"port", settings.port}, {"error", e.what()}});
    return 1;
  }
  Log(Level::kInfo, "listening",
      {{"host", settings.host}, {"port", server.port()}, {"threads", settings.EffectiveThreads()}});
  if (on_listening) on_listening(server.port());

  asio::io_context signal_context;
  asio::signal_set signals(signal_context, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    Log(Level::kInfo, "shutdown", {{"signal", signal_number}});
    server.Stop();
  });
  std::thread signal_thread([&] { signal_context.run(); });
  server.Run();
  if (*edge_config) (*edge_config)->Stop();
  signal_context.stop();
  signal_thread.join();
  Log(Level::kInfo, "stopped");
  return 0;
}

// Prints each invalid setting; false when there is one.
bool SettingsAreValid(const config::Settings& settings) {
  auto valid = config::Validate(settings);
  if (valid) return true;
  for (const auto& d : valid.error().details) {
    std::fprintf(stderr, "onboardd: %s: %s\n", d.path.c_str(), d.message.en.c_str());
  }
  return false;
}

int WaitForSignal() {
  asio::io_context context;
  asio::signal_set signals(context, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});
  context.run();
  return 0;
}

}  // namespace

void PrintHelp() {
  std::fputs(
      "onboardd — the onboarding backend of Stratix\n\n"
      "Usage:\n"
      "  onboardd dev [--port N] [--data-dir DIR] [--services-only]\n"
      "      Starts a private PostgreSQL (and Redis when installed) under DIR (default ./.data),\n"
      "      migrates, and serves on 127.0.0.1:N (default 8080) with dev auth. Writes "
      "DIR/dev.env.\n"
      "      --services-only starts the services and waits for SIGINT/SIGTERM without serving.\n"
      "  onboardd serve\n"
      "      Production: everything from settings, nothing started on the side.\n"
      "  onboardd token --sub SUB [--email E] [--name N] [--ttl S] [--data-dir DIR]\n"
      "      Prints a dev token the `dev` server of DIR (default ./.data) accepts.\n"
      "  onboardd migrate up|status|verify\n"
      "      Schema migrations, as the owner role (DATABASE_OWNER_URL).\n"
      "  onboardd audit verify [--org ID]\n"
      "      Recomputes the audit log's hash chains, as the owner role (DATABASE_OWNER_URL):\n"
      "      one line per chain (every organization's and each user's, or organization ID's),\n"
      "      naming its first broken link. Exit 0: all intact; 1: a chain is broken (or --org\n"
      "      has no audit rows); 2: it could not check.\n"
      "  onboardd --help\n\n"
      "Settings (environment variable, or the flag):\n",
      stdout);
  std::fputs(config::HelpText().c_str(), stdout);
}

int RunMigrate(const config::Settings& settings, const std::vector<std::string>& args) {
  std::string action = args.empty() ? "" : args.front();
  if (settings.database_owner_url.empty()) {
    std::fprintf(stderr, "onboardd migrate: DATABASE_OWNER_URL is not set\n");
    return 2;
  }
  auto print = [](const std::vector<db::MigrationState>& states) {
    for (const auto& m : states) {
      std::printf("%-40s %-8s %s\n", db::MigrationFileName(m).c_str(),
                  m.applied ? "applied" : "pending", m.applied_at.c_str());
    }
  };
  if (action == "up") {
    auto applied = db::MigrateUp(settings.database_owner_url);
    if (!applied) {
      std::fprintf(stderr, "onboardd migrate up: %s\n", applied.error().message.en.c_str());
      return 1;
    }
    if (applied->empty()) std::printf("nothing to apply: the database is current\n");
    print(*applied);
    return 0;
  }
  if (action == "status") {
    auto states = db::MigrationStatus(settings.database_owner_url);
    if (!states) {
      std::fprintf(stderr, "onboardd migrate status: %s\n", states.error().message.en.c_str());
      return 1;
    }
    print(*states);
    return 0;
  }
  if (action == "verify") {
    auto verified = db::VerifyMigrations(settings.database_owner_url);
    if (!verified) {
      std::fprintf(stderr, "onboardd migrate verify: %s\n", verified.error().message.en.c_str());
      return 1;
    }
    std::printf("ok: the database holds exactly this binary's migrations\n");
    return 0;
  }
  std::fprintf(stderr, "usage: onboardd migrate up|status|verify\n");
  return 2;
}

int RunAudit(const config::Settings& settings, const std::vector<std::string>& args) {
  const std::string organization = OptionValue(args, "--org", "");
  const bool org_given = HasFlag(args, "--org") ||
                         std::any_of(args.begin(), args.end(),
                                     [](const std::string& a) { return a.starts_with("--org="); });
  if (args.empty() || args.front() != "verify" || (org_given && !core::IsUuid(organization))) {
    std::fprintf(stderr, "usage: onboardd audit verify [--org ORGANIZATION_UUID]\n");
    return 2;
  }
  if (settings.database_owner_url.empty()) {
    std::fprintf(stderr, "onboardd audit verify: DATABASE_OWNER_URL is not set\n");
    return 2;
  }
  // Long enough for a large log; one statement, read-only.
  auto chains =
      audit::VerifyChains(settings.database_owner_url, organization, std::chrono::minutes(10));
  if (!chains) {
    std::fprintf(stderr, "onboardd audit verify: %s\n", chains.error().message.en.c_str());
    return 2;
  }
  int broken = 0;
  long long rows = 0;
  for (const auto& chain : *chains) {
    std::printf("%s\n", audit::FormatChainLine(chain).c_str());
    broken += chain.intact() ? 0 : 1;
    rows += chain.rows;
  }
  if (!organization.empty() && chains->empty()) {
    std::printf("org:%s  no audit rows\n", organization.c_str());
    return 1;
  }
  std::printf("%zu chain%s, %lld rows: %s\n", chains->size(), chains->size() == 1 ? "" : "s", rows,
              broken == 0 ? "all intact" : (std::to_string(broken) + " broken").c_str());
  return broken == 0 ? 0 : 1;
}

int RunToken(const config::Settings& settings, const std::vector<std::string>& args) {
  auth::DevClaims claims;
  claims.sub = OptionValue(args, "--sub", "");
  claims.email = OptionValue(args, "--email", "");
  claims.name = OptionValue(args, "--name", "");
  claims.issuer = settings.auth_issuer;
  claims.audiences = settings.auth_audience;
  std::string ttl = OptionValue(args, "--ttl", "3600");
  if (claims.sub.empty() || ttl.find_first_not_of("0123456789") != std::string::npos ||
      ttl.empty()) {
    std::fprintf(
        stderr,
        "usage: onboardd token --sub SUB [--email E] [--name N] [--ttl S] [--data-dir DIR]\n");
    return 2;
  }
  claims.ttl_seconds = std::stoll(ttl);
  std::string secret = settings.auth_dev_secret;
  std::string data_dir = OptionValue(args, "--data-dir", "");
  if (!data_dir.empty() || secret.empty()) {
    auto from_dir = ReadDevSecret(data_dir.empty() ? ".data" : data_dir);
    if (!from_dir) {
      std::fprintf(stderr,
                   "onboardd token: %s (start `onboardd dev` first, or set AUTH_DEV_SECRET)\n",
                   from_dir.error().message.en.c_str());
      return 1;
    }
    secret = *from_dir;
  }
  std::printf("%s\n", auth::SignDevToken(secret, claims).c_str());
  return 0;
}

int RunServe(const config::Settings& settings) {
  if (!SettingsAreValid(settings)) return 2;
  observability::InitLogging(settings.log_level);
  return ServeUntilSignal(settings, nullptr);
}

int RunDev(config::Settings settings, const std::vector<std::string>& args) {
  if (!SettingsAreValid(settings)) return 2;
  observability::InitLogging(settings.log_level);
  std::string data_dir = OptionValue(args, "--data-dir", ".data");
  bool services_only = HasFlag(args, "--services-only");

  DevEnvironment environment(data_dir);
  auto services = environment.Start();
  if (!services) {
    std::fprintf(stderr, "onboardd dev: %s\n", services.error().message.en.c_str());
    return 1;
  }
  auto applied = db::MigrateUp(services->owner_url);
  if (!applied) {
    std::fprintf(stderr, "onboardd dev: migrations failed: %s\n",
                 applied.error().message.en.c_str());
    return 1;
  }
  for (const auto& m : *applied) {
    Log(Level::kInfo, "migration_applied", {{"file", db::MigrationFileName(m)}});
  }
  // The environment configures everything but the database, which is this data dir's.
  settings.database_url = services->app_url;
  settings.database_owner_url = services->owner_url;
  if (settings.redis_url.empty()) settings.redis_url = services->redis_url;
  settings.auth_dev_secret = services->dev_secret;  // like the database, the data dir's own
  if (std::getenv("HOST") == nullptr && !HasFlag(args, "--host")) settings.host = "127.0.0.1";

  if (services_only) {
    if (auto written = environment.WriteEnvFile(*services, ""); !written) return 1;
    std::printf("onboardd dev: services of %s are up; environment in %s/dev.env\n",
                data_dir.c_str(), data_dir.c_str());
    std::fflush(stdout);
    return WaitForSignal();
  }

  return ServeUntilSignal(settings, [&](unsigned short port) {
    std::string url = fmt::format("http://{}:{}", settings.host, port);
    (void)environment.WriteEnvFile(*services, url);
    auth::DevClaims claims;
    claims.sub = "dev-user";
    claims.email = "dev@example.com";
    claims.name = "Dev User";
    claims.issuer = settings.auth_issuer;
    claims.audiences = settings.auth_audience;
    claims.ttl_seconds = 24 * 3600;
    std::string token = auth::SignDevToken(services->dev_secret, claims);
    std::printf(
        "\nonboardd dev is serving on %s\n"
        "  the wizard page, signed in as dev-user: %s/onboarding/#token=%s\n"
        "  environment: source %s/dev.env\n"
        "  dev token (24 h, user dev-user): %s\n"
        "  more tokens: onboardd token --sub SOMEONE --data-dir %s\n"
        "  try:  curl -s %s/healthz\n"
        "        curl -s %s/readyz\n"
        "        curl -s -H 'Authorization: Bearer %s' %s/api/onboarding/status\n"
        "        curl -s %s/metrics | head\n\n",
        url.c_str(), url.c_str(), token.c_str(), data_dir.c_str(), token.c_str(), data_dir.c_str(),
        url.c_str(), url.c_str(), token.c_str(), url.c_str(), url.c_str());
    std::fflush(stdout);
  });
}

}  // namespace onboardd::app
