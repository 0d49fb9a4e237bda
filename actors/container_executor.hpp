// The container executor: runs each attempt it is given as a Docker
// container, through one `container_supervisor` actor per attempt, and
// watches the engine's availability. While the engine does not answer it
// refuses `run_attempt` and tells the region's event listener why
// (`executor_status`); it tells it again once the engine is back.
#pragma once

#include "protocol/executor.hpp"
#include "protocol/logs.hpp"
#include "runtime/clock.hpp"
#include "runtime/docker.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <chrono>
#include <string>

namespace batch {

/// Everything a container executor needs.
struct container_executor_config {
  /// The engine, the labels' identity and the endpoint URL for containers.
  container_runtime_ptr runtime;
  /// The region whose jobs run here; containers get it as
  /// AWS_DEFAULT_REGION.
  std::string region = "us-east-1";
  /// Receives the output of every attempt.
  log_store_actor log_store;
  clock_ptr clock;
  /// Receives `executor_status` (via anon_send); may be invalid.
  caf::actor events;
  /// The executor's name in `executor_status`.
  std::string name = "docker";
  /// How often the engine's availability is checked.
  std::chrono::milliseconds poll_interval = std::chrono::seconds{3};
};

/// Spawns a container executor. It probes the engine at once and reports
/// the outcome to `config.events`, available or not; after that it reports
/// every change. While not (yet) known to be available, `run_attempt` is
/// answered with an error and the attempt does not start. On first
/// availability it removes containers that an earlier batchd left behind.
executor_actor spawn_container_executor(caf::actor_system& sys,
                                        container_executor_config config);

} // namespace batch
