// The analytics' SQL: the report of GET /api/onboarding/analytics (one TenantTransaction, one
// round trip, through onboardd_private.onboarding_analytics — the SECURITY DEFINER door that
// decides who may see what; sql/README.md, "Analytics") and the periodic job that folds the
// rollup's deltas. Coroutines; call them on the I/O thread that owns `pool`. Errors:
// kUnavailable (database down, pool exhausted, deadline), kInternal (unexpected answer).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "analytics/analytics_logic.hpp"
#include "core/result.hpp"
#include "db/pg_pool.hpp"
#include "db/tenant_transaction.hpp"

namespace onboardd::analytics {

struct AnalyticsQuery {
  // The organization asked for (X-Organization-Id, a uuid); empty: the caller's primary
  // organization, or every organization for the operator (context.operator_scope).
  std::string organization_id;
  DateRange range;
};

struct AnalyticsRead {
  Scope scope;                 // the organization reported on (empty: every one)
  boost::json::object report;  // the SQL report (see migration "operations")
};

// The report, or nullopt when the caller may not see it: neither an admin (owner or admin
// role) of the organization nor the operator, or no such organization, or none at all (a
// caller without a primary organization and no X-Organization-Id). The route answers 404
// then, whichever it was.
boost::asio::awaitable<core::Result<std::optional<AnalyticsRead>>> ReadAnalytics(
    db::Pool& pool, db::TenantContext context, AnalyticsQuery query);

// The periodic job (no identity needed): folds at most `max_rows` of the rollup's deltas into
// it through onboardd_private.compact_analytics; returns how many (0 when another instance is
// folding right now). Run every few seconds from one thread; a backlog drains over runs.
boost::asio::awaitable<core::Result<int>> CompactAnalytics(db::Pool& pool, core::Deadline deadline,
                                                           int max_rows = 10000);

}  // namespace onboardd::analytics
