#include "actors/region.hpp"

#include "actors/compute_environments.hpp"
#include "actors/log_store.hpp"

#include <caf/all.hpp>

namespace batch {

region spawn_region(caf::actor_system& system, region_services services) {
  region result{services, {}};
  result.compute_environments
    = system.spawn(compute_environments_directory, services);
  result.log_store = spawn_log_store(system, services.scope, services.clock);
  return result;
}

void stop_region(const region& r) {
  caf::anon_send_exit(r.compute_environments, caf::exit_reason::user_shutdown);
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
