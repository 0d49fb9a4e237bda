#include "actors/scheduler.hpp"

#include "runtime/logging.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <cmath>

namespace batch {

namespace {

/// Slack for comparing fractional vCPUs.
constexpr double vcpu_epsilon = 1e-9;

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

std::string misconfiguration_reason() {
  return "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) "
         "associated with the job queue cannot meet the CPU requirement of "
         "the job.";
}

std::string capacity_reason(const resource_needs& needs) {
  return "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill "
         "the capacity requested: the job needs "
         + format_vcpus(needs.vcpus)
         + " vCPUs and its compute environments have fewer free";
}

std::string disabled_reason() {
  return "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Every compute "
         "environment of the job queue that can run the job is DISABLED";
}

} // namespace

// -- job_lane -----------------------------------------------------------------

void job_lane::push(queued_job job) {
  auto sequence = job.spec->sequence;
  jobs_.insert_or_assign(sequence, std::move(job));
}

bool job_lane::remove(uint64_t sequence) {
  return jobs_.erase(sequence) > 0;
}

const queued_job* job_lane::head() const {
  return jobs_.empty() ? nullptr : &jobs_.begin()->second;
}

queued_job job_lane::pop() {
  auto first = jobs_.begin();
  auto result = std::move(first->second);
  jobs_.erase(first);
  return result;
}

// -- events -------------------------------------------------------------------

void scheduler_state::on_environment_changed(
  const compute_environment_changed& event) {
  auto& record = event.record;
  auto& slot = environments[record.arn];
  slot.arn = record.arn;
  slot.name = record.name;
  slot.cluster_arn = record.ecs_cluster_arn;
  slot.enabled = record.state == "ENABLED";
  slot.capacity = static_cast<double>(record.vcpu_capacity());
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
  queues[event.record.arn].record = event.record;
  schedule();
}

void scheduler_state::on_queue_removed(const job_queue_removed& event) {
  auto i = queues.find(event.arn);
  if (i == queues.end())
    return;
  // AWS fails the jobs of a deleted queue; those that run are stopped.
  static const std::string reason = "Job queue deleted";
  auto& lane = i->second.lane;
  while (!lane.empty()) {
    auto job = lane.pop();
    caf::anon_send(job.job, cancel_job{job.spec->id, reason});
  }
  for (auto& [sequence, where] : placed)
    if (where.spec->queue->arn == event.arn)
      caf::anon_send(where.job, terminate_job{where.spec->id, reason});
  queues.erase(i);
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

void scheduler_state::on_runnable(const job_runnable& event) {
  auto& queue = queues[event.spec->queue->arn];
  queue.lane.push({event.spec, event.job});
  schedule();
}

void scheduler_state::on_withdrawn(const job_withdrawn& event) {
  auto i = queues.find(event.spec->queue->arn);
  if (i == queues.end() || !i->second.lane.remove(event.spec->sequence))
    return;
  schedule();
}

void scheduler_state::on_released(const job_released& event) {
  auto i = placed.find(event.spec->sequence);
  if (i == placed.end())
    return;
  auto environment = environments.find(i->second.environment_arn);
  if (environment != environments.end()) {
    auto& slot = environment->second;
    slot.used = std::max(0.0, slot.used - i->second.vcpus);
    if (event.executor_unavailable)
      health[slot.executor] = {false, event.reason};
  }
  placed.erase(i);
  schedule();
}

// -- dispatching --------------------------------------------------------------

std::vector<scheduler_state::queue_slot*>
scheduler_state::queues_by_priority() {
  std::vector<queue_slot*> result;
  for (auto& [arn, queue] : queues)
    if (!queue.lane.empty())
      result.push_back(&queue);
  auto priority = [](const queue_slot* queue) {
    return queue->record ? queue->record->priority : int64_t{0};
  };
  auto name = [](const queue_slot* queue) {
    return queue->record ? queue->record->name : std::string{};
  };
  std::sort(result.begin(), result.end(),
            [&](const queue_slot* a, const queue_slot* b) {
              if (priority(a) != priority(b))
                return priority(a) > priority(b);
              return name(a) < name(b);
            });
  return result;
}

void scheduler_state::schedule() {
  for (auto* queue : queues_by_priority())
    while (!queue->lane.empty() && place_head(*queue)) {
      // Each pass of the loop placed one job.
    }
}

bool scheduler_state::place_head(queue_slot& queue) {
  auto& head = *queue.lane.head();
  auto& needs = head.spec->needs;
  auto found = find_environment(queue, needs);
  if (!found.environment) {
    tell(queue, head, std::move(found.reason));
    return false;
  }
  auto& where = *found.environment;
  auto job = queue.lane.pop();
  auto sequence = job.spec->sequence;
  where.used += needs.vcpus;
  placed[sequence] = {where.arn, needs.vcpus, job.spec, job.job};
  if (queue.told_sequence == sequence)
    queue.told_sequence = 0;
  logger().debug("job_id={} queue={} placed in={} vcpus={} used={}/{}",
                 job.spec->id, job.spec->queue->name, where.name,
                 format_vcpus(needs.vcpus), format_vcpus(where.used),
                 format_vcpus(where.capacity));
  self->send(job.job,
             dispatch_job{where.name, where.cluster_arn, executor_of(where)});
  return true;
}

scheduler_state::verdict
scheduler_state::find_environment(const queue_slot& queue,
                                  const resource_needs& needs) {
  if (!queue.record)
    return {nullptr, misconfiguration_reason()};
  bool could_hold = false;
  std::string waiting;
  std::string unavailable;
  for (auto& entry : queue.record->compute_environment_order) {
    auto i = environments.find(entry.compute_environment);
    if (i == environments.end())
      continue;
    auto& slot = i->second;
    if (needs.vcpus > slot.capacity + vcpu_epsilon)
      continue;
    could_hold = true;
    if (!slot.enabled)
      continue;
    auto executor = health_of(slot.executor);
    if (!executor.available) {
      unavailable = executor.reason;
      continue;
    }
    if (slot.used + needs.vcpus <= slot.capacity + vcpu_epsilon)
      return {&slot, {}};
    waiting = capacity_reason(needs);
  }
  if (!could_hold)
    return {nullptr, misconfiguration_reason()};
  if (!waiting.empty())
    return {nullptr, std::move(waiting)};
  if (!unavailable.empty())
    return {nullptr, std::move(unavailable)};
  return {nullptr, disabled_reason()};
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

void scheduler_state::tell(queue_slot& queue, const queued_job& head,
                           std::string reason) {
  if (queue.told_sequence == head.spec->sequence && queue.told_reason == reason)
    return;
  queue.told_sequence = head.spec->sequence;
  queue.told_reason = reason;
  self->send(head.job, job_waiting{std::move(reason)});
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
    [](const scheduling_policy_changed&) {
      // TODO(#4): fair-share queues follow their policy; until then they
      // dispatch in submission order like FIFO queues.
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
  };
}

} // namespace batch
