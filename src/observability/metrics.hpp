// Process-wide Prometheus metrics. Families and series are registered once (at start-up or
// on first use, under a mutex); updating a series is a relaxed atomic add, safe from any
// thread and cheap enough for every request. Render() produces the text exposition format
// for GET /metrics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onboardd::observability {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void Add(std::int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  void Set(std::int64_t n) { value_.store(n, std::memory_order_relaxed); }
  std::int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// Latency histogram with fixed buckets in seconds (0.25 ms … 10 s).
class Histogram {
 public:
  static constexpr std::array<double, 16> kBounds = {
      0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  void Observe(double seconds);
  std::uint64_t Count() const { return count_.load(std::memory_order_relaxed); }

 private:
  friend class Registry;
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_nanos_{0};
};

// Where series live. Returned references stay valid for the life of the registry.
class Registry {
 public:
  Registry();
  ~Registry();

  // Same (name, labels) → same series. `help` is taken from the first registration.
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels = {});

  // A family whose values are read when rendered rather than kept (process RSS, CPU time):
  // `collect` appends complete text-format lines (# HELP, # TYPE, samples) to its argument.
  // Called by Render on the rendering thread, after the kept families; must be thread-safe.
  void AddCollector(std::function<void(std::string&)> collect);

  std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The registry of this process.
Registry& Metrics();

}  // namespace onboardd::observability
