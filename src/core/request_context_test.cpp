#include "core/request_context.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>
#include <vector>

#include "core/trace_context.hpp"

namespace onboardd::core {
namespace {

namespace asio = boost::asio;

TEST(Traceparent, ReadsAValidVersion00Header) {
  auto parsed = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(parsed->span_id, "00f067aa0ba902b7");
  EXPECT_EQ(parsed->flags, 1);
  EXPECT_EQ(FormatTraceparent(*parsed), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}

TEST(Traceparent, RefusesWhatTheSpecificationRefuses) {
  for (const char* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",         // short
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",        // upper case
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",        // zero trace
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",        // zero parent
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",        // version ff
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // 00 is exact
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",        // separator
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",        // not hex
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",       // 56th not '-'
       }) {
    EXPECT_FALSE(ParseTraceparent(bad).has_value()) << bad;
  }
}

TEST(Traceparent, ReadsALaterVersionForwardCompatibly) {
  auto parsed =
      ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST(Traceparent, ContinuesTheCallersTraceWithANewSpan) {
  auto caller = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  TraceContext ours = ContinueTrace(caller);
  EXPECT_EQ(ours.trace_id, caller->trace_id);
  EXPECT_NE(ours.span_id, caller->span_id);
  EXPECT_EQ(ours.flags, 1);
  TraceContext fresh = ContinueTrace(std::nullopt);
  EXPECT_TRUE(ParseTraceparent(FormatTraceparent(fresh)).has_value()) << FormatTraceparent(fresh);
  EXPECT_EQ(fresh.flags, 0);
  EXPECT_NE(ContinueTrace(std::nullopt).trace_id, fresh.trace_id);
}

// Each coroutine checks, after every kind of suspension, that the current request is its
// own, while others interleave with it on the same thread(s).
asio::awaitable<void> Worker(const RequestContext* own, std::atomic<int>* mismatches) {
  auto check = [&] {
    if (CurrentRequest() != own) ++*mismatches;
  };
  check();
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int i = 0; i < 20; ++i) {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    check();
    timer.expires_after(std::chrono::microseconds(100 * (i % 3)));
    co_await timer.async_wait(asio::use_awaitable);
    check();
  }
}

TEST(RequestExecutor, TheContextFollowsEachCoroutineAcrossSuspensions) {
  asio::io_context io;
  std::atomic<int> mismatches{0};
  std::vector<std::shared_ptr<RequestContext>> contexts;
  for (int i = 0; i < 8; ++i) {
    auto context = std::make_shared<RequestContext>();
    context->request_id = "request-" + std::to_string(i);
    contexts.push_back(context);
    asio::co_spawn(BindRequestContext(io.get_executor(), context),
                   Worker(context.get(), &mismatches), asio::detached);
  }
  // Two threads run the context: a coroutine may resume on either.
  std::thread other([&] { io.run(); });
  io.run();
  other.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(CurrentRequest(), nullptr) << "nothing left behind on the thread";
}

TEST(RequestExecutor, WorkOutsideARequestSeesNone) {
  asio::io_context io;
  const RequestContext* seen = reinterpret_cast<const RequestContext*>(1);
  asio::post(io, [&] { seen = CurrentRequest(); });
  io.run();
  EXPECT_EQ(seen, nullptr);
}

TEST(RequestExecutor, EqualWhenTheirInnerExecutorsAre) {
  asio::io_context io;
  auto a = BindRequestContext(io.get_executor(), std::make_shared<RequestContext>());
  auto b = BindRequestContext(io.get_executor(), std::make_shared<RequestContext>());
  EXPECT_TRUE(a == b);
  asio::any_io_executor any_a = a, any_b = b;
  EXPECT_TRUE(any_a == any_b);
}

}  // namespace
}  // namespace onboardd::core
