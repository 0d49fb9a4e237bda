// The contract between a job and whatever runs its attempts. A job actor
// sends `run_attempt` to an executor; the executor answers at once with an
// ack and later sends the job actor, each as a `job_event`
// (protocol/job.hpp), `attempt_started`, then exactly one of
// `attempt_exited` or `attempt_failed`. `stop_attempt` asks it to stop a
// running attempt (SIGTERM, then SIGKILL after the grace period); the attempt
// then ends with `attempt_exited` as usual. An executor that cannot run
// attempts right now (its runtime does not answer) answers `run_attempt`
// with an error instead of the ack and sends nothing else; the job stays
// RUNNABLE. A stop that arrives before the container runs ends the attempt
// with `attempt_failed` carrying the stop's reason.
#pragma once

#include "protocol/resource.hpp"
#include "protocol/type_ids.hpp"

#include <caf/actor.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace batch {

/// A host path mounted into the container.
struct volume_mount {
  std::string host_path;
  std::string container_path;
  bool read_only = false;
};

/// A resource limit for the container (`--ulimit name=soft:hard`).
struct ulimit_spec {
  std::string name;
  int64_t soft_limit = 0;
  int64_t hard_limit = 0;
};

/// Everything an executor needs to run one attempt of a job. The job actor
/// resolves the definition, overrides and parameters before it sends this.
struct attempt_spec {
  /// The job id (`<uuid>` or `<uuid>:<index>` for array children).
  std::string job_id;
  std::string job_name;
  /// 1-based.
  int attempt = 1;
  std::string image;
  /// The final command; empty means the image's default command.
  std::vector<std::string> command;
  /// Name and value of each environment variable, AWS_BATCH_* included.
  std::vector<std::pair<std::string, std::string>> environment;
  double vcpus = 1;
  /// MiB; 0 means no limit.
  int64_t memory_mib = 0;
  int64_t gpus = 0;
  std::optional<std::string> user;
  bool privileged = false;
  bool read_only_root_filesystem = false;
  std::vector<volume_mount> mounts;
  std::vector<ulimit_spec> ulimits;
  /// linuxParameters.initProcessEnabled.
  bool init_process = false;
  std::optional<int64_t> shared_memory_mib;
  /// The CloudWatch Logs group and stream that receive the output.
  std::string log_group;
  std::string log_stream;
  /// Seconds between SIGTERM and SIGKILL when the attempt is stopped.
  int stop_grace_seconds = 30;
};

/// Asks an executor to run an attempt; events go to `job`.
struct run_attempt {
  attempt_spec spec;
  caf::actor job;
};

/// Asks an executor to stop the attempt of `job_id` numbered `attempt`.
struct stop_attempt {
  std::string job_id;
  int attempt = 1;
  std::string reason;
};

/// The attempt's container (or simulation) is running; `started_at` is the
/// server time in epoch milliseconds.
struct attempt_started {
  std::string job_id;
  int attempt = 1;
  int64_t started_at = 0;
  /// The container id, or empty for a simulated attempt.
  std::string container_id;
};

/// The attempt ran and exited with `exit_code`.
struct attempt_exited {
  std::string job_id;
  int attempt = 1;
  int exit_code = 0;
  int64_t stopped_at = 0;
  /// Set when batchd stopped the attempt (terminate, timeout).
  bool stopped_by_request = false;
};

/// The attempt could not be started; `reason` says why in AWS's style,
/// e.g. "CannotPullContainerError: ...".
struct attempt_failed {
  std::string job_id;
  int attempt = 1;
  std::string reason;
  int64_t stopped_at = 0;
  /// Set when the attempt failed because the runtime stopped answering
  /// (not because of the job): the job should wait RUNNABLE and try again.
  bool runtime_unavailable = false;
};

/// Sent by an executor to the region's event listener (the scheduler) when
/// its ability to run attempts changes, e.g. the Docker daemon stops
/// answering. While `available` is false, jobs that would run there wait
/// RUNNABLE with `reason` as their statusReason.
struct executor_status {
  std::string executor;
  bool available = true;
  std::string reason;
};

/// Something that runs attempts: Docker containers or simulations.
using executor_actor = caf::typed_actor<caf::replies_to<run_attempt>::with<ack>,
                                        caf::reacts_to<stop_attempt>>;

} // namespace batch

BATCH_LOCAL_MESSAGE(batch::run_attempt)
BATCH_LOCAL_MESSAGE(batch::stop_attempt)
BATCH_LOCAL_MESSAGE(batch::attempt_started)
BATCH_LOCAL_MESSAGE(batch::attempt_exited)
BATCH_LOCAL_MESSAGE(batch::attempt_failed)
BATCH_LOCAL_MESSAGE(batch::executor_status)
