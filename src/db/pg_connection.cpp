// libpq lives here and nowhere else in the server. The socket is watched with
// posix::stream_descriptor::async_wait and never read by Asio: libpq reads and writes it,
// Asio only says when it is ready. A per-run timer closes the connection when the server
// does not answer before the give-up time (statement_timeout normally fires first).
#include "db/pg_connection.hpp"

#include <libpq-fe.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace onboardd::db {

namespace asio = boost::asio;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct PgConnection::Socket {
  explicit Socket(asio::io_context& io, int fd) : descriptor(io, fd), timer(io) {}
  ~Socket() {
    boost::system::error_code ignored;
    descriptor.cancel(ignored);
    descriptor.release();  // libpq owns the descriptor and closes it in PQfinish
  }
  asio::posix::stream_descriptor descriptor;
  asio::steady_timer timer;
  bool timed_out = false;
  std::uint64_t watch_generation = 0;
  std::uint64_t arming = 0;  // which ArmGiveUp the timer's pending handler belongs to
};

PgConnection::PgConnection(asio::io_context& io, std::string conninfo, bool use_prepared)
    : io_(io), conninfo_(std::move(conninfo)), use_prepared_(use_prepared) {}

PgConnection::~PgConnection() { Close("destroyed"); }

bool PgConnection::healthy() const { return conn_ && PQstatus(conn_) == CONNECTION_OK && socket_; }

void PgConnection::Close(std::string reason) {
  last_error_ = std::move(reason);
  socket_.reset();
  if (conn_) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
  prepared_.clear();
}

asio::awaitable<bool> PgConnection::WaitSocket(bool write) {
  auto [ec] =
      co_await socket_->descriptor.async_wait(write ? asio::posix::stream_descriptor::wait_write
                                                    : asio::posix::stream_descriptor::wait_read,
                                              kTuple);
  co_return !ec && !socket_->timed_out;
}

// cancel() cannot recall a timer handler that is already queued (the timer fired just as the
// wait it bounds completed): that handler may run after the socket was replaced or closed, or
// during the next arming. So it holds the socket weakly and acts only for its own arming.
void PgConnection::ArmGiveUp(core::Deadline give_up) {
  Socket& s = *socket_;
  const std::uint64_t arming = ++s.arming;
  s.timed_out = false;
  s.timer.expires_at(give_up);
  s.timer.async_wait([weak = std::weak_ptr<Socket>(socket_), arming](boost::system::error_code ec) {
    const auto socket = weak.lock();
    if (ec || !socket || socket->arming != arming) return;
    socket->timed_out = true;
    socket->descriptor.cancel();
  });
}

void PgConnection::DisarmGiveUp() {
  if (!socket_) return;
  ++socket_->arming;
  socket_->timer.cancel();
}

asio::awaitable<bool> PgConnection::Connect(std::chrono::milliseconds timeout) {
  Close("");
  conn_ = PQconnectStart(conninfo_.c_str());
  if (!conn_ || PQstatus(conn_) == CONNECTION_BAD) {
    Close(conn_ ? PQerrorMessage(conn_) : "out of memory");
    co_return false;
  }
  PQsetnonblocking(conn_, 1);
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  auto give_up = core::SteadyClock::now() + timeout;
  int fd = PQsocket(conn_);
  socket_ = std::make_shared<Socket>(io_, fd);
  PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
  while (poll != PGRES_POLLING_OK) {
    if (poll == PGRES_POLLING_FAILED) {
      Close(PQerrorMessage(conn_));
      co_return false;
    }
    if (PQsocket(conn_) != fd) {  // libpq may open a new socket (another address, SSL retry)
      socket_.reset();
      fd = PQsocket(conn_);
      socket_ = std::make_shared<Socket>(io_, fd);
    }
    ArmGiveUp(give_up);
    bool ready = co_await WaitSocket(poll == PGRES_POLLING_WRITING);
    DisarmGiveUp();
    if (!ready) {
      Close("connect timed out");
      co_return false;
    }
    poll = PQconnectPoll(conn_);
  }
  if (PQenterPipelineMode(conn_) != 1) {
    Close(PQerrorMessage(conn_));
    co_return false;
  }
  last_error_.clear();
  co_return true;
}

asio::awaitable<PgConnection::Outcome> PgConnection::Run(std::vector<PipelineStep> steps,
                                                         core::Deadline give_up) {
  Outcome outcome = co_await RunPipeline(std::move(steps), give_up);
  DisarmGiveUp();
  co_return outcome;
}

asio::awaitable<PgConnection::Outcome> PgConnection::RunPipeline(std::vector<PipelineStep> steps,
                                                                 core::Deadline give_up) {
  Outcome outcome;
  auto fail_connection = [&](std::string message, bool sent) {
    PgFailure failure;
    failure.message = std::move(message);
    failure.connection_lost = true;
    failure.sent = sent;
    outcome.failure = std::move(failure);
    Close(outcome.failure->message);
  };
  if (!healthy()) {
    fail_connection("not connected: " + last_error_, false);
    co_return outcome;
  }

  // What the server will answer, in order: prepares and executions.
  struct Expected {
    int step;
    bool prepare;
    bool sync = false;  // the result of a Sync between transactions
  };
  std::vector<Expected> expected;
  std::vector<std::string_view> newly_prepared;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& step = steps[i];
    if (step.sync_before) {
      if (PQpipelineSync(conn_) != 1) {
        fail_connection(PQerrorMessage(conn_), false);
        co_return outcome;
      }
      expected.push_back({static_cast<int>(i), false, true});
    }
    int n = static_cast<int>(step.params.size());
    std::vector<const char*> values(n);
    std::vector<int> lengths(n), formats(n);
    for (int p = 0; p < n; ++p) {
      const auto& param = step.params[p];
      values[p] = param.value ? param.value->data() : nullptr;
      lengths[p] = param.value ? static_cast<int>(param.value->size()) : 0;
      formats[p] = param.binary ? 1 : 0;
    }
    std::string name(step.statement.name);
    int ok = 1;
    if (use_prepared_) {
      bool known = prepared_.contains(step.statement.name) ||
                   std::find(newly_prepared.begin(), newly_prepared.end(), step.statement.name) !=
                       newly_prepared.end();
      if (!known) {
        std::string sql(step.statement.sql);
        ok = PQsendPrepare(conn_, name.c_str(), sql.c_str(), n, nullptr);
        expected.push_back({static_cast<int>(i), true});
        newly_prepared.push_back(step.statement.name);
      }
      if (ok) {
        ok = PQsendQueryPrepared(conn_, name.c_str(), n, values.data(), lengths.data(),
                                 formats.data(), 0);
      }
    } else {
      std::string sql(step.statement.sql);
      ok = PQsendQueryParams(conn_, sql.c_str(), n, nullptr, values.data(), lengths.data(),
                             formats.data(), 0);
    }
    if (!ok) {
      fail_connection(PQerrorMessage(conn_), false);
      co_return outcome;
    }
    expected.push_back({static_cast<int>(i), false});
  }
  if (PQpipelineSync(conn_) != 1) {
    fail_connection(PQerrorMessage(conn_), false);
    co_return outcome;
  }

  // Give up at `give_up`: cancel the socket waits; the connection is then closed.
  ArmGiveUp(give_up);

  // Send everything: one write (or a few for large bodies), then one read phase.
  int flush;
  while ((flush = PQflush(conn_)) == 1) {
    if (!co_await WaitSocket(true)) {
      fail_connection("timed out sending", true);
      co_return outcome;
    }
    if (PQconsumeInput(conn_) == 0) {
      fail_connection(PQerrorMessage(conn_), true);
      co_return outcome;
    }
  }
  if (flush < 0) {
    fail_connection(PQerrorMessage(conn_), false);
    co_return outcome;
  }
  ++round_trips_;

  auto next_result = [&]() -> asio::awaitable<PGresult*> {
    while (PQisBusy(conn_)) {
      if (!co_await WaitSocket(false)) co_return nullptr;
      if (PQconsumeInput(conn_) == 0) co_return nullptr;
    }
    co_return PQgetResult(conn_);
  };

  outcome.rows.resize(steps.size());
  for (const auto& e : expected) {
    PGresult* result = co_await next_result();
    if (!result) {
      fail_connection(socket_ && socket_->timed_out ? "timed out waiting for the server"
                                                    : PQerrorMessage(conn_),
                      true);
      co_return outcome;
    }
    if (e.sync) {  // between two transactions: no NULL follows it
      const bool in_step = PQresultStatus(result) == PGRES_PIPELINE_SYNC;
      PQclear(result);
      if (!in_step) {
        fail_connection("pipeline out of step at a Sync", true);
        co_return outcome;
      }
      continue;
    }
    auto status = PQresultStatus(result);
    if (status == PGRES_FATAL_ERROR && !outcome.failure) {
      PgFailure failure;
      const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
      failure.sqlstate = sqlstate ? sqlstate : "";
      failure.message = PQresultErrorMessage(result);
      failure.step = e.step;
      failure.sent = true;
      outcome.failure = std::move(failure);
    }
    if (e.prepare) {
      if (status == PGRES_COMMAND_OK) prepared_.insert(steps[e.step].statement.name);
      PQclear(result);
    } else if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
      outcome.rows[e.step] = Rows(result);
    } else {
      PQclear(result);
    }
    // Each command's results end with a NULL.
    PGresult* end = co_await next_result();
    if (end) PQclear(end);
  }
  PGresult* sync = co_await next_result();
  if (!sync || PQresultStatus(sync) != PGRES_PIPELINE_SYNC) {
    if (sync) PQclear(sync);
    fail_connection("pipeline out of step: " + std::string(conn_ ? PQerrorMessage(conn_) : ""),
                    true);
    co_return outcome;
  }
  PQclear(sync);
  if (outcome.failure) outcome.rows.clear();
  co_return outcome;
}

asio::awaitable<void> PgConnection::WatchIdle() {
  if (!healthy()) co_return;
  std::uint64_t generation = ++socket_->watch_generation;
  while (socket_ && socket_->watch_generation == generation) {
    auto [ec] =
        co_await socket_->descriptor.async_wait(asio::posix::stream_descriptor::wait_read, kTuple);
    if (ec || !socket_ || socket_->watch_generation != generation) co_return;
    // Data while idle: a notice, or the server saying goodbye before it closes.
    if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) == CONNECTION_BAD) {
      Close(PQerrorMessage(conn_));
      co_return;
    }
  }
}

void PgConnection::StopWatching() {
  if (!socket_) return;
  ++socket_->watch_generation;
  boost::system::error_code ignored;
  socket_->descriptor.cancel(ignored);
}

}  // namespace onboardd::db
