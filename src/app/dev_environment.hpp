// The `dev` command's private services: a PostgreSQL cluster (and a Redis server when
// redis-server is installed) under a data directory, started on free loopback ports and
// stopped again by Stop() or the destructor. Blocking; start-up and shutdown only.
#pragma once

#include <sys/types.h>
#include <filesystem>
#include <string>

#include "core/result.hpp"

namespace onboardd::app {

struct DevServices {
  std::string superuser_url;  // postgres superuser: bootstrap and tests' setup only
  std::string owner_url;      // onboardd_owner: migrations
  std::string app_url;        // onboardd_app: the server
  std::string redis_url;      // empty when redis-server is not installed
  std::string dev_secret;     // HS256 secret of this data dir's dev tokens
  std::string pg_data_dir;    // the cluster's directory (tests restart it with pg_ctl)
  std::string pg_bin_dir;     // where initdb, pg_ctl, pgbench live
};

class DevEnvironment {
 public:
  explicit DevEnvironment(std::filesystem::path data_dir);
  ~DevEnvironment();
  DevEnvironment(const DevEnvironment&) = delete;
  DevEnvironment& operator=(const DevEnvironment&) = delete;

  // Creates the cluster on first use (initdb, roles and database from sql/bootstrap.sql),
  // starts it and Redis. kUnavailable with the tool's output when something fails;
  // kConflict when another process already runs this data dir's cluster.
  core::Result<DevServices> Start();

  // Stops what Start started. Idempotent.
  void Stop();

  // Writes DATA_DIR/dev.env (shell-sourceable, mode 0600).
  core::Status WriteEnvFile(const DevServices& services, const std::string& onboardd_url) const;

 private:
  std::filesystem::path data_dir_;
  std::filesystem::path pg_dir_;
  std::string pg_bin_;
  bool pg_started_ = false;
  pid_t redis_pid_ = -1;
};

// The dev secret of a data dir (written by `dev` on first start); kNotFound without one.
core::Result<std::string> ReadDevSecret(const std::filesystem::path& data_dir);

}  // namespace onboardd::app
