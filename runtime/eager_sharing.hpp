// A CAF scheduler policy: work sharing (one queue of runnable actors for all
// workers) whose idle workers look for work a moment before they sleep.
//
// CAF 0.17's own work sharing puts a worker to sleep the moment the queue is
// empty and signals its condition variable on every enqueue. Under a steady
// stream of requests a worker then sleeps and is woken for nearly every
// message; a worker that looks for the next one during a short window (see
// runtime/await_briefly.hpp) mostly finds it awake, and enqueueing signals
// only when a worker sleeps.
#pragma once

#include "runtime/await_briefly.hpp"

#include <caf/policy/unprofiled.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

namespace batch {

/// How long an idle worker looks for work before it sleeps.
constexpr auto eager_sharing_window = std::chrono::microseconds{50};

class eager_sharing : public caf::policy::unprofiled {
public:
  /// The shared queue of runnable actors.
  struct coordinator_data {
    explicit coordinator_data(caf::scheduler::abstract_coordinator*) {
      // nop
    }

    std::mutex lock;
    std::condition_variable wake_up;
    std::deque<caf::resumable*> queue;
    /// The queue's size, for workers that look without taking the lock.
    std::atomic<size_t> queued{0};
    /// Workers waiting on `wake_up`; guarded by `lock`.
    size_t sleeping = 0;
  };

  struct worker_data {
    explicit worker_data(caf::scheduler::abstract_coordinator*) {
      // nop
    }
  };

  template <class Coordinator>
  void enqueue(Coordinator* self, caf::resumable* job) {
    auto& data = d(self);
    bool wake = false;
    {
      std::lock_guard<std::mutex> guard{data.lock};
      data.queue.push_back(job);
      data.queued.store(data.queue.size(), std::memory_order_release);
      wake = data.sleeping > 0;
    }
    if (wake)
      data.wake_up.notify_one();
  }

  template <class Coordinator>
  void central_enqueue(Coordinator* self, caf::resumable* job) {
    enqueue(self, job);
  }

  template <class Worker>
  void external_enqueue(Worker* self, caf::resumable* job) {
    enqueue(self->parent(), job);
  }

  template <class Worker>
  void internal_enqueue(Worker* self, caf::resumable* job) {
    enqueue(self->parent(), job);
  }

  template <class Worker>
  void resume_job_later(Worker* self, caf::resumable* job) {
    enqueue(self->parent(), job);
  }

  /// Returns the next runnable actor: looks for one during the window, then
  /// sleeps until one comes.
  template <class Worker>
  caf::resumable* dequeue(Worker* self) {
    auto& data = d(self->parent());
    auto queued = [&data] {
      return data.queued.load(std::memory_order_acquire) > 0;
    };
    if (await_briefly(queued, eager_sharing_window)) {
      std::lock_guard<std::mutex> guard{data.lock};
      if (!data.queue.empty())
        return pop(data);
    }
    std::unique_lock<std::mutex> guard{data.lock};
    ++data.sleeping;
    data.wake_up.wait(guard, [&data] { return !data.queue.empty(); });
    --data.sleeping;
    return pop(data);
  }

  template <class Worker, class UnaryFunction>
  void foreach_resumable(Worker*, UnaryFunction) {
    // nop: workers keep no queues of their own
  }

  template <class Coordinator, class UnaryFunction>
  void foreach_central_resumable(Coordinator* self, UnaryFunction f) {
    auto& data = d(self);
    std::lock_guard<std::mutex> guard{data.lock};
    while (!data.queue.empty())
      f(pop(data));
  }

private:
  /// REQUIRES: the caller holds `data.lock` and the queue is not empty.
  static caf::resumable* pop(coordinator_data& data) {
    auto job = data.queue.front();
    data.queue.pop_front();
    data.queued.store(data.queue.size(), std::memory_order_release);
    return job;
  }
};

} // namespace batch
