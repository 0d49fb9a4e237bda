// The simulated executor: runs attempts without containers, for load tests
// of the scheduler and machines without Docker. Only compute environments
// tagged `batchd:executor` = `simulated` use it. An attempt starts at once,
// lasts the seconds its environment variable BATCHD_SIMULATED_SECONDS names
// (default 1) of server time, and exits with BATCHD_SIMULATED_EXIT_CODE
// (default 0); its log stream says that it was simulated. Everything else
// about the job (states, timestamps, capacity) is as for a real container.
#pragma once

#include "protocol/executor.hpp"
#include "protocol/logs.hpp"
#include "runtime/clock.hpp"

#include <map>
#include <string>
#include <utility>

namespace batch {

/// What a simulated executor needs.
struct simulated_executor_config {
  clock_ptr clock;
  /// Receives the log lines of each attempt; may be invalid.
  log_store_actor log_store;
};

/// The simulated executor's reminder that an attempt's time is up.
struct simulation_done {
  std::string job_id;
  int attempt = 1;
};

/// The simulated executor's full interface: an executor that also takes
/// its own reminders.
using simulated_executor_actor
  = executor_actor::extend<caf::reacts_to<simulation_done>>;

struct simulated_executor_state {
  static constexpr const char* name = "simulated_executor";

  using pointer
    = simulated_executor_actor::stateful_pointer<simulated_executor_state>;

  /// One attempt that runs.
  struct simulation {
    caf::actor job;
    int exit_code = 0;
    std::string log_group;
    std::string log_stream;
  };

  pointer self = nullptr;
  simulated_executor_config config;
  /// Running attempts by job id and attempt number.
  std::map<std::pair<std::string, int>, simulation> running;

  /// Starts the attempt and schedules its end.
  ack on_run(run_attempt& request);

  /// Ends the attempt at once, as a container stopped by SIGTERM would.
  void on_stop(const stop_attempt& request);

  /// Ends the attempt whose time is up.
  void on_done(const simulation_done& done);

  /// Appends `line` to the log stream of `run`.
  void write_log(const simulation& run, std::string line);
};

/// Spawn function of a simulated executor.
simulated_executor_actor::behavior_type
simulated_executor(simulated_executor_state::pointer self,
                   simulated_executor_config config);

} // namespace batch

BATCH_LOCAL_MESSAGE(batch::simulation_done)
