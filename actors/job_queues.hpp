// The directory of one region's job queues. It spawns an actor per queue,
// checks that the compute environments and the scheduling policy a queue
// names exist, tells their owners which queues refer to them, routes changes
// to the queue's actor and keeps the latest record of each for Describe
// calls and job submission.
#pragma once

#include "actors/region.hpp"
#include "protocol/compute_environment.hpp"
#include "protocol/job_queue.hpp"
#include "protocol/scheduling_policy.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace batch {

struct job_queues_state {
  static constexpr const char* name = "job_queues";

  using pointer = job_queues_actor::stateful_pointer<job_queues_state>;

  /// A queue's actor and the record it last reported.
  struct entry {
    job_queue_actor owner;
    job_queue_record snapshot;
  };

  /// What a queue refers to: environment ARNs and at most one policy ARN.
  struct references {
    std::vector<std::string> environments;
    std::vector<std::string> policies;
  };

  /// Continues a change once its references are checked; receives the
  /// jobQueueType the environments imply (empty if they did not change).
  using checked_callback = std::function<void(std::string)>;

  /// Ends a change that failed.
  using failed_callback = std::function<void(caf::error)>;

  pointer self = nullptr;
  region_services services;
  compute_environments_actor compute_environments;
  scheduling_policies_actor scheduling_policies;
  /// Queues by name; the order makes pagination stable.
  std::map<std::string, entry> queues;

  // -- handlers ---------------------------------------------------------------

  caf::result<job_queue_ref> on_create(create_job_queue& request);

  caf::result<job_queue_ref> on_update(update_job_queue& request);

  caf::result<ack> on_delete(const delete_job_queue& request);

  caf::result<job_queue_page> on_describe(const describe_job_queues& request);

  caf::result<job_queue_record> on_resolve(const resolve_job_queue& request);

  template <class Request>
  caf::result<ack> on_change_tags(const Request& request);

  caf::result<tag_map> on_list_tags(const list_tags& request);

  // -- references -------------------------------------------------------------

  /// Rewrites environment names in `order` to ARNs of this region and sorts
  /// it by ascending `order`.
  void to_environment_arns(
    std::vector<compute_environment_order_entry>& order) const;

  /// Tells the environment and policy directories what the queue with ARN
  /// `queue_arn` refers to from now on.
  void claim(const std::string& queue_arn, const references& refs);

  /// Checks that `environments` (if any) exist, are VALID and of one kind,
  /// and that `policy` (if any) exists; then calls `on_checked`, else
  /// `on_failed`. Blocks other requests until it is done, so that changes
  /// to queues happen one at a time.
  void check(std::vector<std::string> environments,
             std::optional<std::string> policy, checked_callback on_checked,
             failed_callback on_failed);

  // -- lookup -----------------------------------------------------------------

  /// Returns the entry named by `name_or_arn`, or null.
  entry* find(const std::string& name_or_arn);

  /// Tells the region's event listener about the new state of `record`.
  void publish(const job_queue_record& record);

  /// Returns the error for a queue that does not exist.
  static caf::error not_found(const std::string& name_or_arn);
};

/// Spawn function of the directory. It validates queues against
/// `compute_environments` and `scheduling_policies` of the same region.
job_queues_actor::behavior_type
job_queues_directory(job_queues_state::pointer self, region_services services,
                     compute_environments_actor compute_environments,
                     scheduling_policies_actor scheduling_policies);

} // namespace batch
