// The job vocabulary: what SubmitJob asked for (an immutable `job_spec`
// shared by the job's actor, the job directory and the scheduler), the
// mutable `job_record` a job actor owns, the requests of the job operations,
// the messages between jobs, their directory and the scheduler, and the
// decoding and encoding of the wire shapes. A million jobs must fit in a
// few GiB, so opaque sub-documents stay compact JSON text and everything a
// job shares with other jobs (its queue, its definition) is shared.
#pragma once

#include "protocol/executor.hpp"
#include "protocol/job_definition.hpp"
#include "protocol/json.hpp"
#include "protocol/resource.hpp"
#include "protocol/type_ids.hpp"

#include <caf/typed_actor.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace batch {

// -- states ------------------------------------------------------------------

/// The states of a job, in the order a job passes them.
enum class job_status : uint8_t {
  submitted,
  pending,
  runnable,
  starting,
  running,
  succeeded,
  failed,
};

/// The number of job states.
constexpr size_t job_status_count = 7;

/// Returns the wire name of `status`, e.g. "RUNNABLE".
std::string_view to_string(job_status status);

/// Returns the state named `name`, or nothing for an unknown name.
std::optional<job_status> parse_job_status(std::string_view name);

/// Returns true for SUCCEEDED and FAILED.
bool is_final(job_status status);

// -- the submission ----------------------------------------------------------

/// What a job needs of a compute environment.
struct resource_needs {
  double vcpus = 1;
  /// MiB; 0 when the job sets no memory.
  int64_t memory_mib = 0;
  int64_t gpus = 0;
};

/// A job queue as its jobs know it; shared by every job of the queue.
struct queue_identity {
  std::string name;
  std::string arn;
};

/// One entry of SubmitJob's dependsOn.
struct job_dependency {
  std::string job_id;
  /// N_TO_N, SEQUENTIAL or empty.
  std::string type;
};

/// What a submission added to its job definition. Most jobs add none of it,
/// so a spec keeps it behind a pointer that is null then: a region holds a
/// spec per queued job.
struct job_inputs {
  /// The submit's parameters (the definition's defaults are not merged in).
  std::map<std::string, std::string> parameters;
  /// The containerOverrides member, validated, as compact JSON; empty when
  /// the submit had none.
  std::string container_overrides;
  /// The effective retryStrategy (submit's, else definition's) as compact
  /// JSON; empty when neither has one.
  std::string retry_strategy;

  bool empty() const {
    return parameters.empty() && container_overrides.empty()
           && retry_strategy.empty();
  }
};

/// Everything SubmitJob decided about a job. It never changes once the job
/// exists, so the job actor, the directory and the scheduler share one copy.
struct job_spec {
  std::string id;
  std::string name;
  std::shared_ptr<const queue_identity> queue;
  std::shared_ptr<const job_definition_record> definition;
  /// What the submit added; null when it added nothing (see `inputs`).
  std::shared_ptr<const job_inputs> submitted;
  /// The effective timeout.attemptDurationSeconds.
  std::optional<int64_t> timeout_seconds;
  /// Empty for FIFO queues.
  std::string share_identifier;
  /// The effective scheduling priority (override, else definition's).
  std::optional<int64_t> scheduling_priority;
  bool propagate_tags = false;
  /// Server time of SubmitJob, epoch milliseconds.
  int64_t created_at = 0;
  /// The region-wide submission order; FIFO queues dispatch by it.
  uint64_t sequence = 0;
  /// What the job's container needs, from definition and overrides.
  resource_needs needs;

  /// Returns the job's ARN, `arn:aws:batch:<region>:<account>:job/<id>`.
  std::string arn() const;

  /// Returns what the submit added to its definition, empty if nothing.
  const job_inputs& inputs() const;
};

using job_spec_ptr = std::shared_ptr<const job_spec>;

// -- the record --------------------------------------------------------------

/// One attempt of a job: when it ran and how it ended.
struct attempt_record {
  /// 1-based.
  int number = 1;
  int64_t started_at = 0;
  int64_t stopped_at = 0;
  std::optional<int> exit_code;
  /// The container's reason, e.g. "CannotPullContainerError: ...".
  std::string reason;
  std::string status_reason;
  std::string log_stream_name;
  /// The ECS-style task ARN of the attempt; empty before it starts.
  std::string task_arn;
};

/// Everything that changes about a job while it lives; owned by its actor.
struct job_record {
  job_spec_ptr spec;
  job_status status = job_status::submitted;
  bool is_cancelled = false;
  bool is_terminated = false;
  std::string status_reason;
  int64_t started_at = 0;
  int64_t stopped_at = 0;
  /// Attempts that started or failed to start, oldest first.
  std::vector<attempt_record> attempts;
  /// Null while the job has no tags, as most have none.
  std::shared_ptr<const tag_map> tags;

  /// Returns the job's tags.
  const tag_map& tag_list() const;
};

using job_records = std::vector<job_record>;

// -- requests ----------------------------------------------------------------

/// SubmitJob as decoded and validated from the wire.
struct submit_job {
  std::string job_name;
  /// Name or ARN.
  std::string job_queue;
  /// Name, name:revision or ARN.
  std::string job_definition;
  std::optional<std::string> share_identifier;
  std::optional<int64_t> scheduling_priority_override;
  std::map<std::string, std::string> parameters;
  /// Compact JSON; empty when absent.
  std::string container_overrides;
  /// Compact JSON; empty when absent.
  std::string retry_strategy;
  std::optional<int64_t> timeout_seconds;
  std::optional<bool> propagate_tags;
  tag_map tags;
  std::vector<job_dependency> depends_on;
  std::optional<int64_t> array_size;
};

/// DescribeJobs: 1 to 100 job ids; unknown ids are left out of the reply.
struct describe_jobs {
  std::vector<std::string> job_ids;
};

/// One ListJobs filter.
struct list_jobs_filter {
  /// JOB_NAME, JOB_DEFINITION, BEFORE_CREATED_AT, AFTER_CREATED_AT or
  /// SHARE_IDENTIFIER.
  std::string name;
  std::string value;
};

/// ListJobs. Exactly one of the three selectors is set.
struct list_jobs {
  /// Name or ARN.
  std::string job_queue;
  std::string array_job_id;
  std::string multi_node_job_id;
  /// Applies unless a filter other than SHARE_IDENTIFIER is set.
  job_status status = job_status::running;
  std::optional<list_jobs_filter> filter;
  std::optional<int64_t> max_results;
  std::string next_token;
};

struct cancel_job {
  std::string job_id;
  std::string reason;
};

struct terminate_job {
  std::string job_id;
  std::string reason;
};

/// Asks a job actor for its record.
struct read_job {};

// -- replies -----------------------------------------------------------------

/// The reply of SubmitJob.
struct submitted_job {
  std::string arn;
  std::string name;
  std::string id;
};

/// What ListJobs shows of a job beyond its spec and state. A queued job
/// has none of it, so a summary keeps it behind a pointer.
struct job_summary_details {
  std::string status_reason;
  int64_t started_at = 0;
  int64_t stopped_at = 0;
  std::optional<int> exit_code;
  std::string container_reason;

  bool empty() const {
    return status_reason.empty() && started_at == 0 && stopped_at == 0
           && !exit_code && container_reason.empty();
  }
};

using job_summary_details_ptr = std::shared_ptr<const job_summary_details>;

/// What ListJobs shows of a job. The job directory keeps one per job.
struct job_summary {
  job_spec_ptr spec;
  job_status status = job_status::submitted;
  /// Null while the job has nothing to show beyond its state.
  job_summary_details_ptr details;
};

struct job_summary_page {
  std::vector<job_summary> items;
  std::string next_token;
};

// -- between a job, its directory and the scheduler
// -----------------------------

/// Sent by a job actor to its directory on every change that ListJobs
/// shows.
struct job_progress {
  uint64_t sequence = 0;
  job_status status = job_status::submitted;
  job_summary_details_ptr details;
};

/// The scheduler placed the job: run an attempt in `compute_environment`.
struct dispatch_job {
  std::string compute_environment;
  /// The environment's ecsClusterArn, from which task ARNs derive.
  std::string cluster_arn;
  executor_actor executor;
};

/// The scheduler explains why the job still waits RUNNABLE; sent only when
/// the reason changes.
struct job_waiting {
  std::string reason;
};

/// A job actor's reminder to leave SUBMITTED.
struct evaluate_job {};

/// A job actor's reminder that attempt `attempt` has run for its timeout.
struct attempt_timeout {
  int attempt = 1;
};

/// A change the directory hands to a job, answered with an ack or an error;
/// one message type for the reason `job_event` gives.
struct job_command {
  std::variant<cancel_job, terminate_job, tag_resource, untag_resource> what;
};

/// What the scheduler, the executor and the job itself tell a job. One
/// message type rather than seven, so that a job actor needs one handler for
/// all of them: every handler is a few dozen bytes in each actor, and a
/// region holds an actor per queued job.
struct job_event {
  std::variant<evaluate_job, dispatch_job, job_waiting, attempt_timeout,
               attempt_started, attempt_exited, attempt_failed>
    what;
};

// -- actor interfaces --------------------------------------------------------

/// One job: owns its record and state machine.
using job_actor = caf::typed_actor<caf::replies_to<read_job>::with<job_record>,
                                   caf::replies_to<job_command>::with<ack>,
                                   caf::reacts_to<job_event>>;

/// The directory of a region's jobs.
using jobs_actor
  = caf::typed_actor<caf::replies_to<submit_job>::with<submitted_job>,
                     caf::replies_to<describe_jobs>::with<job_records>,
                     caf::replies_to<list_jobs>::with<job_summary_page>,
                     caf::replies_to<cancel_job>::with<ack>,
                     caf::replies_to<terminate_job>::with<ack>,
                     caf::replies_to<tag_resource>::with<ack>,
                     caf::replies_to<untag_resource>::with<ack>,
                     caf::replies_to<list_tags>::with<tag_map>,
                     caf::reacts_to<job_progress>>;

// -- wire --------------------------------------------------------------------

/// The largest SubmitJob body AWS accepts.
constexpr size_t max_submit_payload = 30 * 1024;

/// Returns true if `name` is a valid job name: 1 to 128 letters, digits,
/// hyphens and underscores, starting with a letter or digit.
bool is_valid_job_name(std::string_view name);

/// Decodes and validates a SubmitJob body. Members batchd does not run yet
/// (arrays, multi-node and EKS/ECS overrides) are refused with a
/// ClientException that says so.
caf::expected<submit_job> decode_submit_job(simdjson::dom::object body);

caf::expected<describe_jobs> decode_describe_jobs(simdjson::dom::object body);

caf::expected<list_jobs> decode_list_jobs(simdjson::dom::object body);

caf::expected<cancel_job> decode_cancel_job(simdjson::dom::object body);

caf::expected<terminate_job> decode_terminate_job(simdjson::dom::object body);

/// Returns true if the job of `spec` passes the ListJobs `filter`.
bool matches(const list_jobs_filter& filter, const job_spec& spec);

/// Returns the JobDetail of `record`.
json encode(const job_record& record);

json encode(const job_records& records);

json encode(const submitted_job& reply);

/// Returns the JobSummary of `summary`.
json encode(const job_summary& summary);

json encode(const job_summary_page& page);

} // namespace batch

BATCH_LOCAL_MESSAGE(batch::job_record)
BATCH_LOCAL_MESSAGE(batch::job_records)
BATCH_LOCAL_MESSAGE(batch::submit_job)
BATCH_LOCAL_MESSAGE(batch::describe_jobs)
BATCH_LOCAL_MESSAGE(batch::list_jobs)
BATCH_LOCAL_MESSAGE(batch::cancel_job)
BATCH_LOCAL_MESSAGE(batch::terminate_job)
BATCH_LOCAL_MESSAGE(batch::read_job)
BATCH_LOCAL_MESSAGE(batch::submitted_job)
BATCH_LOCAL_MESSAGE(batch::job_summary_page)
BATCH_LOCAL_MESSAGE(batch::job_progress)
BATCH_LOCAL_MESSAGE(batch::job_command)
BATCH_LOCAL_MESSAGE(batch::job_event)
