// The job queue vocabulary: its record, the requests that act on it, the
// events the queue directory publishes, their decoding from restJson1 bodies
// and the encoding of replies.
#pragma once

#include "protocol/compute_environment.hpp"
#include "protocol/json.hpp"
#include "protocol/resource.hpp"
#include "protocol/type_ids.hpp"

#include <caf/typed_actor.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace batch {

// -- record ------------------------------------------------------------------

/// One entry of a queue's computeEnvironmentOrder.
struct compute_environment_order_entry {
  int64_t order = 0;
  /// The environment's ARN once stored; a name or an ARN in requests.
  std::string compute_environment;
};

/// One entry of a queue's jobStateTimeLimitActions: what to do with a job
/// that stays in `state` longer than `max_time_seconds`.
struct job_state_time_limit_action {
  std::string reason;
  /// RUNNABLE.
  std::string state;
  int64_t max_time_seconds = 0;
  /// CANCEL.
  std::string action;
};

/// Everything batchd knows about one job queue.
struct job_queue_record {
  std::string name;
  std::string arn;
  /// ENABLED or DISABLED.
  std::string state = "ENABLED";
  /// CREATING, UPDATING, DELETING, DELETED, VALID or INVALID.
  std::string status = "VALID";
  std::string status_reason = "JobQueue Healthy";
  int64_t priority = 0;
  std::optional<std::string> scheduling_policy_arn;
  /// Sorted ascending by `order`.
  std::vector<compute_environment_order_entry> compute_environment_order;
  std::vector<job_state_time_limit_action> job_state_time_limit_actions;
  /// ECS, ECS_FARGATE, EKS or SAGEMAKER_TRAINING, derived from the
  /// environments.
  std::optional<std::string> job_queue_type;
  tag_map tags;

  /// Returns the ARNs of the queue's compute environments, in order.
  std::vector<std::string> compute_environment_arns() const;
};

// -- requests ----------------------------------------------------------------

/// CreateJobQueue. The environments of the order may be names or ARNs; the
/// directory resolves them to ARNs and fills in the queue's ARN.
struct create_job_queue {
  job_queue_record record;
};

/// UpdateJobQueue: each member that is set replaces the stored one.
struct update_job_queue {
  /// Name or ARN.
  std::string job_queue;
  std::optional<std::string> state;
  std::optional<int64_t> priority;
  std::optional<std::string> scheduling_policy_arn;
  /// Entries name environments by name or ARN.
  std::optional<std::vector<compute_environment_order_entry>>
    compute_environment_order;
  std::optional<std::vector<job_state_time_limit_action>>
    job_state_time_limit_actions;
  /// Not on the wire: the directory sets it when the environments change.
  std::optional<std::string> job_queue_type;
};

struct delete_job_queue {
  /// Name or ARN.
  std::string job_queue;
};

struct describe_job_queues {
  /// Names or ARNs; empty means all.
  std::vector<std::string> job_queues;
  std::optional<int64_t> max_results;
  std::string next_token;
};

/// Asks the directory for the record of one queue (name or ARN). Answered
/// with a `job_queue_record` or ClientException "JobQueue <x> not found.".
struct resolve_job_queue {
  std::string job_queue;
};

// -- events ------------------------------------------------------------------

/// Sent to the region's event listener whenever a queue is created or
/// changes (state, priority, environments, policy, time limit actions).
struct job_queue_changed {
  job_queue_record record;
};

/// Sent to the region's event listener when a queue is deleted.
struct job_queue_removed {
  std::string arn;
};

// -- replies -----------------------------------------------------------------

/// The reply of Create/UpdateJobQueue.
struct job_queue_ref {
  std::string name;
  std::string arn;
};

struct job_queue_page {
  std::vector<job_queue_record> items;
  std::string next_token;
};

// -- actor interface ---------------------------------------------------------

/// One job queue: owns its record and applies changes to it. The directory
/// resolves environment names and checks references before it forwards an
/// update, so `update_job_queue` arrives with environment ARNs. Each change
/// is answered with the updated record.
using job_queue_actor
  = caf::typed_actor<caf::replies_to<update_job_queue>::with<job_queue_record>,
                     caf::replies_to<tag_resource>::with<job_queue_record>,
                     caf::replies_to<untag_resource>::with<job_queue_record>>;

/// The directory of a region's job queues.
using job_queues_actor
  = caf::typed_actor<caf::replies_to<create_job_queue>::with<job_queue_ref>,
                     caf::replies_to<update_job_queue>::with<job_queue_ref>,
                     caf::replies_to<delete_job_queue>::with<ack>,
                     caf::replies_to<describe_job_queues>::with<job_queue_page>,
                     caf::replies_to<resolve_job_queue>::with<job_queue_record>,
                     caf::replies_to<tag_resource>::with<ack>,
                     caf::replies_to<untag_resource>::with<ack>,
                     caf::replies_to<list_tags>::with<tag_map>>;

// -- wire --------------------------------------------------------------------

/// Decodes and validates a CreateJobQueue body. Environment references stay
/// as the client wrote them; the directory resolves them.
caf::expected<create_job_queue>
decode_create_job_queue(simdjson::dom::object body);

/// Decodes and validates an UpdateJobQueue body.
caf::expected<update_job_queue>
decode_update_job_queue(simdjson::dom::object body);

/// Decodes a DeleteJobQueue body.
caf::expected<delete_job_queue>
decode_delete_job_queue(simdjson::dom::object body);

/// Decodes a DescribeJobQueues body.
caf::expected<describe_job_queues>
decode_describe_job_queues(simdjson::dom::object body);

/// Sorts `order` by ascending `order`, the order in which the scheduler
/// tries the environments.
void sort_by_order(std::vector<compute_environment_order_entry>& order);

/// Checks a computeEnvironmentOrder: 1 to 3 entries, unique orders and
/// environments, non-negative orders.
caf::error check_compute_environment_order(
  const std::vector<compute_environment_order_entry>& order);

/// Checks jobStateTimeLimitActions: at most 5, each RUNNABLE, CANCEL,
/// 600..86400 seconds and one of the documented reasons.
caf::error check_job_state_time_limit_actions(
  const std::vector<job_state_time_limit_action>& actions);

/// Returns the jobQueueType that the environments of a queue imply (ECS,
/// ECS_FARGATE or EKS), or a ClientException if one of them is not VALID or
/// they mix EC2, Fargate and EKS.
caf::expected<std::string>
job_queue_type_of(const compute_environment_records& environments);

/// Returns the JobQueueDetail of `record`.
json encode(const job_queue_record& record);

json encode(const job_queue_ref& ref);

json encode(const job_queue_page& page);

/// Applies `update` (whose environments are ARNs already) to `record`;
/// leaves `record` unchanged on error.
caf::error apply_update(job_queue_record& record,
                        const update_job_queue& update);

} // namespace batch

BATCH_LOCAL_MESSAGE(batch::create_job_queue)
BATCH_LOCAL_MESSAGE(batch::update_job_queue)
BATCH_LOCAL_MESSAGE(batch::delete_job_queue)
BATCH_LOCAL_MESSAGE(batch::describe_job_queues)
BATCH_LOCAL_MESSAGE(batch::resolve_job_queue)
BATCH_LOCAL_MESSAGE(batch::job_queue_changed)
BATCH_LOCAL_MESSAGE(batch::job_queue_removed)
BATCH_LOCAL_MESSAGE(batch::job_queue_ref)
BATCH_LOCAL_MESSAGE(batch::job_queue_record)
BATCH_LOCAL_MESSAGE(batch::job_queue_page)
