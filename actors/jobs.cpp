#include "actors/jobs.hpp"

#include "actors/resource_names.hpp"
#include "protocol/errors.hpp"
#include "protocol/job_container.hpp"
#include "protocol/pagination.hpp"
#include "runtime/ids.hpp"
#include "runtime/logging.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace batch {

namespace {

/// How long the directory waits for a job actor's reply.
constexpr auto internal_timeout = std::chrono::seconds{10};

/// SubmitJob asks the queue and definition directories without a timeout:
/// both answer every request (CAF answers for them if they are gone), and
/// the gateway bounds the whole call. A CAF request timeout would cost every
/// submission a wake-up of CAF's clock thread and keep about 70 bytes in
/// the clock for ten seconds.
constexpr auto submit_peer_timeout = caf::infinite;

/// ListJobs pages: up to 1000 jobs by state, up to 100 with a filter.
constexpr size_t max_page_by_status = 1000;
constexpr size_t max_page_with_filter = 100;

spdlog::logger& logger() {
  static auto& instance = component_logger("jobs");
  return instance;
}

caf::error unsupported(const std::string& feature) {
  return client_error("batchd does not support " + feature + " yet");
}

/// Returns the number of attempts `strategy` (compact JSON) allows.
int64_t attempts_of(const std::string& strategy) {
  auto parsed = parse_stored_json(strategy);
  if (!parsed.is_object())
    return 1;
  auto attempts = parsed.find("attempts");
  return attempts != parsed.end() && attempts->is_number_integer()
           ? attempts->get<int64_t>()
           : 1;
}

/// Checks the fair-share rules of SubmitJob against the queue.
caf::error check_share(const submit_job& request, const job_queue_record& queue,
                       const job_definition_record& definition) {
  auto fair_share
    = queue.scheduling_policy_arn && !queue.scheduling_policy_arn->empty();
  if (!fair_share) {
    if (request.share_identifier)
      return client_error("shareIdentifier can't be specified for job queue "
                          + queue.name
                          + ", which has no fair-share scheduling policy");
    return {};
  }
  if (!request.share_identifier)
    return client_error("shareIdentifier must be specified.");
  if (!request.scheduling_priority_override && !definition.scheduling_priority)
    return client_error("Either schedulingPriority in job definition or "
                        "schedulingPriorityOverride should be specified.");
  return {};
}

/// Refuses definitions whose jobs batchd cannot run yet.
caf::error check_definition(const job_definition_record& definition) {
  if (definition.type == "multinode" || definition.node_properties)
    return unsupported("multi-node parallel jobs");
  if (definition.eks_properties)
    return unsupported("Amazon EKS jobs (eksProperties)");
  if (definition.ecs_properties)
    return unsupported("jobs with ecsProperties");
  if (!definition.container_properties)
    return client_error("Job definition " + definition.name
                        + " has no containerProperties");
  return {};
}

/// Returns the sequence number a ListJobs token resumes at.
caf::expected<uint64_t> read_sequence(const std::string& token) {
  auto key = read_page_token(token);
  if (!key)
    return std::move(key.error());
  if (key->empty() || key->find_first_not_of("0123456789") != std::string::npos)
    return client_error("Invalid nextToken");
  return std::stoull(*key);
}

/// Collects the records of DescribeJobs from several job actors.
struct describe_collector {
  caf::typed_response_promise<job_records> promise;
  std::vector<std::optional<job_record>> records;
  size_t pending = 0;

  void done() {
    if (--pending > 0)
      return;
    job_records result;
    for (auto& record : records)
      if (record)
        result.push_back(std::move(*record));
    promise.deliver(std::move(result));
  }
};

} // namespace

// -- lookup -------------------------------------------------------------------

jobs_state::entry* jobs_state::find(std::string_view job_id) {
  auto sequence = sequence_in_uuid(job_id);
  if (!sequence)
    return nullptr;
  auto found = at_sequence(*sequence);
  return found && found->summary.spec->id == job_id ? found : nullptr;
}

jobs_state::entry* jobs_state::at_sequence(uint64_t sequence) {
  if (sequence == 0 || sequence > jobs.size())
    return nullptr;
  return &jobs[sequence - 1];
}

jobs_state::entry* jobs_state::find_by_arn(const std::string& arn) {
  if (!is_arn(arn))
    return nullptr;
  auto job_id = resource_id_in(services.scope, "job", arn);
  return job_id ? find(*job_id) : nullptr;
}

std::shared_ptr<const queue_identity>
jobs_state::identity_of(const job_queue_record& queue) {
  auto& slot = queue_identities[queue.arn];
  if (!slot || slot->name != queue.name)
    slot = std::make_shared<const queue_identity>(
      queue_identity{queue.name, queue.arn});
  return slot;
}

std::shared_ptr<const job_definition_record>
jobs_state::shared_definition(const job_definition_record& definition) {
  // Revisions are immutable, so the first copy serves every job that uses
  // the revision.
  auto& slot = definitions[definition.arn];
  if (!slot)
    slot = std::make_shared<const job_definition_record>(definition);
  return slot;
}

// -- submission ---------------------------------------------------------------

caf::result<submitted_job> jobs_state::on_submit(submit_job& request) {
  auto promise = self->make_response_promise<submitted_job>();
  auto queue_name = request.job_queue;
  self
    ->request(peers.job_queues, submit_peer_timeout,
              resolve_job_queue{std::move(queue_name)})
    .then(
      [this, request, promise](job_queue_record& queue) mutable {
        resolve_definition(std::move(request), std::move(queue), promise);
      },
      [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
  return promise;
}

void jobs_state::resolve_definition(submit_job request, job_queue_record queue,
                                    submit_promise promise) {
  auto name = request.job_definition;
  self
    ->request(peers.job_definitions, submit_peer_timeout,
              resolve_job_definition{std::move(name)})
    .then(
      [this, request, queue,
       promise](job_definition_record& definition) mutable {
        auto admitted = admit(request, queue, definition);
        if (admitted)
          promise.deliver(std::move(*admitted));
        else
          promise.deliver(std::move(admitted.error()));
      },
      [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
}

caf::expected<submitted_job>
jobs_state::admit(const submit_job& request, const job_queue_record& queue,
                  const job_definition_record& definition) {
  if (queue.state != "ENABLED")
    return client_error("JobQueue " + queue.name
                        + " is not ENABLED and does not accept jobs");
  if (auto err = check_share(request, queue, definition))
    return err;
  if (auto err = check_definition(definition))
    return err;
  for (auto& dependency : request.depends_on)
    if (!find(dependency.job_id))
      return client_error("dependsOn names job " + dependency.job_id
                          + ", which does not exist");
  if (!request.depends_on.empty())
    return unsupported("job dependencies (dependsOn)");
  auto spec = make_spec(request, queue, definition);
  if (!spec)
    return std::move(spec.error());
  return start(std::move(*spec), request.tags);
}

caf::expected<job_spec>
jobs_state::make_spec(const submit_job& request, const job_queue_record& queue,
                      const job_definition_record& definition) {
  job_inputs inputs;
  inputs.retry_strategy = !request.retry_strategy.empty()
                            ? request.retry_strategy
                            : definition.retry_strategy.value_or("");
  if (attempts_of(inputs.retry_strategy) > 1)
    return unsupported("retries (retryStrategy.attempts greater than 1)");
  auto parameters = merged_parameters(definition, request.parameters);
  auto container
    = effective_container(definition, request.container_overrides, parameters);
  if (!container)
    return std::move(container.error());
  auto needs = needs_of(*container);
  if (!needs)
    return std::move(needs.error());
  if (jobs.size() >= max_id_sequence)
    return client_error("The region holds as many jobs as batchd can number");
  job_spec spec;
  spec.sequence = jobs.size() + 1;
  spec.id = make_sequenced_uuid(spec.sequence);
  spec.name = request.job_name;
  spec.queue = identity_of(queue);
  spec.definition = shared_definition(definition);
  inputs.parameters = request.parameters;
  inputs.container_overrides = request.container_overrides;
  if (!inputs.empty())
    spec.submitted = std::make_shared<const job_inputs>(std::move(inputs));
  spec.timeout_seconds = request.timeout_seconds ? request.timeout_seconds
                                                 : definition.timeout_seconds;
  spec.share_identifier = request.share_identifier.value_or("");
  spec.scheduling_priority = request.scheduling_priority_override
                               ? request.scheduling_priority_override
                               : definition.scheduling_priority;
  spec.propagate_tags
    = request.propagate_tags.value_or(definition.propagate_tags);
  spec.created_at = context->clock->now_ms();
  spec.needs = *needs;
  return spec;
}

submitted_job jobs_state::start(job_spec spec, tag_map tags) {
  auto shared = std::make_shared<const job_spec>(std::move(spec));
  job_record record;
  record.spec = shared;
  if (!tags.empty())
    record.tags = std::make_shared<const tag_map>(std::move(tags));
  auto owner = self->spawn(job, std::move(record), context);
  jobs.push_back(entry{owner, job_summary{shared, job_status::submitted, {}}});
  auto& index = queues[shared->queue->arn];
  index.all.push_back(shared->sequence);
  index.by_status[static_cast<size_t>(job_status::submitted)].insert(
    shared->sequence);
  logger().debug("job_id={} job_name={} queue={} submitted", shared->id,
                 shared->name, shared->queue->name);
  return {shared->arn(), shared->name, shared->id};
}

// -- reads --------------------------------------------------------------------

caf::result<job_records> jobs_state::on_describe(const describe_jobs& request) {
  std::vector<job_actor> owners;
  for (auto& id : request.job_ids)
    if (auto found = find(id))
      owners.push_back(found->owner);
  if (owners.empty())
    return job_records{};
  auto collector = std::make_shared<describe_collector>();
  collector->promise = self->make_response_promise<job_records>();
  collector->records.resize(owners.size());
  collector->pending = owners.size();
  for (size_t i = 0; i < owners.size(); ++i)
    self->request(owners[i], internal_timeout, read_job{})
      .then(
        [collector, i](job_record& record) {
          collector->records[i] = std::move(record);
          collector->done();
        },
        [collector](caf::error&) { collector->done(); });
  return collector->promise;
}

caf::result<tag_map> jobs_state::on_list_tags(const list_tags& request) {
  auto found = find_by_arn(request.arn);
  if (!found)
    return client_error("Job " + request.arn + " not found.");
  auto promise = self->make_response_promise<tag_map>();
  self->request(found->owner, internal_timeout, read_job{})
    .then(
      [promise](const job_record& record) mutable {
        promise.deliver(record.tag_list());
      },
      [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
  return promise;
}

caf::result<job_summary_page> jobs_state::on_list(const list_jobs& request) {
  job_summary_page page;
  // Array and multi-node jobs are refused at SubmitJob, so no job has
  // children to list.
  if (request.job_queue.empty())
    return page;
  auto queue_arn = is_arn(request.job_queue)
                     ? request.job_queue
                     : services.scope.arn("job-queue", request.job_queue);
  auto index = queues.find(queue_arn);
  auto& filter = request.filter;
  auto by_status = !filter || filter->name == "SHARE_IDENTIFIER";
  auto ceiling = filter ? max_page_with_filter : max_page_by_status;
  auto limit = std::min<size_t>(request.max_results.value_or(ceiling), ceiling);
  std::optional<uint64_t> resume;
  if (!request.next_token.empty()) {
    auto sequence = read_sequence(request.next_token);
    if (!sequence)
      return std::move(sequence.error());
    resume = *sequence;
  }
  if (index == queues.end())
    return page;
  auto emit = [&](uint64_t sequence, const entry& e) {
    if (page.items.size() == limit) {
      page.next_token = make_page_token(std::to_string(sequence));
      return false;
    }
    page.items.push_back(e.summary);
    return true;
  };
  if (!filter) {
    // By state in submission order: the queue's index holds exactly the
    // jobs to show.
    auto& sequences
      = index->second.by_status[static_cast<size_t>(request.status)];
    for (auto i = sequences.lower_bound(resume.value_or(0));
         i != sequences.end(); ++i)
      if (!emit(*i, *at_sequence(*i)))
        break;
    return page;
  }
  // With a filter, the queue's jobs newest first, as AWS sorts them.
  auto& all = index->second.all;
  auto start
    = resume ? std::upper_bound(all.begin(), all.end(), *resume) : all.end();
  for (auto i = std::make_reverse_iterator(start); i != all.rend(); ++i) {
    auto& job = *at_sequence(*i);
    if (by_status && job.summary.status != request.status)
      continue;
    if (matches(*filter, *job.summary.spec) && !emit(*i, job))
      break;
  }
  return page;
}

void jobs_state::on_progress(job_progress& progress) {
  auto job = at_sequence(progress.sequence);
  if (!job)
    return;
  auto& summary = job->summary;
  if (summary.status != progress.status) {
    auto& index = queues[summary.spec->queue->arn];
    index.by_status[static_cast<size_t>(summary.status)].erase(
      progress.sequence);
    index.by_status[static_cast<size_t>(progress.status)].insert(
      progress.sequence);
  }
  summary.status = progress.status;
  summary.details = std::move(progress.details);
}

// -- the actor ----------------------------------------------------------------

jobs_state::~jobs_state() {
  for (auto& job : jobs)
    caf::anon_send_exit(job.owner, caf::exit_reason::user_shutdown);
}

jobs_actor::behavior_type jobs_directory(jobs_state::pointer self,
                                         region_services services,
                                         jobs_peers peers) {
  auto& state = self->state;
  state.self = self;
  state.context = std::make_shared<const job_context>(
    job_context{services.clock, peers.scheduler, self});
  state.services = std::move(services);
  state.peers = std::move(peers);
  return {
    [self](submit_job& request) { return self->state.on_submit(request); },
    [self](const describe_jobs& request) {
      return self->state.on_describe(request);
    },
    [self](const list_jobs& request) { return self->state.on_list(request); },
    [self](cancel_job& request) {
      return self->state.forward(std::move(request));
    },
    [self](terminate_job& request) {
      return self->state.forward(std::move(request));
    },
    [self](tag_resource& request) {
      return self->state.forward_by_arn(std::move(request));
    },
    [self](untag_resource& request) {
      return self->state.forward_by_arn(std::move(request));
    },
    [self](const list_tags& request) {
      return self->state.on_list_tags(request);
    },
    [self](job_progress& progress) { self->state.on_progress(progress); },
  };
}

} // namespace batch
