// A region: the set of directory actors that own one region's resources.
// Resources of different regions never see each other, as in AWS.
#pragma once

#include "protocol/compute_environment.hpp"
#include "protocol/executor.hpp"
#include "protocol/job.hpp"
#include "protocol/job_definition.hpp"
#include "protocol/job_queue.hpp"
#include "protocol/logs.hpp"
#include "protocol/resource.hpp"
#include "protocol/scheduler.hpp"
#include "protocol/scheduling_policy.hpp"
#include "runtime/clock.hpp"
#include "runtime/docker.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace batch {

/// What every actor of a region needs to know about its surroundings.
struct region_services {
  resource_scope scope;
  clock_ptr clock;
  /// Receives the `*_changed` and `*_removed` events of compute environments,
  /// job queues and scheduling policies (the region's scheduler); may be
  /// invalid, e.g. in unit tests.
  caf::actor events;
  /// The container engine and how containers reach batchd; null when this
  /// server runs no containers (e.g. in unit tests).
  container_runtime_ptr containers{};
};

/// The handles of one region's directory actors.
struct region {
  region_services services;
  /// Decides where RUNNABLE jobs run; the region's event listener.
  scheduler_actor scheduler{};
  compute_environments_actor compute_environments;
  scheduling_policies_actor scheduling_policies{};
  job_definitions_actor job_definitions{};
  job_queues_actor job_queues{};
  /// CloudWatch Logs: the output of every job attempt.
  log_store_actor log_store{};
  /// Runs attempts as Docker containers; invalid when the server runs no
  /// containers.
  executor_actor container_executor{};
  /// Runs attempts of environments tagged `batchd:executor` = `simulated`.
  executor_actor simulated_executor{};
  jobs_actor jobs{};
};

/// Spawns the actors of a new region.
region spawn_region(caf::actor_system& system, region_services services);

/// Stops every actor of `r`.
void stop_region(const region& r);

/// The regions of one server, created on first use. Thread-safe.
class region_registry {
public:
  /// `containers` is shared by the container executors of every region.
  region_registry(caf::actor_system& system, std::string account_id,
                  clock_ptr clock, container_runtime_ptr containers = nullptr);

  ~region_registry();

  /// Returns the region named `name`, spawning its actors on first use.
  const region& get(const std::string& name);

private:
  caf::actor_system& system_;
  std::string account_id_;
  clock_ptr clock_;
  container_runtime_ptr containers_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<region>> regions_;
};

} // namespace batch
