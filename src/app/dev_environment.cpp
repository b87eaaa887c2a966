// initdb/pg_ctl run as the `postgres` OS user when onboardd runs as root (PostgreSQL refuses
// root). The cluster listens on 127.0.0.1 only, on a port picked free at each start, with
// Unix sockets off (their paths are length-limited and the data dir may be deep). When the
// data dir is not reachable by the postgres user (a repo under /root), the cluster lives
// under /var/tmp/onboardd-<hash of the data dir> instead. Passwords and the dev secret are
// generated once and kept in DATA_DIR/secrets.env (0600).
#include "app/dev_environment.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "app/embedded_sql.hpp"
#include "app/process.hpp"

namespace onboardd::app {
namespace fs = std::filesystem;
namespace {

constexpr const char* kPostgresUser = "postgres";

std::string RandomToken(std::size_t length) {
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device device;
  std::uniform_int_distribution<int> pick(0, sizeof(kAlphabet) - 2);
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out.push_back(kAlphabet[pick(device)]);
  return out;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool PortAccepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

std::string PgBinDir() {
  std::string best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    fs::path candidate = entry.path() / "bin";
    if (fs::exists(candidate / "initdb") && candidate.string() > best) best = candidate.string();
  }
  return best;
}

std::map<std::string, std::string> ReadKeyValues(const fs::path& file) {
  std::map<std::string, std::string> values;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

core::Error Unavailable(const std::string& what, const std::string& output) {
  std::string text = what + (output.empty() ? "" : ":\n" + output);
  return core::MakeError(core::ErrorCode::kUnavailable, {text, text});
}

std::uint64_t Fnv(const std::string& text) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

// Makes `dir` the postgres user's when running as root; false if postgres cannot write it.
bool HandToPostgres(const fs::path& dir) {
  if (!RunningAsRoot()) return true;
  RunCommand({"chown", "-R", kPostgresUser, dir.string()});
  RunCommand({"chmod", "700", dir.string()});
  return RunCommand({"test", "-w", dir.string()}, kPostgresUser).exit_code == 0;
}

}  // namespace

DevEnvironment::DevEnvironment(fs::path data_dir) : data_dir_(fs::absolute(std::move(data_dir))) {}

DevEnvironment::~DevEnvironment() { Stop(); }

core::Result<DevServices> DevEnvironment::Start() {
  std::error_code ec;
  fs::create_directories(data_dir_, ec);
  if (ec) return Unavailable("cannot create " + data_dir_.string(), ec.message());
  pg_bin_ = PgBinDir();
  if (pg_bin_.empty()) {
    return Unavailable(
        "PostgreSQL server binaries not found under /usr/lib/postgresql "
        "(run scripts/deps)",
        "");
  }

  // Secrets: generated once per data dir.
  fs::path secrets_file = data_dir_ / "secrets.env";
  auto secrets = ReadKeyValues(secrets_file);
  if (secrets.empty()) {
    secrets = {{"SUPERUSER_PASSWORD", RandomToken(24)},
               {"OWNER_PASSWORD", RandomToken(24)},
               {"APP_PASSWORD", RandomToken(24)},
               {"AUTH_DEV_SECRET", RandomToken(48)}};
    std::ofstream out(secrets_file);
    for (const auto& [k, v] : secrets) out << k << '=' << v << '\n';
    out.close();
    fs::permissions(secrets_file, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace, ec);
  }

  // Where the cluster lives.
  pg_dir_ = data_dir_ / "postgres";
  fs::create_directories(pg_dir_, ec);
  if (!HandToPostgres(pg_dir_)) {
    fs::path fallback = fmt::format("/var/tmp/onboardd-{:016x}", Fnv(data_dir_.string()));
    fs::create_directories(fallback / "postgres", ec);
    if (!HandToPostgres(fallback / "postgres")) {
      return Unavailable("the postgres OS user cannot write " + pg_dir_.string() + " nor " +
                             (fallback / "postgres").string(),
                         "");
    }
    pg_dir_ = fallback / "postgres";
  }

  if (!fs::exists(pg_dir_ / "PG_VERSION")) {
    fs::path pwfile = pg_dir_.parent_path() / ".pwfile";
    {
      std::ofstream out(pwfile);
      out << secrets["SUPERUSER_PASSWORD"] << '\n';
    }
    if (RunningAsRoot()) RunCommand({"chown", kPostgresUser, pwfile.string()});
    auto init = RunCommand({pg_bin_ + "/initdb", "-D", pg_dir_.string(), "-U", "postgres",
                            "--auth-host=scram-sha-256", "--auth-local=reject", "--pwfile",
                            pwfile.string(), "-E", "UTF8", "--no-locale", "--no-instructions"},
                           kPostgresUser);
    fs::remove(pwfile, ec);
    if (init.exit_code != 0) return Unavailable("initdb failed", init.output);
    std::ofstream conf(pg_dir_ / "postgresql.conf", std::ios::app);
    conf << "\n# onboardd dev\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n"
            "max_connections = 300\nshared_buffers = 128MB\nlog_min_messages = warning\n"
            "include_if_exists = 'onboardd_port.conf'\n";
  }

  // A cluster still running is either another live `dev` of this data dir (refuse) or the
  // leftover of one that died without stopping it (stop it and go on).
  fs::path owner_pid_file = data_dir_ / "dev.pid";
  if (fs::exists(pg_dir_ / "postmaster.pid")) {
    auto status =
        RunCommand({pg_bin_ + "/pg_ctl", "-D", pg_dir_.string(), "status"}, kPostgresUser);
    if (status.exit_code == 0) {
      pid_t owner = 0;
      std::ifstream(owner_pid_file) >> owner;
      if (owner > 0 && owner != getpid() && kill(owner, 0) == 0) {
        return core::MakeError(
            core::ErrorCode::kConflict,
            {"otro proceso (pid " + std::to_string(owner) + ") ya usa " + data_dir_.string(),
             "another process (pid " + std::to_string(owner) + ") already runs the cluster of " +
                 data_dir_.string()});
      }
      RunCommand({pg_bin_ + "/pg_ctl", "-D", pg_dir_.string(), "-m", "fast", "-w", "stop"},
                 kPostgresUser);
    }
  }
  std::ofstream(owner_pid_file) << getpid() << '\n';
  // The port lives in a file the configuration includes, so a plain `pg_ctl start` or
  // `restart` (as tests do) keeps it.
  int pg_port = FreePort();
  std::ofstream(pg_dir_ / "onboardd_port.conf") << "port = " << pg_port << '\n';
  auto start = RunCommand({pg_bin_ + "/pg_ctl", "-D", pg_dir_.string(), "-l",
                           (pg_dir_ / "server.log").string(), "-w", "-t", "60", "start"},
                          kPostgresUser);
  if (start.exit_code != 0) return Unavailable("pg_ctl start failed", start.output);
  pg_started_ = true;

  DevServices services;
  auto url = [&](const std::string& user, const std::string& password, const std::string& db) {
    return fmt::format("postgresql://{}:{}@127.0.0.1:{}/{}", user, password, pg_port, db);
  };
  services.superuser_url = url("postgres", secrets["SUPERUSER_PASSWORD"], "onboardd");
  services.owner_url = url("onboardd_owner", secrets["OWNER_PASSWORD"], "onboardd");
  services.app_url = url("onboardd_app", secrets["APP_PASSWORD"], "onboardd");
  services.dev_secret = secrets["AUTH_DEV_SECRET"];
  services.pg_data_dir = pg_dir_.string();
  services.pg_bin_dir = pg_bin_;

  fs::path bootstrap = data_dir_ / "bootstrap.sql";
  {
    std::ofstream out(bootstrap);
    out << BootstrapSql();
  }
  auto boot =
      RunCommand({"psql", "-X", "-q", url("postgres", secrets["SUPERUSER_PASSWORD"], "postgres"),
                  "-v", "ON_ERROR_STOP=1", "-v", "owner_password=" + secrets["OWNER_PASSWORD"],
                  "-v", "app_password=" + secrets["APP_PASSWORD"], "-f", bootstrap.string()});
  fs::remove(bootstrap, ec);
  if (boot.exit_code != 0)
    return Unavailable("bootstrap of roles and database failed", boot.output);

  if (HaveCommand("redis-server")) {
    int redis_port = FreePort();
    fs::create_directories(data_dir_ / "redis", ec);
    redis_pid_ = SpawnBackground(
        {"redis-server", "--bind", "127.0.0.1", "--port", std::to_string(redis_port), "--save", "",
         "--appendonly", "no", "--dir", (data_dir_ / "redis").string()},
        (data_dir_ / "redis" / "redis.log").string());
    for (int i = 0; i < 250 && !PortAccepts(redis_port); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!PortAccepts(redis_port)) return Unavailable("redis-server did not start", "");
    services.redis_url = fmt::format("redis://127.0.0.1:{}", redis_port);
  }
  return services;
}

void DevEnvironment::Stop() {
  if (redis_pid_ > 0) {
    StopProcess(redis_pid_);
    redis_pid_ = -1;
  }
  if (pg_started_) {
    RunCommand({pg_bin_ + "/pg_ctl", "-D", pg_dir_.string(), "-m", "fast", "-w", "stop"},
               kPostgresUser);
    pg_started_ = false;
    std::error_code ec;
    fs::remove(data_dir_ / "dev.pid", ec);
  }
}

core::Status DevEnvironment::WriteEnvFile(const DevServices& services,
                                          const std::string& onboardd_url) const {
  fs::path file = data_dir_ / "dev.env";
  std::ofstream out(file);
  auto line = [&](const char* key, const std::string& value) {
    if (!value.empty()) out << "export " << key << "='" << value << "'\n";
  };
  out << "# Written by `onboardd dev`: source it to reach this data dir's services.\n";
  line("DATABASE_URL", services.app_url);
  line("DATABASE_OWNER_URL", services.owner_url);
  line("DATABASE_SUPERUSER_URL", services.superuser_url);
  line("REDIS_URL", services.redis_url);
  line("AUTH_DEV_SECRET", services.dev_secret);
  line("ONBOARDD_URL", onboardd_url);
  line("ONBOARDD_PGDATA", services.pg_data_dir);
  line("ONBOARDD_PG_BIN", services.pg_bin_dir);
  out.close();
  if (!out) {
    return core::MakeError(core::ErrorCode::kInternal, {"no se pudo escribir " + file.string(),
                                                        "cannot write " + file.string()});
  }
  std::error_code ec;
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace,
                  ec);
  return {};
}

core::Result<std::string> ReadDevSecret(const fs::path& data_dir) {
  auto values = ReadKeyValues(data_dir / "secrets.env");
  auto it = values.find("AUTH_DEV_SECRET");
  if (it == values.end() || it->second.empty()) {
    return core::MakeError(core::ErrorCode::kNotFound,
                           {"no hay secreto de desarrollo en " + data_dir.string(),
                            "no dev secret in " + data_dir.string()});
  }
  return it->second;
}

}  // namespace onboardd::app
