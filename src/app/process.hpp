// Child processes for the `dev` command (initdb, pg_ctl, redis-server). Start-up and
// shutdown only, never on an I/O thread: these calls block.
#pragma once

#include <sys/types.h>
#include <string>
#include <vector>

namespace onboardd::app {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (searched in PATH) to completion. With `as_user` non-empty and the process
// running as root, the command runs as that OS user (via runuser).
CommandResult RunCommand(std::vector<std::string> argv, const std::string& as_user = "");

// Starts argv in the background with stdout/stderr to `log_path`; returns its pid, or -1.
pid_t SpawnBackground(std::vector<std::string> argv, const std::string& log_path,
                      const std::string& as_user = "");

// SIGTERM, then SIGKILL after `grace_ms`; reaps the child.
void StopProcess(pid_t pid, int grace_ms = 5000);

bool RunningAsRoot();

// True when `path` names an executable file, or a command found in PATH.
bool HaveCommand(const std::string& command);

}  // namespace onboardd::app
