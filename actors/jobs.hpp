// The directory of one region's jobs. It admits SubmitJob (the queue must be
// ENABLED, the definition ACTIVE, fair-share rules met), mints the job id,
// spawns one `job` actor per job, and routes DescribeJobs, CancelJob,
// TerminateJob and tag calls to it. For ListJobs it keeps a compact summary
// of every job, which the job actors update on each change, indexed by
// queue and state so that a page costs what it returns.
#pragma once

#include "actors/job.hpp"
#include "actors/region.hpp"
#include "protocol/errors.hpp"
#include "protocol/job.hpp"
#include "protocol/job_definition.hpp"
#include "protocol/job_queue.hpp"
#include "protocol/scheduler.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <array>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

namespace batch {

/// The actors a job directory consults.
struct jobs_peers {
  job_queues_actor job_queues;
  job_definitions_actor job_definitions;
  scheduler_actor scheduler;
};

struct jobs_state {
  static constexpr const char* name = "jobs";

  using pointer = jobs_actor::stateful_pointer<jobs_state>;

  /// Stops every job actor along with the directory. Nothing else does: a
  /// job would live on for as long as a timer (its simulated attempt, say)
  /// refers to it, and the actor system waits for every actor at shutdown.
  ~jobs_state();

  /// A job's actor and what ListJobs shows of it.
  struct entry {
    job_actor owner;
    job_summary summary;
  };

  /// The jobs of one queue by their sequences, in submission order.
  struct queue_index {
    std::vector<uint64_t> all;
    std::array<std::set<uint64_t>, job_status_count> by_status;
  };

  pointer self = nullptr;
  region_services services;
  jobs_peers peers;
  job_context_ptr context;
  /// Every job in submission order: the job of sequence `s` is at `s - 1`.
  /// A job's id carries its sequence, so finding a job needs no index.
  std::deque<entry> jobs;
  /// Queue ARN to the queue's jobs.
  std::unordered_map<std::string, queue_index> queues;
  /// Shared identities of queues and definitions, by ARN.
  std::unordered_map<std::string, std::shared_ptr<const queue_identity>>
    queue_identities;
  std::unordered_map<std::string, std::shared_ptr<const job_definition_record>>
    definitions;

  // -- handlers ---------------------------------------------------------------

  caf::result<submitted_job> on_submit(submit_job& request);
  caf::result<job_records> on_describe(const describe_jobs& request);
  caf::result<job_summary_page> on_list(const list_jobs& request);

  /// Reads the tags from the job's record: a job actor takes no message of
  /// its own for them, as every kind of message costs each job actor memory.
  caf::result<tag_map> on_list_tags(const list_tags& request);
  void on_progress(job_progress& progress);

  // -- submission -------------------------------------------------------------

  using submit_promise = caf::typed_response_promise<submitted_job>;

  /// Second step of SubmitJob: resolves the job definition.
  void resolve_definition(submit_job request, job_queue_record queue,
                          submit_promise promise);

  /// Last step of SubmitJob: checks the rules and starts the job.
  caf::expected<submitted_job> admit(const submit_job& request,
                                     const job_queue_record& queue,
                                     const job_definition_record& definition);

  /// Builds the spec of an admitted job.
  caf::expected<job_spec> make_spec(const submit_job& request,
                                    const job_queue_record& queue,
                                    const job_definition_record& definition);

  /// Spawns the actor of `spec` and indexes it.
  submitted_job start(job_spec spec, tag_map tags);

  // -- lookup -----------------------------------------------------------------

  /// Returns the entry of `job_id`, or null.
  entry* find(std::string_view job_id);

  /// Returns the entry of the job numbered `sequence`, or null.
  entry* at_sequence(uint64_t sequence);

  /// Returns the entry of the job named by `arn`, or null if `arn` is not a
  /// job ARN of this region and account.
  entry* find_by_arn(const std::string& arn);

  /// Hands the command `request` to the actor of the job it names, or fails
  /// if there is none.
  template <class Request>
  caf::result<ack> forward(Request request) {
    auto found = find(request.job_id);
    if (!found)
      return client_error("Job " + request.job_id + " not found.");
    return self->delegate(found->owner, job_command{std::move(request)});
  }

  /// Hands the tag command `request` to the actor of the job its ARN names.
  template <class Request>
  caf::result<ack> forward_by_arn(Request request) {
    auto found = find_by_arn(request.arn);
    if (!found)
      return client_error("Job " + request.arn + " not found.");
    return self->delegate(found->owner, job_command{std::move(request)});
  }

  /// Returns the shared identity of `queue`.
  std::shared_ptr<const queue_identity>
  identity_of(const job_queue_record& queue);

  /// Returns the shared copy of `definition`.
  std::shared_ptr<const job_definition_record>
  shared_definition(const job_definition_record& definition);
};

/// Spawn function of a region's job directory.
jobs_actor::behavior_type jobs_directory(jobs_state::pointer self,
                                         region_services services,
                                         jobs_peers peers);

} // namespace batch
