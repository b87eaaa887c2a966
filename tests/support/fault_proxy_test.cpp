// The fault proxy itself, against an echo server: each mode does what fault tests rely on
// (bytes pass; refuse refuses; delay delays; stall holds without closing; cut closes after N
// bytes), and Pass() always brings it back.
#include "support/fault_proxy.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "support/raw_http.hpp"

namespace onboardd::test {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using testing::RawConnection;

constexpr auto kUseAwaitable = asio::as_tuple(asio::use_awaitable);

// Echoes every byte back, on its own thread.
class EchoServer {
 public:
  EchoServer() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~EchoServer() {
    io_.stop();
    thread_.join();
  }
  unsigned short port() const { return port_; }

 private:
  asio::awaitable<void> Accept() {
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(kUseAwaitable);
      if (ec) co_return;
      asio::co_spawn(io_, Echo(std::move(socket)), asio::detached);
    }
  }
  static asio::awaitable<void> Echo(tcp::socket socket) {
    char buffer[4096];
    while (true) {
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), kUseAwaitable);
      if (ec) co_return;
      auto [wec, w] = co_await asio::async_write(socket, asio::buffer(buffer, n), kUseAwaitable);
      if (wec) co_return;
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::thread thread_;
};

// Reads until `n` more bytes arrived (or `timeout`) and returns them.
std::string Receive(RawConnection& c, std::size_t n, std::chrono::milliseconds timeout = 2s) {
  std::size_t before = c.received().size();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (c.received().size() < before + n && std::chrono::steady_clock::now() < deadline)
    c.ReadResponses(1, 20ms);  // no HTTP here: returns after 20 ms with what arrived
  return c.received().substr(before);
}

// Sends `text` and reads until that many bytes came back (or `timeout`).
std::string RoundTrip(RawConnection& c, const std::string& text,
                      std::chrono::milliseconds timeout = 2s) {
  if (!c.Send(text)) return "";
  return Receive(c, text.size(), timeout);
}

bool Connects(unsigned short port) {
  try {
    RawConnection c(port);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

TEST(FaultProxy, EachModeAndBackToPass) {
  EchoServer echo;
  FaultProxy proxy("127.0.0.1", echo.port());

  RawConnection a(proxy.port());
  EXPECT_EQ(RoundTrip(a, "hello"), "hello");

  proxy.Delay(300ms);  // one chunk each way: ≥ 600 ms
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(RoundTrip(a, "slow", 5s), "slow");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 550ms);

  proxy.Stall();
  EXPECT_EQ(RoundTrip(a, "held", 300ms), "") << "nothing moves while stalled";
  EXPECT_EQ(proxy.Live(), 1) << "and the connection stays open";
  proxy.Pass();
  EXPECT_EQ(Receive(a, 4), "held") << "held bytes flow once it passes again";

  proxy.Cut(3);  // three more bytes in all, then closed
  EXPECT_EQ(RoundTrip(a, "abcdef", 500ms), "") << "3 bytes went up, then it closed";
  EXPECT_TRUE(a.WaitClosed(2s));
  proxy.Cut(0);
  RawConnection b(proxy.port());  // accepted, then closed at once
  EXPECT_TRUE(b.WaitClosed(2s));

  proxy.Pass();
  RawConnection c(proxy.port());
  EXPECT_EQ(RoundTrip(c, "again"), "again");
  proxy.Refuse();
  EXPECT_TRUE(c.WaitClosed(2s)) << "live connections are closed";
  EXPECT_FALSE(Connects(proxy.port())) << "and new ones refused";
  proxy.Pass();
  RawConnection d(proxy.port());
  EXPECT_EQ(RoundTrip(d, "back"), "back");
  EXPECT_GE(proxy.Accepted(), 4);
}

}  // namespace
}  // namespace onboardd::test
