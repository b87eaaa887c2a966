-- Wraps a route script ($ROUTE_SCRIPT, absolute path; none: plain GETs of the URL) and adds
-- the one-line result bench/run parses: wrk's --latency stops at p99, this adds p99.9 and the
-- error counts. Latencies are in microseconds.
local route = os.getenv("ROUTE_SCRIPT")
if route and route ~= "" then dofile(route) end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d " ..
    "max_us=%d socket_errors=%d non2xx=%d timeouts=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, e.connect + e.read + e.write, e.status, e.timeout))
end
