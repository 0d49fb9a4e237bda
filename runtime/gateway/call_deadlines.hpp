// Deadlines of the gateway's calls to actors. A call that waits longer than
// the timeout for its reply is ended with `sec::request_timeout`, as CAF's
// own request timeout would end it. CAF's timeouts live in its clock thread,
// which every request with a timeout wakes: on a two-core machine that
// wake-up cost the gateway a third of its throughput. Here a call costs an
// insertion and an erasure under a mutex, and one thread looks for expired
// calls once every `resolution`.
#pragma once

#include <caf/actor_addr.hpp>
#include <caf/message_id.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

namespace batch {

class call_deadlines {
public:
  using clock = std::chrono::steady_clock;

  /// Starts the thread that ends calls older than `timeout`, looking for them
  /// every `resolution`.
  call_deadlines(clock::duration timeout, clock::duration resolution);

  /// Stops the thread; calls still waiting then wait for their replies.
  ~call_deadlines();

  call_deadlines(const call_deadlines&) = delete;
  call_deadlines& operator=(const call_deadlines&) = delete;

  /// Starts the deadline of a call of `caller` that waits for the response
  /// `response_id`; returns the ticket that `disarm` takes.
  uint64_t arm(const caf::strong_actor_ptr& caller,
               caf::message_id response_id);

  /// Ends the deadline of a call that got its reply.
  void disarm(uint64_t ticket);

private:
  struct waiting_call {
    clock::time_point deadline;
    caf::strong_actor_ptr caller;
    caf::message_id response_id;
  };

  /// Body of the thread: ends expired calls until the destructor runs.
  void run();

  /// Ends the calls whose deadline passed. REQUIRES: `mutex_` is held.
  void expire(clock::time_point now);

  clock::duration timeout_;
  clock::duration resolution_;
  std::mutex mutex_;
  std::condition_variable stopped_;
  bool stopping_ = false;
  uint64_t next_ticket_ = 1;
  /// Waiting calls by ticket; every call has the same timeout, so tickets
  /// are in deadline order too.
  std::map<uint64_t, waiting_call> calls_;
  std::thread thread_;
};

} // namespace batch
