// The region's scheduler: the single place that decides which RUNNABLE job
// runs where. It learns about environments, queues, policies and executors
// from the region's events, about jobs from the jobs themselves, and
// dispatches only in reaction to an event (a job became RUNNABLE or released
// its capacity, an environment, queue or executor changed); it never polls.
//
// Each queue keeps its RUNNABLE jobs in dispatch order, so finding, adding
// or removing a job costs O(log n). Queues are served in descending
// priority; a queue places its head job in the first of its environments
// (ascending order) that is ENABLED, whose executor is available and whose
// STARTING and RUNNING jobs leave room for the job's vCPUs under the
// environment's capacity. A head job that cannot be placed blocks its queue,
// as in AWS, and learns why through `job_waiting`.
#pragma once

#include "actors/region.hpp"
#include "protocol/scheduler.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace batch {

/// A RUNNABLE job as the scheduler keeps it.
struct queued_job {
  job_spec_ptr spec;
  job_actor job;
};

/// The RUNNABLE jobs of one queue in dispatch order: submission order, so a
/// job that returns to RUNNABLE gets its old place back.
class job_lane {
public:
  // TODO(#4): fair-share queues order jobs by share usage, weight and
  // scheduling priority instead of submission order.

  /// Adds `job` at its place.
  void push(queued_job job);

  /// Removes the job with submission order `sequence`; returns false if
  /// the lane does not hold it.
  bool remove(uint64_t sequence);

  /// Returns the job that goes next, or null for an empty lane.
  const queued_job* head() const;

  /// Removes and returns the job that goes next. REQUIRES: !empty().
  queued_job pop();

  bool empty() const {
    return jobs_.empty();
  }

  size_t size() const {
    return jobs_.size();
  }

private:
  std::map<uint64_t, queued_job> jobs_;
};

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
    double capacity = 0;
    /// vCPUs of the jobs placed there and not yet released.
    double used = 0;
    /// The executor's name: "docker" or "simulated".
    std::string executor;
  };

  /// One job queue and its RUNNABLE jobs.
  struct queue_slot {
    /// Empty until the queue's first `job_queue_changed` arrives.
    std::optional<job_queue_record> record;
    job_lane lane;
    /// The head job last told why it waits, and that reason.
    uint64_t told_sequence = 0;
    std::string told_reason;
  };

  /// A job that holds capacity in an environment.
  struct placement {
    std::string environment_arn;
    double vcpus = 0;
    job_spec_ptr spec;
    job_actor job;
  };

  /// Whether an executor can run attempts, and why not.
  struct executor_health {
    bool available = true;
    std::string reason;
  };

  /// Where a head job goes, or why it waits.
  struct verdict {
    environment_slot* environment = nullptr;
    std::string reason;
  };

  pointer self = nullptr;
  region_services services;
  scheduler_executors executors;
  /// Environments and queues by ARN.
  std::unordered_map<std::string, environment_slot> environments;
  std::unordered_map<std::string, queue_slot> queues;
  /// Placed jobs by submission order.
  std::unordered_map<uint64_t, placement> placed;
  /// Executor health by executor name, as the executors reported it.
  std::map<std::string, executor_health> health;

  // -- handlers ---------------------------------------------------------------

  void on_environment_changed(const compute_environment_changed& event);
  void on_environment_removed(const compute_environment_removed& event);
  void on_queue_changed(const job_queue_changed& event);
  void on_queue_removed(const job_queue_removed& event);
  void on_executor_status(const executor_status& status);
  void on_executors(const scheduler_executors& attached);
  void on_runnable(const job_runnable& event);
  void on_withdrawn(const job_withdrawn& event);
  void on_released(const job_released& event);

  // -- dispatching ------------------------------------------------------------

  /// Places head jobs until every queue is empty or blocked.
  void schedule();

  /// Returns the queues with RUNNABLE jobs, highest priority first.
  std::vector<queue_slot*> queues_by_priority();

  /// Places the head job of `queue` or tells it why it waits; returns true
  /// if it was placed.
  bool place_head(queue_slot& queue);

  /// Returns the environment of `queue` that takes a job needing `needs`.
  verdict find_environment(const queue_slot& queue,
                           const resource_needs& needs);

  /// Returns the health of the executor named `executor`.
  executor_health health_of(const std::string& executor) const;

  /// Returns the executor of `environment`.
  executor_actor executor_of(const environment_slot& environment) const;

  /// Sends `reason` to the head job of `queue` unless it knows it already.
  void tell(queue_slot& queue, const queued_job& head, std::string reason);
};

/// Spawn function of a region's scheduler.
scheduler_actor::behavior_type scheduler(scheduler_state::pointer self,
                                         region_services services);

} // namespace batch
