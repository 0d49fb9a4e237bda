// The scheduler's vocabulary: what jobs tell the region's scheduler about
// their place in a queue and their use of capacity, which executors it
// places jobs on, and its typed interface. The scheduler is also the
// region's event listener, so it reacts to the `*_changed`/`*_removed`
// events of compute environments, job queues and scheduling policies, and to
// `executor_status`.
#pragma once

#include "protocol/compute_environment.hpp"
#include "protocol/executor.hpp"
#include "protocol/job.hpp"
#include "protocol/job_queue.hpp"
#include "protocol/scheduling_policy.hpp"
#include "protocol/type_ids.hpp"

#include <caf/typed_actor.hpp>

#include <string>

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

/// The region's scheduler: the single place that dispatches jobs.
using scheduler_actor = caf::typed_actor<
  caf::reacts_to<compute_environment_changed>,
  caf::reacts_to<compute_environment_removed>,
  caf::reacts_to<job_queue_changed>, caf::reacts_to<job_queue_removed>,
  caf::reacts_to<scheduling_policy_changed>, caf::reacts_to<executor_status>,
  caf::reacts_to<scheduler_executors>, caf::reacts_to<job_runnable>,
  caf::reacts_to<job_withdrawn>, caf::reacts_to<job_released>>;

} // namespace batch

BATCH_LOCAL_MESSAGE(batch::job_runnable)
BATCH_LOCAL_MESSAGE(batch::job_withdrawn)
BATCH_LOCAL_MESSAGE(batch::job_released)
BATCH_LOCAL_MESSAGE(batch::scheduler_executors)
