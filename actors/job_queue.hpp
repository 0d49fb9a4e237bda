// One job queue. The actor owns the queue's record and is the only place
// where it changes; the directory checks references to other resources
// before it forwards a change.
#pragma once

#include "protocol/job_queue.hpp"

namespace batch {

struct job_queue_state {
  static constexpr const char* name = "job_queue";

  job_queue_record record;

  /// Applies an update whose environments are ARNs and returns the new
  /// record.
  caf::result<job_queue_record> on_update(const update_job_queue& update);

  /// Adds tags and returns the new record.
  caf::result<job_queue_record> on_tag(const tag_resource& request);

  /// Removes tags and returns the new record.
  job_queue_record on_untag(const untag_resource& request);
};

/// Spawn function of a job queue that starts with `record`.
job_queue_actor::behavior_type
job_queue(job_queue_actor::stateful_pointer<job_queue_state> self,
          job_queue_record record);

} // namespace batch
