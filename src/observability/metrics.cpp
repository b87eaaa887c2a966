// Series are kept in std::deque-like stable storage (unique_ptr per series) so references
// handed out never move; the mutex guards only registration and rendering.
#include "observability/metrics.hpp"

#include <fmt/format.h>

#include <map>
#include <mutex>

namespace onboardd::observability {
namespace {

std::string Escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string LabelText(const Labels& labels, std::string_view extra_name = {},
                      std::string_view extra_value = {}) {
  std::string out;
  for (const auto& [k, v] : labels) {
    out += out.empty() ? "{" : ",";
    out += fmt::format("{}=\"{}\"", k, Escape(v));
  }
  if (!extra_name.empty()) {
    out += out.empty() ? "{" : ",";
    out += fmt::format("{}=\"{}\"", extra_name, extra_value);
  }
  if (!out.empty()) out += "}";
  return out;
}

}  // namespace

void Histogram::Observe(double seconds) {
  std::size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  auto nanos = seconds <= 0 ? 0 : static_cast<std::uint64_t>(seconds * 1e9);
  sum_nanos_.fetch_add(nanos, std::memory_order_relaxed);
}

struct Registry::Impl {
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Gauge>> gauges;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
  };
  mutable std::mutex mutex;
  std::map<std::string, Family, std::less<>> families;
  std::vector<std::function<void(std::string&)>> collectors;

  Family& FamilyFor(std::string_view name, std::string_view help, Kind kind) {
    auto it = families.find(name);
    if (it == families.end()) {
      it = families.emplace(std::string(name), Family{kind, std::string(help), {}, {}, {}}).first;
    }
    return it->second;
  }
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

Counter& Registry::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(impl_->mutex);
  auto& slot = impl_->FamilyFor(name, help, Impl::Kind::kCounter).counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(impl_->mutex);
  auto& slot = impl_->FamilyFor(name, help, Impl::Kind::kGauge).gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::GetHistogram(std::string_view name, std::string_view help,
                                  const Labels& labels) {
  std::lock_guard lock(impl_->mutex);
  auto& slot = impl_->FamilyFor(name, help, Impl::Kind::kHistogram).histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>();
  return *slot;
}

void Registry::AddCollector(std::function<void(std::string&)> collect) {
  std::lock_guard lock(impl_->mutex);
  impl_->collectors.push_back(std::move(collect));
}

std::string Registry::Render() const {
  std::unique_lock lock(impl_->mutex);
  std::string out;
  for (const auto& [name, family] : impl_->families) {
    const char* type = family.kind == Impl::Kind::kCounter ? "counter"
                       : family.kind == Impl::Kind::kGauge ? "gauge"
                                                           : "histogram";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name, type);
    for (const auto& [labels, c] : family.counters) {
      out += fmt::format("{}{} {}\n", name, LabelText(labels), c->Value());
    }
    for (const auto& [labels, g] : family.gauges) {
      out += fmt::format("{}{} {}\n", name, LabelText(labels), g->Value());
    }
    for (const auto& [labels, h] : family.histograms) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < Histogram::kBounds.size(); ++i) {
        cumulative += h->buckets_[i].load(std::memory_order_relaxed);
        out += fmt::format("{}_bucket{} {}\n", name,
                           LabelText(labels, "le", fmt::format("{}", Histogram::kBounds[i])),
                           cumulative);
      }
      cumulative += h->buckets_.back().load(std::memory_order_relaxed);
      out += fmt::format("{}_bucket{} {}\n", name, LabelText(labels, "le", "+Inf"), cumulative);
      out += fmt::format("{}_sum{} {:.6f}\n", name, LabelText(labels),
                         static_cast<double>(h->sum_nanos_.load(std::memory_order_relaxed)) / 1e9);
      out += fmt::format("{}_count{} {}\n", name, LabelText(labels), h->Count());
    }
  }
  const auto collectors = impl_->collectors;
  lock.unlock();
  for (const auto& collect : collectors) collect(out);
  return out;
}

Registry& Metrics() {
  static Registry registry;
  return registry;
}

}  // namespace onboardd::observability
