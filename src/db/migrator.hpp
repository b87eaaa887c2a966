// The schema migrations runner: applies the numbered files of sql/migrations (compiled into
// the binary) in order, records each with its SHA-256 in public.schema_migrations, and
// refuses to run when an applied file was edited or is missing from the binary.
//
// Blocking libpq, on purpose: this runs from the CLI (`onboardd migrate up|status|verify`)
// and at `onboardd dev` start before serving, never on an I/O thread. The server's own
// check (GET /readyz) does not call it: it runs kAppliedMigrationsSql through the
// asynchronous client and compares the answer with EmbeddedMigrationsFingerprint().
//
// A migration file is one transaction (the runner wraps it): it must not contain BEGIN or
// COMMIT, nor statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace onboardd::db {

struct MigrationState {
  int version = 0;       // the file's NNNN prefix
  std::string name;      // "organizations" for 0002_organizations.sql
  std::string checksum;  // SHA-256 hex: the recorded one when applied, else the file's
  bool applied = false;
  std::string applied_at;  // ISO-8601 UTC when applied, else empty
};

// "0002_organizations.sql" for a state, as error messages name files.
std::string MigrationFileName(const MigrationState& state);

// The migrations compiled into this binary, ascending, applied = false. Thread-safe.
std::vector<MigrationState> EmbeddedMigrations();

// The highest version compiled into this binary (0 if none).
int LatestEmbeddedVersion();

// One row, one text column: "1:<sha256>,2:<sha256>,..." of the applied migrations ("" when
// none). The database is current exactly when it equals EmbeddedMigrationsFingerprint().
// Readable by the app role (it has SELECT on schema_migrations).
inline constexpr std::string_view kAppliedMigrationsSql =
    "select coalesce(string_agg(version::text || ':' || checksum, ',' order by version), '') "
    "from public.schema_migrations";
std::string EmbeddedMigrationsFingerprint();

// Applies every pending migration in version order, each in its own transaction, holding a
// session advisory lock for the whole run so that concurrent runners (several instances
// starting at once) apply each migration exactly once: the later runner waits, then finds
// nothing to do. Creates schema_migrations if missing. `owner_url` is a libpq connection
// string or URI for the owner role.
// Returns the migrations this call applied (empty when none were pending).
// Errors: kUnavailable when the database cannot be reached; kConflict (before applying
// anything) when an applied migration's checksum differs from its file, an applied version
// has no file in this binary, or a pending file is numbered below an applied one — each
// names the file; kInternal when a migration's SQL fails (named, with the server's message;
// that migration is rolled back, earlier ones in this run stay applied).
core::Result<std::vector<MigrationState>> MigrateUp(const std::string& owner_url);

// Every migration known to the binary or recorded in the database, ascending by version:
// applied ones with their recorded checksum and time, pending ones with applied = false.
// Read-only; works with the owner or the app role.
// Errors: kUnavailable when the database cannot be reached; kInternal on a query failure.
core::Result<std::vector<MigrationState>> MigrationStatus(const std::string& url);

// Ok when the database holds exactly the binary's migrations with their checksums.
// Errors: kConflict naming the file when an applied migration's checksum differs, an
// applied version has no file here, or a pending file is numbered below an applied one;
// kPreconditionFailed naming the first pending file when migrations are pending;
// kUnavailable when the database cannot be reached.
core::Status VerifyMigrations(const std::string& url);

}  // namespace onboardd::db
