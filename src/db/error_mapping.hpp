// SQLSTATE → error code, in one place (SPEC §7). Callers that know better (a unique
// violation that means "already exists") may still look at the SQLSTATE themselves.
#pragma once

#include "core/error.hpp"
#include "db/pg_connection.hpp"

namespace onboardd::db {

// connection loss, statement timeout, too many connections → kUnavailable (Retry-After 1);
// 23505 unique → kConflict; 42501 (RLS or privilege) → kNotFound, so another tenant's rows
// are never confirmed to exist; 23503 foreign key → kNotFound; 23502/23514/22xxx →
// kValidation; 40001/40P01 (retried once by TenantTransaction) → kUnavailable; anything
// else → kInternal (and logged with the server's message, never with parameters).
core::Error MapFailure(const PgFailure& failure, std::string_view request_id);

// True for serialization failures and deadlocks: worth one retry.
bool IsRetryable(const PgFailure& failure);

// Counts a transaction sent again (one more round trip for its request) in
// onboardd_db_transaction_retries_total{sqlstate}: TenantTransaction for 40001/40P01, stores
// for their own retries (a lost race for a unique value: 23505).
void CountRetry(std::string_view sqlstate);

}  // namespace onboardd::db
