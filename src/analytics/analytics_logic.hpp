// The decisions of GET /api/onboarding/analytics that need no database: which days a request
// asks for, whether it carries the operator's token, and the answer's final shape (the SQL
// report, onboardd_private.onboarding_analytics, with names from the catalog). Pure functions;
// thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/snapshot.hpp"
#include "core/result.hpp"

namespace onboardd::analytics {

// A calendar day (proleptic Gregorian), compared and subtracted as days since 1970-01-01.
struct Date {
  int days = 0;  // since 1970-01-01

  friend auto operator<=>(const Date&, const Date&) = default;
};

// "YYYY-MM-DD" for years 1900..9999 and real days (2024-02-29 yes, 2023-02-29 no); nullopt
// for anything else, a time of day included.
std::optional<Date> ParseDate(std::string_view text);
std::string FormatDate(Date date);

// The days a report covers, both included, in UTC.
struct DateRange {
  Date from;
  Date to;
};

constexpr int kDefaultDays = 30;  // the range when neither bound is given, ending today
constexpr int kMaxDays = 366;     // the longest range

// The range of `?from=&to=` (either may be empty): `to` defaults to `today`, `from` to
// kDefaultDays days ending at `to`. Fails with kValidation naming the parameter: "from" or
// "to" that is not a date, "from" after "to", or "to" more than kMaxDays days from "from".
core::Result<DateRange> ParseRange(std::string_view from, std::string_view to, Date today);

// True when `authorization` is "Bearer <ops_token>" (scheme case-insensitive) and ops_token
// is set. The comparison takes the same time wherever the presented token differs from
// ops_token, so that timing reveals nothing of it.
bool IsOpsToken(std::string_view authorization, std::string_view ops_token);

// Whose funnel an answer is.
struct Scope {
  std::string organization_id;  // empty: every organization
};

// The answer: {success, scope: {organizationId, allOrganizations}, range: {from, to, days,
// timeZone}, ...the SQL report} with each step's id and title (steps[].name, .title) and
// each industry's name added from the catalog (in Spanish, or English with `english`).
boost::json::object BuildAnalyticsBody(boost::json::object report, const Scope& scope,
                                       const DateRange& range, const catalog::Snapshot& snapshot,
                                       bool english);

}  // namespace onboardd::analytics
