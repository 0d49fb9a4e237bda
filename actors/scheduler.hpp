// The region's scheduler: the single place that decides which RUNNABLE job
// runs where. It learns about environments, queues, policies and executors
// from the region's events, about jobs from the jobs themselves, and
// dispatches only in reaction to an event (a job became RUNNABLE or released
// its capacity, an environment, queue, policy or executor changed, a timer it
// set fired); it never polls.
//
// Queues are served in descending priority. A queue offers its next job
// (FIFO: the oldest; fair share: the head of the share with the lowest
// usage) to the first of its environments (ascending order) that is
// ENABLED, whose executor is available and whose STARTING and RUNNING jobs
// leave room for the job's vCPUs, memory and GPUs. A fair-share queue also
// keeps its computeReservation free for shares that are not active yet. A
// next job that cannot be placed blocks its queue, as in AWS, learns why
// through `job_waiting`, and is cancelled if it waits longer than a
// jobStateTimeLimitActions entry of its queue allows.
#pragma once

#include "actors/region.hpp"
#include "actors/scheduler_queue.hpp"
#include "protocol/scheduler.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace batch {

struct scheduler_state {
  static constexpr const char* name = "scheduler";

  using pointer = scheduler_actor::stateful_pointer<scheduler_state>;

  /// What the scheduler knows of one compute environment.
  struct environment_slot {
    std::string arn;
    std::string name;
    std::string cluster_arn;
    bool enabled = true;
    /// vCPUs the environment runs at once.
    double max_vcpus = 0;
    /// MiB its jobs may use at once; no limit when absent.
    std::optional<int64_t> max_memory_mib;
    /// GPUs its jobs may use at once.
    int64_t max_gpus = 0;
    /// What the jobs placed there and not yet released use.
    resource_needs used{0, 0, 0};
    /// The executor's name: "docker" or "simulated".
    std::string executor;
  };

  /// A job that holds capacity in an environment.
  struct placement {
    std::string environment_arn;
    job_spec_ptr spec;
    job_actor job;
    int64_t placed_at = 0;
  };

  /// Whether an executor can run attempts, and why not.
  struct executor_health {
    bool available = true;
    std::string reason;
  };

  /// Where a job goes, or why it waits.
  struct verdict {
    environment_slot* environment = nullptr;
    std::string reason;
  };

  pointer self = nullptr;
  region_services services;
  scheduler_executors executors;
  /// Environments, queues and scheduling policies by ARN.
  std::unordered_map<std::string, environment_slot> environments;
  std::unordered_map<std::string, scheduler_queue> queues;
  std::unordered_map<std::string, scheduling_policy_record> policies;
  /// The queues, highest priority first (ties by name).
  std::vector<scheduler_queue*> by_priority;
  /// Placed jobs by submission order.
  std::unordered_map<uint64_t, placement> placed;
  /// Executor health by executor name, as the executors reported it.
  std::map<std::string, executor_health> health;

  // -- handlers ---------------------------------------------------------------

  void on_environment_changed(const compute_environment_changed& event);
  void on_environment_removed(const compute_environment_removed& event);
  void on_queue_changed(const job_queue_changed& event);
  void on_queue_removed(const job_queue_removed& event);
  void on_policy_changed(const scheduling_policy_changed& event);
  void on_executor_status(const executor_status& status);
  void on_executors(const scheduler_executors& attached);
  void on_runnable(const job_runnable& event);
  void on_withdrawn(const job_withdrawn& event);
  void on_released(const job_released& event);
  void on_share_idle(const share_idle_expired& event);
  void on_time_limit(const time_limit_reached& event);
  job_queue_snapshot on_snapshot(const get_job_queue_snapshot& request);

  // -- dispatching ------------------------------------------------------------

  /// Returns the server's time.
  int64_t now() const;

  /// Returns the queue with `arn`, creating it if needed.
  scheduler_queue& queue_of(const std::string& arn);

  /// Returns the queue with `arn`, or null.
  scheduler_queue* find_queue(const std::string& arn);

  /// Sorts `by_priority` again after a queue came, went or changed.
  void rank_queues();

  /// Places jobs of every queue, in priority order, until each is empty or
  /// blocked.
  void schedule();

  /// Places jobs of `queue` until it is empty or blocked. Enough when only
  /// `queue` changed: other queues gain no room from it.
  void schedule(scheduler_queue& queue);

  /// Places the next job of `queue` or tells it why it waits; returns true
  /// if it was placed.
  bool place_next(scheduler_queue& queue);

  /// Returns the environment of `queue` that takes a job needing `needs`.
  verdict find_environment(const scheduler_queue& queue,
                           const resource_needs& needs);

  /// Returns why the computeReservation of `queue` keeps a job needing
  /// `needs` waiting, or an empty string if it does not.
  std::string reservation_reason(const scheduler_queue& queue,
                                 const resource_needs& needs) const;

  /// Places `next`, the job `queue.next()` just returned, in `where`.
  void place(scheduler_queue& queue, const queued_job& next,
             environment_slot& where);

  /// Tells the next job of `queue` why it waits, unless it knows already,
  /// and starts timing the wait when its reason's code changed.
  void wait(scheduler_queue& queue, const queued_job& job, std::string reason);

  /// Forgets what the next job of `queue` was told.
  void unwatch(scheduler_queue& queue);

  /// Arms the time-limit timer of the wait `queue.watch` describes, if an
  /// action of the queue applies to it; disarms the previous one.
  void arm_time_limit(scheduler_queue& queue);

  /// Cancels the queued job `job` of `queue` with `reason`.
  void cancel_queued(scheduler_queue& queue, const queued_job& job,
                     const std::string& reason);

  /// Returns the health of the executor named `executor`.
  executor_health health_of(const std::string& executor) const;

  /// Returns the executor of `environment`.
  executor_actor executor_of(const environment_slot& environment) const;
};

/// Spawn function of a region's scheduler.
scheduler_actor::behavior_type scheduler(scheduler_state::pointer self,
                                         region_services services);

} // namespace batch
