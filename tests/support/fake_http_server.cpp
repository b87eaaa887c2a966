// FakeHttpServer: one accept coroutine and one coroutine per connection on a private
// io_context; one request per connection (Connection: close), which is all the client does.
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

namespace onboardd::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
constexpr auto kUseAwaitable = asio::as_tuple(asio::use_awaitable);

struct FakeHttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::unique_ptr<asio::ssl::context> tls;

  asio::awaitable<void> Accept(FakeHttpServer* self) {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kUseAwaitable);
      if (ec) co_return;
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
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    auto [read_error, read] = co_await http::async_read(stream, buffer, request, kUseAwaitable);
    if (read_error) co_return;
    std::string target(request.target());
    std::string path = target.substr(0, target.find('?'));
    Canned canned{404, R"({"error":"not found"})", "application/json"};
    std::chrono::milliseconds delay{0};
    {
      std::lock_guard lock(self->mu_);
      ++self->counts_[path];
      RecordedRequest recorded{std::string(request.method_string()), target, {}, request.body()};
      for (const auto& field : request) {
        recorded.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      self->requests_.push_back(std::move(recorded));
      if (auto it = self->responses_.find(path); it != self->responses_.end()) canned = it->second;
      delay = self->delay_;
    }
    if (delay.count() > 0) {
      asio::steady_timer timer(io, delay);
      co_await timer.async_wait(kUseAwaitable);
    }
    http::response<http::string_body> response{static_cast<http::status>(canned.status), 11};
    response.set(http::field::content_type, canned.content_type);
    response.keep_alive(false);
    response.body() = std::move(canned.body);
    response.prepare_payload();
    co_await http::async_write(stream, response, kUseAwaitable);
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
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
                                 std::string content_type) {
  std::lock_guard lock(mu_);
  responses_[path] = Canned{status, std::move(body), std::move(content_type)};
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

void FakeHttpServer::Stop() {
  if (!thread_.joinable()) return;
  asio::post(impl_->io, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->io.stop();
  });
  thread_.join();
}

}  // namespace onboardd::test
