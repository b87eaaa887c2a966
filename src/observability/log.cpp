// Logs go through spdlog (its stdout sink serialises writers); each line is a JSON object
// serialised by Boost.JSON, so any value is escaped correctly.
#include "observability/log.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <functional>

#include "core/clock.hpp"
#include "core/request_context.hpp"

namespace onboardd::observability {
namespace {

std::atomic<int> threshold{static_cast<int>(Level::kInfo)};

std::shared_ptr<spdlog::logger>& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stdout_logger_mt("onboardd");
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return logger;
}

const char* Name(Level level) {
  switch (level) {
    case Level::kTrace:
      return "trace";
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void InitLogging(std::string_view level) {
  int value = 100;  // off
  for (Level l : {Level::kTrace, Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (level == Name(l)) value = static_cast<int>(l);
  }
  threshold.store(value, std::memory_order_relaxed);
  Logger();
}

bool Enabled(Level level) {
  return static_cast<int>(level) >= threshold.load(std::memory_order_relaxed);
}

void Log(Level level, std::string_view event, boost::json::object fields) {
  if (!Enabled(level)) return;
  boost::json::object line;
  line.reserve(fields.size() + 5);
  line["ts"] = core::NowIso8601();
  line["level"] = Name(level);
  line["event"] = event;
  // Written while serving a request (core/request_context.hpp): say which, unless the
  // caller already did.
  if (const core::RequestContext* request = core::CurrentRequest();
      request != nullptr && !request->request_id.empty()) {
    line["request_id"] = request->request_id;
    if (!request->trace.empty()) line["trace_id"] = request->trace.trace_id;
  }
  for (auto& field : fields) line[field.key()] = std::move(field.value());
  Logger()->info(boost::json::serialize(line));
}

std::string UserHash(std::string_view user_id) {
  // FNV-1a, salted with a constant: enough to correlate a user's lines, not to identify them.
  std::uint64_t hash = 1469598103934665603ULL ^ 0x6f6e626f61726464ULL;
  for (unsigned char c : user_id) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", hash);
}

}  // namespace onboardd::observability
