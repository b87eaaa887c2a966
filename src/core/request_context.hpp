// The request a coroutine is serving, readable by the code it calls — every log line it
// writes, every outbound call it makes — without threading it through every signature.
//
// Why not a thread_local set when a request starts: an I/O thread interleaves many
// connections' coroutines. At every co_await the coroutine suspends and the thread runs
// other connections' handlers, then resumes it, possibly after another request set the
// variable; a thread_local alone would hand the log line of request B to request A. The
// context must follow the coroutine, not the thread.
//
// The design: each connection's coroutine is spawned on a RequestExecutor, a thin wrapper of
// the I/O thread's executor that carries a pointer to that connection's RequestContext.
// Asio resumes a coroutine only through its executor (the first run, and every completion of
// an operation it awaits: timers, sockets, the database pool's hand-over, posts), so the
// wrapper's execute() makes the context current — a thread_local pointer, set for exactly
// the duration of that run and restored afterwards — whenever code of that coroutine runs,
// on whichever thread runs it. Code outside any request (the pool reconnecting, periodic
// jobs, the Edge Config poller) sees none. The server fills the context when it has read a
// request and clears it when it has written the access-log line.
//
// Cost: one pointer save and restore per resumption. Work a request starts on another
// executor (co_spawn on a bare io_context) runs outside the request, by design.
#pragma once

#include <boost/asio/execution.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "core/trace_context.hpp"

namespace onboardd::core {

// One connection's current request. Written only by the coroutine serving it (the server),
// read by code that coroutine runs; never shared across connections.
struct RequestContext {
  std::string request_id;  // empty between requests
  TraceContext trace;      // our span on the current request (trace.empty() between them)
};

// The context of the request the calling code serves, or null outside any. The pointer is
// valid until the caller next suspends; copy what must outlive that. Thread-safe (per thread).
const RequestContext* CurrentRequest();

// Makes `context` current on this thread until destruction, then restores the previous one
// (null: none). For synchronous code and tests; coroutines get theirs from RequestExecutor.
class ScopedRequestContext {
 public:
  explicit ScopedRequestContext(const RequestContext* context);
  ~ScopedRequestContext();
  ScopedRequestContext(const ScopedRequestContext&) = delete;
  ScopedRequestContext& operator=(const ScopedRequestContext&) = delete;

 private:
  const RequestContext* previous_;
};

// An Asio executor that runs everything on `Inner` with `context` current (see above). It
// satisfies the standard executor concept, so any_io_executor holds it and `co_spawn` takes
// it. Two RequestExecutors are equal when their inner executors are: they run work in the
// same place (the context is a label on the work, not a place), which keeps outbound
// connection reuse — keyed by executor in http_client — working across requests.
template <class Inner>
class RequestExecutor {
 public:
  RequestExecutor(Inner inner, std::shared_ptr<const RequestContext> context) noexcept
      : inner_(std::move(inner)), context_(std::move(context)) {}

  template <class Function>
  void execute(Function&& f) const {
    inner_.execute([context = context_, f = std::forward<Function>(f)]() mutable {
      ScopedRequestContext scope(context.get());
      std::move(f)();
    });
  }

  friend bool operator==(const RequestExecutor& a, const RequestExecutor& b) noexcept {
    return a.inner_ == b.inner_;
  }
  friend bool operator!=(const RequestExecutor& a, const RequestExecutor& b) noexcept {
    return !(a == b);
  }

  template <class Property>
  auto query(const Property& p) const
      noexcept(noexcept(boost::asio::query(std::declval<const Inner&>(), p)))
          -> decltype(boost::asio::query(std::declval<const Inner&>(), p)) {
    return boost::asio::query(inner_, p);
  }
  template <class Property>
  auto require(const Property& p) const -> RequestExecutor<
      std::decay_t<decltype(boost::asio::require(std::declval<const Inner&>(), p))>> {
    return {boost::asio::require(inner_, p), context_};
  }
  template <class Property>
  auto prefer(const Property& p) const -> RequestExecutor<
      std::decay_t<decltype(boost::asio::prefer(std::declval<const Inner&>(), p))>> {
    return {boost::asio::prefer(inner_, p), context_};
  }

 private:
  template <class>
  friend class RequestExecutor;
  Inner inner_;
  std::shared_ptr<const RequestContext> context_;
};

template <class Inner>
RequestExecutor<Inner> BindRequestContext(Inner inner,
                                          std::shared_ptr<const RequestContext> context) {
  return RequestExecutor<Inner>(std::move(inner), std::move(context));
}

}  // namespace onboardd::core
