#include "observability/log.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <sstream>
#include <thread>
#include <vector>

#include "core/request_context.hpp"
#include "observability/metrics.hpp"
#include "observability/process_metrics.hpp"

namespace onboardd::observability {
namespace {

namespace json = boost::json;

// The line Log writes for `event`, parsed (stdout captured).
json::object LogLine(std::string_view event, json::object fields = {}) {
  ::testing::internal::CaptureStdout();
  Log(Level::kWarn, event, std::move(fields));
  std::string out = ::testing::internal::GetCapturedStdout();
  return json::parse(out).as_object();
}

TEST(Log, LinesWrittenForARequestNameItsRequestAndTrace) {
  InitLogging("info");
  core::RequestContext request;
  request.request_id = "req-1";
  request.trace = core::ContinueTrace(std::nullopt);
  {
    core::ScopedRequestContext scope(&request);
    json::object line = LogLine("inside");
    EXPECT_EQ(line.at("request_id").as_string(), "req-1");
    EXPECT_EQ(line.at("trace_id").as_string(), request.trace.trace_id);
    EXPECT_EQ(LogLine("explicit", {{"request_id", "given"}}).at("request_id").as_string(), "given")
        << "a field the caller passes wins";
  }
  json::object outside = LogLine("outside");
  EXPECT_FALSE(outside.contains("request_id"));
  EXPECT_FALSE(outside.contains("trace_id"));
}

TEST(Log, ARequestBetweenRequestsAddsNothing) {
  InitLogging("info");
  core::RequestContext idle;  // a connection waiting for its next request
  core::ScopedRequestContext scope(&idle);
  EXPECT_FALSE(LogLine("idle").contains("request_id"));
}

// Bytes written to stdout so far (while captured: a file).
long StdoutBytes() {
  struct stat st {};
  fstat(STDOUT_FILENO, &st);
  return static_cast<long>(st.st_size);
}

TEST(Log, AnAccessLineIsTheObjectLogWouldWrite) {
  InitLogging("info");
  ::testing::internal::CaptureStdout();
  LogAccess({.request_id = "r\"1\\\n\x01",
             .method = "POST",
             .route = "/api/onboarding/step",
             .status = 503,
             .duration_us = 1234,
             .bytes_in = 10,
             .bytes_out = 20,
             .user = "0123abcd",
             .trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
             .span_id = "00f067aa0ba902b7"});
  Log(Level::kInfo, "request",
      {{"request_id", "r\"1\\\n\x01"},
       {"method", "POST"},
       {"route", "/api/onboarding/step"},
       {"status", 503},
       {"duration_us", 1234},
       {"bytes_in", 10},
       {"bytes_out", 20},
       {"user", "0123abcd"},
       {"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"},
       {"span_id", "00f067aa0ba902b7"}});
  std::istringstream out(::testing::internal::GetCapturedStdout());
  std::vector<json::object> lines;
  for (std::string line; std::getline(out, line);) lines.push_back(json::parse(line).as_object());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].at("ts").is_string());
  lines[0].erase("ts");
  lines[1].erase("ts");
  EXPECT_EQ(lines[0], lines[1]) << json::serialize(lines[0]) << "\n" << json::serialize(lines[1]);
}

TEST(Log, AccessLinesAreBufferedUntilAnEventLineOrASecondPasses) {
  InitLogging("info");
  ::testing::internal::CaptureStdout();
  // Not written at once. The periodic flush may fall between the two calls: one of three
  // tries is enough.
  bool held = false;
  for (int i = 0; i < 3 && !held; ++i) {
    const long before = StdoutBytes();
    LogAccess({.route = "/held"});
    held = StdoutBytes() == before;
  }
  Log(Level::kInfo, "event");
  const long after_event = StdoutBytes();
  LogAccess({.route = "/later"});
  bool flushed = false;
  for (int i = 0; i < 60 && !flushed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    flushed = StdoutBytes() > after_event;
  }
  std::vector<json::object> lines;
  std::istringstream out(::testing::internal::GetCapturedStdout());
  for (std::string line; std::getline(out, line);) lines.push_back(json::parse(line).as_object());

  EXPECT_TRUE(held) << "an access line is not written by itself";
  EXPECT_TRUE(flushed) << "but within a second without another line";
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[lines.size() - 3].at("event"), "request") << "the event line wrote it first";
  EXPECT_EQ(lines[lines.size() - 2].at("event"), "event");
  EXPECT_EQ(lines.back().at("route"), "/later");
}

TEST(ProcessMetrics, ReadsThisProcess) {
  ProcessSample sample = SampleProcess();
  ASSERT_TRUE(sample.resident_bytes && sample.open_fds && sample.threads &&
              sample.start_time_seconds && sample.virtual_bytes);
  EXPECT_GT(*sample.resident_bytes, 1e5);
  EXPECT_GE(*sample.open_fds, 3);  // stdin, stdout, stderr
  EXPECT_GE(*sample.threads, 1);
  EXPECT_GE(sample.cpu_seconds, 0);
  EXPECT_GT(*sample.start_time_seconds, 1.6e9);
  Registry registry;
  RegisterProcessMetrics(registry);
  const std::string text = registry.Render();
  for (const char* family :
       {"# TYPE process_cpu_seconds_total counter", "# TYPE process_resident_memory_bytes gauge",
        "# TYPE process_open_fds gauge", "\nprocess_max_fds ", "\nprocess_start_time_seconds "}) {
    EXPECT_NE(text.find(family), std::string::npos) << family << "\n" << text;
  }
}

}  // namespace
}  // namespace onboardd::observability
