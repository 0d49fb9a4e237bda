#include "actors/scheduler.hpp"

#include "runtime/logging.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <cstdlib>

namespace batch {

namespace {

/// Slack for comparing fractional vCPUs.
constexpr double vcpu_epsilon = 1e-9;

/// GetJobQueueSnapshot lists this many jobs and this many shares at most.
constexpr size_t snapshot_jobs = 100;
constexpr size_t snapshot_shares = 20;

/// The statusReason prefix of a job cancelled by a time limit action.
constexpr const char* time_limit_cancel
  = "Canceled by JobStateTimeLimit action due to reason: ";

spdlog::logger& logger() {
  static auto& instance = component_logger("scheduler");
  return instance;
}

std::string format_vcpus(double vcpus) {
  auto text = std::to_string(vcpus);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.')
    text.pop_back();
  return text;
}

/// Returns "2 vCPUs, 512 MiB of memory and 1 GPU" for what `needs` asks.
std::string describe(const resource_needs& needs) {
  std::vector<std::string> parts{format_vcpus(needs.vcpus) + " vCPUs"};
  if (needs.memory_mib > 0)
    parts.push_back(std::to_string(needs.memory_mib) + " MiB of memory");
  if (needs.gpus > 0)
    parts.push_back(std::to_string(needs.gpus)
                    + (needs.gpus == 1 ? " GPU" : " GPUs"));
  auto text = parts.front();
  for (size_t i = 1; i < parts.size(); ++i)
    text += (i + 1 == parts.size() ? " and " : ", ") + parts[i];
  return text;
}

/// AWS's reason for a job whose vCPUs exceed every environment's maximum.
std::string max_resource_reason() {
  return "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) "
         "associated with the job queue cannot meet the CPU requirement of "
         "the job.";
}

/// The reason for a job whose memory or GPUs no environment can give.
std::string resource_requirement_reason(const resource_needs& needs) {
  return "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - CE(s) associated with "
         "the job queue cannot meet the requirement of the job ("
         + describe(needs) + "); batchd environments declare memory and GPUs "
         + "with the tags " + memory_tag + " and " + gpus_tag;
}

std::string capacity_reason(const resource_needs& needs) {
  return "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill "
         "the capacity requested: the job needs "
         + describe(needs) + " and its compute environments have fewer free";
}

std::string disabled_reason() {
  return "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Every compute "
         "environment of the job queue that can run the job is DISABLED";
}

/// Returns the code of a waiting reason: the text before " - ".
std::string code_of(const std::string& reason) {
  return reason.substr(0, reason.find(" - "));
}

/// Returns the non-negative integer value of tag `key`, if it has one.
std::optional<int64_t> integer_tag(const tag_map& tags, const char* key) {
  auto tag = tags.find(key);
  if (tag == tags.end())
    return std::nullopt;
  auto& text = tag->second;
  char* end = nullptr;
  auto value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || end != text.c_str() + text.size() || value < 0) {
    logger().warn("ignoring tag {}=\"{}\": not a non-negative integer", key,
                  text);
    return std::nullopt;
  }
  return value;
}

/// Returns true if `environment` could ever give the memory and GPUs of
/// `needs`.
bool could_hold_resources(const scheduler_state::environment_slot& environment,
                          const resource_needs& needs) {
  auto memory = environment.max_memory_mib;
  return (!memory || needs.memory_mib <= *memory)
         && needs.gpus <= environment.max_gpus;
}

/// Returns true if `needs` fits beside what `environment` runs now.
bool has_room(const scheduler_state::environment_slot& environment,
              const resource_needs& needs) {
  auto& used = environment.used;
  auto memory = environment.max_memory_mib;
  return used.vcpus + needs.vcpus <= environment.max_vcpus + vcpu_epsilon
         && (!memory || used.memory_mib + needs.memory_mib <= *memory)
         && used.gpus + needs.gpus <= environment.max_gpus;
}

void add(resource_needs& total, const resource_needs& needs) {
  total.vcpus += needs.vcpus;
  total.memory_mib += needs.memory_mib;
  total.gpus += needs.gpus;
}

void subtract(resource_needs& total, const resource_needs& needs) {
  total.vcpus = std::max(0.0, total.vcpus - needs.vcpus);
  total.memory_mib = std::max<int64_t>(0, total.memory_mib - needs.memory_mib);
  total.gpus = std::max<int64_t>(0, total.gpus - needs.gpus);
}

} // namespace

// -- environments, queues, policies and executors -----------------------------

void scheduler_state::on_environment_changed(
  const compute_environment_changed& event) {
  auto& record = event.record;
  auto& slot = environments[record.arn];
  slot.arn = record.arn;
  slot.name = record.name;
  slot.cluster_arn = record.ecs_cluster_arn;
  slot.enabled = record.state == "ENABLED";
  slot.max_vcpus = static_cast<double>(record.vcpu_capacity());
  slot.max_memory_mib = integer_tag(record.tags, memory_tag);
  slot.max_gpus = integer_tag(record.tags, gpus_tag).value_or(0);
  auto tag = record.tags.find(executor_tag);
  slot.executor
    = tag != record.tags.end() && tag->second == simulated_executor_name
        ? simulated_executor_name
        : container_executor_name;
  schedule();
}

void scheduler_state::on_environment_removed(
  const compute_environment_removed& event) {
  environments.erase(event.arn);
  schedule();
}

void scheduler_state::on_queue_changed(const job_queue_changed& event) {
  auto& record = event.record;
  const scheduling_policy_record* policy = nullptr;
  if (record.scheduling_policy_arn) {
    auto found = policies.find(*record.scheduling_policy_arn);
    policy = found == policies.end() ? nullptr : &found->second;
  }
  auto& queue = queue_of(record.arn);
  queue.configure(record, policy, now());

  // The time limits may have changed under the wait of the next job.
  arm_time_limit(queue);
  rank_queues();
  schedule();
}

void scheduler_state::on_queue_removed(const job_queue_removed& event) {
  auto queue = find_queue(event.arn);
  if (!queue)
    return;

  // AWS fails the jobs of a deleted queue; those that run are stopped.
  static const std::string reason = "Job queue deleted";
  for (auto& entry : queue->front(queue->size(), now()))
    caf::anon_send(entry.job->job,
                   job_command{cancel_job{entry.job->spec->id, reason}});
  for (auto& [sequence, where] : placed)
    if (where.spec->queue->arn == event.arn)
      caf::anon_send(where.job,
                     job_command{terminate_job{where.spec->id, reason}});
  logger().info("queue={} deleted: its {} queued jobs are cancelled",
                queue->name(), queue->size());

  queues.erase(event.arn);
  rank_queues();
}

void scheduler_state::on_policy_changed(
  const scheduling_policy_changed& event) {
  auto& policy = policies[event.record.arn] = event.record;
  for (auto& [arn, queue] : queues)
    if (queue.configured()
        && queue.record().scheduling_policy_arn == event.record.arn)
      queue.configure(queue.record(), &policy, now());
  schedule();
}

void scheduler_state::on_executor_status(const executor_status& status) {
  logger().info("executor={} available={} reason=\"{}\"", status.executor,
                status.available, status.reason);
  health[status.executor] = {status.available, status.reason};
  schedule();
}

void scheduler_state::on_executors(const scheduler_executors& attached) {
  executors = attached;
  schedule();
}

// -- jobs ---------------------------------------------------------------------

void scheduler_state::on_runnable(const job_runnable& event) {
  auto& queue = queue_of(event.spec->queue->arn);
  queue.push({event.spec, event.job, now()}, now());
  schedule(queue);
}

void scheduler_state::on_withdrawn(const job_withdrawn& event) {
  auto queue = find_queue(event.spec->queue->arn);
  if (!queue || !queue->remove(*event.spec, now()))
    return;
  if (queue->watch.sequence == event.spec->sequence)
    unwatch(*queue);
  schedule(*queue);
}

void scheduler_state::on_released(const job_released& event) {
  auto i = placed.find(event.spec->sequence);
  if (i == placed.end())
    return;
  auto& where = i->second;
  auto environment = environments.find(where.environment_arn);
  if (environment != environments.end()) {
    auto& slot = environment->second;
    subtract(slot.used, event.spec->needs);
    if (event.executor_unavailable)
      health[slot.executor] = {false, event.reason};
  }
  if (auto queue = find_queue(event.spec->queue->arn))
    queue->finished(*event.spec, now() - where.placed_at, now());
  placed.erase(i);
  schedule();
}

void scheduler_state::on_share_idle(const share_idle_expired& event) {
  auto queue = find_queue(event.queue_arn);
  if (!queue)
    return;
  queue->expire(event.share, event.generation, now());

  // Fewer active shares reserve less and may weigh differently.
  schedule();
}

void scheduler_state::on_time_limit(const time_limit_reached& event) {
  auto queue = find_queue(event.queue_arn);
  if (!queue || queue->watch.generation != event.generation
      || queue->watch.sequence == 0)
    return;
  auto next = queue->next(now());
  if (next && next->spec->sequence == queue->watch.sequence) {
    auto job = *next;
    cancel_queued(*queue, job, time_limit_cancel + queue->watch.code);
  }

  // Either the job is gone or another job went ahead of it: the new next
  // job learns why it waits, which starts timing its own wait.
  schedule(*queue);
}

job_queue_snapshot
scheduler_state::on_snapshot(const get_job_queue_snapshot& request) {
  job_queue_snapshot result;
  result.last_updated_at = now();
  auto queue = find_queue(request.job_queue);
  if (!queue)
    return result;
  for (auto& entry : queue->front(snapshot_jobs, now()))
    result.jobs.push_back({entry.job->spec->arn(), entry.since});
  result.used_vcpus = queue->used_vcpus();
  result.fair_share = queue->fair_share();
  if (result.fair_share) {
    auto& usage = queue->usage();
    result.active_share_count = static_cast<int64_t>(usage.active_shares());
    for (auto& [share, vcpus] : usage.busiest_shares(snapshot_shares))
      result.busiest_shares.push_back({share, vcpus});
  }
  return result;
}

// -- dispatching --------------------------------------------------------------

int64_t scheduler_state::now() const {
  return services.clock->now_ms();
}

scheduler_queue& scheduler_state::queue_of(const std::string& arn) {
  if (auto found = find_queue(arn))
    return *found;
  auto on_idle = [this, arn](const std::string& share, uint64_t generation) {
    auto window = queues.at(arn).window_ms();
    self->delayed_send(self, services.clock->real_duration(window),
                       share_idle_expired{arn, share, generation});
  };
  auto& queue = queues.try_emplace(arn, arn, std::move(on_idle)).first->second;
  rank_queues();
  return queue;
}

scheduler_queue* scheduler_state::find_queue(const std::string& arn) {
  auto i = queues.find(arn);
  return i == queues.end() ? nullptr : &i->second;
}

void scheduler_state::rank_queues() {
  by_priority.clear();
  for (auto& [arn, queue] : queues)
    by_priority.push_back(&queue);
  std::sort(by_priority.begin(), by_priority.end(),
            [](const scheduler_queue* a, const scheduler_queue* b) {
              if (a->priority() != b->priority())
                return a->priority() > b->priority();
              return a->name() < b->name();
            });
}

void scheduler_state::schedule() {
  for (auto* queue : by_priority)
    schedule(*queue);
}

void scheduler_state::schedule(scheduler_queue& queue) {
  while (place_next(queue)) {
    // Each pass of the loop placed one job.
  }
}

bool scheduler_state::place_next(scheduler_queue& queue) {
  auto job = queue.next(now());
  if (!job)
    return false;
  auto& needs = job->spec->needs;
  auto found = find_environment(queue, needs);
  if (found.environment)
    found.reason = reservation_reason(queue, needs);
  if (!found.reason.empty()) {
    wait(queue, *job, std::move(found.reason));
    return false;
  }
  place(queue, *job, *found.environment);
  return true;
}

scheduler_state::verdict
scheduler_state::find_environment(const scheduler_queue& queue,
                                  const resource_needs& needs) {
  if (!queue.configured())
    return {nullptr, max_resource_reason()};
  bool vcpus_fit = false;
  bool resources_fit = false;
  std::string waiting;
  std::string unavailable;
  for (auto& entry : queue.record().compute_environment_order) {
    auto i = environments.find(entry.compute_environment);
    if (i == environments.end())
      continue;
    auto& slot = i->second;
    if (needs.vcpus > slot.max_vcpus + vcpu_epsilon)
      continue;
    vcpus_fit = true;
    if (!could_hold_resources(slot, needs))
      continue;
    resources_fit = true;
    if (!slot.enabled)
      continue;
    auto executor = health_of(slot.executor);
    if (!executor.available) {
      unavailable = executor.reason;
      continue;
    }
    if (has_room(slot, needs))
      return {&slot, {}};
    waiting = capacity_reason(needs);
  }
  if (!vcpus_fit)
    return {nullptr, max_resource_reason()};
  if (!resources_fit)
    return {nullptr, resource_requirement_reason(needs)};
  if (!waiting.empty())
    return {nullptr, std::move(waiting)};
  if (!unavailable.empty())
    return {nullptr, std::move(unavailable)};
  return {nullptr, disabled_reason()};
}

std::string
scheduler_state::reservation_reason(const scheduler_queue& queue,
                                    const resource_needs& needs) const {
  auto fraction = queue.reserved_fraction();
  if (fraction <= 0)
    return {};
  double capacity = 0;
  for (auto& entry : queue.record().compute_environment_order) {
    auto i = environments.find(entry.compute_environment);
    if (i != environments.end() && i->second.enabled)
      capacity += i->second.max_vcpus;
  }
  auto reserved = capacity * fraction;
  if (queue.used_vcpus() + needs.vcpus <= capacity - reserved + vcpu_epsilon)
    return {};
  return "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - computeReservation keeps "
         + format_vcpus(reserved) + " of the job queue's "
         + format_vcpus(capacity)
         + " vCPUs for share identifiers that are not active yet";
}

void scheduler_state::place(scheduler_queue& queue, const queued_job& next,
                            environment_slot& where) {
  auto at = now();

  // The reasons are worth their formatting only when they are logged; a
  // load test places jobs with the log at warn.
  auto logged = logger().should_log(spdlog::level::info);
  std::string why;
  if (logged)
    why = queue.fair_share()
            ? queue.share_reason(next.spec->share_identifier, at)
            : std::string{"next in submission order"};

  auto job = queue.take(at);
  auto& needs = job.spec->needs;
  add(where.used, needs);
  queue.started(*job.spec, at);
  placed[job.spec->sequence] = {where.arn, job.spec, job.job, at};
  if (queue.watch.sequence == job.spec->sequence)
    unwatch(queue);
  if (logged)
    logger().info(
      "job_id={} queue={} share={} decision=place "
      "compute_environment={} needs=\"{}\" used={}/{} reason=\"{}\"",
      job.spec->id, queue.name(), job.spec->share_identifier, where.name,
      describe(needs), format_vcpus(where.used.vcpus),
      format_vcpus(where.max_vcpus), why);
  dispatch_job placement{where.name, where.cluster_arn, executor_of(where)};
  self->send(job.job, job_event{std::move(placement)});
}

void scheduler_state::wait(scheduler_queue& queue, const queued_job& job,
                           std::string reason) {
  auto& watch = queue.watch;
  auto sequence = job.spec->sequence;
  if (watch.sequence == sequence && watch.reason == reason)
    return;
  auto code = code_of(reason);
  auto same_wait = watch.sequence == sequence && watch.code == code;
  watch.sequence = sequence;
  watch.reason = reason;
  logger().debug("job_id={} queue={} share={} waits reason=\"{}\"",
                 job.spec->id, queue.name(), job.spec->share_identifier,
                 reason);
  self->send(job.job, job_event{job_waiting{std::move(reason)}});
  if (same_wait)
    return;
  watch.code = std::move(code);
  watch.since = now();
  arm_time_limit(queue);
}

void scheduler_state::unwatch(scheduler_queue& queue) {
  auto generation = queue.watch.generation;
  queue.watch = {};
  queue.watch.generation = generation + 1;
}

void scheduler_state::arm_time_limit(scheduler_queue& queue) {
  auto& watch = queue.watch;
  ++watch.generation;
  if (watch.sequence == 0 || !queue.configured())
    return;
  for (auto& action : queue.record().job_state_time_limit_actions) {
    if (action.state != "RUNNABLE" || action.action != "CANCEL"
        || action.reason != watch.code)
      continue;
    auto due = watch.since + action.max_time_seconds * 1000;
    auto delay = std::max<int64_t>(0, due - now());
    self->delayed_send(
      self, services.clock->real_duration(delay),
      time_limit_reached{queue.record().arn, watch.generation});
    return;
  }
}

void scheduler_state::cancel_queued(scheduler_queue& queue,
                                    const queued_job& job,
                                    const std::string& reason) {
  queue.remove(*job.spec, now());
  unwatch(queue);
  logger().info("job_id={} queue={} share={} decision=cancel reason=\"{}\"",
                job.spec->id, queue.name(), job.spec->share_identifier, reason);
  caf::anon_send(job.job, job_command{cancel_job{job.spec->id, reason}});
}

scheduler_state::executor_health
scheduler_state::health_of(const std::string& executor) const {
  auto simulated = executor == simulated_executor_name;
  auto handle = simulated ? executors.simulated : executors.container;
  if (!handle)
    return {false, "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - This batchd "
                   "runs no "
                     + executor + " executor"};
  auto i = health.find(executor);
  if (i != health.end())
    return i->second;
  // The container executor reports once it reached the engine; until then
  // it refuses attempts.
  if (simulated)
    return {true, {}};
  return {false, "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Waiting for the "
                 "container engine to answer"};
}

executor_actor
scheduler_state::executor_of(const environment_slot& environment) const {
  return environment.executor == simulated_executor_name ? executors.simulated
                                                         : executors.container;
}

// -- the actor ----------------------------------------------------------------

scheduler_actor::behavior_type scheduler(scheduler_state::pointer self,
                                         region_services services) {
  self->state.self = self;
  self->state.services = std::move(services);
  return {
    [self](const compute_environment_changed& event) {
      self->state.on_environment_changed(event);
    },
    [self](const compute_environment_removed& event) {
      self->state.on_environment_removed(event);
    },
    [self](const job_queue_changed& event) {
      self->state.on_queue_changed(event);
    },
    [self](const job_queue_removed& event) {
      self->state.on_queue_removed(event);
    },
    [self](const scheduling_policy_changed& event) {
      self->state.on_policy_changed(event);
    },
    [self](const executor_status& status) {
      self->state.on_executor_status(status);
    },
    [self](const scheduler_executors& attached) {
      self->state.on_executors(attached);
    },
    [self](const job_runnable& event) { self->state.on_runnable(event); },
    [self](const job_withdrawn& event) { self->state.on_withdrawn(event); },
    [self](const job_released& event) { self->state.on_released(event); },
    [self](const share_idle_expired& event) {
      self->state.on_share_idle(event);
    },
    [self](const time_limit_reached& event) {
      self->state.on_time_limit(event);
    },
    [self](const get_job_queue_snapshot& request) {
      return self->state.on_snapshot(request);
    },
  };
}

} // namespace batch
