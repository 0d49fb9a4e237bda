// One job. The actor owns the job's record and its state machine
// SUBMITTED → RUNNABLE → STARTING → RUNNING → SUCCEEDED | FAILED: it waits
// in the scheduler's queue while RUNNABLE, runs each attempt through the
// executor the scheduler placed it on, applies CancelJob and TerminateJob,
// and tells its directory about every change that ListJobs shows. Each
// transition is logged as one INFO line.
#pragma once

#include "protocol/job.hpp"
#include "protocol/scheduler.hpp"
#include "runtime/clock.hpp"

#include <memory>
#include <optional>
#include <string>

namespace batch {

/// What every job of a region shares: the clock and its peers.
struct job_context {
  clock_ptr clock;
  scheduler_actor scheduler;
  jobs_actor directory;
};

using job_context_ptr = std::shared_ptr<const job_context>;

/// The attempt a job runs right now, from its placement to its end.
struct running_attempt {
  /// The attempt as DescribeJobs will show it once it started.
  attempt_record detail;
  std::string compute_environment;
  executor_actor executor;
  bool started = false;
  /// Set when batchd stops the attempt: the caller's reason or the timeout.
  std::string stop_reason;
  bool terminated = false;
  bool timed_out = false;
};

struct job_state {
  static constexpr const char* name = "job";

  using pointer = job_actor::stateful_pointer<job_state>;

  pointer self = nullptr;
  job_record record;
  job_context_ptr context;
  /// Null unless the job is STARTING or RUNNING.
  std::unique_ptr<running_attempt> attempt;

  // -- handlers ---------------------------------------------------------------

  // One overload per kind of `job_event` and `job_command`; the behaviour
  // visits the variants into them.

  /// Leaves SUBMITTED: the job has no dependencies, so it is RUNNABLE.
  void on(evaluate_job);

  /// Cancels a job that has not started; a no-op otherwise.
  ack on(const cancel_job& request);

  /// Stops a STARTING or RUNNING job's attempt; cancels an earlier one.
  ack on(const terminate_job& request);

  /// Starts an attempt in the environment the scheduler chose.
  void on(const dispatch_job& placement);

  /// Records why the job still waits.
  void on(const job_waiting& waiting);

  void on(const attempt_started& event);
  void on(const attempt_exited& event);
  void on(const attempt_failed& event);

  /// Stops the attempt that ran longer than the job's timeout.
  void on(const attempt_timeout& timeout);

  /// The executor answered `run_attempt` for `number` with an error.
  void on_refused(int number, const caf::error& err);

  caf::result<ack> on(const tag_resource& request);
  ack on(const untag_resource& request);

  /// Replaces the job's tags; the record keeps none for an empty map.
  void set_tags(tag_map tags);

  // -- transitions ------------------------------------------------------------

  /// Moves the job to `to` with `reason`, logs the change and reports it.
  void transition(job_status to, std::string reason);

  /// Ends the job in FAILED because it was cancelled with `reason`.
  void cancel(const std::string& reason);

  /// Returns the job to RUNNABLE after its executor could not run it.
  void requeue(const std::string& reason);

  /// Ends the current attempt and the job in `to` with `reason`.
  void finish(job_status to, std::string reason);

  /// Gives the job's capacity back to the scheduler; `unavailable` is the
  /// reason when the executor could not run the attempt.
  void release(std::optional<std::string> unavailable = std::nullopt);

  /// Tells the directory what ListJobs shows of the job.
  void report();

  /// Returns true if `job_id`/`number` name the current attempt.
  bool is_current(const std::string& job_id, int number) const;
};

/// Spawn function of a job; `record` is in SUBMITTED.
job_actor::behavior_type job(job_state::pointer self, job_record record,
                             job_context_ptr context);

} // namespace batch
