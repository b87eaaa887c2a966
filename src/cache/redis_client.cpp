// hiredis lives here and nowhere else, and only as a codec: redisFormatCommandArgv encodes,
// redisReader decodes. A connection attempt opens a Stream (TCP, TLS or Unix), then a
// Session runs on it: a writer coroutine that sends everything queued in one write, a reader
// coroutine that feeds the redisReader and hands each reply to the oldest command still
// owed one (or, in SUBSCRIBE mode, to the push handler). Closing a session fails every
// command still owed a reply; the link's run loop then reconnects after a backoff. Every
// coroutine holds the link and the session by shared_ptr, so Stop() or destruction never
// leaves one resuming into freed memory.
#include "cache/redis_client.hpp"

#include <sys/ioctl.h>

#include <hiredis/hiredis.h>
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <new>
#include <optional>
#include <variant>

#include "observability/log.hpp"
#include "observability/metrics.hpp"

namespace onboardd::cache {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = core::SteadyClock;
namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;

// ---- metrics ---------------------------------------------------------------------------

enum class Failure { kNone, kConnect, kAuth, kTimeout, kIo, kProtocol, kUnavailable, kOverload };

observability::Counter& Errors(Failure kind) {
  static const auto counters = [] {
    constexpr std::array<const char*, 8> kNames = {"",   "connect",  "auth",        "timeout",
                                                   "io", "protocol", "unavailable", "overload"};
    std::array<observability::Counter*, 8> out{};
    out[0] = new observability::Counter();  // kNone: counted nowhere
    for (std::size_t i = 1; i < kNames.size(); ++i) {
      out[i] = &observability::Metrics().GetCounter(
          "onboardd_redis_errors_total",
          "Redis failures by kind: connect, auth (AUTH/SELECT/SUBSCRIBE refused), timeout, io, "
          "protocol, unavailable (a call while disconnected), overload (too many in flight).",
          {{"kind", kNames[i]}});
    }
    return out;
  }();
  return *counters[static_cast<std::size_t>(kind)];
}

core::Error Unavailable(std::string what) {
  return core::MakeError(core::ErrorCode::kUnavailable,
                         {.es = "Redis: " + what, .en = "Redis: " + what});
}

RedisReply Convert(const redisReply* raw) {
  RedisReply reply;
  switch (raw->type) {
    case REDIS_REPLY_STRING:
      reply.type = RedisReply::Type::kString;
      reply.text.assign(raw->str, raw->len);
      break;
    case REDIS_REPLY_STATUS:
      reply.type = RedisReply::Type::kStatus;
      reply.text.assign(raw->str, raw->len);
      break;
    case REDIS_REPLY_ERROR:
      reply.type = RedisReply::Type::kError;
      reply.text.assign(raw->str, raw->len);
      break;
    case REDIS_REPLY_INTEGER:
      reply.type = RedisReply::Type::kInteger;
      reply.integer = raw->integer;
      break;
    case REDIS_REPLY_ARRAY:
      reply.type = RedisReply::Type::kArray;
      reply.elements.reserve(raw->elements);
      for (std::size_t i = 0; i < raw->elements; ++i) {
        reply.elements.push_back(Convert(raw->element[i]));
      }
      break;
    default:
      reply.type = RedisReply::Type::kNil;
      break;
  }
  return reply;
}

// ---- transport ---------------------------------------------------------------------------

// The byte stream under a session, whichever the transport.
class Stream {
 public:
  using Tls = asio::ssl::stream<tcp::socket>;
  using Unix = asio::local::stream_protocol::socket;

  Stream(asio::io_context& io, RedisEndpoint::Transport transport, asio::ssl::context* tls)
      : socket_(Make(io, transport, tls)) {}

  tcp::socket& tcp_socket() {
    if (auto* tls = std::get_if<Tls>(&socket_)) return tls->next_layer();
    return std::get<tcp::socket>(socket_);
  }
  Tls& tls() { return std::get<Tls>(socket_); }
  Unix& unix_socket() { return std::get<Unix>(socket_); }

  auto Write(asio::const_buffer bytes) {
    return std::visit([bytes](auto& s) { return asio::async_write(s, bytes, kTuple); }, socket_);
  }
  auto ReadSome(asio::mutable_buffer into) {
    return std::visit([into](auto& s) { return s.async_read_some(into, kTuple); }, socket_);
  }
  int native_handle() {
    if (auto* unix = std::get_if<Unix>(&socket_)) return unix->native_handle();
    return tcp_socket().native_handle();
  }
  void Close() {
    error_code ignored;
    if (auto* tls = std::get_if<Tls>(&socket_)) {
      tls->next_layer().close(ignored);
    } else if (auto* plain = std::get_if<tcp::socket>(&socket_)) {
      plain->close(ignored);
    } else {
      std::get<Unix>(socket_).close(ignored);
    }
  }

 private:
  using Variant = std::variant<tcp::socket, Tls, Unix>;
  static Variant Make(asio::io_context& io, RedisEndpoint::Transport transport,
                      asio::ssl::context* tls) {
    switch (transport) {
      case RedisEndpoint::Transport::kTls:
        return Variant(std::in_place_type<Tls>, io, *tls);
      case RedisEndpoint::Transport::kUnix:
        return Variant(std::in_place_type<Unix>, io);
      case RedisEndpoint::Transport::kTcp:
        break;
    }
    return Variant(std::in_place_type<tcp::socket>, io);
  }
  Variant socket_;
};

// Runs `on_expiry` at the deadline unless destroyed first. The handler shares only the
// `armed` flag, so a timer that already fired but whose handler has not run yet is
// harmless once the watchdog is gone.
class Watchdog {
 public:
  Watchdog(asio::io_context& io, core::Deadline deadline, std::function<void()> on_expiry)
      : timer_(io, deadline), armed_(std::make_shared<bool>(true)) {
    timer_.async_wait([armed = armed_, on_expiry = std::move(on_expiry)](error_code ec) {
      if (!ec && *armed) on_expiry();
    });
  }
  ~Watchdog() {
    *armed_ = false;
    timer_.cancel();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  asio::steady_timer timer_;
  std::shared_ptr<bool> armed_;
};

// The replies one call waits for. Its timer is both the deadline and the wake-up: the
// reader cancels it when the last reply arrives.
struct Waiter {
  Waiter(asio::io_context& io, std::size_t n) : timer(io), expected(n) { replies.reserve(n); }
  void Finish() {
    done = true;
    timer.cancel();
  }
  void Fail(std::string why) {
    failure = std::move(why);
    Finish();
  }
  asio::steady_timer timer;
  std::size_t expected;
  std::vector<RedisReply> replies;
  std::optional<std::string> failure;
  bool done = false;
  bool abandoned = false;  // its caller gave up: replies are read and dropped
};

struct Owed {
  std::shared_ptr<Waiter> waiter;  // null: fire-and-forget
  Clock::time_point queued;
};

}  // namespace

// ---- one established connection ------------------------------------------------------

struct Session {
  Session(asio::io_context& io, std::shared_ptr<Stream> s)
      : stream(std::move(s)),
        reader(redisReaderCreate()),
        wake(io),
        closed_signal(io, Clock::time_point::max()),
        ready_signal(io),
        heartbeat(io) {
    if (!reader) throw std::bad_alloc();
  }
  ~Session() { redisReaderFree(reader); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  std::shared_ptr<Stream> stream;
  redisReader* reader;
  std::string out;  // encoded commands not yet handed to a write
  bool writer_idle = false;
  asio::steady_timer wake;           // the writer sleeps on it while `out` is empty
  asio::steady_timer closed_signal;  // cancelled when the session closes
  std::deque<Owed> owed;             // one per reply still expected, oldest first
  bool closed = false;
  std::string close_reason;
  std::array<char, kReadChunk> buffer;
  // Subscriber only.
  bool push_mode = false;           // every reply is a push (message, subscribe, pong)
  std::size_t confirmed = 0;        // channels the server confirmed
  asio::steady_timer ready_signal;  // cancelled when every channel is confirmed
  bool pong = false;
  asio::steady_timer heartbeat;
};

// ---- the link: state, reconnect loop, calls ------------------------------------------

class RedisLink : public std::enable_shared_from_this<RedisLink> {
 public:
  RedisLink(asio::io_context& io, RedisOptions options, bool subscriber,
            std::vector<std::string> channels, RedisSubscriber::Handlers handlers,
            std::shared_ptr<UnreadBytesProbe> probe = nullptr)
      : io_(io),
        options_(std::move(options)),
        subscriber_(subscriber),
        channels_(std::move(channels)),
        handlers_(std::move(handlers)),
        probe_(std::move(probe)),
        backoff_timer_(io),
        latency_(observability::Metrics().GetHistogram(
            "onboardd_redis_command_duration_seconds",
            "Time from queueing Redis commands to their last reply (or giving up).",
            {{"role", options_.role}})),
        connected_gauge_(observability::Metrics().GetGauge(
            "onboardd_redis_connected", "Redis connections currently established.",
            {{"role", options_.role}})),
        connects_counter_(observability::Metrics().GetCounter(
            "onboardd_redis_connects_total",
            "Redis connections established (first and reconnects).", {{"role", options_.role}})) {}

  void Start() {
    if (started_ || stopped_) return;
    if (options_.endpoint.transport == RedisEndpoint::Transport::kTls) {
      tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
      tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1);
      tls_->set_verify_mode(asio::ssl::verify_peer);
      if (options_.use_system_ca) tls_->set_default_verify_paths();
      if (!options_.ca_file.empty()) tls_->load_verify_file(options_.ca_file);  // throws
    }
    started_ = true;
    asio::co_spawn(io_, Run(shared_from_this()), asio::detached);
  }

  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    backoff_timer_.cancel();
    if (auto resolver = resolving_.lock()) resolver->cancel();
    if (auto stream = opening_.lock()) stream->Close();
    if (session_) Close(*session_, "stopped", Failure::kNone);
  }

  bool ready() const { return ready_; }
  std::uint64_t connects() const { return connects_; }

  asio::awaitable<core::Result<std::vector<RedisReply>>> Execute(std::vector<RedisCommand> commands,
                                                                 core::Deadline deadline) {
    if (!ready_ || !session_) {
      Errors(Failure::kUnavailable).Add();
      co_return Unavailable("not connected");
    }
    co_return co_await Submit(session_, std::move(commands), deadline, true);
  }

  bool Send(RedisCommand command) {
    if (!ready_ || !session_) return false;
    if (session_->owed.size() >= options_.max_in_flight) {
      CloseIfStalled(*session_);
      return false;
    }
    session_->out.append(command.bytes());
    session_->owed.push_back({nullptr, Clock::now()});
    Kick(*session_);
    return true;
  }

  asio::awaitable<bool> WaitConnected(core::Deadline deadline) {
    asio::steady_timer poll(io_);
    while (!ready_ && !stopped_ && Clock::now() < deadline) {
      poll.expires_after(std::chrono::milliseconds(2));
      co_await poll.async_wait(kTuple);
    }
    co_return ready_;
  }

 private:
  asio::awaitable<void> Run(std::shared_ptr<RedisLink> self) {
    auto backoff = options_.backoff_min;
    bool failing = false;  // log one line per streak of failures, not one per attempt
    while (!stopped_) {
      const auto deadline = Clock::now() + options_.connect_timeout;
      std::string why;
      auto stream = co_await Open(deadline, why);
      if (stopped_) break;
      bool established = false;
      Clock::time_point up_since;
      if (stream) {
        auto session = std::make_shared<Session>(io_, std::move(stream));
        session_ = session;
        asio::co_spawn(io_, Reader(self, session), asio::detached);
        asio::co_spawn(io_, Writer(self, session), asio::detached);
        established = co_await Handshake(session, deadline, why);
        if (established && !stopped_) {
          ready_ = true;
          up_since = Clock::now();
          ++connects_;
          connects_counter_.Add();
          connected_gauge_.Add(1);
          failing = false;
          observability::Log(observability::Level::kInfo, "redis_connected",
                             {{"role", options_.role},
                              {"endpoint", options_.endpoint.Redacted()},
                              {"connects", connects_}});
          if (subscriber_) {
            if (probe_) probe_->Watch(session->stream->native_handle());
            asio::co_spawn(io_, Heartbeat(self, session), asio::detached);
            if (handlers_.on_event) handlers_.on_event(RedisSubscriber::Event::kSubscribed);
          }
          if (!session->closed) co_await session->closed_signal.async_wait(kTuple);
        } else {
          Close(*session, why.empty() ? "handshake failed" : why, Failure::kNone);
        }
      } else {
        Errors(Failure::kConnect).Add();
      }
      if (stopped_) break;
      if (!established) {
        if (!failing) {
          observability::Log(observability::Level::kWarn, "redis_connect_failed",
                             {{"role", options_.role},
                              {"endpoint", options_.endpoint.Redacted()},
                              {"error", why}});
        }
        failing = true;
        if (subscriber_ && handlers_.on_event) {
          handlers_.on_event(RedisSubscriber::Event::kConnectFailed);
        }
      } else if (Clock::now() - up_since >= options_.stable_after) {
        backoff = options_.backoff_min;
      }
      if (stopped_) break;
      backoff_timer_.expires_after(backoff);
      co_await backoff_timer_.async_wait(kTuple);
      backoff = std::min(backoff * 2, options_.backoff_max);
    }
  }

  // TCP/TLS/Unix connect (and TLS handshake) before the deadline; null with `why` on failure.
  asio::awaitable<std::shared_ptr<Stream>> Open(core::Deadline deadline, std::string& why) {
    const RedisEndpoint& endpoint = options_.endpoint;
    auto stream = std::make_shared<Stream>(io_, endpoint.transport, tls_.get());
    opening_ = stream;
    bool expired = false;
    Watchdog watchdog(io_, deadline, [weak = std::weak_ptr<Stream>(stream), &expired] {
      expired = true;
      if (auto s = weak.lock()) s->Close();
    });
    if (endpoint.transport == RedisEndpoint::Transport::kUnix) {
      auto [ec] = co_await stream->unix_socket().async_connect(
          asio::local::stream_protocol::endpoint(endpoint.path), kTuple);
      if (ec) {
        why = expired ? "connect timed out" : "connect failed: " + ec.message();
        co_return nullptr;
      }
      co_return stream;
    }

    auto resolver = std::make_shared<tcp::resolver>(io_);
    resolving_ = resolver;
    Watchdog resolve_watchdog(io_, deadline, [weak = std::weak_ptr<tcp::resolver>(resolver)] {
      if (auto r = weak.lock()) r->cancel();
    });
    auto [resolve_error, results] = co_await resolver->async_resolve(
        endpoint.host, std::to_string(endpoint.port), tcp::resolver::numeric_service, kTuple);
    if (resolve_error || stopped_) {
      why = "resolve failed: " + resolve_error.message();
      co_return nullptr;
    }
    auto [connect_error, connected] =
        co_await asio::async_connect(stream->tcp_socket(), results, kTuple);
    if (connect_error) {
      why = expired ? "connect timed out" : "connect failed: " + connect_error.message();
      co_return nullptr;
    }
    error_code ignored;
    stream->tcp_socket().set_option(tcp::no_delay(true), ignored);
    if (endpoint.transport == RedisEndpoint::Transport::kTls) {
      auto& tls = stream->tls();
      error_code not_an_address;
      asio::ip::make_address(endpoint.host, not_an_address);
      if (not_an_address) {
        // SNI names a host, never an address (RFC 6066 §3).
        SSL_set_tlsext_host_name(tls.native_handle(), endpoint.host.c_str());
      }
      tls.set_verify_mode(asio::ssl::verify_peer);
      tls.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
      auto [handshake_error] = co_await tls.async_handshake(asio::ssl::stream_base::client, kTuple);
      if (handshake_error) {
        why = expired ? "TLS handshake timed out"
                      : "TLS handshake failed: " + handshake_error.message();
        co_return nullptr;
      }
    }
    co_return stream;
  }

  // AUTH / SELECT / PING, then for subscribers SUBSCRIBE and its confirmations.
  asio::awaitable<bool> Handshake(std::shared_ptr<Session> session, core::Deadline deadline,
                                  std::string& why) {
    const RedisEndpoint& endpoint = options_.endpoint;
    std::vector<RedisCommand> hello;
    if (!endpoint.password.empty()) {
      if (endpoint.user.empty()) {
        hello.push_back(RedisCommand{"AUTH", endpoint.password});
      } else {
        hello.push_back(RedisCommand{"AUTH", endpoint.user, endpoint.password});
      }
    }
    if (endpoint.db != 0) hello.push_back(RedisCommand{"SELECT", std::to_string(endpoint.db)});
    hello.push_back(RedisCommand{"PING"});
    auto replies = co_await Submit(session, std::move(hello), deadline, false);
    if (!replies) {
      why = replies.error().message.en;
      co_return false;
    }
    for (const auto& reply : *replies) {
      if (reply.IsError()) {
        // The server's words ("WRONGPASS invalid username-password pair ..."), never ours.
        why = "refused: " + reply.text;
        Errors(Failure::kAuth).Add();
        co_return false;
      }
    }
    if (!subscriber_) co_return true;
    session->push_mode = true;
    std::vector<std::string> subscribe{"SUBSCRIBE"};
    subscribe.insert(subscribe.end(), channels_.begin(), channels_.end());
    session->out.append(RedisCommand(subscribe).bytes());
    Kick(*session);
    session->ready_signal.expires_at(deadline);
    co_await session->ready_signal.async_wait(kTuple);
    if (session->closed || session->confirmed < channels_.size()) {
      why = session->closed ? session->close_reason : "subscribe timed out";
      co_return false;
    }
    co_return true;
  }

  // `capped`: the wait is also bounded by the command timeout, and passing it means the
  // server stalled (the connection is dropped).
  asio::awaitable<core::Result<std::vector<RedisReply>>> Submit(std::shared_ptr<Session> session,
                                                                std::vector<RedisCommand> commands,
                                                                core::Deadline deadline,
                                                                bool capped) {
    if (session->closed) {
      Errors(Failure::kUnavailable).Add();
      co_return Unavailable("not connected");
    }
    if (session->owed.size() + commands.size() > options_.max_in_flight) {
      Errors(Failure::kOverload).Add();
      if (capped) CloseIfStalled(*session);
      co_return Unavailable("too many commands in flight");
    }
    const auto start = Clock::now();
    const auto own_limit = start + options_.command_timeout;
    const bool stall_bound = capped && own_limit <= deadline;
    auto waiter = std::make_shared<Waiter>(io_, commands.size());
    for (const auto& command : commands) {
      session->out.append(command.bytes());
      session->owed.push_back({waiter, start});
    }
    Kick(*session);
    waiter->timer.expires_at(stall_bound ? own_limit : deadline);
    co_await waiter->timer.async_wait(kTuple);
    latency_.Observe(std::chrono::duration<double>(Clock::now() - start).count());
    if (waiter->done) {
      if (waiter->failure) co_return Unavailable(*waiter->failure);
      co_return std::move(waiter->replies);
    }
    waiter->abandoned = true;
    Errors(Failure::kTimeout).Add();
    if (stall_bound) {
      Close(*session, "no reply within the command timeout (server stalled?)", Failure::kNone);
    } else if (capped) {
      CloseIfStalled(*session);
    }
    co_return Unavailable("command timed out");
  }

  // The oldest reply owed is older than the command timeout: the server has stalled (or the
  // link died silently). Pairing its late replies with new commands is never an option.
  void CloseIfStalled(Session& session) {
    if (!session.closed && !session.owed.empty() &&
        Clock::now() - session.owed.front().queued >= options_.command_timeout) {
      Close(session, "no reply within the command timeout (server stalled?)", Failure::kNone);
    }
  }

  void Kick(Session& session) {
    if (session.writer_idle) {
      session.writer_idle = false;
      session.wake.cancel();
    }
  }

  asio::awaitable<void> Writer([[maybe_unused]] std::shared_ptr<RedisLink> self,
                               std::shared_ptr<Session> session) {
    std::string sending;
    while (!session->closed) {
      if (session->out.empty()) {
        session->writer_idle = true;
        session->wake.expires_at(Clock::time_point::max());
        co_await session->wake.async_wait(kTuple);
        continue;
      }
      sending.clear();
      std::swap(sending, session->out);
      auto [ec, written] = co_await session->stream->Write(asio::buffer(sending));
      if (session->closed) co_return;
      if (ec) {
        Close(*session, "write failed: " + ec.message(), Failure::kIo);
        co_return;
      }
    }
  }

  asio::awaitable<void> Reader([[maybe_unused]] std::shared_ptr<RedisLink> self,
                               std::shared_ptr<Session> session) {
    while (!session->closed) {
      auto [ec, n] = co_await session->stream->ReadSome(asio::buffer(session->buffer));
      if (session->closed) co_return;
      if (ec) {
        Close(*session,
              ec == asio::error::eof ? "server closed the connection"
                                     : "read failed: " + ec.message(),
              Failure::kIo);
        co_return;
      }
      if (redisReaderFeed(session->reader, session->buffer.data(), n) != REDIS_OK) {
        Close(*session, "protocol error", Failure::kProtocol);
        co_return;
      }
      for (;;) {
        void* raw = nullptr;
        if (redisReaderGetReply(session->reader, &raw) != REDIS_OK) {
          Close(*session, std::string("protocol error: ") + session->reader->errstr,
                Failure::kProtocol);
          co_return;
        }
        if (!raw) break;
        RedisReply reply = Convert(static_cast<redisReply*>(raw));
        freeReplyObject(raw);
        Dispatch(*session, std::move(reply));
        if (session->closed) co_return;
      }
    }
  }

  void Dispatch(Session& session, RedisReply reply) {
    if (session.push_mode) {
      OnPush(session, std::move(reply));
      return;
    }
    if (session.owed.empty()) {
      Close(session, "a reply nobody asked for", Failure::kProtocol);
      return;
    }
    Owed owed = std::move(session.owed.front());
    session.owed.pop_front();
    auto& waiter = owed.waiter;
    if (!waiter || waiter->done || waiter->abandoned) return;
    waiter->replies.push_back(std::move(reply));
    if (waiter->replies.size() == waiter->expected) waiter->Finish();
  }

  void OnPush(Session& session, RedisReply reply) {
    if (reply.IsError()) {
      Errors(Failure::kAuth).Add();
      Close(session, "subscribe refused: " + reply.text, Failure::kNone);
      return;
    }
    if (reply.type != RedisReply::Type::kArray || reply.elements.empty()) return;
    const std::string& kind = reply.elements[0].text;
    if (kind == "message" && reply.elements.size() >= 3) {
      if (!stopped_ && handlers_.on_message) {
        handlers_.on_message(reply.elements[1].text, reply.elements[2].text);
      }
    } else if (kind == "subscribe") {
      if (++session.confirmed >= channels_.size()) session.ready_signal.cancel();
    } else if (kind == "pong") {
      session.pong = true;
    }
  }

  asio::awaitable<void> Heartbeat([[maybe_unused]] std::shared_ptr<RedisLink> self,
                                  std::shared_ptr<Session> session) {
    static const RedisCommand kPing{"PING"};
    while (!session->closed) {
      session->heartbeat.expires_after(options_.heartbeat_interval);
      co_await session->heartbeat.async_wait(kTuple);
      if (session->closed) co_return;
      session->pong = false;
      session->out.append(kPing.bytes());
      Kick(*session);
      session->heartbeat.expires_after(options_.heartbeat_timeout);
      co_await session->heartbeat.async_wait(kTuple);
      if (session->closed) co_return;
      if (!session->pong) {
        Close(*session, "no pong within the heartbeat timeout", Failure::kTimeout);
        co_return;
      }
    }
  }

  void Close(Session& session, const std::string& reason, Failure kind) {
    if (session.closed) return;
    session.closed = true;
    session.close_reason = reason;
    auto keep = session_;  // `session` may be the current one: keep it alive to the end
    if (probe_ && &session == session_.get()) probe_->Unwatch();  // before its fd is freed
    session.stream->Close();
    session.wake.cancel();
    session.closed_signal.cancel();
    session.ready_signal.cancel();
    session.heartbeat.cancel();
    auto owed = std::move(session.owed);
    session.owed.clear();
    for (auto& o : owed) {
      if (o.waiter && !o.waiter->done) o.waiter->Fail(reason);
    }
    if (kind != Failure::kNone) Errors(kind).Add();
    if (&session != session_.get()) return;
    session_.reset();
    const bool was_ready = ready_;
    ready_ = false;
    if (!was_ready) return;
    connected_gauge_.Add(-1);
    observability::Log(stopped_ ? observability::Level::kDebug : observability::Level::kWarn,
                       "redis_disconnected", {{"role", options_.role}, {"reason", reason}});
    if (subscriber_ && !stopped_ && handlers_.on_event) {
      handlers_.on_event(RedisSubscriber::Event::kDisconnected);
    }
  }

  // Constant after construction.
  asio::io_context& io_;
  const RedisOptions options_;
  const bool subscriber_;
  const std::vector<std::string> channels_;
  const RedisSubscriber::Handlers handlers_;
  const std::shared_ptr<UnreadBytesProbe> probe_;  // subscriber: set while subscribed

  // Only on the io_context's thread.
  std::unique_ptr<asio::ssl::context> tls_;
  std::shared_ptr<Session> session_;  // the open (or opening) session
  std::weak_ptr<Stream> opening_;
  std::weak_ptr<tcp::resolver> resolving_;
  asio::steady_timer backoff_timer_;
  bool started_ = false;
  bool stopped_ = false;
  bool ready_ = false;
  std::uint64_t connects_ = 0;

  observability::Histogram& latency_;
  observability::Gauge& connected_gauge_;
  observability::Counter& connects_counter_;
};

// ---- public classes ------------------------------------------------------------------

std::string RedisCommand::Encode(const std::string_view* args, std::size_t count) {
  std::vector<const char*> argv(count);
  std::vector<std::size_t> lengths(count);
  for (std::size_t i = 0; i < count; ++i) {
    argv[i] = args[i].empty() ? "" : args[i].data();
    lengths[i] = args[i].size();
  }
  char* target = nullptr;
  const int length =
      redisFormatCommandArgv(&target, static_cast<int>(count), argv.data(), lengths.data());
  if (length < 0 || target == nullptr) throw std::bad_alloc();
  std::string bytes(target, static_cast<std::size_t>(length));
  redisFreeCommand(target);
  return bytes;
}

RedisCommand::RedisCommand(const std::vector<std::string>& args)
    : bytes_(Encode(std::vector<std::string_view>(args.begin(), args.end()).data(), args.size())) {}

RedisConnection::RedisConnection(asio::io_context& io, RedisOptions options)
    : link_(std::make_shared<RedisLink>(io, std::move(options), false, std::vector<std::string>{},
                                        RedisSubscriber::Handlers{})) {}
RedisConnection::~RedisConnection() { Stop(); }
void RedisConnection::Start() { link_->Start(); }
void RedisConnection::Stop() { link_->Stop(); }
bool RedisConnection::connected() const { return link_->ready(); }
std::uint64_t RedisConnection::connects() const { return link_->connects(); }

asio::awaitable<core::Result<RedisReply>> RedisConnection::Execute(RedisCommand command,
                                                                   core::Deadline deadline) {
  auto link = link_;
  std::vector<RedisCommand> one;
  one.push_back(std::move(command));
  auto replies = co_await link->Execute(std::move(one), deadline);
  if (!replies) co_return replies.error();
  co_return std::move(replies->front());
}

asio::awaitable<core::Result<std::vector<RedisReply>>> RedisConnection::ExecuteAll(
    std::vector<RedisCommand> commands, core::Deadline deadline) {
  auto link = link_;
  co_return co_await link->Execute(std::move(commands), deadline);
}

bool RedisConnection::Send(RedisCommand command) { return link_->Send(std::move(command)); }

asio::awaitable<bool> RedisConnection::WaitConnected(core::Deadline deadline) {
  auto link = link_;
  co_return co_await link->WaitConnected(deadline);
}

RedisSubscriber::RedisSubscriber(asio::io_context& io, RedisOptions options,
                                 std::vector<std::string> channels, Handlers handlers,
                                 std::shared_ptr<UnreadBytesProbe> probe)
    : link_(std::make_shared<RedisLink>(io, std::move(options), true, std::move(channels),
                                        std::move(handlers), std::move(probe))) {}

bool UnreadBytesProbe::HasUnread() const {
  const int fd = fd_.load(std::memory_order_acquire);
  if (fd < 0) return false;
  int unread = 0;
  // A descriptor reused since (a race with a reconnect) answers for another socket: at worst
  // a needless miss.
  return ::ioctl(fd, FIONREAD, &unread) == 0 && unread > 0;
}
RedisSubscriber::~RedisSubscriber() { Stop(); }
void RedisSubscriber::Start() { link_->Start(); }
void RedisSubscriber::Stop() { link_->Stop(); }
bool RedisSubscriber::subscribed() const { return link_->ready(); }
std::uint64_t RedisSubscriber::connects() const { return link_->connects(); }

}  // namespace onboardd::cache
