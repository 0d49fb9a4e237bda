// A region's job machinery under the test coordinator: the real scheduler
// and job directory, fake queue and definition directories that answer from
// maps the test fills, and a fake executor that records what it is asked to
// run and lets the test decide how each attempt goes.
#pragma once

#include "tests/actor_fixture.hpp"

#include "actors/jobs.hpp"
#include "actors/scheduler.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace batch::testing {

/// What the fake directories answer and what the fake executor saw.
struct job_world {
  std::map<std::string, job_queue_record> queues;
  std::map<std::string, job_definition_record> definitions;
  /// run_attempt requests in arrival order.
  std::vector<run_attempt> runs;
  std::vector<stop_attempt> stops;
  /// When set, the executor refuses run_attempt with this message.
  std::string refusal;
};

using job_world_ptr = std::shared_ptr<job_world>;

/// Returns an error for requests a fake does not serve.
inline caf::error not_served() {
  return server_error("not served by this fake");
}

inline job_queues_actor::behavior_type fake_job_queues(job_world_ptr world) {
  return {
    [](const create_job_queue&) -> caf::result<job_queue_ref> {
      return not_served();
    },
    [](const update_job_queue&) -> caf::result<job_queue_ref> {
      return not_served();
    },
    [](const delete_job_queue&) -> caf::result<ack> { return not_served(); },
    [](const describe_job_queues&) -> caf::result<job_queue_page> {
      return not_served();
    },
    [world](const resolve_job_queue& request) -> caf::result<job_queue_record> {
      for (auto& [name, record] : world->queues)
        if (name == request.job_queue || record.arn == request.job_queue)
          return record;
      return client_error("JobQueue " + request.job_queue + " not found.");
    },
    [](const tag_resource&) -> caf::result<ack> { return not_served(); },
    [](const untag_resource&) -> caf::result<ack> { return not_served(); },
    [](const list_tags&) -> caf::result<tag_map> { return not_served(); },
  };
}

inline job_definitions_actor::behavior_type
fake_job_definitions(job_world_ptr world) {
  return {
    [](const register_job_definition&) -> caf::result<job_definition_ref> {
      return not_served();
    },
    [](const deregister_job_definition&) -> caf::result<ack> {
      return not_served();
    },
    [](const describe_job_definitions&) -> caf::result<job_definition_page> {
      return not_served();
    },
    [world](const resolve_job_definition& request)
      -> caf::result<job_definition_record> {
      auto i = world->definitions.find(request.job_definition);
      if (i == world->definitions.end())
        return client_error("JobDefinition " + request.job_definition
                            + " does not exist or is not in ACTIVE status");
      return i->second;
    },
    [](const tag_resource&) -> caf::result<ack> { return not_served(); },
    [](const untag_resource&) -> caf::result<ack> { return not_served(); },
    [](const list_tags&) -> caf::result<tag_map> { return not_served(); },
  };
}

inline executor_actor::behavior_type fake_executor(job_world_ptr world) {
  return {
    [world](run_attempt& request) -> caf::result<ack> {
      if (!world->refusal.empty())
        return client_error(world->refusal);
      world->runs.push_back(std::move(request));
      return ack{};
    },
    [world](const stop_attempt& request) { world->stops.push_back(request); },
  };
}

/// The fixture: one region's scheduler and job directory.
struct job_fixture : actor_fixture {
  job_world_ptr world = std::make_shared<job_world>();
  scheduler_actor sched_actor = track(sys.spawn(scheduler, services()));
  executor_actor executor = track(sys.spawn(fake_executor, world));
  jobs_actor jobs = track(sys.spawn(
    jobs_directory, services(),
    jobs_peers{track(sys.spawn(fake_job_queues, world)),
               track(sys.spawn(fake_job_definitions, world)), sched_actor}));

  job_fixture() {
    self->send(sched_actor, scheduler_executors{executor, executor});
    self->send(sched_actor, executor_status{container_executor_name, true, ""});
    sched.run();
  }

  /// Job actors wait on request timeouts that the test coordinator only
  /// fires when told to; fire them after everything stopped, so that no
  /// actor outlives the system.
  ~job_fixture() {
    for (auto& handle : spawned)
      caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
    sched.run();
    while (sched.trigger_timeouts())
      sched.run();
  }

  /// Returns the record of environment `name` in `state`, without
  /// capacity.
  compute_environment_record environment_record(const std::string& name,
                                                const std::string& state) {
    compute_environment_record record;
    record.name = name;
    record.arn = services().scope.arn("compute-environment", name);
    record.ecs_cluster_arn
      = "arn:aws:ecs:us-east-1:000000000000:cluster/" + name;
    record.state = state;
    return record;
  }

  /// Tells the scheduler that `record` changed.
  void announce(const compute_environment_record& record) {
    self->send(sched_actor, compute_environment_changed{record});
    sched.run();
  }

  /// Announces an UNMANAGED environment of `vcpus` to the scheduler.
  void environment(const std::string& name, int64_t vcpus,
                   const std::string& state = "ENABLED") {
    auto record = environment_record(name, state);
    record.type = "UNMANAGED";
    record.unmanaged_vcpus = vcpus;
    announce(record);
  }

  /// Creates a queue that uses `environments` in this order.
  job_queue_record& queue(const std::string& name, int64_t priority,
                          std::vector<std::string> environments) {
    auto& record = world->queues[name];
    record.name = name;
    record.arn = services().scope.arn("job-queue", name);
    record.priority = priority;
    record.compute_environment_order.clear();
    int64_t order = 1;
    for (auto& environment : environments)
      record.compute_environment_order.push_back(
        {order++, services().scope.arn("compute-environment", environment)});
    self->send(sched_actor, job_queue_changed{record});
    sched.run();
    return record;
  }

  /// Registers a definition `name` whose jobs need `vcpus`.
  job_definition_record& definition(const std::string& name, int vcpus = 1) {
    auto& record = world->definitions[name];
    record.name = name;
    record.revision = 1;
    record.arn = services().scope.arn("job-definition", name + ":1");
    record.type = "container";
    record.container_properties
      = R"({"image":"busybox","command":["echo","Ref::word"],"vcpus":)"
        + std::to_string(vcpus) + "}";
    record.parameters = {{"word", "hello"}};
    return record;
  }

  /// Submits a job and returns its id (or fails the test).
  std::string submit(const std::string& name, const std::string& queue_name,
                     const std::string& definition_name) {
    auto submitted = try_submit(name, queue_name, definition_name);
    REQUIRE(submitted);
    return submitted->id;
  }

  caf::expected<submitted_job> try_submit(const std::string& name,
                                          const std::string& queue_name,
                                          const std::string& definition_name,
                                          submit_job request = {}) {
    request.job_name = name;
    request.job_queue = queue_name;
    request.job_definition = definition_name;
    return ask<submitted_job>(jobs, std::move(request));
  }

  /// Returns the record of job `id`.
  job_record describe(const std::string& id) {
    auto records = ask<job_records>(jobs, describe_jobs{{id}});
    REQUIRE(records);
    REQUIRE(records->size() == 1);
    return records->front();
  }

  job_status status_of(const std::string& id) {
    return describe(id).status;
  }

  /// Returns the run request for job `id`, or null.
  const run_attempt* run_of(const std::string& id) {
    for (auto& run : world->runs)
      if (run.spec.job_id == id)
        return &run;
    return nullptr;
  }

  /// Plays the executor: the attempt of `id` starts.
  void start(const std::string& id, int64_t at = 1'700'000'001'000) {
    auto run = run_of(id);
    REQUIRE(run);
    attempt_started started{id, run->spec.attempt, at, "c1"};
    self->send(run->job, job_event{std::move(started)});
    sched.run();
  }

  /// Plays the executor: the attempt of `id` exits with `code`.
  void exit(const std::string& id, int code, int64_t at = 1'700'000'002'000) {
    auto run = run_of(id);
    REQUIRE(run);
    attempt_exited exited{id, run->spec.attempt, code, at, false};
    self->send(run->job, job_event{std::move(exited)});
    sched.run();
  }
};

} // namespace batch::testing
