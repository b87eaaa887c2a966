// The per-address limit of the public routes (every route that runs without a verified
// caller, except health, readiness and metrics): the catalog's `public.ip` rate limit,
// counted by cache::RateLimiter — in Redis, so every instance shares one count per address,
// or in process while Redis is absent or down. The http layer knows only the hook
// (http::PublicRateLimit); this file is where the catalog and the counter meet it.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <memory>
#include <string>

#include "cache/rate_limiter.hpp"
#include "catalog/catalog.hpp"
#include "http/router.hpp"

namespace onboardd::app {

// The counter's key of a client: "public.ip:203.0.113.7"; an IPv6 client by its /64
// ("public.ip:2001:db8:1:2::/64"), the block one subscriber usually holds, so that cycling
// through the addresses of one network does not multiply the limit.
std::string PublicRateLimitKey(const boost::asio::ip::address& client);

// The hook for Router::SetPublicRateLimit. Each call reads the current catalog snapshot
// (an Edge Config change applies to the next request): without a `public.ip` entry it
// answers nullopt (nothing limited); otherwise it counts the request with
// `limiter.Allow(worker, PublicRateLimitKey(client), limit, window)`, which never fails.
// `limiter` must outlive the router (declare the CacheSystem before it); the hook runs on
// the I/O thread `worker`, which must have been started (CacheSystem::StartWorker).
http::PublicRateLimit MakePublicRateLimit(cache::RateLimiter& limiter,
                                          std::shared_ptr<catalog::Catalog> catalog);

}  // namespace onboardd::app
