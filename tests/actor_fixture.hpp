// A deterministic actor system for unit tests: CAF's test coordinator runs
// every message by hand, and a manual clock stands in for time.
#pragma once

#include "actors/region.hpp"
#include "protocol/errors.hpp"
#include "protocol/type_ids.hpp"
#include "runtime/clock.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <vector>

namespace batch::testing {

/// Builds a config whose scheduler is the test coordinator.
inline caf::actor_system_config& test_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  cfg.add_message_types<caf::id_block::batch>();
  return cfg;
}

/// Owns the test actor system. Tests spawn actors, call `ask`, and the
/// fixture stops everything they spawned when it goes away.
struct actor_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{test_config(cfg)};
  caf::scheduler::test_coordinator& sched
    = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  caf::scoped_actor self{sys, true};
  std::shared_ptr<manual_clock> clock = std::make_shared<manual_clock>();
  std::vector<caf::actor> spawned;

  ~actor_fixture() {
    for (auto& handle : spawned)
      caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// Remembers `handle` so that the fixture stops it at the end.
  template <class Handle>
  Handle track(Handle handle) {
    spawned.push_back(caf::actor_cast<caf::actor>(handle));
    return handle;
  }

  /// Returns the services of a test region in us-east-1.
  region_services services() {
    return {{"us-east-1", "000000000000"}, clock, {}};
  }

  /// Sends `request` to `handle`, runs every pending message, and returns
  /// the reply (or the error).
  template <class Result, class Handle, class Request>
  caf::expected<Result> ask(const Handle& handle, Request request) {
    auto pending = self->request(handle, caf::infinite, std::move(request));
    sched.run();
    caf::expected<Result> result{server_error("no reply")};
    pending.receive([&](Result& value) { result = std::move(value); },
                    [&](caf::error& err) { result = std::move(err); });
    return result;
  }
};

/// Returns the message of the ClientException in `value`.
template <class T>
std::string client_message(const caf::expected<T>& value) {
  REQUIRE_FALSE(value);
  auto wire = to_wire_error(value.error());
  CHECK(wire.code == batch_errc::client);
  return wire.message;
}

} // namespace batch::testing
