#include "actors/compute_environment.hpp"

#include "runtime/logging.hpp"

#include <caf/all.hpp>

namespace batch {

namespace {

spdlog::logger& logger() {
  static auto& instance = component_logger("compute_environment");
  return instance;
}

} // namespace

caf::result<compute_environment_record>
compute_environment_state::on_update(const update_compute_environment& update) {
  auto old_state = record.state;
  if (auto err = apply_update(record, update))
    return err;
  if (record.state != old_state)
    logger().info("name={} from={} to={}", record.name, old_state,
                  record.state);
  else
    logger().info("name={} updated", record.name);
  return record;
}

caf::result<compute_environment_record>
compute_environment_state::on_tag(const tag_resource& request) {
  if (auto err = merge_tags(record.tags, request.tags))
    return err;
  return record;
}

compute_environment_record
compute_environment_state::on_untag(const untag_resource& request) {
  for (auto& key : request.keys)
    record.tags.erase(key);
  return record;
}

compute_environment_actor::behavior_type compute_environment(
  compute_environment_actor::stateful_pointer<compute_environment_state> self,
  compute_environment_record record) {
  self->state.record = std::move(record);
  return {
    [self](const update_compute_environment& update) {
      return self->state.on_update(update);
    },
    [self](const tag_resource& request) { return self->state.on_tag(request); },
    [self](const untag_resource& request) {
      return self->state.on_untag(request);
    },
  };
}

} // namespace batch
