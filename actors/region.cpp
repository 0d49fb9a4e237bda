#include "actors/region.hpp"

#include "actors/compute_environments.hpp"
#include "actors/container_executor.hpp"
#include "actors/job_definitions.hpp"
#include "actors/job_queues.hpp"
#include "actors/jobs.hpp"
#include "actors/log_store.hpp"
#include "actors/scheduler.hpp"
#include "actors/scheduling_policies.hpp"
#include "actors/simulated_executor.hpp"

#include <caf/all.hpp>

namespace batch {

namespace {

/// Spawns the executors of `r` and hands them to its scheduler.
void spawn_executors(caf::actor_system& system, region& r) {
  auto& services = r.services;
  r.simulated_executor = system.spawn(
    simulated_executor, simulated_executor_config{services.clock, r.log_store});
  if (services.containers) {
    container_executor_config config;
    config.runtime = services.containers;
    config.region = services.scope.region;
    config.log_store = r.log_store;
    config.clock = services.clock;
    config.events = services.events;
    config.name = container_executor_name;
    r.container_executor = spawn_container_executor(system, std::move(config));
  }
  caf::anon_send(r.scheduler, scheduler_executors{r.container_executor,
                                                  r.simulated_executor});
}

} // namespace

region spawn_region(caf::actor_system& system, region_services services) {
  // The scheduler listens to the events of every directory spawned after it.
  auto events = system.spawn(scheduler, services);
  services.events = caf::actor_cast<caf::actor>(events);
  region result{services, events, {}};
  result.compute_environments
    = system.spawn(compute_environments_directory, services);
  result.scheduling_policies
    = system.spawn(scheduling_policies_directory, services);
  result.job_definitions = system.spawn(job_definitions_directory, services);
  result.job_queues
    = system.spawn(job_queues_directory, services, result.compute_environments,
                   result.scheduling_policies);
  result.log_store = spawn_log_store(system, services.scope, services.clock);
  spawn_executors(system, result);
  result.jobs = system.spawn(
    jobs_directory, services,
    jobs_peers{result.job_queues, result.job_definitions, result.scheduler});
  return result;
}

void stop_region(const region& r) {
  caf::anon_send_exit(r.jobs, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(r.scheduler, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(r.simulated_executor, caf::exit_reason::user_shutdown);
  if (r.container_executor)
    caf::anon_send_exit(r.container_executor, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(r.compute_environments, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(r.scheduling_policies, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(r.job_definitions, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(r.job_queues, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(r.log_store, caf::exit_reason::user_shutdown);
}

region_registry::region_registry(caf::actor_system& system,
                                 std::string account_id, clock_ptr clock,
                                 container_runtime_ptr containers)
    : system_(system), account_id_(std::move(account_id)),
      clock_(std::move(clock)), containers_(std::move(containers)) {
  // nop
}

region_registry::~region_registry() {
  for (auto& [name, r] : regions_)
    stop_region(*r);
}

const region& region_registry::get(const std::string& name) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto& slot = regions_[name];
  if (!slot) {
    region_services services{{name, account_id_}, clock_, {}, containers_};
    slot = std::make_unique<region>(spawn_region(system_, services));
  }
  return *slot;
}

} // namespace batch
