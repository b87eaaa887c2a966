// One statement per function. The caller's primary organization is resolved as the app role
// (its own profile, under RLS), then handed to the SECURITY DEFINER report, which checks the
// caller's admin membership itself: the C++ side decides nothing about access but the
// operator's token.
#include "analytics/analytics_store.hpp"

#include <boost/json/parse.hpp>

namespace onboardd::analytics {

namespace asio = boost::asio;
namespace json = boost::json;
using db::Param;
using db::Statement;

namespace {

// $1 organization or NULL, $2 from, $3 to, $4 every organization (operator without $1).
// Row: the organization reported on (NULL: all or none), the report (NULL: not allowed).
constexpr Statement kReadAnalytics{
    "analytics_read",
    "with o as (select coalesce($1::uuid, case when $4::bool then null else (select "
    "p.organization_id from public.profiles p where p.user_id = "
    "onboardd_private.current_user_id() and p.is_primary) end) as org) "
    "select o.org::text, onboardd_private.onboarding_analytics(o.org, $2::date, $3::date)::text "
    "from o"};

// $1 most rows.
constexpr Statement kCompactAnalytics{"analytics_compact",
                                      "select onboardd_private.compact_analytics($1::int)"};

}  // namespace

asio::awaitable<core::Result<std::optional<AnalyticsRead>>> ReadAnalytics(db::Pool& pool,
                                                                          db::TenantContext context,
                                                                          AnalyticsQuery query) {
  context.read_only = true;
  const bool everyone = context.operator_scope && query.organization_id.empty();
  db::TenantTransaction tx(std::move(context));
  std::size_t index = tx.Add(
      kReadAnalytics, {query.organization_id.empty() ? Param() : Param(query.organization_id),
                       Param(FormatDate(query.range.from)), Param(FormatDate(query.range.to)),
                       Param(everyone ? "true" : "false")});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[index];
  if (r.empty()) co_return core::MakeError(core::ErrorCode::kInternal);
  if (r.IsNull(0, 1)) co_return std::optional<AnalyticsRead>();
  boost::system::error_code ec;
  json::value report = json::parse(r.Get(0, 1), ec);
  if (ec || !report.is_object()) co_return core::MakeError(core::ErrorCode::kInternal);
  AnalyticsRead out;
  if (!r.IsNull(0, 0)) out.scope.organization_id = std::string(r.Get(0, 0));
  out.report = std::move(report.as_object());
  co_return std::optional<AnalyticsRead>(std::move(out));
}

asio::awaitable<core::Result<int>> CompactAnalytics(db::Pool& pool, core::Deadline deadline,
                                                    int max_rows) {
  db::TenantContext context;
  context.request_id = "compact-analytics";
  context.deadline = deadline;
  context.read_only = false;
  db::TenantTransaction tx(std::move(context));
  std::size_t index = tx.Add(kCompactAnalytics, {Param(std::to_string(max_rows))});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[index];
  co_return r.empty() ? 0 : std::atoi(std::string(r.Get(0, 0)).c_str());
}

}  // namespace onboardd::analytics
