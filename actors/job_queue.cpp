#include "actors/job_queue.hpp"

#include "runtime/logging.hpp"

#include <caf/all.hpp>

namespace batch {

namespace {

spdlog::logger& logger() {
  static auto& instance = component_logger("job_queue");
  return instance;
}

} // namespace

caf::result<job_queue_record>
job_queue_state::on_update(const update_job_queue& update) {
  auto old_state = record.state;
  if (auto err = apply_update(record, update))
    return err;
  if (record.state != old_state)
    logger().info("name={} from={} to={}", record.name, old_state,
                  record.state);
  else
    logger().info("name={} priority={} environments={} updated", record.name,
                  record.priority, record.compute_environment_order.size());
  return record;
}

caf::result<job_queue_record>
job_queue_state::on_tag(const tag_resource& request) {
  if (auto err = merge_tags(record.tags, request.tags))
    return err;
  return record;
}

job_queue_record job_queue_state::on_untag(const untag_resource& request) {
  for (auto& key : request.keys)
    record.tags.erase(key);
  return record;
}

job_queue_actor::behavior_type
job_queue(job_queue_actor::stateful_pointer<job_queue_state> self,
          job_queue_record record) {
  self->state.record = std::move(record);
  return {
    [self](const update_job_queue& update) {
      return self->state.on_update(update);
    },
    [self](const tag_resource& request) { return self->state.on_tag(request); },
    [self](const untag_resource& request) {
      return self->state.on_untag(request);
    },
  };
}

} // namespace batch
