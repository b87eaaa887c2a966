// FakeHttpServer: one accept coroutine and one coroutine per connection on a private
// io_context. A connection serves requests in turn (HTTP/1.1 keep-alive) until either side
// ends it; the server knows which connections are idle so a test can close them.
#include "support/fake_http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <future>
#include <tuple>

namespace onboardd::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
constexpr auto kUseAwaitable = asio::as_tuple(asio::use_awaitable);

struct FakeHttpServer::Impl {
  // The open connections, touched only on the io thread. Declared before `io` so it outlives
  // the connection coroutines, whose frames (and their Tracking guards) die with `io`.
  enum class State {
    kIdle,       // waiting for the first byte of its next request
    kHandling,   // a request is being read or answered
    kAnswering,  // the answer is being written: idle again in a moment
  };
  struct Tracked {
    tcp::socket* socket = nullptr;
    State state = State::kIdle;
  };
  std::map<int, Tracked> connections;
  int next_connection = 0;
  std::unique_ptr<asio::ssl::context> tls;

  asio::io_context io;
  tcp::acceptor acceptor{io};

  // Registers a connection for its coroutine's lifetime.
  struct Tracking {
    FakeHttpServer* self;
    int id;
    Tracking(FakeHttpServer* s, tcp::socket* socket) : self(s), id(s->impl_->next_connection++) {
      self->impl_->connections[id] = Tracked{socket, State::kIdle};
      std::lock_guard lock(self->mu_);
      ++self->connections_open_;
    }
    ~Tracking() {
      self->impl_->connections.erase(id);
      std::lock_guard lock(self->mu_);
      --self->connections_open_;
    }
    void Set(State state) { self->impl_->connections[id].state = state; }
  };

  static void Close(tcp::socket& socket) {
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  asio::awaitable<void> Accept(FakeHttpServer* self) {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kUseAwaitable);
      if (ec) co_return;
      {
        std::lock_guard lock(self->mu_);
        ++self->connections_accepted_;
      }
      if (tls) {
        asio::co_spawn(io, ServeTls(self, std::move(socket)), asio::detached);
      } else {
        asio::co_spawn(io, Serve(self, beast::tcp_stream(std::move(socket))), asio::detached);
      }
    }
  }

  asio::awaitable<void> ServeTls(FakeHttpServer* self, tcp::socket socket) {
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *tls);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kUseAwaitable);
    if (ec) co_return;  // the client refused our certificate: that is what some tests want
    co_await Serve(self, std::move(stream));
  }

  template <class Stream>
  asio::awaitable<void> Serve(FakeHttpServer* self, Stream stream) {
    auto& socket = beast::get_lowest_layer(stream).socket();
    Tracking tracking(self, &socket);
    beast::flat_buffer buffer;
    for (;;) {
      tracking.Set(buffer.size() == 0 ? State::kIdle : State::kHandling);
      http::request<http::string_body> request;
      auto [read_error, read] = co_await http::async_read(stream, buffer, request, kUseAwaitable);
      if (read_error) co_return;
      tracking.Set(State::kHandling);
      std::string target(request.target());
      std::string path = target.substr(0, target.find('?'));
      Canned canned{404, R"({"error":"not found"})", "application/json", {}};
      std::chrono::milliseconds delay{0};
      bool keep_alive = false;
      bool drop = false;
      {
        std::lock_guard lock(self->mu_);
        ++self->counts_[path];
        RecordedRequest recorded{std::string(request.method_string()), target, {}, request.body()};
        for (const auto& field : request) {
          recorded.headers.emplace_back(std::string(field.name_string()),
                                        std::string(field.value()));
        }
        self->requests_.push_back(std::move(recorded));
        if (auto it = self->responses_.find(path); it != self->responses_.end()) {
          canned = it->second;
        }
        delay = self->delay_;
        keep_alive = self->keep_alive_ && request.keep_alive();
        if (self->drop_next_ > 0) {
          --self->drop_next_;
          drop = true;
        }
      }
      if (drop) {
        Close(socket);
        co_return;
      }
      if (delay.count() > 0) {
        asio::steady_timer timer(io, delay);
        co_await timer.async_wait(kUseAwaitable);
      }
      http::response<http::string_body> response{static_cast<http::status>(canned.status), 11};
      response.set(http::field::content_type, canned.content_type);
      for (const auto& [name, value] : canned.headers) response.insert(name, value);
      response.keep_alive(keep_alive);
      response.body() = std::move(canned.body);
      response.prepare_payload();
      beast::error_code write_error;
      tracking.Set(State::kAnswering);
      if (request.method() == http::verb::head) {
        // The header of the GET answer, Content-Length included, and no body.
        http::response_serializer<http::string_body> serializer(response);
        std::tie(write_error, std::ignore) =
            co_await http::async_write_header(stream, serializer, kUseAwaitable);
      } else {
        std::tie(write_error, std::ignore) =
            co_await http::async_write(stream, response, kUseAwaitable);
      }
      if (write_error || !keep_alive) {
        Close(socket);
        co_return;
      }
    }
  }
};

FakeHttpServer::FakeHttpServer(const TlsCertificate& tls) : FakeHttpServer() {
  // The accept loop already runs and reads `tls` per connection: install it on the loop's
  // thread, before the constructor returns (no test connects earlier).
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  context->use_certificate_chain(asio::buffer(tls.cert_pem));
  context->use_private_key(asio::buffer(tls.key_pem), asio::ssl::context::pem);
  std::promise<void> installed;
  asio::post(impl_->io, [&] {
    impl_->tls = std::move(context);
    installed.set_value();
  });
  installed.get_future().wait();
  tls_ = true;
}

FakeHttpServer::FakeHttpServer() : impl_(std::make_unique<Impl>()) {
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->io, impl_->Accept(this), asio::detached);
  thread_ = std::thread([this] { impl_->io.run(); });
}

FakeHttpServer::~FakeHttpServer() { Stop(); }

std::string FakeHttpServer::Url(std::string_view path, std::string_view host) const {
  return (tls_ ? "https://" : "http://") + std::string(host) + ":" + std::to_string(port_) +
         std::string(path);
}

void FakeHttpServer::SetResponse(const std::string& path, int status, std::string body,
                                 std::string content_type,
                                 std::vector<std::pair<std::string, std::string>> headers) {
  std::lock_guard lock(mu_);
  responses_[path] = Canned{status, std::move(body), std::move(content_type), std::move(headers)};
}

void FakeHttpServer::SetDelay(std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  delay_ = delay;
}

int FakeHttpServer::RequestCount(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find(path);
  return it == counts_.end() ? 0 : it->second;
}

std::vector<RecordedRequest> FakeHttpServer::Requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void FakeHttpServer::SetKeepAlive(bool keep_alive) {
  std::lock_guard lock(mu_);
  keep_alive_ = keep_alive;
}

void FakeHttpServer::DropNextRequests(int n) {
  std::lock_guard lock(mu_);
  drop_next_ = n;
}

int FakeHttpServer::CloseIdleConnections() {
  if (!thread_.joinable()) return 0;
  // A client may have read an answer before the server saw its write complete: wait (briefly)
  // for such connections to become idle, so "idle" means what the client sees.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::promise<int> closed;  // -1: some connection is still answering
    asio::post(impl_->io, [&] {
      for (auto& [id, tracked] : impl_->connections) {
        if (tracked.state == Impl::State::kAnswering) return closed.set_value(-1);
      }
      int n = 0;
      for (auto& [id, tracked] : impl_->connections) {
        if (tracked.state != Impl::State::kIdle) continue;
        Impl::Close(*tracked.socket);
        ++n;
      }
      closed.set_value(n);
    });
    if (int n = closed.get_future().get(); n >= 0) return n;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return 0;
}

int FakeHttpServer::ConnectionCount() const {
  std::lock_guard lock(mu_);
  return connections_accepted_;
}

int FakeHttpServer::OpenConnections() const {
  std::lock_guard lock(mu_);
  return connections_open_;
}

void FakeHttpServer::Stop() {
  if (!thread_.joinable()) return;
  asio::post(impl_->io, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    for (auto& [id, tracked] : impl_->connections) Impl::Close(*tracked.socket);
    impl_->io.stop();
  });
  thread_.join();
}

}  // namespace onboardd::test
