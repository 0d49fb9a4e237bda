#include "protocol/compute_environment.hpp"

#include "protocol/errors.hpp"
#include "protocol/validation.hpp"

namespace batch {

namespace {

constexpr int64_t max_vcpus_limit = 1'000'000;

/// Checks the computeResources of a MANAGED environment; `creating` demands
/// the members that CreateComputeEnvironment requires.
caf::error check_compute_resources(const json& resources, bool creating) {
  if (!resources.is_object())
    return client_error("computeResources must be an object");
  if (creating && !resources.contains("type"))
    return client_error("computeResources.type is required");
  if (resources.contains("type")) {
    auto& type = resources["type"];
    if (!type.is_string())
      return client_error("computeResources.type must be a string");
    if (auto err = check_enum(type.get<std::string>(),
                              {"EC2", "SPOT", "FARGATE", "FARGATE_SPOT"},
                              "computeResources.type"))
      return err;
  }
  if (creating && !resources.contains("maxvCpus"))
    return client_error("computeResources.maxvCpus is required");
  for (auto key : {"minvCpus", "maxvCpus", "desiredvCpus"}) {
    if (!resources.contains(key))
      continue;
    auto& value = resources[key];
    if (!value.is_number_integer())
      return client_error(std::string{"computeResources."} + key
                          + " must be an integer");
    if (auto err = check_range(value.get<int64_t>(), 0, max_vcpus_limit,
                               std::string{"computeResources."} + key))
      return err;
  }
  auto min = resources.value("minvCpus", int64_t{0});
  auto max = resources.value("maxvCpus", int64_t{0});
  auto desired = resources.value("desiredvCpus", min);
  if (min > max)
    return client_error("computeResources.minvCpus must not exceed maxvCpus");
  if (desired < min || desired > max)
    return client_error(
      "computeResources.desiredvCpus must be between minvCpus and maxvCpus");
  return {};
}

/// Merges the members of `update` into the stored computeResources text.
std::string merge_compute_resources(const std::optional<std::string>& stored,
                                    const json& update) {
  auto merged = stored ? parse_stored_json(*stored) : json::object();
  for (auto& [key, value] : update.items())
    merged[key] = value;
  return merged.dump();
}

caf::error check_state(const std::optional<std::string>& state) {
  if (!state)
    return {};
  return check_enum(*state, {"ENABLED", "DISABLED"}, "state");
}

caf::error check_create(const compute_environment_record& record) {
  if (auto err = check_name(record.name, "computeEnvironmentName"))
    return err;
  if (auto err = check_enum(record.type, {"MANAGED", "UNMANAGED"}, "type"))
    return err;
  if (record.state != "ENABLED")
    return client_error("A compute environment must be created in the "
                        "ENABLED state");
  if (auto err = check_tags(record.tags))
    return err;
  if (record.type == "UNMANAGED") {
    if (record.compute_resources)
      return client_error(
        "computeResources can't be specified for an UNMANAGED compute "
        "environment");
    if (record.unmanaged_vcpus)
      return check_range(*record.unmanaged_vcpus, 0, max_vcpus_limit,
                         "unmanagedvCpus");
    return {};
  }
  if (record.unmanaged_vcpus)
    return client_error(
      "unmanagedvCpus can only be specified for an UNMANAGED compute "
      "environment");
  if (!record.compute_resources)
    return client_error(
      "computeResources is required for a MANAGED compute environment");
  return check_compute_resources(parse_stored_json(*record.compute_resources),
                                 true);
}

} // namespace

int64_t compute_environment_record::vcpu_capacity() const {
  if (type == "UNMANAGED")
    return unmanaged_vcpus.value_or(0);
  if (!compute_resources)
    return 0;
  auto resources = parse_stored_json(*compute_resources);
  return resources.is_object() ? resources.value("maxvCpus", int64_t{0}) : 0;
}

caf::expected<create_compute_environment>
decode_create_compute_environment(simdjson::dom::object body) {
  object_reader in{body};
  compute_environment_record record;
  record.name = in.required_string("computeEnvironmentName");
  record.type = in.required_string("type");
  record.state = in.string("state").value_or("ENABLED");
  record.unmanaged_vcpus = in.integer("unmanagedvCpus");
  record.compute_resources = in.document("computeResources");
  record.service_role = in.string("serviceRole");
  record.tags = in.string_map("tags").value_or(tag_map{});
  record.eks_configuration = in.document("eksConfiguration");
  record.context = in.string("context");
  if (!in.ok())
    return in.error();
  if (record.eks_configuration)
    record.container_orchestration_type = "EKS";
  if (auto err = check_create(record))
    return err;
  return create_compute_environment{std::move(record)};
}

caf::expected<update_compute_environment>
decode_update_compute_environment(simdjson::dom::object body) {
  object_reader in{body};
  update_compute_environment result;
  result.compute_environment = in.required_string("computeEnvironment");
  result.state = in.string("state");
  result.unmanaged_vcpus = in.integer("unmanagedvCpus");
  result.compute_resources = in.document("computeResources");
  result.service_role = in.string("serviceRole");
  result.update_policy = in.document("updatePolicy");
  result.context = in.string("context");
  if (!in.ok())
    return in.error();
  if (auto err = check_state(result.state))
    return err;
  return result;
}

caf::expected<delete_compute_environment>
decode_delete_compute_environment(simdjson::dom::object body) {
  object_reader in{body};
  delete_compute_environment result;
  result.compute_environment = in.required_string("computeEnvironment");
  if (!in.ok())
    return in.error();
  return result;
}

caf::expected<describe_compute_environments>
decode_describe_compute_environments(simdjson::dom::object body) {
  object_reader in{body};
  describe_compute_environments result;
  auto names = in.string_list("computeEnvironments");
  result.compute_environments = names.value_or(std::vector<std::string>{});
  result.max_results = in.integer("maxResults");
  result.next_token = in.string("nextToken").value_or("");
  if (!in.ok())
    return in.error();
  if (result.compute_environments.size() > 100)
    return client_error("computeEnvironments can list at most 100 entries");
  return result;
}

caf::error apply_update(compute_environment_record& record,
                        const update_compute_environment& update) {
  auto updated = record;
  if (update.state)
    updated.state = *update.state;
  if (update.unmanaged_vcpus) {
    if (record.type != "UNMANAGED")
      return client_error("unmanagedvCpus can only be updated for an "
                          "UNMANAGED compute environment");
    if (auto err = check_range(*update.unmanaged_vcpus, 0, max_vcpus_limit,
                               "unmanagedvCpus"))
      return err;
    updated.unmanaged_vcpus = update.unmanaged_vcpus;
  }
  if (update.compute_resources) {
    if (record.type != "MANAGED")
      return client_error("computeResources can only be updated for a "
                          "MANAGED compute environment");
    auto changes = parse_stored_json(*update.compute_resources);
    if (!changes.is_object())
      return client_error("computeResources must be an object");
    if (changes.contains("type"))
      return client_error("computeResources.type can't be updated");
    updated.compute_resources
      = merge_compute_resources(record.compute_resources, changes);
    auto merged = parse_stored_json(*updated.compute_resources);
    if (auto err = check_compute_resources(merged, false))
      return err;
  }
  if (update.service_role)
    updated.service_role = update.service_role;
  if (update.update_policy)
    updated.update_policy = update.update_policy;
  if (update.context)
    updated.context = update.context;
  record = std::move(updated);
  return {};
}

json encode(const compute_environment_record& record) {
  json out = {
    {"computeEnvironmentName", record.name},
    {"computeEnvironmentArn", record.arn},
    {"ecsClusterArn", record.ecs_cluster_arn},
    {"type", record.type},
    {"state", record.state},
    {"status", record.status},
    {"statusReason", record.status_reason},
    {"uuid", record.uuid},
    {"containerOrchestrationType", record.container_orchestration_type},
    {"tags", record.tags},
  };
  if (record.service_role)
    out["serviceRole"] = *record.service_role;
  if (record.unmanaged_vcpus)
    out["unmanagedvCpus"] = *record.unmanaged_vcpus;
  if (record.compute_resources)
    out["computeResources"] = parse_stored_json(*record.compute_resources);
  if (record.update_policy)
    out["updatePolicy"] = parse_stored_json(*record.update_policy);
  if (record.eks_configuration)
    out["eksConfiguration"] = parse_stored_json(*record.eks_configuration);
  if (record.context)
    out["context"] = *record.context;
  return out;
}

json encode(const compute_environment_ref& ref) {
  return {{"computeEnvironmentName", ref.name},
          {"computeEnvironmentArn", ref.arn}};
}

json encode(const compute_environment_page& page) {
  auto items = json::array();
  for (auto& record : page.items)
    items.push_back(encode(record));
  json out = {{"computeEnvironments", std::move(items)}};
  if (!page.next_token.empty())
    out["nextToken"] = page.next_token;
  return out;
}

} // namespace batch
