#include "protocol/job_definition.hpp"

#include "protocol/errors.hpp"
#include "protocol/validation.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

namespace batch {

namespace {

/// AWS limits a RegisterJobDefinition request to 24 KiB.
constexpr size_t max_definition_size = 24 * 1024;

constexpr int64_t max_attempts = 10;
constexpr size_t max_evaluate_on_exit = 5;
constexpr size_t max_pattern_length = 512;
constexpr int64_t min_timeout_seconds = 60;
constexpr int64_t max_scheduling_priority = 9999;
constexpr int64_t min_memory_mib = 4;
constexpr size_t max_task_containers = 10;
constexpr size_t max_described_definitions = 100;

constexpr std::string_view reserved_prefix = "AWS_BATCH";

// -- generic checks -----------------------------------------------------------

/// Checks the environment variables in member `key` of `in`: names must not
/// use the prefix that AWS Batch reserves for the variables it sets.
void check_environment(object_reader& in, std::string_view key) {
  auto entries = in.array(key);
  if (!entries)
    return;
  for_each_object(in, *entries, key, [](object_reader& variable) {
    auto name = variable.string("name").value_or("");
    variable.string("value");
    if (name.compare(0, reserved_prefix.size(), reserved_prefix) == 0)
      variable.fail("Environment variable " + name + " in "
                    + variable.name_of("name")
                    + " is invalid: names starting with AWS_BATCH are "
                      "reserved");
  });
}

/// Returns the positive number in `text`, or nothing.
std::optional<double> positive_number(const std::string& text) {
  if (text.empty())
    return std::nullopt;
  char* end = nullptr;
  auto value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !(value > 0))
    return std::nullopt;
  return value;
}

/// Returns true if `text` is a whole number of at least `low`.
bool is_integer_at_least(const std::string& text, double low) {
  auto value = positive_number(text);
  return value && *value >= low && *value == static_cast<int64_t>(*value);
}

/// Checks one {type, value} entry of resourceRequirements.
void check_resource_requirement(object_reader& in,
                                std::set<std::string>& seen) {
  auto type = in.required_string("type");
  auto value = in.required_string("value");
  if (!in.ok())
    return;
  auto where = in.name_of("value");
  if (type == "VCPU" && !positive_number(value))
    in.fail(where + " must be a positive number of vCPUs");
  else if (type == "MEMORY" && !is_integer_at_least(value, min_memory_mib))
    in.fail(where + " must be a whole number of MiB, at least 4");
  else if (type == "GPU" && !is_integer_at_least(value, 1))
    in.fail(where + " must be a positive whole number of GPUs");
  else if (type != "VCPU" && type != "MEMORY" && type != "GPU")
    in.fail(in.name_of("type") + " must be one of: VCPU, MEMORY, GPU");
  else if (!seen.insert(type).second)
    in.fail("resourceRequirements lists type " + type + " twice");
}

/// Checks resourceRequirements and returns the types it lists.
std::set<std::string> check_resource_requirements(object_reader& in) {
  std::set<std::string> seen;
  if (auto entries = in.array("resourceRequirements"))
    for_each_object(in, *entries, "resourceRequirements",
                    [&seen](object_reader& entry) {
                      check_resource_requirement(entry, seen);
                    });
  return seen;
}

// -- container properties -----------------------------------------------------

/// Checks the legacy vcpus and memory members against resourceRequirements.
void check_legacy_resources(object_reader& in,
                            const std::set<std::string>& listed) {
  auto vcpus = in.integer("vcpus");
  auto memory = in.integer("memory");
  if (!in.ok())
    return;
  if (vcpus && *vcpus < 1)
    in.fail(in.name_of("vcpus") + " must be at least 1");
  else if (memory && *memory < min_memory_mib)
    in.fail(in.name_of("memory") + " must be at least 4 MiB");
  else if (vcpus && listed.count("VCPU") > 0)
    in.fail(in.name_of("vcpus")
            + " can't be set together with a VCPU resourceRequirement");
  else if (memory && listed.count("MEMORY") > 0)
    in.fail(in.name_of("memory")
            + " can't be set together with a MEMORY resourceRequirement");
}

/// Checks a ContainerProperties object (top level or in a node range).
void check_container_properties(object_reader& in) {
  in.required_string("image");
  in.string_list("command");
  in.string("user");
  in.boolean("privileged");
  in.boolean("readonlyRootFilesystem");
  check_environment(in, "environment");
  auto listed = check_resource_requirements(in);
  check_legacy_resources(in, listed);
}

/// Checks one container of an ECS task.
void check_task_container(object_reader& in) {
  in.required_string("image");
  in.string("name");
  in.string_list("command");
  in.boolean("essential");
  check_environment(in, "environment");
  check_resource_requirements(in);
}

/// Checks the members in `key` that hold a list of 1..`limit` objects, each
/// checked by `check`.
template <class Check>
void check_object_list(object_reader& in, std::string_view key, size_t limit,
                       bool required, Check check) {
  auto entries = in.array(key);
  if (!entries) {
    if (required && in.ok())
      in.fail(in.name_of(key) + " is required");
    return;
  }
  if (entries->size() == 0 || entries->size() > limit) {
    in.fail(in.name_of(key) + " must list 1 to " + std::to_string(limit)
            + " entries");
    return;
  }
  for_each_object(in, *entries, key, check);
}

/// Checks an EcsProperties object.
void check_ecs_properties(object_reader& in) {
  check_object_list(in, "taskProperties", 1, true, [](object_reader& task) {
    check_object_list(task, "containers", max_task_containers, true,
                      check_task_container);
  });
}

/// Checks one container of an EKS pod.
void check_eks_container(object_reader& in) {
  in.required_string("image");
  in.string("name");
  in.string_list("command");
  in.string_list("args");
  check_environment(in, "env");
}

/// Checks an EksProperties object.
void check_eks_properties(object_reader& in) {
  auto pod = in.object("podProperties");
  if (!pod) {
    if (in.ok())
      in.fail(in.name_of("podProperties") + " is required");
    return;
  }
  object_reader reader{*pod, in.name_of("podProperties") + "."};
  check_object_list(reader, "containers", max_task_containers, true,
                    check_eks_container);
  check_object_list(reader, "initContainers", max_task_containers, false,
                    check_eks_container);
  if (!reader.ok())
    in.fail(reader.failure());
}

/// Checks the sub-document in member `key` with `check`, if present.
template <class Check>
bool check_member(object_reader& in, std::string_view key, Check check) {
  auto member = in.object(key);
  if (!member)
    return false;
  object_reader reader{*member, in.name_of(key) + "."};
  check(reader);
  if (!reader.ok())
    in.fail(reader.failure());
  return true;
}

/// The sub-documents that describe what runs, present in `in`.
struct workload_members {
  bool container = false;
  bool ecs = false;
  bool eks = false;

  int count() const {
    return int{container} + int{ecs} + int{eks};
  }
};

workload_members check_workload(object_reader& in,
                                std::string_view container_key) {
  workload_members result;
  result.container
    = check_member(in, container_key, check_container_properties);
  result.ecs = check_member(in, "ecsProperties", check_ecs_properties);
  result.eks = check_member(in, "eksProperties", check_eks_properties);
  return result;
}

// -- node properties ----------------------------------------------------------

/// A node index range "a:b", with either end optional, or a single index.
struct node_range {
  int64_t first = 0;
  int64_t last = 0;
};

std::optional<int64_t> parse_index(std::string_view text) {
  if (text.empty() || text.size() > 9)
    return std::nullopt;
  int64_t value = 0;
  for (auto c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<node_range> parse_target_nodes(std::string_view text,
                                             int64_t num_nodes) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    auto index = parse_index(text);
    if (!index)
      return std::nullopt;
    return node_range{*index, *index};
  }
  auto first_text = text.substr(0, colon);
  auto last_text = text.substr(colon + 1);
  auto first
    = first_text.empty() ? std::optional<int64_t>{0} : parse_index(first_text);
  auto last = last_text.empty() ? std::optional<int64_t>{num_nodes - 1}
                                : parse_index(last_text);
  if (!first || !last)
    return std::nullopt;
  return node_range{*first, *last};
}

/// Checks one nodeRangeProperties entry and adds its range to `ranges`.
void check_node_range(object_reader& in, int64_t num_nodes,
                      std::vector<node_range>& ranges, bool& uses_eks) {
  auto target = in.required_string("targetNodes");
  if (!in.ok())
    return;
  auto range = parse_target_nodes(target, num_nodes);
  if (!range || range->first > range->last || range->last >= num_nodes) {
    in.fail(in.name_of("targetNodes") + " " + target
            + " is not a range of node indexes within 0:"
            + std::to_string(num_nodes - 1));
    return;
  }
  ranges.push_back(*range);
  auto workload = check_workload(in, "container");
  if (in.ok() && workload.count() != 1)
    in.fail(in.name_of("targetNodes") + " " + target
            + " needs exactly one of container, ecsProperties or "
              "eksProperties");
  uses_eks = uses_eks || workload.eks;
}

/// Returns true if `ranges` together cover every node index below `count`.
bool covers_all_nodes(std::vector<node_range> ranges, int64_t count) {
  std::sort(
    ranges.begin(), ranges.end(),
    [](const node_range& a, const node_range& b) { return a.first < b.first; });
  int64_t next = 0;
  for (auto& range : ranges) {
    if (range.first > next)
      return false;
    next = std::max(next, range.last + 1);
  }
  return next >= count;
}

/// Checks numNodes and mainNode; returns the error message or an empty one.
std::string check_node_counts(int64_t num_nodes, int64_t main_node,
                              size_t ranges) {
  if (num_nodes < 1)
    return "nodeProperties.numNodes must be at least 1";
  if (main_node < 0 || main_node >= num_nodes)
    return "nodeProperties.mainNode must be less than numNodes";
  if (ranges == 0)
    return "nodeProperties.nodeRangeProperties must not be empty";
  return {};
}

/// Checks nodeProperties; returns true if a node range runs on EKS.
bool check_node_properties(object_reader& in) {
  auto num_nodes = in.integer("numNodes");
  auto main_node = in.integer("mainNode");
  auto entries = in.array("nodeRangeProperties");
  if (!in.ok())
    return false;
  if (!num_nodes || !main_node || !entries) {
    in.fail("nodeProperties needs numNodes, mainNode and "
            "nodeRangeProperties");
    return false;
  }
  auto problem = check_node_counts(*num_nodes, *main_node, entries->size());
  if (!problem.empty()) {
    in.fail(std::move(problem));
    return false;
  }
  bool uses_eks = false;
  std::vector<node_range> ranges;
  for_each_object(in, *entries, "nodeRangeProperties", [&](object_reader& r) {
    check_node_range(r, *num_nodes, ranges, uses_eks);
  });
  if (in.ok() && !covers_all_nodes(ranges, *num_nodes))
    in.fail("nodeProperties.nodeRangeProperties must cover every node from 0 "
            "to "
            + std::to_string(*num_nodes - 1));
  return uses_eks;
}

// -- retry strategy and timeout -----------------------------------------------

/// Returns true if `pattern` has only characters in `allowed`, optionally
/// followed by a single trailing `*`.
template <class Allowed>
bool is_pattern(std::string_view pattern, Allowed allowed) {
  if (pattern.size() > max_pattern_length)
    return false;
  if (!pattern.empty() && pattern.back() == '*')
    pattern.remove_suffix(1);
  for (auto c : pattern)
    if (!allowed(static_cast<unsigned char>(c)))
      return false;
  return true;
}

bool is_reason_char(unsigned char c) {
  return std::isalnum(c) || c == '.' || c == ':' || std::isspace(c);
}

bool is_digit_char(unsigned char c) {
  return std::isdigit(c) != 0;
}

void check_evaluate_on_exit(object_reader& in) {
  auto action = in.required_string("action");
  auto status_reason = in.string("onStatusReason");
  auto reason = in.string("onReason");
  auto exit_code = in.string("onExitCode");
  if (!in.ok())
    return;
  std::string upper;
  for (auto c : action)
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper != "RETRY" && upper != "EXIT")
    return in.fail(in.name_of("action") + " must be RETRY or EXIT");
  if (status_reason && !is_pattern(*status_reason, is_reason_char))
    return in.fail(in.name_of("onStatusReason")
                   + " may contain up to 512 letters, numbers, periods, "
                     "colons and white space, optionally ending in *");
  if (reason && !is_pattern(*reason, is_reason_char))
    return in.fail(in.name_of("onReason")
                   + " may contain up to 512 letters, numbers, periods, "
                     "colons and white space, optionally ending in *");
  if (exit_code && !is_pattern(*exit_code, is_digit_char))
    in.fail(in.name_of("onExitCode")
            + " may contain up to 512 digits, optionally ending in *");
}

void check_retry_strategy(object_reader& in) {
  auto attempts = in.integer("attempts");
  auto rules = in.array("evaluateOnExit");
  if (!in.ok())
    return;
  if (attempts && (*attempts < 1 || *attempts > max_attempts))
    return in.fail("retryStrategy.attempts must be between 1 and 10");
  if (!rules)
    return;
  if (!attempts)
    return in.fail("retryStrategy.evaluateOnExit requires "
                   "retryStrategy.attempts");
  if (rules->size() > max_evaluate_on_exit)
    return in.fail("retryStrategy.evaluateOnExit can list at most 5 "
                   "conditions");
  for_each_object(in, *rules, "evaluateOnExit", check_evaluate_on_exit);
}

std::optional<int64_t> read_timeout(object_reader& in) {
  auto timeout = in.object("timeout");
  if (!timeout)
    return std::nullopt;
  object_reader reader{*timeout, "timeout."};
  auto seconds = reader.integer("attemptDurationSeconds");
  if (!reader.ok()) {
    in.fail(reader.failure());
    return std::nullopt;
  }
  if (seconds && *seconds < min_timeout_seconds)
    in.fail("timeout.attemptDurationSeconds must be at least 60");
  return seconds;
}

// -- the whole definition -----------------------------------------------------

/// The list members of ContainerProperties that AWS Batch always reports,
/// empty where the definition has none.
const std::initializer_list<std::string_view> container_lists = {
  "volumes", "environment", "mountPoints", "ulimits", "resourceRequirements"};

/// Returns `text` (a ContainerProperties document) with the lists it lacks.
std::string with_container_defaults(const std::string& text) {
  auto properties = parse_stored_json(text);
  for (auto key : container_lists)
    if (!properties.contains(key))
      properties[std::string{key}] = json::array();
  return properties.dump();
}

/// Returns the nodeProperties document with container defaults filled in.
std::string with_node_defaults(const std::string& text) {
  auto properties = parse_stored_json(text);
  for (auto& range : properties["nodeRangeProperties"])
    if (range.contains("container"))
      range["container"]
        = parse_stored_json(with_container_defaults(range["container"].dump()));
  return properties.dump();
}

caf::error check_consumable_resources(object_reader& in) {
  auto properties = in.object("consumableResourceProperties");
  if (!properties)
    return {};
  object_reader reader{*properties, "consumableResourceProperties."};
  auto resources = reader.array("consumableResourceList");
  if (!reader.ok())
    return reader.error();
  if (resources && resources->size() > 0)
    return client_error("batchd does not support consumable resources yet");
  return {};
}

caf::error check_platform(const job_definition_record& record) {
  for (auto& capability : record.platform_capabilities)
    if (auto err
        = check_enum(capability, {"EC2", "FARGATE"}, "platformCapabilities"))
      return err;
  auto fargate = std::find(record.platform_capabilities.begin(),
                           record.platform_capabilities.end(), "FARGATE")
                 != record.platform_capabilities.end();
  if (fargate && record.type == "multinode")
    return client_error("multinode job definitions can't use the FARGATE "
                        "platform capability");
  if (fargate && record.container_orchestration_type == "EKS")
    return client_error("eksProperties can't be used with the FARGATE "
                        "platform capability");
  return {};
}

/// Checks that the members that describe what runs fit the type.
caf::error check_shape(const job_definition_record& record,
                       const workload_members& workload, bool has_nodes) {
  if (record.type == "container") {
    if (has_nodes)
      return client_error("nodeProperties can only be used in a multinode "
                          "job definition");
    if (workload.count() != 1)
      return client_error("A container job definition needs exactly one of "
                          "containerProperties, ecsProperties or "
                          "eksProperties");
    return {};
  }
  if (workload.count() != 0)
    return client_error("A multinode job definition describes its "
                        "containers in nodeProperties, not in "
                        "containerProperties, ecsProperties or eksProperties");
  if (!has_nodes)
    return client_error("nodeProperties is required for a multinode job "
                        "definition");
  return {};
}

/// Reads the members of a RegisterJobDefinition body into `record`.
void read_definition(object_reader& in, job_definition_record& record,
                     workload_members& workload, bool& has_nodes) {
  record.name = in.required_string("jobDefinitionName");
  record.type = in.required_string("type");
  record.parameters = in.string_map("parameters").value_or(tag_map{});
  record.scheduling_priority = in.integer("schedulingPriority");
  record.propagate_tags = in.boolean("propagateTags").value_or(false);
  record.platform_capabilities = in.string_list("platformCapabilities")
                                   .value_or(std::vector<std::string>{});
  record.tags = in.string_map("tags").value_or(tag_map{});
  record.timeout_seconds = read_timeout(in);
  if (check_member(in, "retryStrategy", check_retry_strategy))
    record.retry_strategy = in.document("retryStrategy");
  workload = check_workload(in, "containerProperties");
  bool nodes_use_eks = false;
  has_nodes = check_member(in, "nodeProperties", [&](object_reader& nodes) {
    nodes_use_eks = check_node_properties(nodes);
  });
  if (!in.ok())
    return;
  if (workload.container)
    record.container_properties = to_json_text_with_lists(
      *in.object("containerProperties"), container_lists);
  record.ecs_properties = in.document("ecsProperties");
  record.eks_properties = in.document("eksProperties");
  if (has_nodes)
    record.node_properties = with_node_defaults(*in.document("nodeProperties"));
  record.consumable_resource_properties
    = in.document("consumableResourceProperties");
  if (workload.eks || nodes_use_eks)
    record.container_orchestration_type = "EKS";
}

json encode_timeout(int64_t seconds) {
  return {{"attemptDurationSeconds", seconds}};
}

} // namespace

caf::expected<register_job_definition>
decode_register_job_definition(simdjson::dom::object body) {
  if (simdjson::minify(body).size() > max_definition_size)
    return client_error("A job definition can be at most 24 KiB");
  object_reader in{body};
  job_definition_record record;
  workload_members workload;
  bool has_nodes = false;
  read_definition(in, record, workload, has_nodes);
  if (!in.ok())
    return in.error();
  if (auto err = check_name(record.name, "jobDefinitionName"))
    return err;
  if (auto err = check_enum(record.type, {"container", "multinode"}, "type"))
    return err;
  if (auto err = check_shape(record, workload, has_nodes))
    return err;
  if (auto err = check_platform(record))
    return err;
  if (record.scheduling_priority)
    if (auto err = check_range(*record.scheduling_priority, 0,
                               max_scheduling_priority, "schedulingPriority"))
      return err;
  if (auto err = check_consumable_resources(in))
    return err;
  if (auto err = check_tags(record.tags))
    return err;
  return register_job_definition{std::move(record)};
}

caf::expected<deregister_job_definition>
decode_deregister_job_definition(simdjson::dom::object body) {
  object_reader in{body};
  deregister_job_definition result;
  result.job_definition = in.required_string("jobDefinition");
  if (!in.ok())
    return in.error();
  return result;
}

caf::expected<describe_job_definitions>
decode_describe_job_definitions(simdjson::dom::object body) {
  object_reader in{body};
  describe_job_definitions result;
  auto names = in.string_list("jobDefinitions");
  result.job_definitions = names.value_or(std::vector<std::string>{});
  result.job_definition_name = in.string("jobDefinitionName");
  result.status = in.string("status");
  result.max_results = in.integer("maxResults");
  result.next_token = in.string("nextToken").value_or("");
  if (!in.ok())
    return in.error();
  if (result.job_definitions.size() > max_described_definitions)
    return client_error("jobDefinitions can list at most 100 entries");
  if (result.status)
    if (auto err = check_enum(*result.status, {"ACTIVE", "INACTIVE"}, "status"))
      return err;
  return result;
}

json encode(const job_definition_record& record) {
  json out = {
    {"jobDefinitionName", record.name},
    {"jobDefinitionArn", record.arn},
    {"revision", record.revision},
    {"status", record.status},
    {"type", record.type},
    {"parameters", record.parameters},
    {"propagateTags", record.propagate_tags},
    {"containerOrchestrationType", record.container_orchestration_type},
    {"tags", record.tags},
  };
  auto add_document
    = [&out](const char* key, const std::optional<std::string>& text) {
        if (text)
          out[key] = parse_stored_json(*text);
      };
  add_document("containerProperties", record.container_properties);
  add_document("nodeProperties", record.node_properties);
  add_document("ecsProperties", record.ecs_properties);
  add_document("eksProperties", record.eks_properties);
  add_document("retryStrategy", record.retry_strategy);
  add_document("consumableResourceProperties",
               record.consumable_resource_properties);
  if (record.timeout_seconds)
    out["timeout"] = encode_timeout(*record.timeout_seconds);
  if (!record.platform_capabilities.empty())
    out["platformCapabilities"] = record.platform_capabilities;
  if (record.scheduling_priority)
    out["schedulingPriority"] = *record.scheduling_priority;
  return out;
}

json encode(const job_definition_ref& ref) {
  return {{"jobDefinitionName", ref.name},
          {"jobDefinitionArn", ref.arn},
          {"revision", ref.revision}};
}

json encode(const job_definition_page& page) {
  auto items = json::array();
  for (auto& record : page.items)
    items.push_back(encode(record));
  json out = {{"jobDefinitions", std::move(items)}};
  if (!page.next_token.empty())
    out["nextToken"] = page.next_token;
  return out;
}

} // namespace batch
