#include "actors/region.hpp"

#include "actors/compute_environments.hpp"

#include <caf/all.hpp>

namespace batch {

region spawn_region(caf::actor_system& system, region_services services) {
  region result{services, {}};
  result.compute_environments
    = system.spawn(compute_environments_directory, services);
  return result;
}

void stop_region(const region& r) {
  caf::anon_send_exit(r.compute_environments, caf::exit_reason::user_shutdown);
}

region_registry::region_registry(caf::actor_system& system,
                                 std::string account_id, clock_ptr clock)
    : system_(system), account_id_(std::move(account_id)),
      clock_(std::move(clock)) {
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
    region_services services{{name, account_id_}, clock_, {}};
    slot = std::make_unique<region>(spawn_region(system_, services));
  }
  return *slot;
}

} // namespace batch
