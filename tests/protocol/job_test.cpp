#include "protocol/errors.hpp"
#include "protocol/job.hpp"
#include "protocol/job_container.hpp"

#include <doctest/doctest.h>

namespace batch {

namespace {

/// Decodes `text` as a SubmitJob body.
caf::expected<submit_job> submit(const std::string& text) {
  auto body = parse_request_body(text);
  REQUIRE(body);
  return decode_submit_job(*body);
}

/// Returns the ClientException message of a failed decode.
template <class T>
std::string refusal(const caf::expected<T>& result) {
  REQUIRE_FALSE(result);
  auto wire = to_wire_error(result.error());
  CHECK(wire.code == batch_errc::client);
  return wire.message;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Returns a SubmitJob body with `extra` members added.
std::string body_with(const std::string& extra) {
  auto body
    = std::string{R"({"jobName":"j","jobQueue":"q","jobDefinition":"d")"};
  if (!extra.empty())
    body += "," + extra;
  return body + "}";
}

caf::expected<list_jobs> list(const std::string& text) {
  auto body = parse_request_body(text);
  REQUIRE(body);
  return decode_list_jobs(*body);
}

job_definition_record definition(const std::string& container) {
  job_definition_record result;
  result.name = "def";
  result.revision = 3;
  result.arn = "arn:aws:batch:us-east-1:000000000000:job-definition/def:3";
  result.type = "container";
  result.container_properties = container;
  return result;
}

} // namespace

TEST_CASE("job names follow AWS's pattern") {
  CHECK(is_valid_job_name("a"));
  CHECK(is_valid_job_name("9lives_and-more"));
  CHECK(is_valid_job_name(std::string(128, 'x')));
  CHECK_FALSE(is_valid_job_name(""));
  CHECK_FALSE(is_valid_job_name("-leading-hyphen"));
  CHECK_FALSE(is_valid_job_name("_leading"));
  CHECK_FALSE(is_valid_job_name("has space"));
  CHECK_FALSE(is_valid_job_name(std::string(129, 'x')));
  CHECK(
    refusal(submit(R"({"jobName":"-x","jobQueue":"q","jobDefinition":"d"})"))
    == "Job name should match valid pattern");
}

TEST_CASE("SubmitJob requires name, queue and definition") {
  CHECK(refusal(submit(R"({"jobQueue":"q","jobDefinition":"d"})"))
        == "jobName is required");
  CHECK(refusal(submit(R"({"jobName":"j","jobDefinition":"d"})"))
        == "jobQueue is required");
  auto ok = submit(body_with(""));
  REQUIRE(ok);
  CHECK(ok->job_name == "j");
  CHECK(ok->container_overrides.empty());
}

TEST_CASE("containerOverrides are validated and kept as compact JSON") {
  auto ok = submit(body_with(
    R"("containerOverrides":{"command":["echo", "hi"],
        "environment":[{"name":"A","value":"1"}],
        "resourceRequirements":[{"type":"VCPU","value":"0.5"}]})"));
  REQUIRE(ok);
  CHECK(
    ok->container_overrides
    == R"({"command":["echo","hi"],"environment":[{"name":"A","value":"1"}],)"
       R"("resourceRequirements":[{"type":"VCPU","value":"0.5"}]})");
  CHECK(contains(refusal(submit(body_with(
                   R"("containerOverrides":{"command":["echo",""]})"))),
                 "must not contain empty strings"));
  CHECK(contains(
    refusal(submit(body_with(
      R"("containerOverrides":{"environment":[{"name":"AWS_BATCH_X","value":"1"}]})"))),
    "reserved prefix AWS_BATCH"));
  CHECK(contains(
    refusal(submit(body_with(
      R"("containerOverrides":{"resourceRequirements":[{"type":"CPU","value":"1"}]})"))),
    "VCPU, MEMORY, GPU"));
  CHECK(contains(
    refusal(submit(body_with(
      R"("containerOverrides":{"resourceRequirements":[{"type":"VCPU","value":"x"}]})"))),
    "not a valid amount of VCPU"));
}

TEST_CASE("SubmitJob ranges are enforced") {
  CHECK(
    contains(refusal(submit(body_with(R"("retryStrategy":{"attempts":11})"))),
             "between 1 and 10"));
  CHECK(contains(
    refusal(submit(body_with(
      R"("retryStrategy":{"attempts":2,"evaluateOnExit":[{"action":"RETRY"},{"action":"RETRY"},{"action":"RETRY"},{"action":"RETRY"},{"action":"RETRY"},{"action":"EXIT"}]})"))),
    "at most 5"));
  CHECK(contains(
    refusal(submit(body_with(
      R"("retryStrategy":{"attempts":2,"evaluateOnExit":[{"action":"maybe"}]})"))),
    "RETRY or EXIT"));
  CHECK(submit(body_with(
    R"("retryStrategy":{"attempts":2,"evaluateOnExit":[{"action":"exit","onExitCode":"1*"}]})")));
  CHECK(contains(
    refusal(submit(body_with(R"("timeout":{"attemptDurationSeconds":59})"))),
    "at least 60"));
  CHECK(contains(
    refusal(submit(body_with(R"("schedulingPriorityOverride":10000)"))),
    "between 0 and 9999"));
  std::string many = R"("dependsOn":[)";
  for (int i = 0; i < 21; ++i)
    many += std::string{i ? "," : ""} + R"({"jobId":"x"})";
  CHECK(contains(refusal(submit(body_with(many + "]"))), "at most 20"));
  CHECK(contains(refusal(submit(body_with(R"("arrayProperties":{"size":1})"))),
                 "between 2 and 10000"));
}

TEST_CASE("features batchd does not run yet are refused, not ignored") {
  CHECK(contains(refusal(submit(body_with(R"("arrayProperties":{"size":2})"))),
                 "does not support array jobs"));
  CHECK(contains(refusal(submit(body_with(R"("nodeOverrides":{})"))),
                 "does not support multi-node"));
  CHECK(contains(refusal(submit(body_with(R"("eksPropertiesOverride":{})"))),
                 "does not support"));
}

TEST_CASE("a SubmitJob payload over 30 KiB is refused") {
  auto big = std::string(31 * 1024, 'a');
  CHECK(
    contains(refusal(submit(body_with(R"("parameters":{"p":")" + big + "\"}"))),
             "30 KiB"));
}

TEST_CASE("ListJobs needs exactly one of its selectors") {
  CHECK(contains(refusal(list("{}")), "Exactly one"));
  CHECK(contains(refusal(list(R"({"jobQueue":"q","arrayJobId":"a"})")),
                 "Exactly one"));
  auto ok = list(R"({"jobQueue":"q"})");
  REQUIRE(ok);
  CHECK(ok->status == job_status::running);
  CHECK_FALSE(ok->filter);
}

TEST_CASE("ListJobs filters are checked") {
  CHECK(contains(
    refusal(list(
      R"({"jobQueue":"q","filters":[{"name":"JOB_NAME","values":["a"]},{"name":"JOB_NAME","values":["b"]}]})")),
    "Only one filter"));
  CHECK(contains(
    refusal(
      list(R"({"jobQueue":"q","filters":[{"name":"COLOUR","values":["a"]}]})")),
    "filters.name"));
  CHECK(contains(
    refusal(list(
      R"({"jobQueue":"q","filters":[{"name":"AFTER_CREATED_AT","values":["soon"]}]})")),
    "epoch milliseconds"));
  CHECK(contains(refusal(list(R"({"jobQueue":"q","jobStatus":"DONE"})")),
                 "jobStatus"));
}

TEST_CASE("ListJobs filters match as the model describes") {
  job_spec spec;
  spec.name = "Test10";
  spec.created_at = 1000;
  spec.share_identifier = "blue";
  spec.definition = std::make_shared<job_definition_record>(definition("{}"));
  auto match = [&](std::string name, std::string value) {
    return matches({std::move(name), std::move(value)}, spec);
  };
  CHECK(match("JOB_NAME", "test10"));
  CHECK(match("JOB_NAME", "test1*"));
  CHECK_FALSE(match("JOB_NAME", "test1"));
  CHECK(match("JOB_DEFINITION", "def"));
  CHECK(match("JOB_DEFINITION", "de*"));
  CHECK(match("JOB_DEFINITION", "def:3"));
  CHECK_FALSE(match("JOB_DEFINITION", "Def"));
  CHECK(match("JOB_DEFINITION", spec.definition->arn));
  CHECK_FALSE(match("JOB_DEFINITION",
                    "arn:aws:batch:us-east-1:000000000000:job-definition/"
                    "def:2"));
  CHECK(match("BEFORE_CREATED_AT", "1001"));
  CHECK_FALSE(match("BEFORE_CREATED_AT", "1000"));
  CHECK(match("AFTER_CREATED_AT", "999"));
  CHECK(match("SHARE_IDENTIFIER", "blue"));
  CHECK_FALSE(match("SHARE_IDENTIFIER", "red"));
}

TEST_CASE("Ref:: parameters are substituted, the submit's winning") {
  auto def = definition(
    R"({"image":"busybox","vcpus":1,"command":["echo","Ref::a","Ref::b","Ref::c"]})");
  def.parameters = {{"a", "from-definition"}, {"b", "default"}};
  auto parameters = merged_parameters(def, {{"b", "from-submit"}});
  auto container = effective_container(def, "", parameters);
  REQUIRE(container);
  CHECK((*container)["command"]
        == json{"echo", "from-definition", "from-submit", "Ref::c"});
}

TEST_CASE("overrides replace the command and merge environment and "
          "resources") {
  auto def = definition(
    R"({"image":"busybox","command":["a"],
        "environment":[{"name":"KEEP","value":"1"},{"name":"CHANGE","value":"old"}],
        "resourceRequirements":[{"type":"VCPU","value":"1"},{"type":"MEMORY","value":"128"}]})");
  auto container = effective_container(
    def,
    R"({"command":["b","c"],"environment":[{"name":"CHANGE","value":"new"},{"name":"ADD","value":"2"}],)"
    R"("resourceRequirements":[{"type":"VCPU","value":"2"}]})",
    {});
  REQUIRE(container);
  CHECK((*container)["command"] == json{"b", "c"});
  CHECK((*container)["environment"]
        == json::parse(
          R"([{"name":"KEEP","value":"1"},{"name":"CHANGE","value":"new"},)"
          R"({"name":"ADD","value":"2"}])"));
  auto needs = needs_of(*container);
  REQUIRE(needs);
  CHECK(needs->vcpus == 2);
  CHECK(needs->memory_mib == 128);
}

TEST_CASE("a legacy vcpus override can't replace a VCPU requirement") {
  auto def = definition(
    R"({"image":"busybox","resourceRequirements":[{"type":"VCPU","value":"1"}]})");
  auto container = effective_container(def, R"({"vcpus":4})", {});
  CHECK(contains(refusal(container), "resourceRequirements"));
  auto legacy = definition(R"({"image":"busybox","vcpus":1,"memory":64})");
  auto overridden = effective_container(legacy, R"({"vcpus":4})", {});
  REQUIRE(overridden);
  auto needs = needs_of(*overridden);
  REQUIRE(needs);
  CHECK(needs->vcpus == 4);
  CHECK(needs->memory_mib == 64);
}

TEST_CASE("a job without vCPUs is refused") {
  auto container = effective_container(definition(R"({"image":"x"})"), "", {});
  REQUIRE(container);
  CHECK(contains(refusal(needs_of(*container)), "needs vCPUs"));
}

TEST_CASE("the awslogs driver names the log group") {
  CHECK(log_group_of(json::parse(R"({"image":"x"})")) == "/aws/batch/job");
  CHECK(
    log_group_of(json::parse(
      R"({"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/mine"}}})"))
    == "/mine");
  CHECK(
    log_group_of(json::parse(
      R"({"logConfiguration":{"logDriver":"json-file","options":{"awslogs-group":"/mine"}}})"))
    == "/aws/batch/job");
}

TEST_CASE("an attempt spec carries everything the container needs") {
  auto def = definition(
    R"({"image":"busybox","command":["sh"],"vcpus":2,"memory":256,"user":"nobody",
        "privileged":true,"readonlyRootFilesystem":true,
        "environment":[{"name":"A","value":"1"}],
        "volumes":[{"name":"data","host":{"sourcePath":"/srv"}},{"name":"anon"}],
        "mountPoints":[{"sourceVolume":"data","containerPath":"/data","readOnly":true},
                       {"sourceVolume":"anon","containerPath":"/anon"}],
        "ulimits":[{"name":"nofile","softLimit":10,"hardLimit":20}],
        "linuxParameters":{"initProcessEnabled":true,"sharedMemorySize":64}})");
  job_spec spec;
  spec.id = "id-1";
  spec.name = "job";
  spec.queue = std::make_shared<queue_identity>(
    queue_identity{"q", "arn:aws:batch:us-east-1:000000000000:job-queue/q"});
  spec.definition = std::make_shared<job_definition_record>(def);
  spec.needs = {2, 256, 0};
  auto container = effective_container(def, "", {});
  REQUIRE(container);
  auto run = make_attempt_spec(spec, *container, {2, "ce", "abc"});
  CHECK(run.image == "busybox");
  CHECK(run.command == std::vector<std::string>{"sh"});
  using pair = std::pair<std::string, std::string>;
  CHECK(run.environment
        == std::vector<pair>{{"A", "1"},
                             {"AWS_BATCH_JOB_ID", "id-1"},
                             {"AWS_BATCH_JQ_NAME", "q"},
                             {"AWS_BATCH_CE_NAME", "ce"},
                             {"AWS_BATCH_JOB_ATTEMPT", "2"}});
  CHECK(run.vcpus == 2);
  CHECK(run.memory_mib == 256);
  CHECK(run.user == std::optional<std::string>{"nobody"});
  CHECK(run.privileged);
  CHECK(run.read_only_root_filesystem);
  REQUIRE(run.mounts.size() == 1);
  CHECK(run.mounts[0].host_path == "/srv");
  CHECK(run.mounts[0].container_path == "/data");
  CHECK(run.mounts[0].read_only);
  REQUIRE(run.ulimits.size() == 1);
  CHECK(run.ulimits[0].hard_limit == 20);
  CHECK(run.init_process);
  CHECK(run.shared_memory_mib == std::optional<int64_t>{64});
  CHECK(run.log_group == "/aws/batch/job");
  CHECK(run.log_stream == "def/default/abc");
  CHECK(spec.arn() == "arn:aws:batch:us-east-1:000000000000:job/id-1");
}

TEST_CASE("a job record encodes as JobDetail") {
  auto def = definition(R"({"image":"busybox","vcpus":1,"command":["true"]})");
  def.platform_capabilities = {"EC2"};
  auto spec = std::make_shared<job_spec>();
  spec->id = "id-1";
  spec->name = "job";
  spec->queue = std::make_shared<queue_identity>(
    queue_identity{"q", "arn:aws:batch:us-east-1:000000000000:job-queue/q"});
  spec->definition = std::make_shared<job_definition_record>(def);
  spec->created_at = 5;
  job_record record;
  record.spec = spec;
  record.status = job_status::failed;
  record.status_reason = "Essential container in task exited";
  record.started_at = 6;
  record.stopped_at = 7;
  attempt_record attempt;
  attempt.started_at = 6;
  attempt.stopped_at = 7;
  attempt.exit_code = 3;
  attempt.log_stream_name = "def/default/abc";
  record.attempts.push_back(attempt);
  auto out = encode(record);
  CHECK(out["jobArn"] == "arn:aws:batch:us-east-1:000000000000:job/id-1");
  CHECK(out["jobQueue"] == spec->queue->arn);
  CHECK(out["jobDefinition"] == def.arn);
  CHECK(out["status"] == "FAILED");
  CHECK(out["createdAt"] == 5);
  CHECK(out["container"]["exitCode"] == 3);
  CHECK(out["container"]["image"] == "busybox");
  CHECK(out["container"]["logStreamName"] == "def/default/abc");
  CHECK(out["attempts"][0]["container"]["exitCode"] == 3);
  CHECK(out["isCancelled"] == false);
  CHECK(out["dependsOn"] == json::array());
  CHECK(out["platformCapabilities"] == json{"EC2"});
}

} // namespace batch
