// Writers of one key take turns before they take a database connection. N concurrent
// requests updating one user's draft would otherwise hold N pooled connections, N−1 of them
// blocked on the same row lock in PostgreSQL while other users' requests queue for a
// connection. Here they wait in process, holding nothing but their coroutine, in arrival
// order.
//
// Per I/O thread (each Pool owns one): requests of one user that land on different threads
// take turns on each thread separately, so at most one write of a user per thread holds a
// connection; across threads and across instances the row lock in PostgreSQL still orders
// them, as it did before.
//
// The lines are a queue like the pool's, and overload shows there first: past capacity, at
// most one write per user reaches the pool's queue, and the excess waits here. So the lines,
// taken together, have their own admission gate (admission.hpp: the pool's options, the
// standing wait at least an interval, since a closed loop of one user's tabs keeps a line full
// by design): a standing queue of turns refuses an arrival at once (503) instead of letting
// every user's line grow to the request deadline. The gate sees the lines as one queue, but a
// user's own line is served one write at a time, whatever the others do: a user whose writes arrive
// faster than one at a time can be served (an open-loop client, a script) has a line that
// grows while the gate's test, driven by every line's waits, may never see a standing queue.
// So a line that stands — held without a break for the gate's `interval`; a burst of one
// user's saves drains before — also refuses an arrival at once when it would keep it longer
// than an `interval` or past its deadline: the writes ahead of it times the recent time a
// turn was held (which includes each write's wait for a connection). 64 tabs re-saving one
// step for seconds stand, and wait about 32 turns of a few milliseconds each per thread:
// far below it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "db/admission.hpp"

namespace onboardd::db {

class KeyTurns {
  struct State;

 public:
  // The right to go ahead for one key, until destroyed or released; then the next waiter
  // for that key (if any) goes. Move-only. Outliving its KeyTurns is harmless.
  class Turn {
   public:
    Turn() = default;
    Turn(Turn&& other) noexcept = default;
    Turn& operator=(Turn&& other) noexcept;
    ~Turn() { Release(); }
    void Release();
    // True when this turn was granted after waiting in line behind an earlier write: the
    // write was admitted to wait once already (see Admission::kAlreadyAdmitted).
    bool waited() const { return waited_; }

   private:
    friend class KeyTurns;
    Turn(std::weak_ptr<State> state, std::string key, core::SteadyClock::time_point since,
         bool waited)
        : state_(std::move(state)), key_(std::move(key)), since_(since), waited_(waited) {}
    std::weak_ptr<State> state_;
    std::string key_;
    core::SteadyClock::time_point since_;
    bool waited_ = false;
  };

  explicit KeyTurns(AdmissionOptions admission = {});
  KeyTurns(const KeyTurns&) = delete;
  KeyTurns& operator=(const KeyTurns&) = delete;

  // Returns this key's turn: at once when no one holds it, else once every earlier waiter
  // for it has had its turn. kUnavailable (Retry-After 1 s) when `deadline` passes first or
  // Shutdown is called meanwhile, and at once when the admission gate refuses the wait.
  // Call on the owner's thread only; not thread-safe.
  // `may_wait` false: a key already held is refused at once instead of waited for (its
  // caller knows the queue after the turn stands, see Pool::TakeTurn).
  boost::asio::awaitable<core::Result<Turn>> Wait(std::string key, core::Deadline deadline,
                                                  bool may_wait = true);

  // Wakes every waiter with kUnavailable and refuses new ones.
  void Shutdown();

  // Keys held or waited for, and writes waiting in all lines (for tests and gauges).
  std::size_t keys() const;
  std::size_t waiting() const;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace onboardd::db
