// The data layer behind pgbouncer in transaction mode (SPEC §8), against the real PostgreSQL
// of scripts/test: the test starts its own pgbouncer (Debian's, 1.18: no prepared statement
// support of its own) in front of DATABASE_URL's server with ONE server connection, so every
// client's transactions take turns on the same PostgreSQL session. Two users' transactions
// interleaved there must each see only their own identity and rows (the settings are
// transaction-local), and with named prepared statements off (DB_PREPARED_STATEMENTS=false)
// none reaches the server; with them on, the second client breaks, which is why the setting
// exists.
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <set>
#include <thread>

#include "core/ids.hpp"
#include "db/tenant_transaction.hpp"
#include "support/db_harness.hpp"
#include "support/serve_process.hpp"

namespace onboardd::db {
namespace {

using testing::Context;
using testing::PoolHarness;
using testing::RequireEnv;

constexpr const char* kPgbouncer = "/usr/sbin/pgbouncer";

constexpr Statement kWhoAmI{"pooler_whoami",
                            "select coalesce(current_setting('app.user_id', true), ''), "
                            "pg_backend_pid()::text"};
constexpr Statement kReadPreference{"pooler_read_pref",
                                    "select user_id, assistance_level from public.ai_preferences"};
constexpr Statement kUpsertPreference{
    "pooler_upsert_pref",
    "insert into public.ai_preferences (user_id, enabled, assistance_level) "
    "values (onboardd_private.current_user_id(), true, $1) "
    "on conflict (user_id) do update set assistance_level = excluded.assistance_level"};
constexpr Statement kDivideByZero{"pooler_div0", "select 1 / 0"};
constexpr Statement kPreparedOnServer{"pooler_prepared",
                                      "select count(*)::text from pg_prepared_statements"};

bool PortAccepts(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// A private pgbouncer in transaction mode in front of DATABASE_URL's server, with
// `server_connections` connections to it; stopped by the destructor. As root it runs as the
// postgres OS user (pgbouncer refuses root).
class Pgbouncer {
 public:
  explicit Pgbouncer(int server_connections) {
    const std::string target = RequireEnv("DATABASE_URL");
    std::smatch m;
    const std::regex url("postgresql://([^:]+):([^@]+)@([^:/]+):([0-9]+)/(.+)");
    if (!std::regex_match(target, m, url)) {
      ADD_FAILURE() << "DATABASE_URL is not postgresql://user:password@host:port/db";
      return;
    }
    if (!std::filesystem::exists(kPgbouncer)) {
      ADD_FAILURE() << kPgbouncer << " is missing: run scripts/deps";
      return;
    }
    char templ[] = "/tmp/onboardd-pgbouncer.XXXXXX";
    dir_ = ::mkdtemp(templ);
    port_ = testing::FreePort();
    std::ofstream(dir_ + "/userlist.txt") << '"' << m[1] << "\" \"" << m[2] << "\"\n";
    std::ofstream(dir_ + "/pgbouncer.ini")
        << "[databases]\n"
        << m[5] << " = host=" << m[3] << " port=" << m[4] << " dbname=" << m[5] << "\n"
        << "[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = " << port_
        << "\nunix_socket_dir =\nauth_type = scram-sha-256\nauth_file = " << dir_
        << "/userlist.txt\npool_mode = transaction\ndefault_pool_size = " << server_connections
        << "\nmin_pool_size = 0\nreserve_pool_size = 0\nmax_client_conn = 100\n"
        << "logfile = " << dir_ << "/pgbouncer.log\n";
    std::vector<std::string> args{kPgbouncer, dir_ + "/pgbouncer.ini"};
    if (::geteuid() == 0) {
      const passwd* postgres = ::getpwnam("postgres");
      if (postgres == nullptr) {
        ADD_FAILURE() << "running as root without a postgres OS user";
        return;
      }
      for (const auto* file : {"", "/userlist.txt", "/pgbouncer.ini"}) {
        EXPECT_EQ(::chown((dir_ + file).c_str(), postgres->pw_uid, postgres->pw_gid), 0);
      }
      args.insert(args.begin(), {"/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres",
                                 "--init-groups", "--"});
    }
    pid_ = testing::Spawn(args, {}, dir_ + "/stdout.log");
    for (int i = 0; i < 250 && !PortAccepts(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(PortAccepts(port_))
        << testing::ReadFile(dir_ + "/pgbouncer.log") << testing::ReadFile(dir_ + "/stdout.log");
    url_ = "postgresql://" + m[1].str() + ":" + m[2].str() + "@127.0.0.1:" + std::to_string(port_) +
           "/" + m[5].str();
  }
  ~Pgbouncer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      testing::WaitExit(pid_, std::chrono::seconds(10));
    }
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  Pgbouncer(const Pgbouncer&) = delete;
  Pgbouncer& operator=(const Pgbouncer&) = delete;

  PoolOptions Client(bool prepared) const {
    PoolOptions o;
    o.conninfo = url_;
    o.connections = 1;
    o.use_prepared = prepared;
    return o;
  }

 private:
  std::string dir_;
  std::string url_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
};

// One user's side of the interleaving: `rounds` transactions (reads, writes of the user's own
// preference, and failing ones), each checking that only `user` shows. Returns what went
// wrong ("" when nothing did) and adds the server process ids it ran on to `pids`.
std::string Walk(PoolHarness& h, const std::string& user, const std::string& level, int rounds,
                 std::set<std::string>& pids) {
  for (int r = 0; r < rounds; ++r) {
    const std::string where = user + " round " + std::to_string(r) + ": ";
    if (r % 5 == 3) {  // a write of the user's own row, then (a Sync between) its WAL position
      TenantContext context = Context(user, /*read_only=*/false);
      context.commit_lsn = std::make_shared<std::string>();
      TenantTransaction tx(context);
      tx.Add(kUpsertPreference, {Param(level)});
      auto written = h.Commit(std::move(tx));
      if (!written) return where + "write failed: " + written.error().message.en;
      if (context.commit_lsn->find('/') == std::string::npos) return where + "no WAL position";
      continue;
    }
    if (r % 5 == 4) {  // a transaction that fails after the identity was set
      TenantTransaction tx(Context(user));
      tx.Add(kDivideByZero);
      if (h.Commit(std::move(tx)).has_value()) return where + "1/0 succeeded";
      continue;
    }
    TenantTransaction tx(Context(user));
    tx.Add(kWhoAmI);
    tx.Add(kReadPreference);
    auto rows = h.Commit(std::move(tx));
    if (!rows) return where + "read failed: " + rows.error().message.en;
    const auto& who = (*rows)[0];
    const auto& prefs = (*rows)[1];
    if (who.Get(0, 0) != user) return where + "app.user_id is '" + std::string(who.Get(0, 0)) + "'";
    pids.insert(std::string(who.Get(0, 1)));
    if (prefs.size() != 1) return where + std::to_string(prefs.size()) + " preference rows";
    if (prefs.Get(0, 0) != user) return where + "saw " + std::string(prefs.Get(0, 0)) + "'s row";
    if (prefs.Get(0, 1) != level) return where + "saw level " + std::string(prefs.Get(0, 1));
  }
  return "";
}

TEST(Pooler, InterleavedUsersOnOneServerConnectionSeeOnlyTheirOwn) {
  Pgbouncer bouncer(1);
  PoolHarness alice_side(bouncer.Client(/*prepared=*/false));
  PoolHarness bob_side(bouncer.Client(/*prepared=*/false));
  ASSERT_EQ(alice_side.started(), 1);
  ASSERT_EQ(bob_side.started(), 1);
  const std::string run = core::NewUuid().substr(0, 8);
  const std::string alice = "pooler-" + run + "-alice", bob = "pooler-" + run + "-bob";
  for (auto [h, user, level] :
       {std::tuple{&alice_side, alice, "minimal"}, std::tuple{&bob_side, bob, "extensive"}}) {
    TenantTransaction tx(Context(user, /*read_only=*/false));
    tx.Add(kUpsertPreference, {Param(std::string(level))});
    auto created = h->Commit(std::move(tx));
    ASSERT_TRUE(created.has_value()) << created.error().message.en;
  }

  // Both clients at once: pgbouncer hands its one server connection to whichever
  // transaction comes next, so the two users' transactions alternate on one session.
  std::set<std::string> alice_pids, bob_pids;
  auto alice_walk = std::async(std::launch::async,
                               [&] { return Walk(alice_side, alice, "minimal", 150, alice_pids); });
  auto bob_walk = std::async(std::launch::async,
                             [&] { return Walk(bob_side, bob, "extensive", 150, bob_pids); });
  EXPECT_EQ(alice_walk.get(), "");
  EXPECT_EQ(bob_walk.get(), "");
  // One server session served both users (what makes the test mean something).
  ASSERT_EQ(alice_pids.size(), 1u);
  EXPECT_EQ(alice_pids, bob_pids);

  // And statements sent on that session without any identity setting (not through a
  // TenantTransaction) see neither user: nothing of theirs outlived its transaction.
  std::vector<PipelineStep> bare{{kWhoAmI, {}}, {kReadPreference, {}}};
  auto outcome = alice_side.Await(
      alice_side.pool().Run(std::move(bare), core::SteadyClock::now() + std::chrono::seconds(5)));
  ASSERT_TRUE(outcome.has_value());
  ASSERT_FALSE(outcome->failure.has_value());
  EXPECT_EQ(outcome->rows[0].Get(0, 0), "");
  EXPECT_EQ(outcome->rows[0].Get(0, 1), *alice_pids.begin());
  EXPECT_EQ(outcome->rows[1].size(), 0);
}

TEST(Pooler, NamedPreparedStatementsOffNoneReachTheServer) {
  Pgbouncer bouncer(1);
  PoolHarness first(bouncer.Client(/*prepared=*/false));
  PoolHarness second(bouncer.Client(/*prepared=*/false));
  for (int r = 0; r < 10; ++r) {
    for (auto* h : {&first, &second}) {
      TenantTransaction tx(Context("pooler-prepared-" + std::to_string(r)));
      tx.Add(kWhoAmI);
      tx.Add(kReadPreference);
      auto rows = h->Commit(std::move(tx));
      ASSERT_TRUE(rows.has_value()) << rows.error().message.en;
    }
  }
  TenantTransaction tx(Context(""));
  tx.Add(kPreparedOnServer);
  auto rows = first.Commit(std::move(tx));
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ((*rows)[0].Get(0, 0), "0");  // the shared server session holds no named statement
}

TEST(Pooler, NamedPreparedStatementsOnBreakTheSecondClient) {
  // Why DB_PREPARED_STATEMENTS=false exists: pgbouncer < 1.21 in transaction mode hands the
  // first client's named statements to the second client's session, where preparing them
  // again fails (42P05), or takes them away from the first.
  Pgbouncer bouncer(1);
  PoolHarness first(bouncer.Client(/*prepared=*/true));
  PoolHarness second(bouncer.Client(/*prepared=*/true));
  TenantTransaction a(Context("pooler-on-a"));
  a.Add(kWhoAmI);
  ASSERT_TRUE(first.Commit(std::move(a)).has_value());
  TenantTransaction b(Context("pooler-on-b"));
  b.Add(kWhoAmI);
  std::string sqlstate;
  auto broken = second.Commit(std::move(b), &sqlstate);
  EXPECT_TRUE(broken.has_error());
}

}  // namespace
}  // namespace onboardd::db
