// The scheduler's vocabulary: what jobs tell the region's scheduler about
// their place in a queue and their use of capacity, which executors it
// places jobs on, and its typed interface. The scheduler is also the
// region's event listener, so it reacts to the `*_changed`/`*_removed`
// events of compute environments, job queues and scheduling policies, and to
// `executor_status`. It also answers GetJobQueueSnapshot, since only it
// knows the dispatch order.
#pragma once

#include "protocol/compute_environment.hpp"
#include "protocol/executor.hpp"
#include "protocol/job.hpp"
#include "protocol/job_queue.hpp"
#include "protocol/json.hpp"
#include "protocol/scheduling_policy.hpp"
#include "protocol/type_ids.hpp"

#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace batch {

/// The name under which the container executor reports its status.
constexpr const char* container_executor_name = "docker";

/// The name of the executor that runs attempts without containers.
constexpr const char* simulated_executor_name = "simulated";

/// The tag that selects an environment's executor; the value "simulated"
/// selects the simulated executor, anything else the container executor.
constexpr const char* executor_tag = "batchd:executor";

/// A job entered RUNNABLE, or returned to it; it waits in its queue at the
/// place its submission order gives it.
struct job_runnable {
  job_spec_ptr spec;
  job_actor job;
};

/// A RUNNABLE job left its queue without running (it was cancelled). The
/// scheduler ignores it when the job was placed already: the job then
/// answers the placement with `job_released`.
struct job_withdrawn {
  job_spec_ptr spec;
};

/// A placed job no longer holds capacity: its attempt ended, or it declined
/// or could not start the attempt. With `executor_unavailable` the executor
/// refused the attempt because its runtime does not answer; the scheduler
/// then places nothing there until the executor reports it is available.
struct job_released {
  job_spec_ptr spec;
  bool executor_unavailable = false;
  std::string reason;
};

/// The executors of the region. Either may be invalid, e.g. a server that
/// runs no containers; environments that use a missing executor get no
/// jobs.
struct scheduler_executors {
  executor_actor container;
  executor_actor simulated;
};

/// The tags with which an environment declares the memory (MiB) and the
/// GPUs its jobs may use at once. Without `batchd:memory` memory is not
/// limited; without `batchd:gpus` the environment has no GPUs.
constexpr const char* memory_tag = "batchd:memory";
constexpr const char* gpus_tag = "batchd:gpus";

/// The scheduler's reminder that a share of a fair-share queue has had no
/// job for a decay window: unless a job came since (a newer `generation`),
/// the share stops being active.
struct share_idle_expired {
  std::string queue_arn;
  std::string share;
  uint64_t generation = 0;
};

/// The scheduler's reminder that the head job of a queue has waited for a
/// jobStateTimeLimitActions entry's maxTimeSeconds; it acts only if the
/// same job still waits for the same reason (the same `generation`).
struct time_limit_reached {
  std::string queue_arn;
  uint64_t generation = 0;
};

// -- GetJobQueueSnapshot ------------------------------------------------------

/// GetJobQueueSnapshot. The gateway resolves the queue's name to its ARN.
struct get_job_queue_snapshot {
  std::string job_queue;
};

/// One job of the front of a queue.
struct front_of_queue_job {
  std::string job_arn;
  /// Server time since which the job holds its position.
  int64_t earliest_time_at_position = 0;
};

/// The vCPUs the running jobs of one share hold.
struct share_capacity_usage {
  std::string share_identifier;
  double vcpus = 0;
};

/// The reply of GetJobQueueSnapshot.
struct job_queue_snapshot {
  /// Up to 100 RUNNABLE jobs in dispatch order.
  std::vector<front_of_queue_job> jobs;
  int64_t last_updated_at = 0;
  /// vCPUs of the queue's STARTING and RUNNING jobs.
  double used_vcpus = 0;
  bool fair_share = false;
  int64_t active_share_count = 0;
  /// Up to 20 shares, most vCPUs first.
  std::vector<share_capacity_usage> busiest_shares;
};

/// Decodes a GetJobQueueSnapshot body.
caf::expected<get_job_queue_snapshot>
decode_get_job_queue_snapshot(simdjson::dom::object body);

/// Returns the GetJobQueueSnapshot output of `snapshot`.
json encode(const job_queue_snapshot& snapshot);

/// The region's scheduler: the single place that dispatches jobs.
using scheduler_actor = caf::typed_actor<
  caf::reacts_to<compute_environment_changed>,
  caf::reacts_to<compute_environment_removed>,
  caf::reacts_to<job_queue_changed>, caf::reacts_to<job_queue_removed>,
  caf::reacts_to<scheduling_policy_changed>, caf::reacts_to<executor_status>,
  caf::reacts_to<scheduler_executors>, caf::reacts_to<job_runnable>,
  caf::reacts_to<job_withdrawn>, caf::reacts_to<job_released>,
  caf::reacts_to<share_idle_expired>, caf::reacts_to<time_limit_reached>,
  caf::replies_to<get_job_queue_snapshot>::with<job_queue_snapshot>>;

} // namespace batch

BATCH_LOCAL_MESSAGE(batch::job_runnable)
BATCH_LOCAL_MESSAGE(batch::job_withdrawn)
BATCH_LOCAL_MESSAGE(batch::job_released)
BATCH_LOCAL_MESSAGE(batch::scheduler_executors)
BATCH_LOCAL_MESSAGE(batch::share_idle_expired)
BATCH_LOCAL_MESSAGE(batch::time_limit_reached)
BATCH_LOCAL_MESSAGE(batch::get_job_queue_snapshot)
BATCH_LOCAL_MESSAGE(batch::job_queue_snapshot)
