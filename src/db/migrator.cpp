// The migrations runner over blocking libpq (see migrator.hpp for why blocking is right
// here). One connection per call; the advisory lock is held by that connection's session, so
// it is released by the server if this process dies mid-run.
#include "db/migrator.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "db/migrations_embedded.hpp"

namespace onboardd::db {
namespace {

// pg_advisory_lock key shared by every runner: the bytes of "onboardd".
constexpr std::string_view kLockKey = "8029463416163951716";

constexpr const char* kCreateTableSql =
    "create table if not exists public.schema_migrations ("
    " version integer primary key,"
    " name text not null,"
    " checksum text not null,"
    " applied_at timestamptz not null default now())";

constexpr const char* kSelectAppliedSql =
    "select version, name, checksum,"
    " to_char(applied_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    " from public.schema_migrations order by version";

struct ConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using Connection = std::unique_ptr<PGconn, ConnCloser>;

struct ResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using QueryResult = std::unique_ptr<PGresult, ResultClearer>;

struct EmbeddedFile {
  MigrationState state;  // applied = false, checksum = the file's
  std::string_view sql;
};

core::Error MakeErr(core::ErrorCode code, std::string es, std::string en) {
  return core::MakeError(code, core::LocalizedText{std::move(es), std::move(en)});
}

std::string ServerMessage(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Parsed once; file names were validated by migrations_embed.cmake.
const std::vector<EmbeddedFile>& Files() {
  static const std::vector<EmbeddedFile> files = [] {
    std::vector<EmbeddedFile> parsed;
    for (const EmbeddedMigrationFile& file : EmbeddedMigrationFiles()) {
      EmbeddedFile entry;
      entry.state.version = std::atoi(std::string(file.file_name.substr(0, 4)).c_str());
      std::string_view rest = file.file_name.substr(5);
      entry.state.name = std::string(rest.substr(0, rest.size() - 4));  // drop ".sql"
      entry.state.checksum = std::string(file.sha256);
      entry.sql = file.sql;
      parsed.push_back(std::move(entry));
    }
    std::sort(parsed.begin(), parsed.end(), [](const EmbeddedFile& a, const EmbeddedFile& b) {
      return a.state.version < b.state.version;
    });
    return parsed;
  }();
  return files;
}

core::Result<Connection> Connect(const std::string& url) {
  Connection conn(PQconnectdb(url.c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    std::string why = conn ? ServerMessage(PQerrorMessage(conn.get())) : "out of memory";
    return MakeErr(core::ErrorCode::kUnavailable, "no se pudo conectar a la base de datos: " + why,
                   "cannot connect to the database: " + why);
  }
  // Migrations print NOTICEs (e.g. "relation already exists, skipping"); they are not ours
  // to show.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  return conn;
}

core::Error QueryError(PGconn* conn, std::string_view what) {
  std::string why = ServerMessage(PQerrorMessage(conn));
  if (PQstatus(conn) != CONNECTION_OK) {
    return MakeErr(core::ErrorCode::kUnavailable,
                   fmt::format("conexión perdida durante {}: {}", what, why),
                   fmt::format("connection lost during {}: {}", what, why));
  }
  return MakeErr(core::ErrorCode::kInternal, fmt::format("{} falló: {}", what, why),
                 fmt::format("{} failed: {}", what, why));
}

// One statement with text parameters, or (no parameters) a whole script.
core::Result<QueryResult> Exec(PGconn* conn, std::string_view what, const char* sql,
                               const std::vector<std::string>& params = {}) {
  QueryResult result;
  if (params.empty()) {
    result.reset(PQexec(conn, sql));
  } else {
    std::vector<const char*> values;
    for (const std::string& param : params) values.push_back(param.c_str());
    result.reset(PQexecParams(conn, sql, static_cast<int>(values.size()), nullptr, values.data(),
                              nullptr, nullptr, 0));
  }
  ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return QueryError(conn, what);
  return result;
}

// The recorded migrations, ascending; empty when schema_migrations does not exist yet.
core::Result<std::vector<MigrationState>> ReadApplied(PGconn* conn) {
  auto exists = Exec(conn, "reading schema_migrations",
                     "select to_regclass('public.schema_migrations') is not null");
  if (!exists) return exists.error();
  std::vector<MigrationState> applied;
  if (std::string_view(PQgetvalue(exists->get(), 0, 0)) != "t") return applied;
  auto rows = Exec(conn, "reading schema_migrations", kSelectAppliedSql);
  if (!rows) return rows.error();
  for (int i = 0; i < PQntuples(rows->get()); ++i) {
    MigrationState state;
    state.version = std::atoi(PQgetvalue(rows->get(), i, 0));
    state.name = PQgetvalue(rows->get(), i, 1);
    state.checksum = PQgetvalue(rows->get(), i, 2);
    state.applied = true;
    state.applied_at = PQgetvalue(rows->get(), i, 3);
    applied.push_back(std::move(state));
  }
  return applied;
}

// The files not applied yet, ascending; or kConflict when the recorded history and the
// binary's files disagree.
core::Result<std::vector<const EmbeddedFile*>> Pending(const std::vector<MigrationState>& applied) {
  std::map<int, const EmbeddedFile*> by_version;
  for (const EmbeddedFile& file : Files()) by_version[file.state.version] = &file;

  int latest_applied = 0;
  for (const MigrationState& row : applied) {
    latest_applied = std::max(latest_applied, row.version);
    auto found = by_version.find(row.version);
    if (found == by_version.end()) {
      std::string file = MigrationFileName(row);
      return MakeErr(core::ErrorCode::kConflict,
                     fmt::format("la migración aplicada {} no está en este binario", file),
                     fmt::format("applied migration {} is missing from this binary", file));
    }
    const MigrationState& expected = found->second->state;
    if (row.checksum != expected.checksum || row.name != expected.name) {
      std::string file = MigrationFileName(expected);
      return MakeErr(
          core::ErrorCode::kConflict,
          fmt::format("la migración {} cambió después de aplicarse (registrada {} como {}, "
                      "archivo {}); añade una migración nueva en lugar de editarla",
                      file, MigrationFileName(row), row.checksum, expected.checksum),
          fmt::format("migration {} was edited after it was applied (recorded {} as {}, "
                      "file {}); add a new migration instead of editing it",
                      file, MigrationFileName(row), row.checksum, expected.checksum));
    }
    by_version.erase(found);
  }

  std::vector<const EmbeddedFile*> pending;
  for (const auto& [version, file] : by_version) {
    if (version < latest_applied) {
      std::string name = MigrationFileName(file->state);
      return MakeErr(core::ErrorCode::kConflict,
                     fmt::format("la migración {} está numerada por debajo de la última "
                                 "aplicada ({}); renumérala",
                                 name, latest_applied),
                     fmt::format("migration {} is numbered below the latest applied one ({}); "
                                 "renumber it",
                                 name, latest_applied));
    }
    pending.push_back(file);
  }
  return pending;
}

core::Result<MigrationState> ApplyOne(PGconn* conn, const EmbeddedFile& file) {
  std::string name = MigrationFileName(file.state);
  if (auto begun = Exec(conn, "begin", "begin"); !begun) return begun.error();
  auto ran = Exec(conn, "migration " + name, std::string(file.sql).c_str());
  if (!ran) {
    (void)Exec(conn, "rollback", "rollback");
    return ran.error();
  }
  auto recorded =
      Exec(conn, "recording " + name,
           "insert into public.schema_migrations (version, name, checksum) values ($1, $2, $3) "
           "returning to_char(applied_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
           {std::to_string(file.state.version), file.state.name, file.state.checksum});
  if (!recorded) {
    (void)Exec(conn, "rollback", "rollback");
    return recorded.error();
  }
  MigrationState state = file.state;
  state.applied = true;
  state.applied_at = PQgetvalue(recorded->get(), 0, 0);
  if (auto committed = Exec(conn, "commit of " + name, "commit"); !committed) {
    return committed.error();
  }
  return state;
}

}  // namespace

std::string MigrationFileName(const MigrationState& state) {
  return fmt::format("{:04d}_{}.sql", state.version, state.name);
}

std::vector<MigrationState> EmbeddedMigrations() {
  std::vector<MigrationState> states;
  for (const EmbeddedFile& file : Files()) states.push_back(file.state);
  return states;
}

int LatestEmbeddedVersion() { return Files().empty() ? 0 : Files().back().state.version; }

std::string EmbeddedMigrationsFingerprint() {
  std::string fingerprint;
  for (const EmbeddedFile& file : Files()) {
    if (!fingerprint.empty()) fingerprint += ',';
    fingerprint += fmt::format("{}:{}", file.state.version, file.state.checksum);
  }
  return fingerprint;
}

core::Result<std::vector<MigrationState>> MigrateUp(const std::string& owner_url) {
  auto conn = Connect(owner_url);
  if (!conn) return conn.error();
  PGconn* pg = conn->get();
  if (auto locked = Exec(pg, "pg_advisory_lock", "select pg_advisory_lock($1::bigint)",
                         {std::string(kLockKey)});
      !locked) {
    return locked.error();
  }
  if (auto created = Exec(pg, "creating schema_migrations", kCreateTableSql); !created) {
    return created.error();
  }
  auto applied = ReadApplied(pg);
  if (!applied) return applied.error();
  auto pending = Pending(*applied);
  if (!pending) return pending.error();

  std::vector<MigrationState> done;
  for (const EmbeddedFile* file : *pending) {
    auto state = ApplyOne(pg, *file);
    if (!state) return state.error();
    done.push_back(std::move(*state));
  }
  // Closing the connection would release the lock too; say it explicitly.
  (void)Exec(pg, "pg_advisory_unlock", "select pg_advisory_unlock($1::bigint)",
             {std::string(kLockKey)});
  return done;
}

core::Result<std::vector<MigrationState>> MigrationStatus(const std::string& url) {
  auto conn = Connect(url);
  if (!conn) return conn.error();
  auto applied = ReadApplied(conn->get());
  if (!applied) return applied.error();

  std::map<int, MigrationState> merged;
  for (const EmbeddedFile& file : Files()) merged[file.state.version] = file.state;
  for (MigrationState& row : *applied) merged[row.version] = std::move(row);
  std::vector<MigrationState> states;
  for (auto& [version, state] : merged) states.push_back(std::move(state));
  return states;
}

core::Status VerifyMigrations(const std::string& url) {
  auto conn = Connect(url);
  if (!conn) return conn.error();
  auto applied = ReadApplied(conn->get());
  if (!applied) return applied.error();
  auto pending = Pending(*applied);
  if (!pending) return pending.error();
  if (!pending->empty()) {
    std::string first = MigrationFileName(pending->front()->state);
    return MakeErr(core::ErrorCode::kPreconditionFailed,
                   fmt::format("{} migraciones pendientes, la primera {}", pending->size(), first),
                   fmt::format("{} migrations pending, the first is {}", pending->size(), first));
  }
  return {};
}

}  // namespace onboardd::db
