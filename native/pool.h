// A fixed thread pool shared by the native kernels: the calling thread runs part 0, workers run
// parts 1..T-1, and run() returns when every part is done. T = VAEKIT_THREADS or the machine's cores.
#pragma once
#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vaekit {

class Pool {
 public:
  explicit Pool(int threads) {
    for (int t = 1; t < threads; t++) workers_.emplace_back([this, t] { loop(t); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }
  int size() const { return (int)workers_.size() + 1; }

  // Several JS threads (worker_threads) may call at once: whoever finds the pool busy runs all
  // parts itself, on its own thread.
  void run(int parts, const std::function<void(int)>& job) {
    parts = std::min(parts, size());
    std::unique_lock<std::mutex> owner(busy_, std::try_to_lock);
    if (parts <= 1 || !owner.owns_lock()) {
      for (int t = 0; t < parts; t++) job(t);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = &job;
      parts_ = parts;
      pending_ = parts - 1;
      generation_++;
    }
    wake_.notify_all();
    job(0);
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [this] { return pending_ == 0; });
    job_ = nullptr;
  }

 private:
  void loop(int t) {
    unsigned long seen = 0;
    for (;;) {
      const std::function<void(int)>* job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        if (t >= parts_) continue;
        job = job_;
      }
      (*job)(t);
      std::lock_guard<std::mutex> lock(mu_);
      if (--pending_ == 0) done_.notify_one();
    }
  }
  std::vector<std::thread> workers_;
  std::mutex mu_, busy_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* job_ = nullptr;
  unsigned long generation_ = 0;
  int parts_ = 0, pending_ = 0;
  bool stop_ = false;
};

inline int defaultThreads() {
  if (const char* env = std::getenv("VAEKIT_THREADS")) {
    const int t = std::atoi(env);
    if (t >= 1) return std::min(t, 64);
  }
  return (int)std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
}

inline Pool& pool() {
  static Pool p(defaultThreads());
  return p;
}

// Splits [0, n) into at most `parts` contiguous ranges (no more than the pool's threads, none empty) and
// runs job(part, begin, end) for each on the pool; part numbers the ranges in order from 0.
inline void parallelFor(int n, int parts, const std::function<void(int, int, int)>& job) {
  parts = std::max(1, std::min({parts, n, pool().size()}));
  pool().run(parts, [&](int t) { job(t, (int)((long)n * t / parts), (int)((long)n * (t + 1) / parts)); });
}

}  // namespace vaekit
