// The connections of one I/O thread. Each thread has its own Pool on its own io_context, so
// nothing here is shared between threads and nothing locks. A request borrows a connection
// for one pipeline; when all are busy it queues (FIFO) and waits for one until its own
// deadline, unless admission control (admission.hpp) refuses it at once: the queue is full,
// or it has stood above its target delay for an interval without draining — real overload,
// not a pause. Broken connections are reopened in the background with backoff (capped at
// 250 ms, so the pool is whole again quickly after a database restart); while none is
// healthy, requests fail at once instead of waiting. Metrics (summed over every thread's
// pool): onboardd_db_pool_connections, _connections_in_use, _waiting, _unavailable_total,
// _shed_total, the wait histogram onboardd_db_pool_wait_seconds and
// onboardd_db_pipeline_duration_seconds.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "db/admission.hpp"
#include "db/key_turns.hpp"
#include "db/pg_connection.hpp"

namespace onboardd::db {

struct PoolOptions {
  std::string conninfo;
  int connections = 4;
  std::chrono::milliseconds connect_timeout{2000};
  bool use_prepared = true;
  AdmissionOptions admission;  // when a request that must wait is refused instead
};

class Pool {
 public:
  Pool(boost::asio::io_context& io, PoolOptions options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Opens every connection (concurrently); returns how many succeeded. Those that failed
  // keep retrying in the background. Call on the pool's thread.
  boost::asio::awaitable<int> Start();

  // Stops reconnecting and closes every connection.
  void Shutdown();

  // Runs the steps on a free connection as one pipeline, waiting for one up to `deadline`.
  // Failure codes (all kUnavailable, Retry-After 1 s): no connection is healthy; admission
  // control refused to queue the request (queue full or overloaded: at once); the deadline
  // passed while queued; or the connection broke before anything was sent and no other
  // healthy connection exists. kAlreadyAdmitted (a write that waited for its turn): the
  // standing-queue test does not refuse it, the queue's length bound still does.
  // A connection that broke after sending is NOT retried (a write may have committed).
  boost::asio::awaitable<core::Result<PgConnection::Outcome>> Run(
      std::vector<PipelineStep> steps, core::Deadline deadline,
      Admission admission = Admission::kGated);

  // Asked before the work that leads to Run — a write's body parsed and validated, its turn
  // taken: kUnavailable (Retry-After 1 s, counted as shed) when Run would refuse it at once
  // now, every connection being busy and the admission gate refusing the wait. Refused by
  // Run instead, the 503 would come after that work, and after the wait for the turn.
  core::Status Screen(core::Deadline deadline);

  // Waits for `key`'s turn before a write that would contend for the same rows (a user's
  // draft): see key_turns.hpp. Hold the Turn across the Run calls of the write; it costs no
  // connection while waiting. kUnavailable (Retry-After 1 s) when the deadline passes first
  // or the pool shuts down. A write that waited for its turn then runs with
  // Admission::kAlreadyAdmitted. While this pool's queue stands, a write whose key is held is
  // refused at once: its wait would be the write ahead's wait in that queue, then its own
  // (Screen judged only the second), and it would reach the queue's head stale.
  boost::asio::awaitable<core::Result<KeyTurns::Turn>> TakeTurn(std::string key,
                                                                core::Deadline deadline) {
    return turns_.Wait(std::move(key), deadline, !admission_.overloaded());
  }

  int healthy_connections() const;
  int size() const { return static_cast<int>(connections_.size()); }

 private:
  struct Slot;
  struct Waiter;
  boost::asio::awaitable<void> Reconnect(Slot* slot);
  // A waiter left the queue: tells the admission gate, and the gauges when it changes state.
  void GateLeft(core::SteadyClock::time_point now, core::SteadyClock::duration sojourn,
                bool served);
  // A request took a free connection without waiting: the same.
  void GateServedAtOnce(core::SteadyClock::time_point now);
  void ReportStanding(bool stood);  // the gauges, when the state is no longer `stood`
  void Release(Slot* slot);
  Slot* TakeFree();

  boost::asio::io_context& io_;
  const PoolOptions options_;
  std::vector<std::unique_ptr<Slot>> connections_;
  std::deque<std::shared_ptr<Waiter>> waiters_;
  AdmissionGate admission_;
  KeyTurns turns_;
  bool shut_down_ = false;
  int in_use_ = 0;  // slots running a pipeline for Run (its share of the in-use gauge)
};

// The pools of every I/O thread, indexed by worker (http::Request::worker). Made once at
// start-up with one empty place per worker and handed to the routes when they are
// registered; each worker fills and empties its own place on its own thread (the server's
// OnThreadStart / OnThreadStop), and only that thread uses the pool it holds. The vector
// itself never changes size, so reading a place never races with another worker's.
class Pools {
 public:
  explicit Pools(int workers) : pools_(static_cast<std::size_t>(workers)) {}
  Pools(const Pools&) = delete;
  Pools& operator=(const Pools&) = delete;

  int workers() const { return static_cast<int>(pools_.size()); }

  // On worker `worker`'s thread: makes its pool on `io` (not yet started) and returns it.
  Pool& Emplace(int worker, boost::asio::io_context& io, PoolOptions options);
  // On worker `worker`'s thread: shuts its pool down and destroys it.
  void Reset(int worker);

  // The pool of `worker`, for use on that worker's thread only; kUnavailable (with
  // Retry-After) when the worker has none (no database configured, or not started).
  core::Result<Pool*> For(int worker) const;

 private:
  std::vector<std::unique_ptr<Pool>> pools_;
};

}  // namespace onboardd::db
