#include "runtime/gateway/call_deadlines.hpp"

#include <caf/all.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

namespace batch {

namespace {

using namespace std::chrono_literals;

/// An actor that answers a text at once and never answers a number.
caf::behavior responder(caf::event_based_actor* self) {
  return {
    [](const std::string&) { return std::string{"pong"}; },
    [self](int) { return self->make_response_promise<std::string>(); },
  };
}

/// A real actor system: the deadlines run on a thread of their own.
struct deadline_fixture {
  deadline_fixture() : system(config) {
    // nop
  }

  ~deadline_fixture() {
    caf::anon_send_exit(target, caf::exit_reason::user_shutdown);
  }

  caf::actor_system_config config;
  caf::actor_system system;
  caf::actor target = system.spawn(responder);
};

} // namespace

TEST_CASE_FIXTURE(deadline_fixture,
                  "call_deadlines ends a call whose reply does not come") {
  call_deadlines deadlines{50ms, 5ms};
  caf::scoped_actor self{system};
  auto pending = self->request(target, caf::infinite, 1);
  auto ticket
    = deadlines.arm(caf::actor_cast<caf::strong_actor_ptr>(self), pending.id());
  caf::error failure;
  pending.receive([](const std::string&) { FAIL("no reply was expected"); },
                  [&](caf::error& err) { failure = std::move(err); });
  deadlines.disarm(ticket);
  CHECK(failure == caf::sec::request_timeout);
}

TEST_CASE_FIXTURE(deadline_fixture,
                  "call_deadlines leaves a disarmed call's caller alone") {
  call_deadlines deadlines{20ms, 5ms};
  caf::scoped_actor self{system};
  auto pending = self->request(target, caf::infinite, std::string{"ping"});
  auto ticket
    = deadlines.arm(caf::actor_cast<caf::strong_actor_ptr>(self), pending.id());
  std::string reply;
  pending.receive([&](std::string& text) { reply = std::move(text); },
                  [](caf::error&) { FAIL("the reply was expected"); });
  deadlines.disarm(ticket);
  CHECK(reply == "pong");

  // Well past the deadline nothing has reached the caller.
  std::this_thread::sleep_for(80ms);
  CHECK(self->mailbox().empty());
}

} // namespace batch
