// UTC timestamps for the error envelope and logs.
#include "core/clock.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace onboardd::core {

std::string NowIso8601() {
  auto now = std::chrono::system_clock::now();
  auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const auto millis = static_cast<int>(since_epoch.count() % 1000);
  const std::time_t seconds = static_cast<std::time_t>(since_epoch.count() / 1000);
  // Every error envelope carries one, so the second's text is formatted once per thread and
  // second, not per call.
  thread_local std::time_t cached_second = -1;
  thread_local std::string cached_text;  // "2026-11-25T13:53:31"
  if (seconds != cached_second) {
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    cached_text = fmt::format("{:%Y-%m-%dT%H:%M:%S}", utc);
    cached_second = seconds;
  }
  return fmt::format("{}.{:03d}Z", cached_text, millis);
}

}  // namespace onboardd::core
