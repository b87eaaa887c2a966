#include "support/fault_proxy.hpp"

#include <sys/socket.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <set>
#include <stdexcept>

namespace onboardd::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kUseAwaitable = asio::as_tuple(asio::use_awaitable);
}  // namespace

// Everything below runs on the proxy's one I/O thread; the public methods post to it.
struct FaultProxy::Impl : std::enable_shared_from_this<Impl> {
  struct Connection {
    explicit Connection(asio::io_context& io) : client(io), upstream(io) {}
    void Close() {
      boost::system::error_code ignored;
      client.close(ignored);
      upstream.close(ignored);
    }
    tcp::socket client;
    tcp::socket upstream;
    // Bytes this connection may still forward in kCut mode (reset when the mode is set).
    std::size_t cut_budget = 0;
  };

  Impl(tcp::endpoint target, tcp::endpoint listen)
      : target(target), listen(listen), acceptor(io), wake(io) {
    wake.expires_at(asio::steady_timer::time_point::max());
  }

  void OpenListener() {
    if (listen.port() == 0) {
      // Bound to an explicit port, the binding survives StopListening (an automatic one does
      // not): take a free one first.
      tcp::acceptor probe(io, listen);
      listen = probe.local_endpoint();
    }
    acceptor.open(listen.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(listen);
    acceptor.listen();
    listen = acceptor.local_endpoint();
    listening = true;
    asio::co_spawn(io, Accept(shared_from_this()), asio::detached);
  }

  // Refusing keeps the port bound but not listening (Linux: shutdown() of a listening socket
  // ends the listen and keeps an explicit binding), so connections are refused and no other process
  // can take the port meanwhile; listen() again resumes.
  void StopListening() {
    if (!listening) return;
    listening = false;
    ::shutdown(acceptor.native_handle(), SHUT_RDWR);
  }
  void ResumeListening() {
    if (listening) return;
    if (::listen(acceptor.native_handle(), SOMAXCONN) != 0) {
      throw std::runtime_error("FaultProxy: listen() again failed");
    }
    listening = true;
    asio::co_spawn(io, Accept(shared_from_this()), asio::detached);
  }

  // Every waiting pump looks at the mode again.
  void Wake() {
    wake.cancel();
    wake.expires_at(asio::steady_timer::time_point::max());
  }

  void SetMode(Mode m, std::chrono::milliseconds d, std::size_t bytes) {
    mode = m;
    delay = d;
    cut_bytes = bytes;
    if (m == Mode::kRefuse) {
      StopListening();
    } else {
      ResumeListening();
    }
    for (auto& c : live) {
      c->cut_budget = bytes;
      if (m == Mode::kRefuse || (m == Mode::kCut && bytes == 0)) c->Close();
    }
    Wake();
  }

  static asio::awaitable<void> Accept(std::shared_ptr<Impl> self) {
    while (self->listening) {
      auto [ec, socket] = co_await self->acceptor.async_accept(kUseAwaitable);
      if (ec || !self->listening) co_return;  // refusing (shut down) or the proxy stops
      ++self->accepted;
      auto c = std::make_shared<Connection>(self->io);
      c->client = std::move(socket);
      asio::co_spawn(self->io, Serve(self, c), asio::detached);
    }
  }

  static asio::awaitable<void> Serve(std::shared_ptr<Impl> self, std::shared_ptr<Connection> c) {
    c->cut_budget = self->cut_bytes;
    if (self->mode == Mode::kCut && self->cut_bytes == 0) co_return;  // closed on accept
    self->live.insert(c);
    auto [ec] = co_await c->upstream.async_connect(self->target, kUseAwaitable);
    if (ec) {
      c->Close();
      self->live.erase(c);
      co_return;
    }
    boost::system::error_code ignored;
    c->client.set_option(tcp::no_delay(true), ignored);
    c->upstream.set_option(tcp::no_delay(true), ignored);
    auto done = std::make_shared<int>(0);
    asio::co_spawn(self->io, PumpThenClose(self, c, true, done), asio::detached);
    asio::co_spawn(self->io, PumpThenClose(self, c, false, done), asio::detached);
  }

  // One direction; when either ends the connection is closed, and forgotten after both.
  static asio::awaitable<void> PumpThenClose(std::shared_ptr<Impl> self,
                                             std::shared_ptr<Connection> c, bool up,
                                             std::shared_ptr<int> done) {
    co_await Pump(self, c, up);
    c->Close();
    if (++*done == 2) self->live.erase(c);
  }

  // Forwards one direction (client → upstream when `up`) until either side closes or a fault
  // closes the connection.
  static asio::awaitable<void> Pump(std::shared_ptr<Impl> self, std::shared_ptr<Connection> c,
                                    bool up) {
    tcp::socket& from = up ? c->client : c->upstream;
    tcp::socket& to = up ? c->upstream : c->client;
    std::array<char, 16384> buffer;
    while (true) {
      auto [ec, n] = co_await from.async_read_some(asio::buffer(buffer), kUseAwaitable);
      if (ec) co_return;
      // Hold the chunk while the mode says so; a mode change wakes us to look again.
      while (true) {
        if (!from.is_open() || !to.is_open()) co_return;
        if (self->mode == Mode::kStall) {
          co_await self->wake.async_wait(kUseAwaitable);
          continue;
        }
        if (self->mode == Mode::kDelay) {
          asio::steady_timer timer(self->io, self->delay);
          co_await timer.async_wait(kUseAwaitable);
          if (self->mode == Mode::kDelay) break;
          continue;
        }
        break;
      }
      std::size_t forward = n;
      bool cut = false;
      if (self->mode == Mode::kCut) {
        if (c->cut_budget <= n) {
          forward = c->cut_budget;
          cut = true;
        }
        c->cut_budget -= forward;
      }
      if (forward > 0) {
        auto [wec, written] =
            co_await asio::async_write(to, asio::buffer(buffer.data(), forward), kUseAwaitable);
        if (wec) co_return;
      }
      if (cut) {
        c->Close();
        co_return;
      }
    }
  }

  // Runs `f` on the I/O thread and waits for it.
  template <class F>
  auto Run(F f) {
    std::promise<decltype(f())> done;
    asio::post(io, [&] {
      if constexpr (std::is_void_v<decltype(f())>) {
        f();
        done.set_value();
      } else {
        done.set_value(f());
      }
    });
    return done.get_future().get();
  }

  asio::io_context io;
  // Keeps run() going while nothing is pending (refusing, no connections); reset to stop.
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  const tcp::endpoint target;
  tcp::endpoint listen;
  tcp::acceptor acceptor;
  asio::steady_timer wake;
  std::set<std::shared_ptr<Connection>> live;
  Mode mode = Mode::kPass;
  std::chrono::milliseconds delay{0};
  std::size_t cut_bytes = 0;
  int accepted = 0;
  bool listening = false;
};

FaultProxy::FaultProxy(std::string target_host, unsigned short target_port)
    : impl_(std::make_shared<Impl>(tcp::endpoint(asio::ip::make_address(target_host), target_port),
                                   tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0))) {
  try {
    impl_->OpenListener();
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(std::string("FaultProxy: cannot listen: ") + e.what());
  }
  port_ = impl_->listen.port();
  thread_ = std::thread([impl = impl_] { impl->io.run(); });
}

FaultProxy::~FaultProxy() {
  impl_->Run([this] {
    boost::system::error_code ignored;
    impl_->listening = false;
    impl_->acceptor.close(ignored);
    for (auto& c : impl_->live) c->Close();
    impl_->live.clear();
    impl_->Wake();
    impl_->work.reset();
  });
  thread_.join();  // every coroutine ends: their sockets are closed and their waits woken
}

void FaultProxy::Pass() {
  impl_->Run([this] { impl_->SetMode(Mode::kPass, {}, 0); });
}
void FaultProxy::Refuse() {
  impl_->Run([this] { impl_->SetMode(Mode::kRefuse, {}, 0); });
}
void FaultProxy::Delay(std::chrono::milliseconds per_chunk) {
  impl_->Run([this, per_chunk] { impl_->SetMode(Mode::kDelay, per_chunk, 0); });
}
void FaultProxy::Stall() {
  impl_->Run([this] { impl_->SetMode(Mode::kStall, {}, 0); });
}
void FaultProxy::Cut(std::size_t bytes) {
  impl_->Run([this, bytes] { impl_->SetMode(Mode::kCut, {}, bytes); });
}
FaultProxy::Mode FaultProxy::mode() const {
  return impl_->Run([this] { return impl_->mode; });
}
int FaultProxy::Accepted() const {
  return impl_->Run([this] { return impl_->accepted; });
}
int FaultProxy::Live() const {
  return impl_->Run([this] { return static_cast<int>(impl_->live.size()); });
}

const char* ToString(FaultProxy::Mode mode) {
  switch (mode) {
    case FaultProxy::Mode::kPass:
      return "pass";
    case FaultProxy::Mode::kRefuse:
      return "refuse";
    case FaultProxy::Mode::kDelay:
      return "delay";
    case FaultProxy::Mode::kStall:
      return "stall";
    case FaultProxy::Mode::kCut:
      return "cut";
  }
  return "?";
}

}  // namespace onboardd::test
