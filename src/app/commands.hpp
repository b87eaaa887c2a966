// The subcommands of the onboardd binary (SPEC §10). Each returns the process exit code.
#pragma once

#include <string>
#include <vector>

#include "config/settings.hpp"

namespace onboardd::app {

// `onboardd dev [--port N] [--data-dir DIR] [--services-only]`
int RunDev(config::Settings settings, const std::vector<std::string>& args);
// `onboardd token --sub SUB [--email E] [--name N] [--ttl S] [--data-dir DIR]`
int RunToken(const config::Settings& settings, const std::vector<std::string>& args);
// `onboardd migrate up|status|verify`
int RunMigrate(const config::Settings& settings, const std::vector<std::string>& args);
// `onboardd audit verify [--org ID]`: 0 intact, 1 broken, 2 could not check
int RunAudit(const config::Settings& settings, const std::vector<std::string>& args);
// `onboardd serve`
int RunServe(const config::Settings& settings);

// Prints usage and every setting.
void PrintHelp();

}  // namespace onboardd::app
