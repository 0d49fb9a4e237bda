// Decoding and validation of RegisterJobDefinition and
// DescribeJobDefinitions bodies.
#include "protocol/errors.hpp"
#include "protocol/job_definition.hpp"

#include <doctest/doctest.h>

namespace batch {

namespace {

caf::expected<register_job_definition> decode(const std::string& text) {
  auto body = parse_request_body(text);
  REQUIRE(body);
  return decode_register_job_definition(*body);
}

/// Returns the ClientException message of decoding `text`.
std::string refusal(const std::string& text) {
  auto result = decode(text);
  REQUIRE_FALSE(result);
  auto wire = to_wire_error(result.error());
  CHECK(wire.code == batch_errc::client);
  return wire.message;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// A container definition named `name` whose containerProperties are
/// `properties`.
std::string container(const std::string& properties,
                      const std::string& extra = "") {
  return R"({"jobDefinitionName": "jd", "type": "container",
             "containerProperties": )"
         + properties + extra + "}";
}

/// A multinode definition with `num_nodes`, `main_node` and the given
/// nodeRangeProperties.
std::string multinode(int num_nodes, int main_node, const std::string& ranges) {
  return R"({"jobDefinitionName": "mnp", "type": "multinode",
             "nodeProperties": {"numNodes": )"
         + std::to_string(num_nodes)
         + ", \"mainNode\": " + std::to_string(main_node)
         + ", \"nodeRangeProperties\": " + ranges + "}}";
}

} // namespace

TEST_CASE("a container definition keeps its members and gains the list "
          "defaults AWS reports") {
  auto result = decode(container(
    R"({"image": "busybox", "command": ["echo", "Ref::word"],
        "resourceRequirements": [{"type": "VCPU", "value": "0.5"},
                                 {"type": "MEMORY", "value": "512"}]})",
    R"(, "parameters": {"word": "hi"}, "timeout":
       {"attemptDurationSeconds": 60}, "retryStrategy": {"attempts": 3},
       "schedulingPriority": 9999, "propagateTags": true,
       "platformCapabilities": ["EC2"], "tags": {"a": "b"})"));
  REQUIRE(result);
  auto& record = result->record;
  CHECK(record.name == "jd");
  CHECK(record.parameters.at("word") == "hi");
  CHECK(record.timeout_seconds == 60);
  CHECK(record.scheduling_priority == 9999);
  CHECK(record.propagate_tags);
  CHECK(record.container_orchestration_type == "ECS");
  auto properties = parse_stored_json(*record.container_properties);
  CHECK(properties["image"] == "busybox");
  CHECK(properties["environment"] == json::array());
  CHECK(properties["mountPoints"] == json::array());
  CHECK(properties["resourceRequirements"].size() == 2);
  auto out = encode(record);
  CHECK(out["retryStrategy"]["attempts"] == 3);
  CHECK(out["timeout"]["attemptDurationSeconds"] == 60);
  CHECK_FALSE(out.contains("nodeProperties"));
  CHECK_FALSE(out.contains("eksProperties"));
}

TEST_CASE("a container definition needs exactly one way to describe its "
          "container") {
  CHECK(contains(refusal(R"({"jobDefinitionName": "jd", "type": "container"})"),
                 "exactly one of"));
  CHECK(contains(refusal(container(R"({"image": "a"})",
                                   R"(, "ecsProperties": {"taskProperties":
                        [{"containers": [{"image": "a"}]}]})")),
                 "exactly one of"));
  CHECK(contains(refusal(container(R"({"command": ["x"]})")),
                 "containerProperties.image is required"));
}

TEST_CASE("type must be container or multinode") {
  auto text = R"({"jobDefinitionName": "jd", "type": "lambda",
                  "containerProperties": {"image": "a"}})";
  CHECK(refusal(text) == "type must be one of: container, multinode");
}

TEST_CASE("names starting with AWS_BATCH are reserved in every environment") {
  CHECK(contains(refusal(container(
                   R"({"image": "a", "environment":
                       [{"name": "AWS_BATCH_JOB_ID", "value": "x"}]})")),
                 "AWS_BATCH_JOB_ID"));
  CHECK(contains(refusal(multinode(2, 0, R"([{"targetNodes": "0:",
                   "container": {"image": "a", "environment":
                   [{"name": "AWS_BATCHX", "value": "1"}]}}])")),
                 "reserved"));
  auto ecs = R"({"jobDefinitionName": "jd", "type": "container",
                 "ecsProperties": {"taskProperties": [{"containers":
                 [{"image": "a", "environment":
                   [{"name": "AWS_BATCH_CE_NAME", "value": "x"}]}]}]}})";
  CHECK(contains(refusal(ecs), "reserved"));
  auto eks = R"({"jobDefinitionName": "jd", "type": "container",
                 "eksProperties": {"podProperties": {"containers":
                 [{"image": "a", "env":
                   [{"name": "AWS_BATCH_JQ_NAME", "value": "x"}]}]}}})";
  CHECK(contains(refusal(eks), "reserved"));
  CHECK(decode(container(R"({"image": "a", "environment":
                             [{"name": "MY_AWS_BATCH", "value": "1"}]})")));
}

TEST_CASE("eksProperties make the definition an EKS one") {
  auto result = decode(R"({"jobDefinitionName": "jd", "type": "container",
    "eksProperties": {"podProperties": {"containers": [{"image": "a"}]}}})");
  REQUIRE(result);
  CHECK(result->record.container_orchestration_type == "EKS");
  CHECK_FALSE(result->record.container_properties);
}

TEST_CASE("resource requirements must name a known type and a sane value") {
  auto with = [](const std::string& requirements) {
    return container(R"({"image": "a", "resourceRequirements": )" + requirements
                     + "}");
  };
  CHECK(contains(refusal(with(R"([{"type": "DISK", "value": "1"}])")),
                 "VCPU, MEMORY, GPU"));
  CHECK(
    contains(refusal(with(R"([{"type": "VCPU", "value": "0"}])")), "positive"));
  CHECK(contains(refusal(with(R"([{"type": "MEMORY", "value": "2"}])")),
                 "at least 4"));
  CHECK(
    contains(refusal(with(R"([{"type": "GPU", "value": "1.5"}])")), "GPUs"));
  CHECK(contains(refusal(with(R"([{"type": "VCPU", "value": "1"},
                                  {"type": "VCPU", "value": "2"}])")),
                 "twice"));
  CHECK(contains(refusal(container(R"({"image": "a", "vcpus": 2,
                   "resourceRequirements": [{"type": "VCPU", "value": "1"}]})")),
                 "vcpus"));
  CHECK(contains(refusal(container(R"({"image": "a", "vcpus": 0})")),
                 "at least 1"));
  CHECK(decode(container(R"({"image": "a", "vcpus": 1, "memory": 128})")));
}

TEST_CASE("a multinode definition validates its node ranges") {
  auto node = R"("container": {"image": "a"})";
  auto range = [&](const std::string& target) {
    return R"({"targetNodes": ")" + target + "\", " + node + "}";
  };
  auto ok
    = decode(multinode(4, 0, "[" + range("0:1") + "," + range("2:") + "]"));
  REQUIRE(ok);
  CHECK(ok->record.node_properties);
  CHECK(parse_stored_json(*ok->record.node_properties)["nodeRangeProperties"][0]
                                                      ["container"]["volumes"]
        == json::array());
  CHECK(decode(multinode(3, 2, "[" + range(":") + "," + range("1:1") + "]")));
  CHECK(contains(refusal(multinode(2, 2, "[" + range("0:1") + "]")),
                 "mainNode must be less than numNodes"));
  CHECK(contains(refusal(multinode(2, 0, "[" + range("0:2") + "]")),
                 "is not a range"));
  CHECK(contains(refusal(multinode(2, 0, "[" + range("1:0") + "]")),
                 "is not a range"));
  CHECK(contains(
    refusal(multinode(4, 0, "[" + range("0:1") + "," + range("3") + "]")),
    "cover every node"));
  CHECK(contains(refusal(multinode(2, 0, R"([{"targetNodes": "0:"}])")),
                 "exactly one of container"));
  CHECK(contains(refusal(R"({"jobDefinitionName": "m", "type": "multinode"})"),
                 "nodeProperties is required"));
  CHECK(contains(refusal(container(R"({"image": "a"})",
                                   R"(, "nodeProperties": {"numNodes": 1,
                   "mainNode": 0, "nodeRangeProperties": [{"targetNodes":
                   "0", "container": {"image": "a"}}]})")),
                 "multinode"));
}

TEST_CASE("a retry strategy allows 1 to 10 attempts and 5 exit rules") {
  auto with = [](const std::string& strategy) {
    return container(R"({"image": "a"})", R"(, "retryStrategy": )" + strategy);
  };
  CHECK(contains(refusal(with(R"({"attempts": 0})")), "between 1 and 10"));
  CHECK(contains(refusal(with(R"({"attempts": 11})")), "between 1 and 10"));
  CHECK(contains(refusal(with(R"({"evaluateOnExit":
                                  [{"action": "RETRY"}]})")),
                 "requires retryStrategy.attempts"));
  std::string six = R"({"attempts": 2, "evaluateOnExit": [)";
  for (int i = 0; i < 6; ++i)
    six += std::string{i > 0 ? "," : ""} + R"({"action": "EXIT"})";
  CHECK(contains(refusal(with(six + "]}")), "at most 5"));
  CHECK(contains(refusal(with(R"({"attempts": 2, "evaluateOnExit":
                                  [{"action": "MAYBE"}]})")),
                 "RETRY or EXIT"));
  CHECK(contains(refusal(with(R"({"attempts": 2, "evaluateOnExit":
                                  [{"action": "exit", "onExitCode": "1x"}]})")),
                 "onExitCode"));
  CHECK(contains(refusal(with(R"({"attempts": 2, "evaluateOnExit":
                   [{"action": "retry", "onReason": "bad_reason"}]})")),
                 "onReason"));
  CHECK(decode(with(R"({"attempts": 2, "evaluateOnExit":
    [{"action": "retry", "onStatusReason": "Host EC2*"},
     {"action": "EXIT", "onExitCode": "13*"}]})")));
}

TEST_CASE("timeouts, scheduling priorities and platforms are range-checked") {
  CHECK(contains(refusal(container(R"({"image": "a"})",
                                   R"(, "timeout":
                                      {"attemptDurationSeconds": 59})")),
                 "at least 60"));
  CHECK(contains(
    refusal(container(R"({"image": "a"})", R"(, "schedulingPriority": 10000)")),
    "schedulingPriority must be between 0 and 9999"));
  CHECK(contains(refusal(container(R"({"image": "a"})",
                                   R"(, "platformCapabilities": ["MARS"])")),
                 "platformCapabilities"));
  CHECK(contains(refusal(R"({"jobDefinitionName": "m", "type": "multinode",
                  "platformCapabilities": ["FARGATE"], "nodeProperties":
                  {"numNodes": 1, "mainNode": 0, "nodeRangeProperties":
                  [{"targetNodes": "0", "container": {"image": "a"}}]}})"),
                 "FARGATE"));
}

TEST_CASE("a definition is at most 24 KiB") {
  std::string big(25 * 1024, 'x');
  CHECK(contains(refusal(container(R"({"image": "a"})",
                                   R"(, "parameters": {"p": ")" + big + "\"}")),
                 "24 KiB"));
}

TEST_CASE("names are checked") {
  CHECK(contains(refusal(R"({"jobDefinitionName": "bad name",
                  "type": "container", "containerProperties":
                  {"image": "a"}})"),
                 "jobDefinitionName"));
  CHECK(contains(refusal(R"({"type": "container"})"),
                 "jobDefinitionName is required"));
}

TEST_CASE("DescribeJobDefinitions accepts only ACTIVE or INACTIVE") {
  auto body = parse_request_body(R"({"status": "DELETED"})");
  REQUIRE(body);
  auto result = decode_describe_job_definitions(*body);
  REQUIRE_FALSE(result);
  CHECK(to_wire_error(result.error()).message
        == "status must be one of: ACTIVE, INACTIVE");
}

} // namespace batch
