// The one switch from PostgreSQL's SQLSTATE classes to the service's error codes.
#include "db/error_mapping.hpp"

#include "observability/log.hpp"
#include "observability/metrics.hpp"

namespace onboardd::db {

namespace {

core::Error Unavailable() {
  core::Error error = core::MakeError(core::ErrorCode::kUnavailable,
                                      {"La base de datos no está disponible; inténtalo de nuevo",
                                       "The database is unavailable; try again"});
  error.retry_after_seconds = 1;
  return error;
}

}  // namespace

void CountRetry(std::string_view sqlstate) {
  observability::Metrics()
      .GetCounter("onboardd_db_transaction_retries_total",
                  "Transactions sent again after a failure (one more round trip each).",
                  {{"sqlstate", std::string(sqlstate)}})
      .Add();
}

bool IsRetryable(const PgFailure& failure) {
  return failure.sqlstate == "40001" || failure.sqlstate == "40P01";
}

core::Error MapFailure(const PgFailure& failure, std::string_view request_id) {
  const std::string& s = failure.sqlstate;
  if (failure.connection_lost || s == "57014" || s == "57P01" || s == "57P02" || s == "57P03" ||
      s == "53300" || s == "53400" || s.starts_with("08") || IsRetryable(failure)) {
    return Unavailable();
  }
  if (s == "23505") return core::MakeError(core::ErrorCode::kConflict);
  if (s == "42501" || s == "23503") return core::MakeError(core::ErrorCode::kNotFound);
  if (s == "23502" || s == "23514" || s.starts_with("22")) {
    return core::MakeError(core::ErrorCode::kValidation);
  }
  observability::Log(observability::Level::kError, "db_error",
                     {{"request_id", request_id},
                      {"sqlstate", s},
                      {"step", failure.step},
                      {"message", failure.message}});
  return core::MakeError(core::ErrorCode::kInternal);
}

}  // namespace onboardd::db
