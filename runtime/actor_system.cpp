#include "runtime/actor_system.hpp"

#include "protocol/type_ids.hpp"

#include <caf/atom.hpp>

#include <algorithm>
#include <thread>

namespace batch {

void configure_actor_system(caf::actor_system_config& config) {
  config.add_message_types<caf::id_block::batch>();
  size_t workers = std::max(1u, std::thread::hardware_concurrency());
  config.set("scheduler.policy", caf::atom("sharing"));
  config.set("scheduler.max-threads", workers);
}

} // namespace batch
