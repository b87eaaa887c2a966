// UTC timestamps for the error envelope and logs.
#include "core/clock.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace onboardd::core {

std::string NowIso8601() {
  auto now = std::chrono::system_clock::now();
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", utc, static_cast<int>(millis.count()));
}

}  // namespace onboardd::core
