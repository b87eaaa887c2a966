// A deliberately dumb blocking TCP client for integration tests: it sends exactly the bytes
// a test writes (malformed, pipelined, slow) and reads what the server answers, so server
// behaviour is checked at the byte level. Test code only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace onboardd::testing {

class RawConnection {
 public:
  explicit RawConnection(unsigned short port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect failed");
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // False when the peer closed or reset.
  bool Send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Half-closes: the server sees end-of-stream after what was sent.
  void CloseWrite() { ::shutdown(fd_, SHUT_WR); }

  // Reads until `count` complete responses (by Content-Length) arrived, the peer closed, or
  // the timeout passed. Returns everything read.
  std::string ReadResponses(int count,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (CountComplete(buffer_) < count) {
      if (!ReadSome(deadline)) break;
    }
    return buffer_;
  }

  // True when the server closed the connection before `timeout`.
  bool WaitClosed(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (!ReadSome(deadline)) return !timed_out_;
    }
  }

  const std::string& received() const { return buffer_; }

  // Splits a buffer into complete responses (header + Content-Length body).
  static std::vector<std::string> Split(const std::string& data) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (true) {
      std::size_t end = data.find("\r\n\r\n", pos);
      if (end == std::string::npos) break;
      std::size_t length = 0;
      std::string header = data.substr(pos, end - pos);
      std::string lower;
      for (char c : header) lower.push_back(static_cast<char>(std::tolower(c)));
      auto cl = lower.find("content-length:");
      if (cl != std::string::npos) length = std::stoul(header.substr(cl + 15));
      if (end + 4 + length > data.size()) break;
      out.push_back(data.substr(pos, end + 4 + length - pos));
      pos = end + 4 + length;
    }
    return out;
  }

 private:
  static int CountComplete(const std::string& data) { return static_cast<int>(Split(data).size()); }

  bool ReadSome(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out_ = true;
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready <= 0) {
      timed_out_ = ready == 0;
      return false;
    }
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      timed_out_ = false;
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
  bool timed_out_ = false;
};

// "HTTP/1.1 404 Not Found\r\n..." → 404; 0 when unparseable.
inline int StatusOf(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) return 0;
  return std::atoi(response.c_str() + 9);
}

}  // namespace onboardd::testing
