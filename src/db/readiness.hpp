// Is the database ready for this binary? Reachable by the app role, and holding exactly the
// migrations compiled in (same versions, same checksums). Used by GET /readyz.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "core/result.hpp"
#include "db/pg_pool.hpp"

namespace onboardd::db {

// kUnavailable when the database cannot be reached in time, kPreconditionFailed when its
// migrations differ from the binary's; both with a message saying which.
boost::asio::awaitable<core::Status> CheckReady(Pool& pool);

}  // namespace onboardd::db
