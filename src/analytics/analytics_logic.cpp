// Dates use Howard Hinnant's days_from_civil / civil_from_days (public domain), exact for the
// proleptic Gregorian calendar.
#include "analytics/analytics_logic.hpp"

#include <fmt/format.h>

#include <cctype>

namespace onboardd::analytics {

namespace json = boost::json;

namespace {

int DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

core::Error ParameterError(std::string name, std::string es, std::string en) {
  return core::ValidationError({{std::move(name), {std::move(es), std::move(en)}}});
}

}  // namespace

std::optional<Date> ParseDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(t[i]))) return std::nullopt;
  }
  auto number = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (t[i] - '0');
    return v;
  };
  const int y = number(0, 4);
  const unsigned m = static_cast<unsigned>(number(5, 2));
  const unsigned d = static_cast<unsigned>(number(8, 2));
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return std::nullopt;
  return Date{DaysFromCivil(y, m, d)};
}

std::string FormatDate(Date date) {
  const int z = date.days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int y = static_cast<int>(yoe) + era * 400 + (m <= 2);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

core::Result<DateRange> ParseRange(std::string_view from, std::string_view to, Date today) {
  DateRange range;
  range.to = today;
  if (!to.empty()) {
    auto parsed = ParseDate(to);
    if (!parsed) {
      return ParameterError("to", "Debe ser una fecha AAAA-MM-DD", "Must be a YYYY-MM-DD date");
    }
    range.to = *parsed;
  }
  range.from = Date{range.to.days - (kDefaultDays - 1)};
  if (!from.empty()) {
    auto parsed = ParseDate(from);
    if (!parsed) {
      return ParameterError("from", "Debe ser una fecha AAAA-MM-DD", "Must be a YYYY-MM-DD date");
    }
    range.from = *parsed;
  }
  if (range.from > range.to) {
    return ParameterError("from", "No puede ser posterior a «to»", "Cannot be after 'to'");
  }
  if (range.to.days - range.from.days + 1 > kMaxDays) {
    const std::string days = std::to_string(kMaxDays);
    return ParameterError("to", "Como mucho " + days + " días desde «from»",
                          "At most " + days + " days from 'from'");
  }
  return range;
}

bool IsOpsToken(std::string_view authorization, std::string_view ops_token) {
  constexpr std::string_view kScheme = "bearer ";
  if (ops_token.empty() || authorization.size() < kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return false;
  }
  const std::string_view presented = authorization.substr(kScheme.size());
  // Every byte of ops_token is compared, whatever the presented token holds: the time
  // depends on ops_token's length alone, which the server knows anyway.
  volatile unsigned char difference = presented.size() == ops_token.size() ? 0 : 1;
  for (std::size_t i = 0; i < ops_token.size(); ++i) {
    const unsigned char given = i < presented.size() ? static_cast<unsigned char>(presented[i]) : 0;
    difference = difference | (given ^ static_cast<unsigned char>(ops_token[i]));
  }
  return difference == 0;
}

json::object BuildAnalyticsBody(json::object report, const Scope& scope, const DateRange& range,
                                const catalog::Snapshot& snapshot, bool english) {
  if (json::value* steps = report.if_contains("steps"); steps && steps->is_array()) {
    for (json::value& entry : steps->as_array()) {
      if (!entry.is_object()) continue;
      json::object& step = entry.as_object();
      const json::value* flow_id = step.if_contains("flow");
      const json::value* number = step.if_contains("step");
      const catalog::Flow* flow =
          flow_id && flow_id->is_string() ? snapshot.FindFlow(flow_id->as_string()) : nullptr;
      const catalog::StepDef* def = flow && number && number->is_int64()
                                        ? flow->FindStep(static_cast<int>(number->as_int64()))
                                        : nullptr;
      step["name"] = def ? json::value(def->id) : json::value(nullptr);
      step["title"] = def ? json::value(def->title.In(english)) : json::value(nullptr);
    }
  }
  if (json::value* industries = report.if_contains("topIndustries");
      industries && industries->is_array()) {
    for (json::value& entry : industries->as_array()) {
      if (!entry.is_object()) continue;
      json::object& industry = entry.as_object();
      const json::value* id = industry.if_contains("industry");
      const catalog::Industry* known =
          id && id->is_string() ? snapshot.FindIndustry(id->as_string()) : nullptr;
      industry["name"] = known ? json::value(known->name.In(english)) : json::value(nullptr);
    }
  }
  json::object body{
      {"success", true},
      {"scope", json::object{{"organizationId", scope.organization_id.empty()
                                                    ? json::value(nullptr)
                                                    : json::value(scope.organization_id)},
                             {"allOrganizations", scope.organization_id.empty()}}},
      {"range", json::object{{"from", FormatDate(range.from)},
                             {"to", FormatDate(range.to)},
                             {"days", range.to.days - range.from.days + 1},
                             {"timeZone", "UTC"}}}};
  for (auto& [key, value] : report) body[key] = std::move(value);
  return body;
}

}  // namespace onboardd::analytics
