// Logs go through spdlog (one sink on stdout, which serialises writers). An event line is a
// JSON object serialised by Boost.JSON, so any value is escaped correctly; the access line is
// formatted here, its strings escaped as Boost.JSON would (log_test compares the two).
#include "observability/log.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <functional>
#include <iterator>
#include <mutex>

#include "core/clock.hpp"
#include "core/request_context.hpp"

namespace onboardd::observability {
namespace {

std::atomic<int> threshold{static_cast<int>(Level::kInfo)};

// spdlog's stdout sink flushes every line (a write(2) per line, under its lock); this one
// leaves that to stdio's buffer and to flush().
class BufferedStdoutSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::fwrite(formatted.data(), 1, formatted.size(), stdout);
  }
  void flush_() override { std::fflush(stdout); }
};

std::shared_ptr<spdlog::logger>& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("onboardd", std::make_shared<BufferedStdoutSink>());
    spdlog::register_logger(l);  // for flush_every
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::off);  // Log() flushes its lines; LogAccess's wait
    spdlog::flush_every(std::chrono::seconds(1));
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

// `text` as a JSON string, quotes included (what boost::json::serialize writes for it).
void AppendJsonString(fmt::memory_buffer& out, std::string_view text) {
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out.append(std::string_view("\\\""));
        break;
      case '\\':
        out.append(std::string_view("\\\\"));
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void AppendField(fmt::memory_buffer& out, std::string_view name, std::string_view value) {
  out.append(std::string_view(",\""));
  out.append(name);  // a constant of LogAccess: nothing to escape
  out.append(std::string_view("\":"));
  AppendJsonString(out, value);
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
  Logger()->flush();  // the access lines buffered before it go out first, in order
}

void LogAccess(const AccessLine& line) {
  if (!Enabled(Level::kInfo)) return;
  fmt::memory_buffer out;
  out.append(std::string_view("{\"ts\":\""));
  out.append(core::NowIso8601());
  out.append(std::string_view("\",\"level\":\"info\",\"event\":\"request\""));
  AppendField(out, "request_id", line.request_id);
  AppendField(out, "method", line.method);
  AppendField(out, "route", line.route);
  fmt::format_to(std::back_inserter(out),
                 ",\"status\":{},\"duration_us\":{},\"bytes_in\":{},\"bytes_out\":{}", line.status,
                 line.duration_us, line.bytes_in, line.bytes_out);
  AppendField(out, "user", line.user);
  AppendField(out, "trace_id", line.trace_id);
  AppendField(out, "span_id", line.span_id);
  out.push_back('}');
  Logger()->info(std::string_view(out.data(), out.size()));
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
