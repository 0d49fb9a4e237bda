#include "runtime/actor_system.hpp"

#include "protocol/type_ids.hpp"
#include "runtime/eager_sharing.hpp"

#include <caf/actor_system.hpp>
#include <caf/scheduler/coordinator.hpp>

#include <algorithm>
#include <thread>

namespace batch {

void configure_actor_system(caf::actor_system_config& config) {
  config.add_message_types<caf::id_block::batch>();
  size_t workers = std::max(1u, std::thread::hardware_concurrency());
  config.set("scheduler.max-threads", workers);
  // CAF takes a scheduler loaded as a module instead of its own.
  config.module_factories.push_back(
    [](caf::actor_system& system) -> caf::actor_system::module* {
      return new caf::scheduler::coordinator<eager_sharing>(system);
    });
}

} // namespace batch
