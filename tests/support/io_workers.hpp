// N I/O threads, each running its own io_context — the server's threading model, for
// tests. Await(w, coroutine) runs a coroutine on worker w and blocks the test thread for
// its result; Run(w, fn) runs a function there. Join() lets every worker drain (all
// coroutines end) and reports whether they did within the grace period.
#pragma once

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <vector>

namespace onboardd::test {

class IoWorkers {
 public:
  explicit IoWorkers(int n) {
    for (int i = 0; i < n; ++i) {
      auto worker = std::make_unique<Worker>();
      worker->thread = std::thread([w = worker.get()] {
        w->io.run();
        w->done.store(true);
      });
      workers_.push_back(std::move(worker));
    }
  }
  ~IoWorkers() { Join(std::chrono::seconds(2)); }
  IoWorkers(const IoWorkers&) = delete;
  IoWorkers& operator=(const IoWorkers&) = delete;

  int size() const { return static_cast<int>(workers_.size()); }
  boost::asio::io_context& io(int w) { return workers_[w]->io; }

  template <class T>
  T Await(int w, boost::asio::awaitable<T> work) {
    return boost::asio::co_spawn(io(w), std::move(work), boost::asio::use_future).get();
  }

  void Run(int w, std::function<void()> fn) {
    std::promise<void> done;
    boost::asio::post(io(w), [&] {
      fn();
      done.set_value();
    });
    done.get_future().get();
  }

  // Releases the threads; true when every io_context ran out of work within `grace`
  // (every coroutine ended); otherwise stops them and returns false.
  bool Join(std::chrono::milliseconds grace) {
    if (joined_) return drained_;
    joined_ = true;
    for (auto& w : workers_) w->guard.reset();
    const auto give_up = std::chrono::steady_clock::now() + grace;
    drained_ = false;
    while (std::chrono::steady_clock::now() < give_up) {
      bool all = true;
      for (auto& w : workers_) all = all && w->done.load();
      if (all) {
        drained_ = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (!drained_) {
      for (auto& w : workers_) w->io.stop();
    }
    for (auto& w : workers_) w->thread.join();
    return drained_;
  }

 private:
  struct Worker {
    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{
        boost::asio::make_work_guard(io)};
    std::atomic<bool> done{false};
    std::thread thread;
  };
  std::vector<std::unique_ptr<Worker>> workers_;
  bool joined_ = false;
  bool drained_ = false;
};

}  // namespace onboardd::test
