// One PostgreSQL connection driven by Asio: libpq in non-blocking pipeline mode, its socket
// watched by the io_context of the thread that owns the connection. A Pipeline (any number
// of statements, then one Sync) is sent in one write and its results read back: one network
// round trip. Statements are prepared once per connection (inside the same pipeline the
// first time) unless prepared statements are off (transaction-mode poolers).
//
// Thread-safety: none. A connection lives on one io_context and is used by one coroutine at
// a time (the Pool guarantees it).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "db/pg_result.hpp"

struct pg_conn;

namespace onboardd::db {

// A statement known at compile time: `name` identifies its prepared form on each connection.
struct Statement {
  std::string_view name;
  std::string_view sql;
};

// One parameter: NULL, text, or binary (bytea).
struct Param {
  std::optional<std::string> value;
  bool binary = false;

  Param() = default;
  Param(std::nullopt_t) {}
  Param(std::string text) : value(std::move(text)) {}
  Param(std::string_view text) : value(std::string(text)) {}
  Param(const char* text) : value(std::string(text)) {}
  static Param Binary(std::string bytes) {
    Param p(std::move(bytes));
    p.binary = true;
    return p;
  }
  static Param Optional(const std::optional<std::string>& text) {
    return text ? Param(*text) : Param();
  }
};

struct PipelineStep {
  Statement statement;
  std::vector<Param> params;
  // A Sync goes before this step: the steps before it commit (or roll back) as one implicit
  // transaction, and this one begins the next, in the same round trip. What must follow a
  // commit (its WAL position) is read this way.
  bool sync_before = false;
};

// Why a pipeline failed, with enough to map it (see error_mapping.hpp).
struct PgFailure {
  std::string sqlstate;  // "23505", ... ; empty for connection-level failures
  std::string message;   // the server's message (never shown to clients)
  int step = -1;         // index of the failing step, -1 for connection-level
  bool connection_lost = false;
  bool sent = false;  // false: nothing reached the server, safe to retry anywhere
};

class PgConnection {
 public:
  PgConnection(boost::asio::io_context& io, std::string conninfo, bool use_prepared);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Connects without blocking (PQconnectStart/PQconnectPoll), enters pipeline mode.
  boost::asio::awaitable<bool> Connect(std::chrono::milliseconds timeout);

  bool healthy() const;
  const std::string& last_error() const { return last_error_; }

  // Runs the steps as one pipeline (one round trip) and returns one Rows per step, or the
  // failure. The server runs them as one implicit transaction: a failure rolls back every
  // step. `give_up` bounds the wait; past it the connection is closed (and unhealthy).
  struct Outcome {
    std::vector<Rows> rows;
    std::optional<PgFailure> failure;
  };
  boost::asio::awaitable<Outcome> Run(std::vector<PipelineStep> steps, core::Deadline give_up);

  // While idle in a pool: notices the server closing the connection (restart, admin kill)
  // so that it is reconnected before a request needs it. Returns when the connection broke
  // or StopWatching() was called.
  boost::asio::awaitable<void> WatchIdle();
  void StopWatching();

  // Number of pipelines sent (round trips) by this connection.
  std::uint64_t round_trips() const { return round_trips_; }

 private:
  struct Socket;
  boost::asio::awaitable<Outcome> RunPipeline(std::vector<PipelineStep> steps,
                                              core::Deadline give_up);
  // Waits until the socket is ready; false when cancelled or the run's timer fired.
  boost::asio::awaitable<bool> WaitSocket(bool write);
  // The give-up timer of the current socket: at `give_up` the socket's waits are cancelled
  // and it counts as timed out. Disarm() ends the arming (the handler of a timer that had
  // already fired may still run later, and then does nothing).
  void ArmGiveUp(core::Deadline give_up);
  void DisarmGiveUp();
  void Close(std::string reason);

  boost::asio::io_context& io_;
  const std::string conninfo_;
  const bool use_prepared_;
  pg_conn* conn_ = nullptr;
  // Shared only with the give-up timer's handler, which holds it weakly.
  std::shared_ptr<Socket> socket_;
  std::unordered_set<std::string_view> prepared_;  // names point to static Statement text
  std::string last_error_;
  std::uint64_t round_trips_ = 0;
  bool watching_ = false;
};

}  // namespace onboardd::db
