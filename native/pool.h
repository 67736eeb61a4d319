// A fixed thread pool shared by the native kernels: the calling thread and the workers run the parts
// of a job, and run() returns when every part is done. T = VAEKIT_THREADS or the machine's cores.
//
// A training step calls the pool dozens of times, tens of microseconds apart. Waking a sleeping thread
// takes about as long as a small GEMM (a futex wake, and on a VM an interrupt to an idle vCPU), so the
// second core bought nothing on the MLP step. Workers therefore spin for a short while (SPIN) after each
// job, watching the ticket, and sleep on the condition variable only when no job came in that time; and
// parts are claimed, not assigned, so the caller never waits for a worker that has not started.
#pragma once
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vaekit {

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

class Pool {
 public:
  // How long an idle worker keeps watching for the next job before it sleeps, and how long the caller
  // spins for parts still running before it sleeps.
  static constexpr std::chrono::microseconds SPIN{50};

  explicit Pool(int threads) {
    for (int t = 1; t < threads; t++) workers_.emplace_back([this] { loop(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_.store(true);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }
  int size() const { return (int)workers_.size() + 1; }

  // Runs job(0) … job(parts − 1), each once, on the caller and the workers: every thread claims the next
  // part until none is left, so a worker that wakes late costs nothing (the caller has run its parts).
  // Several JS threads (worker_threads) may call at once: whoever finds the pool busy runs all parts
  // itself, on its own thread.
  void run(int parts, const std::function<void(int)>& job) {
    parts = std::min(parts, 255);
    std::unique_lock<std::mutex> owner(busy_, std::try_to_lock);
    if (parts <= 1 || size() == 1 || !owner.owns_lock()) {
      for (int t = 0; t < parts; t++) job(t);
      return;
    }
    job_ = &job;
    pending_.store(parts, std::memory_order_relaxed);
    const uint64_t ticket = ((ticket_.load(std::memory_order_relaxed) >> 8) + 1) << 8 | (uint64_t)parts;
    next_.store(ticket & ~(uint64_t)255, std::memory_order_relaxed);
    {
      // under the lock, so that a worker about to sleep either sees the new ticket or is counted in sleepers_
      std::lock_guard<std::mutex> lock(mu_);
      ticket_.store(ticket, std::memory_order_release);
    }
    if (sleepers_.load() > 0) wake_.notify_all();
    work(ticket);
    // parts still running elsewhere are short: spin for them, then sleep (never yield: on a busy
    // machine sched_yield hands the core to another process for a whole time slice)
    const auto until = std::chrono::steady_clock::now() + SPIN;
    for (int i = 0; pending_.load(std::memory_order_acquire) != 0; i++) {
      if ((i & 255) == 255 && std::chrono::steady_clock::now() > until) {
        std::unique_lock<std::mutex> lock(mu_);
        waiting_ = true;
        done_.wait(lock, [&] { return pending_.load() == 0; });
        waiting_ = false;
      } else {
        cpuRelax();
      }
    }
    job_ = nullptr;
  }

 private:
  // The ticket holds a job's number (high bits) and its part count (low 8 bits); next_ holds the job's
  // number and how many parts have been claimed. A claim names its job, so a worker that wakes after its
  // job is over claims nothing of the next one.
  int claim(uint64_t ticket) {
    const uint64_t job = ticket >> 8;
    const uint64_t parts = ticket & 255;
    uint64_t v = next_.load(std::memory_order_acquire);
    while ((v >> 8) == job && (v & 255) < parts) {
      if (next_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel)) return (int)(v & 255);
    }
    return -1;
  }

  // Runs parts of the job `ticket` until none is left to claim.
  void work(uint64_t ticket) {
    for (int part; (part = claim(ticket)) >= 0;) {
      (*job_)(part);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mu_);  // the caller checks pending_ under it before it sleeps
        if (waiting_) done_.notify_one();
      }
    }
  }

  void loop() {
    uint64_t seen = 0;
    for (;;) {
      uint64_t ticket = ticket_.load(std::memory_order_acquire);
      const auto until = std::chrono::steady_clock::now() + SPIN;
      for (int i = 0; ticket == seen && !stop_.load(std::memory_order_relaxed); i++) {
        if ((i & 255) == 255 && std::chrono::steady_clock::now() > until) {
          std::unique_lock<std::mutex> lock(mu_);
          sleepers_++;
          wake_.wait(lock, [&] { return stop_.load() || ticket_.load() != seen; });
          sleepers_--;
        } else {
          cpuRelax();
        }
        ticket = ticket_.load(std::memory_order_acquire);
      }
      if (stop_.load()) return;
      seen = ticket;
      work(ticket);
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mu_, busy_;
  std::condition_variable wake_, done_;
  bool waiting_ = false;  // the caller sleeps on done_ (guarded by mu_)
  const std::function<void(int)>* job_ = nullptr;
  std::atomic<uint64_t> ticket_{0}, next_{0};
  std::atomic<int> pending_{0}, sleepers_{0};
  std::atomic<bool> stop_{false};
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
