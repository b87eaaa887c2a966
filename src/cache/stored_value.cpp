// The envelope is text up to the payload so that redis-cli shows what is cached and why.
#include "cache/stored_value.hpp"

#include <array>
#include <charconv>
#include <random>

namespace onboardd::cache {
namespace {

bool ParseInt(std::string_view text, std::int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

std::string EncodeStoredValue(const StoredValue& value) {
  std::string out;
  out.reserve(value.payload.size() + value.tags.epoch.size() + value.tags.generation.size() + 48);
  out += "v1|";
  out += value.tags.epoch;
  out += '|';
  out += value.tags.generation;
  out += '|';
  out += std::to_string(value.refresh_at_ms);
  out += '|';
  out += std::to_string(value.expires_at_ms);
  out += '|';
  out += value.payload;
  return out;
}

std::optional<StoredValue> DecodeStoredValue(std::string_view bytes) {
  constexpr std::string_view kVersion = "v1|";
  if (!bytes.starts_with(kVersion)) return std::nullopt;
  bytes.remove_prefix(kVersion.size());
  std::array<std::string_view, 4> fields;
  for (auto& field : fields) {
    const auto bar = bytes.find('|');
    if (bar == std::string_view::npos) return std::nullopt;
    field = bytes.substr(0, bar);
    bytes.remove_prefix(bar + 1);
  }
  StoredValue value;
  value.tags.epoch = fields[0];
  value.tags.generation = fields[1];
  if (value.tags.epoch.empty() || value.tags.generation.empty() ||
      !ParseInt(fields[2], value.refresh_at_ms) || !ParseInt(fields[3], value.expires_at_ms)) {
    return std::nullopt;
  }
  value.payload = bytes;
  return value;
}

Verdict Judge(const RedisView& view) {
  Verdict verdict;
  if (!view.epoch || !view.generation || view.epoch->empty() || view.generation->empty()) {
    return verdict;
  }
  verdict.current = Tags{*view.epoch, *view.generation};
  if (!view.value) return verdict;
  auto stored = DecodeStoredValue(*view.value);
  if (stored && stored->tags == *verdict.current) verdict.hit = std::move(stored);
  return verdict;
}

std::string RandomTag() {
  thread_local std::mt19937_64 generator{[] {
    std::random_device entropy;
    std::seed_seq seed{entropy(), entropy(), entropy(), entropy()};
    return std::mt19937_64(seed);
  }()};
  return std::to_string(generator());
}

}  // namespace onboardd::cache
