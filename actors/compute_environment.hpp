// One compute environment. The actor owns the environment's record and is
// the only place where it changes.
#pragma once

#include "protocol/compute_environment.hpp"

namespace batch {

struct compute_environment_state {
  static constexpr const char* name = "compute_environment";

  compute_environment_record record;

  /// Applies an update and returns the new record.
  caf::result<compute_environment_record>
  on_update(const update_compute_environment& update);

  /// Adds tags and returns the new record.
  caf::result<compute_environment_record> on_tag(const tag_resource& request);

  /// Removes tags and returns the new record.
  compute_environment_record on_untag(const untag_resource& request);
};

/// Spawn function of a compute environment that starts with `record`.
compute_environment_actor::behavior_type compute_environment(
  compute_environment_actor::stateful_pointer<compute_environment_state> self,
  compute_environment_record record);

} // namespace batch
