// Waiting a moment for another thread without going to sleep.
//
// Putting a thread to sleep on a futex and waking it from another core costs
// several microseconds on each side, more on a virtual machine; when the
// other thread usually answers within microseconds, looking again costs
// less. The looking yields the core, so it never keeps a thread with work
// from running, and it ends after a short window, so an idle process still
// sleeps.
#pragma once

#include <chrono>
#include <thread>

namespace batch {

/// Yields the calling thread's core until `ready()` holds or `window` has
/// passed; returns whether `ready()` held.
template <class Predicate>
bool await_briefly(Predicate ready, std::chrono::microseconds window) {
  auto deadline = std::chrono::steady_clock::now() + window;
  while (!ready()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::yield();
  }
  return true;
}

} // namespace batch
