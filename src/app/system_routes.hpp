// Operational routes: /healthz (process alive), /readyz (dependencies ready), /metrics
// (Prometheus text).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>

#include "core/result.hpp"
#include "http/router.hpp"

namespace onboardd::app {

// Each check answers ok or an error whose message says what is not ready; it runs on the
// worker (I/O thread) given, whose per-thread resources it may use.
using ReadinessCheck = std::function<boost::asio::awaitable<core::Status>(int worker)>;

void RegisterSystemRoutes(http::Router& router, ReadinessCheck database_ready);

}  // namespace onboardd::app
