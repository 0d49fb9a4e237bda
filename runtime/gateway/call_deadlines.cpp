#include "runtime/gateway/call_deadlines.hpp"

#include <caf/abstract_actor.hpp>
#include <caf/error.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/sec.hpp>

namespace batch {

call_deadlines::call_deadlines(clock::duration timeout,
                               clock::duration resolution)
    : timeout_(timeout), resolution_(resolution) {
  thread_ = std::thread{[this] {
    run();
  }};
}

call_deadlines::~call_deadlines() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  stopped_.notify_one();
  thread_.join();
}

uint64_t call_deadlines::arm(const caf::strong_actor_ptr& caller,
                             caf::message_id response_id) {
  auto deadline = clock::now() + timeout_;
  std::lock_guard<std::mutex> guard{mutex_};
  auto ticket = next_ticket_++;
  calls_.emplace_hint(calls_.end(), ticket,
                      waiting_call{deadline, caller, response_id});
  return ticket;
}

void call_deadlines::disarm(uint64_t ticket) {
  std::lock_guard<std::mutex> guard{mutex_};
  calls_.erase(ticket);
}

void call_deadlines::run() {
  std::unique_lock<std::mutex> guard{mutex_};
  while (!stopping_) {
    stopped_.wait_for(guard, resolution_);
    expire(clock::now());
  }
}

void call_deadlines::expire(clock::time_point now) {
  while (!calls_.empty() && calls_.begin()->second.deadline <= now) {
    auto& call = calls_.begin()->second;

    // The same message CAF's clock sends: a response with the awaited id
    // that carries the error, which ends the caller's receive.
    call.caller->get()->enqueue(
      caf::make_mailbox_element(nullptr, call.response_id, {},
                                caf::make_error(caf::sec::request_timeout)),
      nullptr);
    calls_.erase(calls_.begin());
  }
}

} // namespace batch
