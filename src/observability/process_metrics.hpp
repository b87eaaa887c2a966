// The process's own resources in /metrics, under the names every Prometheus client library
// uses (so existing dashboards work): process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds, process_threads,
// process_start_time_seconds. Read from getrusage/getrlimit and /proc/self at scrape time (a
// few microseconds of memory-backed reads; nothing is sampled in between). Linux only.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "observability/metrics.hpp"

namespace onboardd::observability {

// Adds the collector to `registry`. Call once per registry (at start-up).
void RegisterProcessMetrics(Registry& registry);

// What the collector reads; exposed for tests. Fields that cannot be read are nullopt and
// their series are left out.
struct ProcessSample {
  double cpu_seconds = 0;
  std::optional<double> resident_bytes;
  std::optional<double> virtual_bytes;
  std::optional<double> open_fds;
  std::optional<double> max_fds;
  std::optional<double> threads;
  std::optional<double> start_time_seconds;
};
ProcessSample SampleProcess();

// The sample in the text format.
std::string RenderProcessSample(const ProcessSample& sample);

}  // namespace onboardd::observability
