#include "runtime/actor_system.hpp"
#include "runtime/await_briefly.hpp"
#include "runtime/eager_sharing.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/coordinator.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

namespace batch {

namespace {

using namespace std::chrono_literals;

/// Answers each number with its successor.
caf::behavior successor() {
  return {
    [](int value) { return value + 1; },
  };
}

struct system_fixture {
  system_fixture() : system(init(config)) {
    // nop
  }

  static caf::actor_system_config& init(caf::actor_system_config& config) {
    configure_actor_system(config);
    return config;
  }

  caf::actor_system_config config;
  caf::actor_system system;
};

} // namespace

TEST_CASE("await_briefly reports whether the condition came in time") {
  CHECK(await_briefly([] { return true; }, 0us));
  CHECK_FALSE(await_briefly([] { return false; }, 100us));
  int calls = 0;
  CHECK(await_briefly([&calls] { return ++calls == 3; }, 1s));
}

TEST_CASE_FIXTURE(system_fixture, "the actor system runs actors on the "
                                  "shared queue and wakes sleeping workers") {
  using eager_coordinator = caf::scheduler::coordinator<eager_sharing>;
  REQUIRE(dynamic_cast<eager_coordinator*>(&system.scheduler()));

  auto peer = system.spawn(successor);
  caf::scoped_actor self{system};

  // Many short round trips, as the gateway makes them.
  int answered = 0;
  for (int i = 0; i < 10'000; ++i)
    self->request(peer, caf::infinite, i)
      .receive([&](int n) { answered += n == i + 1; },
               [](caf::error& err) { FAIL(caf::to_string(err)); });
  CHECK(answered == 10'000);

  // After the workers have gone to sleep, a message still wakes one.
  std::this_thread::sleep_for(20ms);
  int answer = 0;
  self->request(peer, caf::infinite, 41)
    .receive([&](int n) { answer = n; },
             [](caf::error& err) { FAIL(caf::to_string(err)); });
  CHECK(answer == 42);

  self->send_exit(peer, caf::exit_reason::user_shutdown);
}

} // namespace batch
