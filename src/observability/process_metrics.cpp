// /proc/self/stat's fields after the command name (which may hold spaces and parentheses, so
// parsing starts after the last ')'): state is field 3, num_threads 20, starttime 22 (clock
// ticks after boot, the boot time being /proc/stat's btime). /proc/self/statm: size and
// resident, in pages.
#include "observability/process_metrics.hpp"

#include <dirent.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace onboardd::observability {
namespace {

std::string ReadAll(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<double> BootTimeSeconds() {
  std::istringstream in(ReadAll("/proc/stat"));
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime" && in >> value) return value;
    in.ignore(1 << 20, '\n');
  }
  return std::nullopt;
}

void Sample(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            std::optional<double> value) {
  if (!value) return;
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, *value);
}

}  // namespace

ProcessSample SampleProcess() {
  ProcessSample sample;
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) == 0) {
    sample.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  {
    std::istringstream statm(ReadAll("/proc/self/statm"));
    double size = 0, resident = 0;
    if (statm >> size >> resident) {
      sample.virtual_bytes = size * page;
      sample.resident_bytes = resident * page;
    }
  }
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    double n = 0;
    while (const dirent* entry = ::readdir(dir)) {
      if (entry->d_name[0] != '.') ++n;
    }
    ::closedir(dir);
    sample.open_fds = n - 1;  // the directory stream's own descriptor
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    sample.max_fds = static_cast<double>(limit.rlim_cur);
  }
  const std::string stat = ReadAll("/proc/self/stat");
  if (const std::size_t paren = stat.rfind(')'); paren != std::string::npos) {
    std::istringstream fields(stat.substr(paren + 2));
    std::vector<std::string> f;  // f[0] is field 3 (state)
    for (std::string field; fields >> field;) f.push_back(field);
    if (f.size() > 19) {
      sample.threads = std::stod(f[17]);
      if (auto boot = BootTimeSeconds()) {
        sample.start_time_seconds =
            *boot + std::stod(f[19]) / static_cast<double>(::sysconf(_SC_CLK_TCK));
      }
    }
  }
  return sample;
}

std::string RenderProcessSample(const ProcessSample& s) {
  std::string out;
  Sample(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.",
         s.cpu_seconds);
  Sample(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
         s.resident_bytes);
  Sample(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
         s.virtual_bytes);
  Sample(out, "process_open_fds", "gauge", "Open file descriptors.", s.open_fds);
  Sample(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.", s.max_fds);
  Sample(out, "process_threads", "gauge", "OS threads of the process.", s.threads);
  Sample(out, "process_start_time_seconds", "gauge", "Start time of the process, Unix seconds.",
         s.start_time_seconds);
  return out;
}

void RegisterProcessMetrics(Registry& registry) {
  registry.AddCollector([](std::string& out) { out += RenderProcessSample(SampleProcess()); });
}

}  // namespace onboardd::observability
