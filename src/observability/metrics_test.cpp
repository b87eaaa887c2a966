#include "observability/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace onboardd::observability {
namespace {

TEST(Metrics, CountersAreSharedByNameAndLabels) {
  Registry r;
  r.GetCounter("requests_total", "Requests.", {{"route", "/a"}}).Add();
  r.GetCounter("requests_total", "Requests.", {{"route", "/a"}}).Add(2);
  r.GetCounter("requests_total", "Requests.", {{"route", "/b"}}).Add();
  std::string text = r.Render();
  EXPECT_NE(text.find("# TYPE requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("requests_total{route=\"/a\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("requests_total{route=\"/b\"} 1\n"), std::string::npos) << text;
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Registry r;
  auto& h = r.GetHistogram("latency_seconds", "Latency.", {{"route", "/x"}});
  h.Observe(0.0001);
  h.Observe(0.003);
  h.Observe(100);
  std::string text = r.Render();
  EXPECT_NE(text.find("latency_seconds_bucket{route=\"/x\",le=\"0.00025\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("latency_seconds_bucket{route=\"/x\",le=\"0.005\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("latency_seconds_count{route=\"/x\"} 3\n"), std::string::npos) << text;
}

TEST(Metrics, ConcurrentUpdatesAreNotLost) {
  Registry r;
  auto& c = r.GetCounter("c_total", "C.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) c.Add();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value(), 40000u);
}

TEST(Metrics, LabelValuesAreEscaped) {
  Registry r;
  r.GetGauge("g", "G.", {{"v", "a\"b\\c"}}).Set(5);
  EXPECT_NE(r.Render().find("g{v=\"a\\\"b\\\\c\"} 5"), std::string::npos) << r.Render();
}

}  // namespace
}  // namespace onboardd::observability
