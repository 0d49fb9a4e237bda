#include "tests/actors/job_fixture.hpp"

#include "actors/simulated_executor.hpp"

#include <variant>

namespace batch {

namespace {

/// Log lines the simulated executor wrote.
struct log_lines {
  std::vector<append_log_events> appends;
};

log_store_actor::behavior_type fake_log_store(std::shared_ptr<log_lines> log) {
  return {
    [log](const append_log_events& append) { log->appends.push_back(append); },
    [](const get_log_events&) -> caf::result<log_events_page> {
      return testing::not_served();
    },
    [](const filter_log_events&) -> caf::result<filtered_log_events_page> {
      return testing::not_served();
    },
    [](const describe_log_groups&) -> caf::result<log_group_page> {
      return testing::not_served();
    },
    [](const describe_log_streams&) -> caf::result<log_stream_page> {
      return testing::not_served();
    },
  };
}

struct fixture : testing::actor_fixture {
  std::shared_ptr<log_lines> log = std::make_shared<log_lines>();
  log_store_actor store = track(sys.spawn(fake_log_store, log));
  executor_actor executor = track(
    sys.spawn(simulated_executor, simulated_executor_config{clock, store}));

  ~fixture() {
    while (sched.trigger_timeouts())
      sched.run();
  }

  attempt_spec spec(std::vector<std::pair<std::string, std::string>> env) {
    attempt_spec result;
    result.job_id = "job-1";
    result.environment = std::move(env);
    result.log_group = "/aws/batch/job";
    result.log_stream = "d/default/abc";
    return result;
  }

  /// Runs `run` with the test as the job; returns the executor's answer.
  bool run(attempt_spec run) {
    return static_cast<bool>(
      ask<ack>(executor,
               run_attempt{std::move(run), caf::actor_cast<caf::actor>(self)}));
  }

  /// Returns the next event the executor sent to the test's job, if any.
  std::optional<job_event> next_event() {
    std::optional<job_event> result;
    self->receive([&](job_event& event) { result = std::move(event); },
                  caf::after(std::chrono::seconds{0}) >> [] {});
    return result;
  }

  /// Returns the next event if it is a `T`.
  template <class T>
  std::optional<T> next() {
    auto event = next_event();
    if (!event || !std::holds_alternative<T>(event->what))
      return std::nullopt;
    return std::get<T>(std::move(event->what));
  }
};

} // namespace

TEST_CASE_FIXTURE(fixture, "a simulated attempt lasts its seconds and exits "
                           "with its code") {
  REQUIRE(run(spec({{"BATCHD_SIMULATED_SECONDS", "2.5"},
                    {"BATCHD_SIMULATED_EXIT_CODE", "3"}})));
  auto started = next<attempt_started>();
  REQUIRE(started);
  CHECK(started->started_at == clock->now_ms());
  CHECK_FALSE(next_event());
  auto start = clock->now_ms();
  clock->advance(2500);
  REQUIRE(sched.trigger_timeouts());
  sched.run();
  auto exited = next<attempt_exited>();
  REQUIRE(exited);
  auto& event = *exited;
  CHECK(event.exit_code == 3);
  CHECK(event.stopped_at - start == 2500);
  CHECK_FALSE(event.stopped_by_request);
  REQUIRE(log->appends.size() == 2);
  CHECK(log->appends[0].stream == "d/default/abc");
  CHECK(log->appends[0].events[0].message.find("simulated")
        != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "a simulated attempt defaults to one second and "
                           "exit code 0") {
  REQUIRE(run(spec({})));
  REQUIRE(next<attempt_started>());
  clock->advance(1000);
  sched.trigger_timeouts();
  sched.run();
  auto exited = next<attempt_exited>();
  REQUIRE(exited);
  CHECK(exited->exit_code == 0);
}

TEST_CASE_FIXTURE(fixture, "stopping a simulated attempt ends it at once") {
  REQUIRE(run(spec({{"BATCHD_SIMULATED_SECONDS", "600"}})));
  REQUIRE(next<attempt_started>());
  self->send(executor, stop_attempt{"job-1", 1, "enough"});
  sched.run();
  auto exited = next<attempt_exited>();
  REQUIRE(exited);
  CHECK(exited->stopped_by_request);
  CHECK(exited->exit_code == 143);
  sched.trigger_timeouts();
  sched.run();
  CHECK_FALSE(next_event());
}

TEST_CASE_FIXTURE(fixture, "a malformed simulation variable fails the "
                           "attempt") {
  REQUIRE(run(spec({{"BATCHD_SIMULATED_SECONDS", "soon"}})));
  auto failed = next<attempt_failed>();
  REQUIRE(failed);
  CHECK(failed->reason.find("BATCHD_SIMULATED_SECONDS") != std::string::npos);
}

TEST_CASE_FIXTURE(testing::job_fixture, "a job on a simulated environment "
                                        "succeeds with real timestamps") {
  auto simulated = track(
    sys.spawn(simulated_executor, simulated_executor_config{clock, {}}));
  self->send(sched_actor, scheduler_executors{executor, simulated});
  compute_environment_record record;
  record.name = "sim";
  record.arn = services().scope.arn("compute-environment", "sim");
  record.type = "UNMANAGED";
  record.unmanaged_vcpus = 2;
  record.tags[executor_tag] = simulated_executor_name;
  self->send(sched_actor, compute_environment_changed{record});
  sched.run();
  queue("q", 1, {"sim"});
  definition("d");
  auto id = submit("sim", "q", "d");
  auto created = clock->now_ms();
  auto running = describe(id);
  CHECK(running.status == job_status::running);
  CHECK(running.started_at == created);
  clock->advance(1000);
  while (sched.trigger_timeouts())
    sched.run();
  auto record_after = describe(id);
  CHECK(record_after.status == job_status::succeeded);
  CHECK(record_after.stopped_at == created + 1000);
}

} // namespace batch
