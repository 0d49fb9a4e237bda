#include "tests/actors/job_fixture.hpp"

#include "runtime/ids.hpp"

namespace batch {

namespace {

using testing::client_message;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// A region with one 2-vCPU environment `ce` behind queue `q`, and a
/// 1-vCPU definition `d`.
struct fixture : testing::job_fixture {
  fixture() {
    environment("ce", 2);
    queue("q", 1, {"ce"});
    definition("d");
  }

  std::string env_value(const run_attempt& run, const std::string& name) {
    for (auto& [key, value] : run.spec.environment)
      if (key == name)
        return value;
    return "<unset>";
  }
};

} // namespace

TEST_CASE_FIXTURE(fixture, "a job runs through every state to SUCCEEDED") {
  auto id = submit("hello", "q", "d");
  auto record = describe(id);
  CHECK(record.status == job_status::starting);
  CHECK(record.spec->created_at == clock->now_ms());
  auto run = run_of(id);
  REQUIRE(run);
  CHECK(run->spec.image == "busybox");
  CHECK(run->spec.command == std::vector<std::string>{"echo", "hello"});
  CHECK(env_value(*run, "AWS_BATCH_JOB_ID") == id);
  CHECK(env_value(*run, "AWS_BATCH_JQ_NAME") == "q");
  CHECK(env_value(*run, "AWS_BATCH_CE_NAME") == "ce");
  CHECK(env_value(*run, "AWS_BATCH_JOB_ATTEMPT") == "1");
  CHECK(run->spec.log_group == "/aws/batch/job");
  CHECK(run->spec.log_stream.rfind("d/default/", 0) == 0);
  CHECK(describe(id).attempts.empty());
  start(id, 1'700'000'001'000);
  record = describe(id);
  CHECK(record.status == job_status::running);
  CHECK(record.started_at == 1'700'000'001'000);
  REQUIRE(record.attempts.size() == 1);
  CHECK(record.attempts[0].log_stream_name == run->spec.log_stream);
  exit(id, 0, 1'700'000'002'000);
  record = describe(id);
  CHECK(record.status == job_status::succeeded);
  CHECK(record.stopped_at == 1'700'000'002'000);
  CHECK(record.attempts[0].exit_code == 0);
  CHECK_FALSE(record.is_cancelled);
}

TEST_CASE_FIXTURE(fixture, "a non-zero exit fails the job with AWS's reason") {
  auto id = submit("bad", "q", "d");
  start(id);
  exit(id, 3);
  auto record = describe(id);
  CHECK(record.status == job_status::failed);
  CHECK(record.status_reason == "Essential container in task exited");
  REQUIRE(record.attempts.size() == 1);
  CHECK(record.attempts[0].exit_code == 3);
  auto detail = encode(record);
  CHECK(detail["container"]["exitCode"] == 3);
}

TEST_CASE_FIXTURE(fixture, "an attempt that can't start fails the job") {
  auto id = submit("nopull", "q", "d");
  auto run = run_of(id);
  REQUIRE(run);
  attempt_failed failed{id, 1, "CannotPullContainerError: no", clock->now_ms()};
  self->send(run->job, job_event{std::move(failed)});
  sched.run();
  auto record = describe(id);
  CHECK(record.status == job_status::failed);
  CHECK(record.status_reason == "Task failed to start");
  REQUIRE(record.attempts.size() == 1);
  CHECK(record.attempts[0].reason == "CannotPullContainerError: no");
  CHECK_FALSE(record.attempts[0].exit_code);
}

TEST_CASE_FIXTURE(fixture, "a 2-vCPU environment runs two 1-vCPU jobs at "
                           "once, in submission order") {
  auto first = submit("a", "q", "d");
  auto second = submit("b", "q", "d");
  auto third = submit("c", "q", "d");
  REQUIRE(world->runs.size() == 2);
  CHECK(world->runs[0].spec.job_id == first);
  CHECK(world->runs[1].spec.job_id == second);
  auto waiting = describe(third);
  CHECK(waiting.status == job_status::runnable);
  CHECK(
    contains(waiting.status_reason, "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"));
  start(first);
  exit(first, 0);
  REQUIRE(world->runs.size() == 3);
  CHECK(world->runs[2].spec.job_id == third);
  CHECK(status_of(third) == job_status::starting);
  CHECK(describe(third).status_reason.empty());
}

TEST_CASE_FIXTURE(fixture, "a job larger than every environment stays "
                           "RUNNABLE with the MISCONFIGURATION reason") {
  definition("big", 4);
  auto id = submit("big", "q", "big");
  auto record = describe(id);
  CHECK(record.status == job_status::runnable);
  CHECK(record.status_reason.rfind(
          "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - ", 0)
        == 0);
  CHECK(world->runs.empty());
}

TEST_CASE_FIXTURE(fixture, "the head job blocks its FIFO queue") {
  definition("big", 4);
  auto big = submit("big", "q", "big");
  auto small = submit("small", "q", "d");
  CHECK(status_of(small) == job_status::runnable);
  CHECK(world->runs.empty());
  REQUIRE(ask<ack>(jobs, cancel_job{big, "too big"}));
  CHECK(status_of(small) == job_status::starting);
}

TEST_CASE_FIXTURE(fixture, "CancelJob fails a RUNNABLE job") {
  definition("big", 4);
  auto id = submit("big", "q", "big");
  REQUIRE(ask<ack>(jobs, cancel_job{id, "not needed"}));
  auto record = describe(id);
  CHECK(record.status == job_status::failed);
  CHECK(record.is_cancelled);
  CHECK(record.status_reason == "not needed");
  CHECK(record.stopped_at > 0);
}

TEST_CASE_FIXTURE(fixture, "CancelJob leaves a RUNNING job alone") {
  auto id = submit("run", "q", "d");
  start(id);
  REQUIRE(ask<ack>(jobs, cancel_job{id, "stop"}));
  CHECK(status_of(id) == job_status::running);
  CHECK(world->stops.empty());
}

TEST_CASE_FIXTURE(fixture, "TerminateJob stops the attempt and the job "
                           "never succeeds afterwards") {
  auto id = submit("run", "q", "d");
  start(id);
  REQUIRE(ask<ack>(jobs, terminate_job{id, "enough"}));
  REQUIRE(world->stops.size() == 1);
  CHECK(world->stops[0].job_id == id);
  CHECK(world->stops[0].reason == "enough");
  CHECK(status_of(id) == job_status::running);
  exit(id, 0);
  auto record = describe(id);
  CHECK(record.status == job_status::failed);
  CHECK(record.is_terminated);
  CHECK(record.status_reason == "enough");
}

TEST_CASE_FIXTURE(fixture, "TerminateJob cancels a job that has not "
                           "started") {
  definition("big", 4);
  auto id = submit("big", "q", "big");
  REQUIRE(ask<ack>(jobs, terminate_job{id, "gone"}));
  auto record = describe(id);
  CHECK(record.status == job_status::failed);
  CHECK(record.is_cancelled);
  CHECK(world->stops.empty());
}

TEST_CASE_FIXTURE(fixture, "terminating a STARTING job whose stop ends the "
                           "attempt before it runs") {
  auto id = submit("run", "q", "d");
  REQUIRE(ask<ack>(jobs, terminate_job{id, "early"}));
  REQUIRE(world->stops.size() == 1);
  auto run = run_of(id);
  attempt_failed failed{id, 1, "early", clock->now_ms()};
  self->send(run->job, job_event{std::move(failed)});
  sched.run();
  auto record = describe(id);
  CHECK(record.status == job_status::failed);
  CHECK(record.is_terminated);
  CHECK(record.status_reason == "early");
}

TEST_CASE_FIXTURE(testing::job_fixture, "queues that share an environment "
                                        "are served by priority") {
  environment("ce", 1);
  queue("blocker", 50, {"ce"});
  queue("low", 1, {"ce"});
  queue("high", 100, {"ce"});
  definition("d");
  auto running = submit("running", "blocker", "d");
  auto low = submit("low", "low", "d");
  auto high = submit("high", "high", "d");
  start(running);
  exit(running, 0);
  REQUIRE(world->runs.size() == 2);
  CHECK(world->runs[1].spec.job_id == high);
  CHECK(status_of(low) == job_status::runnable);
}

TEST_CASE_FIXTURE(testing::job_fixture, "a queue tries its environments in "
                                        "order and skips DISABLED ones") {
  environment("off", 4, "DISABLED");
  environment("first", 1);
  environment("second", 1);
  queue("q", 1, {"off", "first", "second"});
  definition("d");
  auto a = submit("a", "q", "d");
  auto b = submit("b", "q", "d");
  REQUIRE(world->runs.size() == 2);
  auto ce_of = [&](const std::string& id) {
    for (auto& [key, value] : run_of(id)->spec.environment)
      if (key == "AWS_BATCH_CE_NAME")
        return value;
    return std::string{};
  };
  CHECK(ce_of(a) == "first");
  CHECK(ce_of(b) == "second");
}

TEST_CASE_FIXTURE(testing::job_fixture, "jobs wait while their executor is "
                                        "unavailable and start when it "
                                        "returns") {
  environment("ce", 2);
  queue("q", 1, {"ce"});
  definition("d");
  self->send(sched_actor, executor_status{container_executor_name, false,
                                          "Docker does not answer"});
  sched.run();
  auto id = submit("wait", "q", "d");
  auto record = describe(id);
  CHECK(record.status == job_status::runnable);
  CHECK(record.status_reason == "Docker does not answer");
  self->send(sched_actor, executor_status{container_executor_name, true, ""});
  sched.run();
  CHECK(status_of(id) == job_status::starting);
}

TEST_CASE_FIXTURE(fixture, "a refused attempt returns the job to RUNNABLE") {
  world->refusal = "the engine does not answer";
  auto id = submit("refused", "q", "d");
  auto record = describe(id);
  CHECK(record.status == job_status::runnable);
  CHECK(record.status_reason == "the engine does not answer");
  world->refusal.clear();
  self->send(sched_actor, executor_status{container_executor_name, true, ""});
  sched.run();
  CHECK(status_of(id) == job_status::starting);
  CHECK(run_of(id)->spec.attempt == 1);
}

TEST_CASE_FIXTURE(fixture, "an environment tagged simulated uses the "
                           "simulated executor") {
  auto recorded = std::make_shared<testing::job_world>();
  auto simulated = track(sys.spawn(testing::fake_executor, recorded));
  self->send(sched_actor, scheduler_executors{executor, simulated});
  compute_environment_record record;
  record.name = "sim";
  record.arn = services().scope.arn("compute-environment", "sim");
  record.type = "UNMANAGED";
  record.unmanaged_vcpus = 1;
  record.tags[executor_tag] = simulated_executor_name;
  self->send(sched_actor, compute_environment_changed{record});
  sched.run();
  queue("simq", 1, {"sim"});
  auto id = submit("sim", "simq", "d");
  CHECK(recorded->runs.size() == 1);
  CHECK(run_of(id) == nullptr);
}

TEST_CASE_FIXTURE(fixture, "SubmitJob enforces queue and fair-share rules") {
  world->queues["q"].state = "DISABLED";
  CHECK(contains(client_message(try_submit("j", "q", "d")), "ENABLED"));
  world->queues["q"].state = "ENABLED";
  submit_job shared;
  shared.share_identifier = "blue";
  CHECK(contains(client_message(try_submit("j", "q", "d", shared)),
                 "no fair-share"));
  world->queues["q"].scheduling_policy_arn
    = services().scope.arn("scheduling-policy", "p");
  CHECK(client_message(try_submit("j", "q", "d"))
        == "shareIdentifier must be specified.");
  CHECK(client_message(try_submit("j", "q", "d", shared))
        == "Either schedulingPriority in job definition or "
           "schedulingPriorityOverride should be specified.");
  shared.scheduling_priority_override = 5;
  CHECK(try_submit("j", "q", "d", shared));
  CHECK(contains(client_message(try_submit("j", "nope", "d")), "not found"));
  CHECK(
    contains(client_message(try_submit("j", "q", "nope")), "ACTIVE status"));
}

TEST_CASE_FIXTURE(fixture, "SubmitJob refuses what batchd does not run "
                           "yet") {
  submit_job depends;
  depends.depends_on.push_back({"no-such-job", ""});
  CHECK(contains(client_message(try_submit("j", "q", "d", depends)),
                 "does not exist"));
  depends.depends_on[0].job_id = submit("first", "q", "d");
  CHECK(contains(client_message(try_submit("j", "q", "d", depends)),
                 "does not support job dependencies"));
  submit_job retries;
  retries.retry_strategy = R"({"attempts":3})";
  CHECK(contains(client_message(try_submit("j", "q", "d", retries)),
                 "does not support retries"));
}

TEST_CASE_FIXTURE(fixture, "ListJobs lists by state and pages stably") {
  definition("big", 4);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(submit("w" + std::to_string(i), "q", "big"));
  list_jobs request;
  request.job_queue = "q";
  auto running = ask<job_summary_page>(jobs, request);
  REQUIRE(running);
  CHECK(running->items.empty());
  request.status = job_status::runnable;
  request.max_results = 2;
  std::vector<std::string> seen;
  for (int page = 0; page < 3; ++page) {
    auto result = ask<job_summary_page>(jobs, request);
    REQUIRE(result);
    for (auto& item : result->items)
      seen.push_back(item.spec->id);
    request.next_token = result->next_token;
    if (page < 2)
      CHECK_FALSE(request.next_token.empty());
  }
  CHECK(request.next_token.empty());
  CHECK(seen == ids);
}

TEST_CASE_FIXTURE(fixture, "ListJobs filters ignore the state and list "
                           "newest first") {
  auto done = submit("alpha-1", "q", "d");
  start(done);
  exit(done, 0);
  clock->advance(10);
  auto other = submit("beta", "q", "d");
  clock->advance(10);
  auto newer = submit("Alpha-2", "q", "d");
  queue("elsewhere", 1, {"ce"});
  submit("alpha-elsewhere", "elsewhere", "d");
  list_jobs request;
  request.job_queue = services().scope.arn("job-queue", "q");
  request.filter = list_jobs_filter{"JOB_NAME", "alpha*"};
  auto page = ask<job_summary_page>(jobs, request);
  REQUIRE(page);
  REQUIRE(page->items.size() == 2);
  CHECK(page->items[0].spec->id == newer);
  CHECK(page->items[1].spec->id == done);
  CHECK(page->items[1].status == job_status::succeeded);
  request.filter = list_jobs_filter{"BEFORE_CREATED_AT",
                                    std::to_string(clock->now_ms() - 5)};
  page = ask<job_summary_page>(jobs, request);
  REQUIRE(page);
  CHECK(page->items.size() == 2);
  static_cast<void>(other);
}

TEST_CASE_FIXTURE(fixture, "DescribeJobs leaves unknown ids out") {
  auto id = submit("known", "q", "d");
  // Same sequence, other random digits: an id batchd never minted.
  auto forged = make_uuid().substr(0, 24) + id.substr(24);
  auto records
    = ask<job_records>(jobs, describe_jobs{{"unknown", id, forged, "other"}});
  REQUIRE(records);
  REQUIRE(records->size() == 1);
  CHECK(records->front().spec->id == id);
  CHECK(contains(client_message(ask<ack>(jobs, cancel_job{forged, "x"})),
                 "not found"));
}

TEST_CASE_FIXTURE(fixture, "job tags are kept by the job") {
  submit_job tagged;
  tagged.tags = {{"team", "a"}};
  auto submitted = try_submit("t", "q", "d", tagged);
  REQUIRE(submitted);
  REQUIRE(ask<ack>(jobs, tag_resource{submitted->arn, {{"env", "x"}}}));
  REQUIRE(ask<ack>(jobs, untag_resource{submitted->arn, {"team"}}));
  auto tags = ask<tag_map>(jobs, list_tags{submitted->arn});
  REQUIRE(tags);
  CHECK(*tags == tag_map{{"env", "x"}});

  REQUIRE(ask<ack>(jobs, untag_resource{submitted->arn, {"env"}}));
  tags = ask<tag_map>(jobs, list_tags{submitted->arn});
  REQUIRE(tags);
  CHECK(tags->empty());
}

} // namespace batch
