// One read-only TenantTransaction without identity: schema_migrations is readable by the
// app role, and the answer is compared with the fingerprint of the embedded files.
#include "db/readiness.hpp"

#include "db/migrator.hpp"
#include "db/tenant_transaction.hpp"

namespace onboardd::db {

namespace {
constexpr Statement kAppliedMigrations{"onboardd_applied_migrations", kAppliedMigrationsSql};
}  // namespace

boost::asio::awaitable<core::Status> CheckReady(Pool& pool) {
  TenantContext context;
  context.request_id = "readyz";
  context.deadline = core::SteadyClock::now() + std::chrono::seconds(1);
  TenantTransaction tx(std::move(context));
  tx.Add(kAppliedMigrations);
  auto rows = co_await tx.Commit(pool);
  if (!rows) {
    co_return core::MakeError(core::ErrorCode::kUnavailable,
                              {"base de datos inalcanzable", "database unreachable"});
  }
  if ((*rows)[0].empty() || (*rows)[0].Get(0, 0) != EmbeddedMigrationsFingerprint()) {
    co_return core::MakeError(core::ErrorCode::kPreconditionFailed,
                              {"las migraciones no están al día", "migrations are not current"});
  }
  co_return core::Status{};
}

}  // namespace onboardd::db
