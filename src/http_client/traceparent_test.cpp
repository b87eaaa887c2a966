// Outbound calls carry the W3C trace they belong to: the one the caller names
// (Request::trace), else the one of the request the calling coroutine serves.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "core/request_context.hpp"
#include "http_client/http_client.hpp"
#include "support/fake_http_server.hpp"

namespace onboardd::http_client {
namespace {

namespace asio = boost::asio;
using test::FakeHttpServer;

// The traceparent header of the last request the server received ("" when none).
std::string LastTraceparent(const FakeHttpServer& server) {
  std::string found;
  for (const auto& request : server.Requests()) {
    found.clear();
    for (const auto& [name, value] : request.headers) {
      if (name == "traceparent" || name == "Traceparent") found = value;
    }
  }
  return found;
}

// Fetches `request` from a coroutine spawned on `executor`.
template <class Executor>
core::Result<Response> FetchOn(asio::io_context& io, Executor executor, const Client& client,
                               Request request) {
  auto done = asio::co_spawn(
      executor,
      [&client, request]() -> asio::awaitable<core::Result<Response>> {
        co_return co_await client.Fetch(request,
                                        core::SteadyClock::now() + std::chrono::seconds(5));
      },
      asio::use_future);
  io.run();
  io.restart();
  return done.get();
}

TEST(Traceparent, TheCallersTraceOrTheServedRequestsIsSent) {
  FakeHttpServer server;
  server.SetResponse("/x", 200, "{}");
  const Client client;
  asio::io_context io;

  Request plain;
  plain.url = server.Url("/x");
  ASSERT_TRUE(FetchOn(io, io.get_executor(), client, plain).has_value());
  EXPECT_EQ(LastTraceparent(server), "") << "outside a request and without a trace: none";

  auto serving = std::make_shared<core::RequestContext>();
  serving->request_id = "req-1";
  serving->trace =
      *core::ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(
      FetchOn(io, core::BindRequestContext(io.get_executor(), serving), client, plain).has_value());
  EXPECT_EQ(LastTraceparent(server), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

  Request named = plain;
  named.trace = *core::ParseTraceparent("00-11111111111111111111111111111111-2222222222222222-00");
  ASSERT_TRUE(
      FetchOn(io, core::BindRequestContext(io.get_executor(), serving), client, named).has_value());
  EXPECT_EQ(LastTraceparent(server), "00-11111111111111111111111111111111-2222222222222222-00")
      << "the caller's own trace wins";

  Request own_header = plain;
  own_header.headers.push_back(
      {"traceparent", "00-33333333333333333333333333333333-4444444444444444-01"});
  ASSERT_TRUE(FetchOn(io, core::BindRequestContext(io.get_executor(), serving), client, own_header)
                  .has_value());
  EXPECT_EQ(LastTraceparent(server), "00-33333333333333333333333333333333-4444444444444444-01")
      << "a header the caller wrote is sent as written";
}

}  // namespace
}  // namespace onboardd::http_client
