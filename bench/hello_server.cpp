// The "hello" baseline of SPEC §9: the same http::Router and http::Server as onboardd, one
// GET /hello route answering a tiny JSON, no database, no auth, no access log. bench/run
// measures it next to the real routes so that their throughput reads as a ratio of what the
// server stack itself can do on this machine.
//
//   hello_server PORT [THREADS]      serves on 127.0.0.1:PORT until SIGINT or SIGTERM
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/object.hpp>
#include <csignal>
#include <cstdio>
#include <string>
#include <system_error>
#include <thread>

#include "http/router.hpp"
#include "http/server.hpp"

namespace {

namespace asio = boost::asio;
using namespace onboardd;

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: hello_server PORT [THREADS]\n", stderr);
    return 2;
  }
  http::Router router;
  router.Add(http::beast_http::verb::get, "/hello",
             [](http::Request) -> asio::awaitable<core::Result<http::Response>> {
               co_return http::JsonResponse(boost::json::object{{"hello", "world"}});
             });

  http::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = static_cast<unsigned short>(std::stoi(argv[1]));
  options.threads = argc > 2 ? std::stoi(argv[2]) : 1;
  options.access_log = false;
  http::Server server(options, router);
  try {
    server.Listen();
  } catch (const std::system_error& e) {
    std::fprintf(stderr, "hello_server: cannot listen on port %s: %s\n", argv[1], e.what());
    return 1;
  }

  asio::io_context signal_context;
  asio::signal_set signals(signal_context, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) server.Stop();
  });
  std::thread signal_thread([&] { signal_context.run(); });
  server.Run();
  signal_context.stop();
  signal_thread.join();
  return 0;
}
