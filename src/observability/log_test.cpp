#include "observability/log.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

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
