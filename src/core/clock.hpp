// Time helpers: the monotonic clock deadlines use, and ISO-8601 UTC timestamps.
#pragma once

#include <chrono>
#include <string>

namespace onboardd::core {

using SteadyClock = std::chrono::steady_clock;
using Deadline = SteadyClock::time_point;

// "2026-11-25T13:53:31.123Z" for now (UTC, millisecond precision).
std::string NowIso8601();

}  // namespace onboardd::core
