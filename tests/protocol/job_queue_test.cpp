// Decoding, validation, updates and encoding of job queues.
#include "protocol/errors.hpp"
#include "protocol/job_queue.hpp"

#include <doctest/doctest.h>

namespace batch {

namespace {

caf::expected<create_job_queue> decode(const std::string& text) {
  auto body = parse_request_body(text);
  REQUIRE(body);
  return decode_create_job_queue(*body);
}

std::string refusal(const std::string& text) {
  auto result = decode(text);
  REQUIRE_FALSE(result);
  auto wire = to_wire_error(result.error());
  CHECK(wire.code == batch_errc::client);
  return wire.message;
}

/// A queue "q" of priority 1 on environment "ce" with `extra` members.
std::string queue(const std::string& extra = "") {
  return R"({"jobQueueName": "q", "priority": 1, "computeEnvironmentOrder":
             [{"order": 1, "computeEnvironment": "ce"}])"
         + extra + "}";
}

std::string action(const std::string& reason, const std::string& state,
                   int seconds, const std::string& what) {
  return R"(, "jobStateTimeLimitActions": [{"reason": ")" + reason
         + R"(", "state": ")" + state + R"(", "maxTimeSeconds": )"
         + std::to_string(seconds) + R"(, "action": ")" + what + "\"}]";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

compute_environment_record environment(std::string name, std::string type) {
  compute_environment_record record;
  record.name = name;
  record.arn = "arn:aws:batch:us-east-1:0:compute-environment/" + name;
  record.type = "MANAGED";
  record.compute_resources = json{{"type", type}, {"maxvCpus", 4}}.dump();
  return record;
}

} // namespace

TEST_CASE("computeEnvironmentOrder is kept in ascending order") {
  auto result = decode(R"({"jobQueueName": "q", "priority": 7,
    "computeEnvironmentOrder": [{"order": 3, "computeEnvironment": "c"},
                                {"order": 1, "computeEnvironment": "a"},
                                {"order": 2, "computeEnvironment": "b"}]})");
  REQUIRE(result);
  auto& order = result->record.compute_environment_order;
  REQUIRE(order.size() == 3);
  CHECK(order[0].compute_environment == "a");
  CHECK(order[2].compute_environment == "c");
  CHECK(result->record.priority == 7);
  CHECK(result->record.state == "ENABLED");
}

TEST_CASE("a queue needs a priority and 1 to 3 distinct environments") {
  CHECK(refusal(R"({"jobQueueName": "q", "computeEnvironmentOrder": []})")
        == "priority is required");
  CHECK(contains(refusal(R"({"jobQueueName": "q", "priority": 1})"), "1 to 3"));
  CHECK(contains(refusal(R"({"jobQueueName": "q", "priority": 1,
    "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "a"},
      {"order": 2, "computeEnvironment": "b"},
      {"order": 3, "computeEnvironment": "c"},
      {"order": 4, "computeEnvironment": "d"}]})"),
                 "1 to 3"));
  CHECK(contains(refusal(R"({"jobQueueName": "q", "priority": 1,
    "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "a"},
      {"order": 1, "computeEnvironment": "b"}]})"),
                 "order 1 twice"));
  CHECK(contains(refusal(R"({"jobQueueName": "q", "priority": 1,
    "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "a"},
      {"order": 2, "computeEnvironment": "a"}]})"),
                 "twice"));
  CHECK(contains(refusal(R"({"jobQueueName": "q", "priority": 1,
    "computeEnvironmentOrder": [{"computeEnvironment": "a"}]})"),
                 "order is required"));
  CHECK(refusal(R"({"jobQueueName": "q", "priority": 1001,
    "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "a"}]})")
        == "priority must be between 0 and 1000");
}

TEST_CASE("job state time limit actions are validated") {
  auto reason = std::string{"CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"};
  CHECK(decode(queue(action(reason, "RUNNABLE", 600, "CANCEL"))));
  CHECK(decode(queue(action(reason, "RUNNABLE", 86400, "CANCEL"))));
  CHECK(contains(refusal(queue(action(reason, "RUNNING", 600, "CANCEL"))),
                 "state must be one of: RUNNABLE"));
  CHECK(contains(refusal(queue(action(reason, "RUNNABLE", 599, "CANCEL"))),
                 "maxTimeSeconds must be between 600 and 86400"));
  CHECK(contains(refusal(queue(action(reason, "RUNNABLE", 86401, "CANCEL"))),
                 "maxTimeSeconds"));
  CHECK(contains(refusal(queue(action(reason, "RUNNABLE", 600, "TERMINATE"))),
                 "action must be one of: CANCEL"));
  CHECK(contains(refusal(queue(action("bored", "RUNNABLE", 600, "CANCEL"))),
                 "reason bored"));
}

TEST_CASE("service environments and SageMaker queues are refused") {
  CHECK(contains(refusal(queue(R"(, "serviceEnvironmentOrder":
                   [{"order": 1, "serviceEnvironment": "s"}])")),
                 "serviceEnvironmentOrder"));
  CHECK(contains(refusal(queue(R"(, "jobQueueType": "SAGEMAKER_TRAINING")")),
                 "SAGEMAKER_TRAINING"));
}

TEST_CASE("a FIFO queue can't get a policy and a policy can't be removed") {
  job_queue_record fifo;
  fifo.name = "fifo";
  update_job_queue add;
  add.scheduling_policy_arn = "arn:aws:batch:us-east-1:0:scheduling-policy/p";
  auto err = apply_update(fifo, add);
  REQUIRE(err);
  CHECK(contains(to_wire_error(err).message, "FIFO"));
  CHECK_FALSE(fifo.scheduling_policy_arn);

  job_queue_record fair;
  fair.name = "fair";
  fair.scheduling_policy_arn = "arn:aws:batch:us-east-1:0:scheduling-policy/a";
  update_job_queue remove;
  remove.scheduling_policy_arn = "";
  CHECK(
    contains(to_wire_error(apply_update(fair, remove)).message, "not removed"));
  CHECK_FALSE(apply_update(fair, add));
  CHECK(fair.scheduling_policy_arn == add.scheduling_policy_arn);
}

TEST_CASE("an update leaves the record unchanged when it fails") {
  job_queue_record record;
  record.name = "q";
  record.priority = 3;
  update_job_queue update;
  update.priority = 9;
  update.compute_environment_order
    = std::vector<compute_environment_order_entry>{};
  CHECK(apply_update(record, update));
  CHECK(record.priority == 3);
}

TEST_CASE("the environments of a queue decide its type and can't be mixed") {
  auto ec2 = environment("a", "EC2");
  auto spot = environment("b", "SPOT");
  auto fargate = environment("c", "FARGATE");
  CHECK(job_queue_type_of({ec2, spot}) == std::string{"ECS"});
  CHECK(job_queue_type_of({fargate}) == std::string{"ECS_FARGATE"});
  auto mixed = job_queue_type_of({ec2, fargate});
  REQUIRE_FALSE(mixed);
  CHECK(contains(to_wire_error(mixed.error()).message, "can't mix"));
  ec2.status = "INVALID";
  CHECK_FALSE(job_queue_type_of({ec2}));
}

TEST_CASE("a queue's detail omits the members it does not have") {
  auto result = decode(queue());
  REQUIRE(result);
  auto out = encode(result->record);
  CHECK(out["jobQueueName"] == "q");
  CHECK(out["status"] == "VALID");
  CHECK(out["computeEnvironmentOrder"][0]["order"] == 1);
  CHECK_FALSE(out.contains("schedulingPolicyArn"));
  CHECK_FALSE(out.contains("jobStateTimeLimitActions"));
}

} // namespace batch
