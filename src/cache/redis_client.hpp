// The Redis client: hiredis only encodes commands and decodes replies; all I/O is Asio on
// the io_context of the thread that owns the connection (Debian's hiredis 0.14 has neither
// TLS nor an Asio adapter). TCP, TLS (rediss://, peer verified against the system CAs plus
// an optional CA file, with SNI and hostname checks) and Unix sockets.
//
// RedisConnection — commands. Pipelined: any number in flight, replies matched FIFO, every
// command queued while a write is under way goes out in the next single write. Each call
// has a deadline (at most the command timeout). The connection reconnects by itself with
// capped exponential backoff; while it is not connected, calls fail at once with
// kUnavailable rather than queueing, so a Redis outage costs a request nothing but a branch.
// A command that passes its deadline leaves its reply slot in the queue (the late reply is
// read and dropped, so replies never pair with the wrong command); if the server itself has
// stalled — a reply owed for longer than the command timeout — the connection is dropped
// and reopened.
//
// RedisSubscriber — a connection in SUBSCRIBE mode: delivers messages to a callback,
// reports subscribed / disconnected, resubscribes after reconnecting, and sends a PING
// every heartbeat interval so that a stalled server or a dead link is noticed (no pong
// within the heartbeat timeout → disconnected) even when no message flows.
//
// Thread-safety: none. Each object lives on one io_context; construct, use, Stop and
// destroy it on that io_context's thread (or after that io_context stopped running).
// hiredis is included only by redis_client.cpp.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "cache/redis_url.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace onboardd::cache {

// One reply, decoded (hiredis's redisReply never leaves redis_client.cpp).
struct RedisReply {
  enum class Type { kNil, kString, kStatus, kInteger, kError, kArray };
  Type type = Type::kNil;
  std::string text;                  // kString, kStatus, kError ("ERR ...", "WRONGPASS ...")
  long long integer = 0;             // kInteger
  std::vector<RedisReply> elements;  // kArray

  bool IsError() const { return type == Type::kError; }
  bool IsNil() const { return type == Type::kNil; }
};

// One command, encoded in the Redis protocol when it is made (redisFormatCommandArgv):
// RedisCommand{"SET", key, value}. Arguments are anything convertible to string_view and
// may hold any bytes. (Variadic rather than an initializer_list: GCC 12 cannot keep an
// initializer_list's array in a coroutine frame, and commands are mostly made in one.)
class RedisCommand {
 public:
  template <class... Args>
  requires(sizeof...(Args) > 0 && (std::is_convertible_v<const Args&, std::string_view> &&
                                   ...)) explicit RedisCommand(const Args&... args)
      : RedisCommand(std::array<std::string_view, sizeof...(Args)>{std::string_view(args)...}) {}
  explicit RedisCommand(const std::vector<std::string>& args);
  std::string_view bytes() const { return bytes_; }

 private:
  template <std::size_t N>
  explicit RedisCommand(const std::array<std::string_view, N>& args)
      : bytes_(Encode(args.data(), N)) {}
  static std::string Encode(const std::string_view* args, std::size_t count);

  std::string bytes_;
};

struct RedisOptions {
  RedisEndpoint endpoint;
  // rediss://: trust the system CAs, plus this PEM file when not empty (a private CA).
  bool use_system_ca = true;
  std::string ca_file;
  // TCP connect + TLS handshake + AUTH/SELECT/PING must all fit in this.
  std::chrono::milliseconds connect_timeout{500};
  // The longest a command may wait for its reply; also the stall threshold (above).
  std::chrono::milliseconds command_timeout{100};
  // Reconnect backoff: doubles from min to max after each failed attempt; back to min once a
  // connection has stayed up for `stable_after`.
  std::chrono::milliseconds backoff_min{20};
  std::chrono::milliseconds backoff_max{1000};
  std::chrono::milliseconds stable_after{2000};
  // Replies owed beyond this: kUnavailable at once (backpressure instead of memory growth).
  std::size_t max_in_flight = 10'000;
  // Subscribers: PING every interval; no pong within the timeout → reconnect.
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds heartbeat_timeout{500};
  // Metric and log label ("command", "subscriber").
  std::string role = "command";
};

// Common to both clients below: connection state and the reconnect loop.
class RedisLink;

class RedisConnection {
 public:
  // Does not connect: see Start.
  RedisConnection(boost::asio::io_context& io, RedisOptions options);
  ~RedisConnection();  // Stop()
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Starts connecting in the background, and reconnecting whenever the connection breaks,
  // until Stop(). Throws std::system_error when the CA file cannot be read (a
  // configuration error, found at start-up).
  void Start();
  // Closes the connection and stops reconnecting; calls in flight fail with kUnavailable.
  // Every coroutine of this object ends soon after (when its io_context runs).
  void Stop();

  // True between a successful AUTH/SELECT/PING and the next failure.
  bool connected() const;
  // Connections established so far (1 after the first, 2 after a reconnect, ...).
  std::uint64_t connects() const;

  // Sends one command and returns its reply; an error reply (-ERR ...) is a success here,
  // with RedisReply::IsError(). Failures, all kUnavailable: not connected, too many replies
  // owed, the connection broke before the reply, or the deadline (at most now + the command
  // timeout) passed.
  boost::asio::awaitable<core::Result<RedisReply>> Execute(
      RedisCommand command, core::Deadline deadline = core::Deadline::max());
  // Sends the commands in one write and returns their replies in order; fails as a whole
  // (as above) or not at all. Commands of one call are never interleaved with others, so
  // MULTI ... EXEC works.
  boost::asio::awaitable<core::Result<std::vector<RedisReply>>> ExecuteAll(
      std::vector<RedisCommand> commands, core::Deadline deadline = core::Deadline::max());
  // Queues the command and forgets it (its reply is read and dropped). False when not
  // connected or too many replies are owed.
  bool Send(RedisCommand command);

  // Completes when connected (true) or at the deadline (false). For start-up and tests.
  boost::asio::awaitable<bool> WaitConnected(core::Deadline deadline);

 private:
  std::shared_ptr<RedisLink> link_;
};

// Whether bytes have reached a connection's socket that its thread has not read yet: set by
// a RedisSubscriber to its subscribed socket, asked by any thread (one ioctl). The cache asks
// it before trusting its in-process layer: a message on the way there — another instance's
// invalidation that Redis has already delivered — makes the local copy a miss until it is
// read, instead of a stale hit while the subscriber's thread is busy elsewhere.
class UnreadBytesProbe {
 public:
  bool HasUnread() const;
  void Watch(int fd) { fd_.store(fd, std::memory_order_release); }
  void Unwatch() { fd_.store(-1, std::memory_order_release); }

 private:
  std::atomic<int> fd_{-1};
};

class RedisSubscriber {
 public:
  enum class Event {
    kSubscribed,     // every channel is subscribed (after each (re)connection)
    kDisconnected,   // the subscribed connection broke: messages may have been lost
    kConnectFailed,  // an attempt to connect or subscribe failed (Redis unreachable)
  };
  struct Handlers {
    std::function<void(std::string_view channel, std::string_view message)> on_message;
    std::function<void(Event)> on_event;
  };

  // Handlers run on the io_context's thread; they must not call Stop() or destroy this.
  // `probe` (optional) is pointed at the socket while it is subscribed.
  RedisSubscriber(boost::asio::io_context& io, RedisOptions options,
                  std::vector<std::string> channels, Handlers handlers,
                  std::shared_ptr<UnreadBytesProbe> probe = nullptr);
  ~RedisSubscriber();  // Stop()
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  void Start();  // as RedisConnection::Start
  void Stop();   // no event is reported after Stop
  bool subscribed() const;
  std::uint64_t connects() const;

 private:
  std::shared_ptr<RedisLink> link_;
};

}  // namespace onboardd::cache
