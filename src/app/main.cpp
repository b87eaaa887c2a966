// The onboardd binary: parses settings (environment, then flags) and runs a subcommand.
#include <cstdio>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "config/settings.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& a : args) {
    if (a == "--help" || a == "-h" || a == "help") {
      onboardd::app::PrintHelp();
      return 0;
    }
  }
  auto parsed = onboardd::config::Parse(args);
  if (!parsed) {
    for (const auto& d : parsed.error().details) {
      std::fprintf(stderr, "onboardd: %s: %s\n", d.path.c_str(), d.message.en.c_str());
    }
    return 2;
  }
  std::vector<std::string> rest = parsed->rest;
  if (rest.empty()) {
    onboardd::app::PrintHelp();
    return 2;
  }
  std::string command = rest.front();
  rest.erase(rest.begin());
  if (command == "dev") return onboardd::app::RunDev(parsed->settings, rest);
  if (command == "token") return onboardd::app::RunToken(parsed->settings, rest);
  if (command == "migrate") return onboardd::app::RunMigrate(parsed->settings, rest);
  if (command == "audit") return onboardd::app::RunAudit(parsed->settings, rest);
  if (command == "serve") return onboardd::app::RunServe(parsed->settings);
  std::fprintf(stderr, "onboardd: unknown command '%s' (see onboardd --help)\n", command.c_str());
  return 2;
}
