#include "actors/job.hpp"

#include "protocol/errors.hpp"
#include "protocol/job_container.hpp"
#include "runtime/ids.hpp"
#include "runtime/logging.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <variant>

namespace batch {

namespace {

/// How long a job waits for an executor to accept an attempt.
constexpr auto executor_timeout = std::chrono::seconds{30};

/// AWS's statusReason for a job whose container ran and exited.
constexpr const char* container_exited = "Essential container in task exited";

/// AWS's statusReason for a job whose container could not start.
constexpr const char* failed_to_start = "Task failed to start";

/// AWS's statusReason for a job that ran past its timeout.
constexpr const char* timed_out = "Job attempt duration exceeded timeout";

spdlog::logger& logger() {
  static auto& instance = component_logger("job");
  return instance;
}

/// Returns a fresh 32-digit hex id, the form of an ECS task id.
std::string make_attempt_id() {
  auto id = make_uuid();
  id.erase(std::remove(id.begin(), id.end(), '-'), id.end());
  return id;
}

/// Returns the task ARN of `attempt_id` in the ECS cluster `cluster_arn`.
std::string task_arn_of(const std::string& cluster_arn,
                        const std::string& attempt_id) {
  static constexpr std::string_view marker = ":cluster/";
  auto at = cluster_arn.find(marker);
  if (at == std::string::npos)
    return {};
  return cluster_arn.substr(0, at) + ":task/"
         + cluster_arn.substr(at + marker.size()) + "/" + attempt_id;
}

} // namespace

bool job_state::is_current(const std::string& job_id, int number) const {
  return attempt && job_id == record.spec->id
         && number == attempt->detail.number;
}

void job_state::release(std::optional<std::string> unavailable) {
  job_released released{record.spec, unavailable.has_value(),
                        unavailable.value_or("")};
  self->send(context->scheduler, std::move(released));
}

void job_state::report() {
  job_summary_details details;
  details.status_reason = record.status_reason;
  details.started_at = record.started_at;
  details.stopped_at = record.stopped_at;
  if (!record.attempts.empty()) {
    details.exit_code = record.attempts.back().exit_code;
    details.container_reason = record.attempts.back().reason;
  }
  job_progress progress;
  progress.sequence = record.spec->sequence;
  progress.status = record.status;
  if (!details.empty())
    progress.details
      = std::make_shared<const job_summary_details>(std::move(details));
  self->send(context->directory, std::move(progress));
}

void job_state::transition(job_status to, std::string reason) {
  auto from = record.status;
  record.status = to;
  record.status_reason = std::move(reason);
  auto& spec = *record.spec;
  logger().info("job_id={} job_name={} queue={} from={} to={} reason=\"{}\"",
                spec.id, spec.name, spec.queue->name, to_string(from),
                to_string(to), record.status_reason);
  report();
}

void job_state::on(evaluate_job) {
  if (record.status != job_status::submitted)
    return;
  transition(job_status::runnable, {});
  self->send(context->scheduler, job_runnable{record.spec, self});
}

void job_state::cancel(const std::string& reason) {
  auto was_queued = record.status == job_status::runnable;
  record.is_cancelled = true;
  record.stopped_at = context->clock->now_ms();
  transition(job_status::failed, reason);
  if (was_queued)
    self->send(context->scheduler, job_withdrawn{record.spec});
}

ack job_state::on(const cancel_job& request) {
  switch (record.status) {
  case job_status::submitted:
  case job_status::pending:
  case job_status::runnable:
    cancel(request.reason);
    break;
  default:
    // AWS leaves STARTING and RUNNING jobs alone and still answers 200.
    break;
  }
  return {};
}

ack job_state::on(const terminate_job& request) {
  if (is_final(record.status))
    return {};
  if (!attempt) {
    cancel(request.reason);
    return {};
  }
  if (attempt->terminated)
    return {};
  attempt->terminated = true;
  attempt->stop_reason = request.reason;
  self->send(
    attempt->executor,
    stop_attempt{record.spec->id, attempt->detail.number, request.reason});
  return {};
}

void job_state::on(const dispatch_job& placement) {
  auto& spec = *record.spec;
  if (record.status != job_status::runnable || attempt) {
    // Cancelled while the scheduler placed it: give the capacity back.
    release();
    return;
  }
  auto& inputs = spec.inputs();
  auto parameters = merged_parameters(*spec.definition, inputs.parameters);
  auto container = effective_container(*spec.definition,
                                       inputs.container_overrides, parameters);
  if (!container) {
    release();
    record.stopped_at = context->clock->now_ms();
    transition(job_status::failed, to_wire_error(container.error()).message);
    return;
  }
  attempt = std::make_unique<running_attempt>();
  attempt->compute_environment = placement.compute_environment;
  attempt->executor = placement.executor;
  attempt_placement where{static_cast<int>(record.attempts.size()) + 1,
                          placement.compute_environment, make_attempt_id()};
  auto run = make_attempt_spec(spec, *container, where);
  auto& detail = attempt->detail;
  detail.number = where.attempt;
  detail.log_stream_name = run.log_stream;
  detail.task_arn = task_arn_of(placement.cluster_arn, where.attempt_id);
  transition(job_status::starting, {});
  auto number = where.attempt;
  self
    ->request(placement.executor, executor_timeout,
              run_attempt{std::move(run), caf::actor_cast<caf::actor>(self)})
    .then([](ack) {},
          [this, number](caf::error& err) { on_refused(number, err); });
}

void job_state::on_refused(int number, const caf::error& err) {
  if (!is_current(record.spec->id, number) || attempt->started)
    return;
  auto reason = to_wire_error(err).message;
  if (attempt->terminated) {
    finish(job_status::failed, attempt->stop_reason);
    return;
  }
  attempt.reset();
  release(reason);
  requeue(reason);
}

void job_state::requeue(const std::string& reason) {
  transition(job_status::runnable, reason);
  self->send(context->scheduler, job_runnable{record.spec, self});
}

void job_state::on(const job_waiting& waiting) {
  if (record.status != job_status::runnable
      || record.status_reason == waiting.reason)
    return;
  record.status_reason = waiting.reason;
  logger().debug("job_id={} waits reason=\"{}\"", record.spec->id,
                 waiting.reason);
  report();
}

void job_state::on(const attempt_started& event) {
  if (!is_current(event.job_id, event.attempt) || attempt->started)
    return;
  attempt->started = true;
  attempt->detail.started_at = event.started_at;
  record.started_at = event.started_at;
  record.attempts.push_back(attempt->detail);
  transition(job_status::running, {});
  auto& timeout = record.spec->timeout_seconds;
  if (timeout)
    self->delayed_send(self, context->clock->real_duration(*timeout * 1000),
                       job_event{attempt_timeout{event.attempt}});
}

void job_state::on(const attempt_exited& event) {
  if (!is_current(event.job_id, event.attempt))
    return;
  attempt->detail.exit_code = event.exit_code;
  attempt->detail.stopped_at = event.stopped_at;
  record.stopped_at = event.stopped_at;
  if (attempt->terminated || attempt->timed_out)
    finish(job_status::failed, attempt->stop_reason);
  else if (event.exit_code == 0)
    finish(job_status::succeeded, container_exited);
  else
    finish(job_status::failed, container_exited);
}

void job_state::on(const attempt_failed& event) {
  if (!is_current(event.job_id, event.attempt))
    return;
  if (event.runtime_unavailable && !attempt->terminated && !attempt->started) {
    attempt.reset();
    release(event.reason);
    requeue(event.reason);
    return;
  }
  attempt->detail.reason = event.reason;
  attempt->detail.stopped_at = event.stopped_at;
  record.stopped_at = event.stopped_at;
  if (attempt->terminated || attempt->timed_out)
    finish(job_status::failed, attempt->stop_reason);
  else
    finish(job_status::failed,
           attempt->started ? event.reason : failed_to_start);
}

void job_state::on(const attempt_timeout& timeout) {
  if (!is_current(record.spec->id, timeout.attempt) || !attempt->started
      || !attempt->stop_reason.empty())
    return;
  attempt->timed_out = true;
  attempt->stop_reason = timed_out;
  logger().info("job_id={} attempt={} exceeded its timeout of {} s",
                record.spec->id, timeout.attempt,
                record.spec->timeout_seconds.value_or(0));
  self->send(attempt->executor,
             stop_attempt{record.spec->id, timeout.attempt, timed_out});
}

void job_state::finish(job_status to, std::string reason) {
  attempt->detail.status_reason = reason;
  if (attempt->started)
    record.attempts.back() = attempt->detail;
  else
    record.attempts.push_back(attempt->detail);
  if (record.stopped_at == 0)
    record.stopped_at = context->clock->now_ms();
  record.is_terminated = attempt->terminated;
  attempt.reset();
  release();
  transition(to, std::move(reason));
}

caf::result<ack> job_state::on(const tag_resource& request) {
  auto tags = record.tag_list();
  if (auto err = merge_tags(tags, request.tags))
    return err;
  set_tags(std::move(tags));
  return ack{};
}

ack job_state::on(const untag_resource& request) {
  auto tags = record.tag_list();
  for (auto& key : request.keys)
    tags.erase(key);
  set_tags(std::move(tags));
  return {};
}

void job_state::set_tags(tag_map tags) {
  if (tags.empty())
    record.tags.reset();
  else
    record.tags = std::make_shared<const tag_map>(std::move(tags));
}

job_actor::behavior_type job(job_state::pointer self, job_record record,
                             job_context_ptr context) {
  self->state.self = self;
  self->state.record = std::move(record);
  self->state.context = std::move(context);
  self->send(self, job_event{evaluate_job{}});
  return {
    [self](read_job) { return self->state.record; },
    [self](const job_command& command) {
      auto handle = [self](const auto& kind) -> caf::result<ack> {
        return self->state.on(kind);
      };
      return std::visit(handle, command.what);
    },
    [self](const job_event& event) {
      std::visit([self](const auto& kind) { self->state.on(kind); },
                 event.what);
    },
  };
}

} // namespace batch
