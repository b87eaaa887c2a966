// The migrations runner against a real PostgreSQL: each test gets a fresh database owned by
// onboardd_owner (created through DATABASE_SUPERUSER_URL, dropped afterwards) and migrates
// it through DATABASE_OWNER_URL with the database name swapped.
#include "db/migrator.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace onboardd::db {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// `url` (URI or key=value) with its dbname replaced, as a key=value connection string.
std::string WithDatabase(const std::string& url, const std::string& dbname) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string why = error != nullptr ? error : "?";
    PQfreemem(error);
    ADD_FAILURE() << "bad connection string: " << why;
    return url;
  }
  auto quote = [](const std::string& value) {
    std::string quoted = "'";
    for (char c : value) {
      if (c == '\'' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return quoted + "'";
  };
  std::string out = "dbname=" + quote(dbname);
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr || std::string(option->keyword) == "dbname") continue;
    out += " " + std::string(option->keyword) + "=" + quote(option->val);
  }
  PQconninfoFree(options);
  return out;
}

// Runs one statement, failing the test on error; returns the first value ("" if none).
std::string Query(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    ADD_FAILURE() << "connect: " << PQerrorMessage(conn.get());
    return "";
  }
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result.get());
    return "";
  }
  if (status == PGRES_TUPLES_OK && PQntuples(result.get()) > 0) {
    return PQgetvalue(result.get(), 0, 0);
  }
  return "";
}

class MigratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    superuser_url_ = Env("DATABASE_SUPERUSER_URL");
    std::string owner_url = Env("DATABASE_OWNER_URL");
    ASSERT_FALSE(superuser_url_.empty()) << "DATABASE_SUPERUSER_URL is not set";
    ASSERT_FALSE(owner_url.empty()) << "DATABASE_OWNER_URL is not set";
    static std::atomic<int> counter{0};
    dbname_ =
        "onboardd_migrator_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    Query(superuser_url_, "drop database if exists " + dbname_);
    Query(superuser_url_, "create database " + dbname_ + " owner onboardd_owner");
    owner_url_ = WithDatabase(owner_url, dbname_);
    superuser_scratch_url_ = WithDatabase(superuser_url_, dbname_);
  }

  void TearDown() override {
    if (!dbname_.empty() && !superuser_url_.empty()) {
      Query(superuser_url_, "drop database if exists " + dbname_ + " with (force)");
    }
  }

  std::string superuser_url_;
  std::string superuser_scratch_url_;
  std::string owner_url_;
  std::string dbname_;
};

TEST(EmbeddedMigrationsTest, AreNumberedFromOneWithChecksums) {
  std::vector<MigrationState> files = EmbeddedMigrations();
  ASSERT_FALSE(files.empty());
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(files[i].version, static_cast<int>(i) + 1) << MigrationFileName(files[i]);
    EXPECT_EQ(files[i].checksum.size(), 64u);
    EXPECT_FALSE(files[i].applied);
  }
  EXPECT_EQ(LatestEmbeddedVersion(), files.back().version);
  EXPECT_EQ(MigrationFileName(files.front()).substr(0, 5), "0001_");
  EXPECT_EQ(EmbeddedMigrationsFingerprint().substr(0, 2), "1:");
}

TEST_F(MigratorTest, UpAppliesAllInOrderThenIsANoOp) {
  auto applied = MigrateUp(owner_url_);
  ASSERT_TRUE(applied) << applied.error().message.en;
  std::vector<MigrationState> files = EmbeddedMigrations();
  ASSERT_EQ(applied->size(), files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ((*applied)[i].version, files[i].version);
    EXPECT_EQ((*applied)[i].checksum, files[i].checksum);
    EXPECT_TRUE((*applied)[i].applied);
    EXPECT_FALSE((*applied)[i].applied_at.empty());
  }
  EXPECT_EQ(Query(owner_url_, "select count(*) from public.schema_migrations"),
            std::to_string(files.size()));
  EXPECT_EQ(Query(owner_url_, std::string(kAppliedMigrationsSql)), EmbeddedMigrationsFingerprint());

  auto again = MigrateUp(owner_url_);
  ASSERT_TRUE(again) << again.error().message.en;
  EXPECT_TRUE(again->empty());
  EXPECT_TRUE(VerifyMigrations(owner_url_));
}

TEST_F(MigratorTest, StatusListsPendingThenApplied) {
  auto before = MigrationStatus(owner_url_);
  ASSERT_TRUE(before) << before.error().message.en;
  ASSERT_EQ(before->size(), EmbeddedMigrations().size());
  for (const MigrationState& state : *before) EXPECT_FALSE(state.applied);
  auto verify_before = VerifyMigrations(owner_url_);
  ASSERT_FALSE(verify_before);
  EXPECT_EQ(verify_before.error().code, core::ErrorCode::kPreconditionFailed);
  EXPECT_NE(verify_before.error().message.en.find("0001_"), std::string::npos);

  ASSERT_TRUE(MigrateUp(owner_url_));
  auto after = MigrationStatus(owner_url_);
  ASSERT_TRUE(after) << after.error().message.en;
  ASSERT_EQ(after->size(), EmbeddedMigrations().size());
  for (const MigrationState& state : *after) {
    EXPECT_TRUE(state.applied) << MigrationFileName(state);
    EXPECT_FALSE(state.applied_at.empty());
  }
}

TEST_F(MigratorTest, TamperedChecksumFailsVerifyAndUpNamingTheFile) {
  ASSERT_TRUE(MigrateUp(owner_url_));
  MigrationState second = EmbeddedMigrations().at(1);
  Query(owner_url_,
        "update public.schema_migrations set checksum = repeat('0', 64) "
        "where version = " +
            std::to_string(second.version));

  auto verified = VerifyMigrations(owner_url_);
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, core::ErrorCode::kConflict);
  EXPECT_NE(verified.error().message.en.find(MigrationFileName(second)), std::string::npos)
      << verified.error().message.en;
  EXPECT_NE(verified.error().message.es.find(MigrationFileName(second)), std::string::npos);

  auto up = MigrateUp(owner_url_);
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().code, core::ErrorCode::kConflict);
  EXPECT_NE(up.error().message.en.find(MigrationFileName(second)), std::string::npos);
}

TEST_F(MigratorTest, AppliedMigrationMissingFromTheBinaryIsAConflict) {
  ASSERT_TRUE(MigrateUp(owner_url_));
  Query(owner_url_,
        "insert into public.schema_migrations (version, name, checksum) "
        "values (9999, 'from_the_future', repeat('a', 64))");
  auto verified = VerifyMigrations(owner_url_);
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, core::ErrorCode::kConflict);
  EXPECT_NE(verified.error().message.en.find("9999_from_the_future.sql"), std::string::npos)
      << verified.error().message.en;
  EXPECT_FALSE(MigrateUp(owner_url_));
}

TEST_F(MigratorTest, ConcurrentRunnersApplyEachMigrationOnce) {
  constexpr int kRunners = 3;
  std::vector<core::Result<std::vector<MigrationState>>> results(
      kRunners, core::Result<std::vector<MigrationState>>(std::vector<MigrationState>{}));
  std::vector<std::thread> threads;
  for (int i = 0; i < kRunners; ++i) {
    threads.emplace_back([&, i] { results[i] = MigrateUp(owner_url_); });
  }
  for (std::thread& thread : threads) thread.join();

  size_t total = 0;
  for (const auto& result : results) {
    ASSERT_TRUE(result) << result.error().message.en;
    total += result->size();
  }
  EXPECT_EQ(total, EmbeddedMigrations().size());
  EXPECT_EQ(Query(owner_url_, "select count(distinct version) = count(*) and count(*) = " +
                                  std::to_string(EmbeddedMigrations().size()) +
                                  " from public.schema_migrations"),
            "t");
  EXPECT_TRUE(VerifyMigrations(owner_url_));
}

// The migrated schema under concurrency: audit rows of one organization inserted from many
// connections at once (as the app role) still form one unbroken chain.
TEST_F(MigratorTest, ConcurrentAuditInsertsKeepOneChain) {
  ASSERT_TRUE(MigrateUp(owner_url_));
  std::string app_url = Env("DATABASE_URL");
  ASSERT_FALSE(app_url.empty()) << "DATABASE_URL is not set";
  app_url = WithDatabase(app_url, dbname_);
  const std::string org = "00000000-0000-4000-8000-0000000000aa";
  Query(superuser_scratch_url_,
        "insert into organizations (id, name, slug, industry, size, created_by) values ('" + org +
            "', 'Chain', 'chain', 'technology', 'startup', 'u1'); "
            "insert into organization_members values ('" +
            org + "', 'u1', 'owner')");

  constexpr int kThreads = 8;
  constexpr int kRowsPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRowsPerThread; ++i) {
        Query(app_url,
              "begin; select set_config('app.user_id', 'u1', true); "
              "insert into audit_log (organization_id, actor_id, action, entity_type) values ('" +
                  org + "', 'u1', 'test.insert', 'organization'); commit");
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(
      Query(superuser_scratch_url_,
            "select count(*)::text || ' ' || max(chain_seq)::text from audit_log"),
      std::to_string(kThreads * kRowsPerThread) + " " + std::to_string(kThreads * kRowsPerThread));
  EXPECT_EQ(Query(owner_url_,
                  "select count(*) from onboardd_private.audit_verify() "
                  "where first_bad_seq is not null"),
            "0");
}

TEST_F(MigratorTest, FailingConnectionIsUnavailable) {
  auto up = MigrateUp(WithDatabase(owner_url_, dbname_ + "_does_not_exist"));
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().code, core::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace onboardd::db
