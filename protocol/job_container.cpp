#include "protocol/job_container.hpp"

#include "protocol/errors.hpp"

#include <algorithm>
#include <cstdlib>

namespace batch {

namespace {

// Job definitions are validated when they are registered, but only as far
// as their members' presence goes; these readers never throw on a member of
// an unexpected type and treat it as absent instead.

std::optional<std::string> text_of(const json& object, const char* key) {
  auto i = object.find(key);
  if (i == object.end() || !i->is_string())
    return std::nullopt;
  return i->get<std::string>();
}

bool flag_of(const json& object, const char* key) {
  auto i = object.find(key);
  return i != object.end() && i->is_boolean() && i->get<bool>();
}

std::optional<int64_t> integer_of(const json& object, const char* key) {
  auto i = object.find(key);
  if (i == object.end() || !i->is_number())
    return std::nullopt;
  return i->get<int64_t>();
}

const json& list_of(const json& object, const char* key) {
  static const json empty = json::array();
  auto i = object.find(key);
  return i != object.end() && i->is_array() ? *i : empty;
}

const json& object_of(const json& object, const char* key) {
  static const json empty = json::object();
  auto i = object.find(key);
  return i != object.end() && i->is_object() ? *i : empty;
}

/// Returns the value of the resource requirement of `type`, if any.
std::optional<std::string> requirement_of(const json& container,
                                          const char* type) {
  for (auto& entry : list_of(container, "resourceRequirements"))
    if (entry.is_object() && text_of(entry, "type") == std::string{type})
      return text_of(entry, "value");
  return std::nullopt;
}

/// Returns `base` with the entries of `changes` replacing those whose
/// `key` member is equal, and the others appended.
json merge_by(const json& base, const json& changes, const char* key) {
  auto merged = base.is_array() ? base : json::array();
  for (auto& change : changes) {
    if (!change.is_object())
      continue;
    auto name = text_of(change, key);
    auto same = [&](const json& entry) {
      return entry.is_object() && text_of(entry, key) == name;
    };
    auto i = std::find_if(merged.begin(), merged.end(), same);
    if (i != merged.end())
      *i = change;
    else
      merged.push_back(change);
  }
  return merged;
}

/// Applies a legacy `vcpus` or `memory` override, which AWS allows only
/// when the definition does not set that resource as a requirement.
caf::error apply_legacy(json& container, const json& overrides,
                        const char* member, const char* type) {
  if (!overrides.contains(member))
    return {};
  if (requirement_of(container, type))
    return client_error(std::string{"containerOverrides."} + member
                        + " can't override the " + type
                        + " resource requirement of the job definition; "
                          "use containerOverrides.resourceRequirements");
  container[member] = overrides[member];
  return {};
}

caf::error apply_overrides(json& container, const json& overrides) {
  if (!overrides.is_object())
    return {};
  if (auto err = apply_legacy(container, overrides, "vcpus", "VCPU"))
    return err;
  if (auto err = apply_legacy(container, overrides, "memory", "MEMORY"))
    return err;
  if (overrides.contains("command"))
    container["command"] = overrides["command"];
  if (overrides.contains("instanceType"))
    container["instanceType"] = overrides["instanceType"];
  if (overrides.contains("environment"))
    container["environment"]
      = merge_by(list_of(container, "environment"),
                 list_of(overrides, "environment"), "name");
  if (overrides.contains("resourceRequirements")) {
    container["resourceRequirements"]
      = merge_by(list_of(container, "resourceRequirements"),
                 list_of(overrides, "resourceRequirements"), "type");
    // A resource set both ways is the requirement's, as in AWS.
    if (requirement_of(container, "VCPU"))
      container.erase("vcpus");
    if (requirement_of(container, "MEMORY"))
      container.erase("memory");
  }
  return {};
}

std::vector<std::string> strings_of(const json& list) {
  std::vector<std::string> result;
  for (auto& entry : list)
    if (entry.is_string())
      result.push_back(entry.get<std::string>());
  return result;
}

std::vector<volume_mount> mounts_of(const json& container) {
  std::map<std::string, std::string> host_paths;
  for (auto& volume : list_of(container, "volumes")) {
    if (!volume.is_object())
      continue;
    auto name = text_of(volume, "name");
    auto path = text_of(object_of(volume, "host"), "sourcePath");
    if (name && path)
      host_paths[*name] = *path;
  }
  std::vector<volume_mount> result;
  for (auto& point : list_of(container, "mountPoints")) {
    if (!point.is_object())
      continue;
    auto source = text_of(point, "sourceVolume");
    auto target = text_of(point, "containerPath");
    if (!source || !target || host_paths.count(*source) == 0)
      continue;
    result.push_back(
      {host_paths[*source], *target, flag_of(point, "readOnly")});
  }
  return result;
}

std::vector<ulimit_spec> ulimits_of(const json& container) {
  std::vector<ulimit_spec> result;
  for (auto& entry : list_of(container, "ulimits")) {
    if (!entry.is_object())
      continue;
    auto name = text_of(entry, "name");
    if (!name)
      continue;
    result.push_back({*name, integer_of(entry, "softLimit").value_or(0),
                      integer_of(entry, "hardLimit").value_or(0)});
  }
  return result;
}

std::vector<std::pair<std::string, std::string>>
environment_of(const json& container) {
  std::vector<std::pair<std::string, std::string>> result;
  for (auto& entry : list_of(container, "environment")) {
    if (!entry.is_object())
      continue;
    auto name = text_of(entry, "name");
    if (name)
      result.emplace_back(*name, text_of(entry, "value").value_or(""));
  }
  return result;
}

} // namespace

std::map<std::string, std::string>
merged_parameters(const job_definition_record& definition,
                  const std::map<std::string, std::string>& submitted) {
  auto result = definition.parameters;
  for (auto& [name, value] : submitted)
    result[name] = value;
  return result;
}

std::vector<std::string>
substitute_parameters(const std::vector<std::string>& command,
                      const std::map<std::string, std::string>& parameters) {
  static constexpr std::string_view prefix = "Ref::";
  std::vector<std::string> result;
  result.reserve(command.size());
  for (auto& word : command) {
    auto found = word.compare(0, prefix.size(), prefix) == 0
                   ? parameters.find(word.substr(prefix.size()))
                   : parameters.end();
    result.push_back(found != parameters.end() ? found->second : word);
  }
  return result;
}

caf::expected<json>
effective_container(const job_definition_record& definition,
                    const std::string& overrides,
                    const std::map<std::string, std::string>& parameters) {
  if (!definition.container_properties)
    return client_error("Job definition " + definition.name
                        + " has no containerProperties");
  auto container = parse_stored_json(*definition.container_properties);
  if (!container.is_object())
    return client_error("Job definition " + definition.name
                        + " has invalid containerProperties");
  if (!overrides.empty())
    if (auto err = apply_overrides(container, parse_stored_json(overrides)))
      return err;
  if (container.contains("command"))
    container["command"] = substitute_parameters(
      strings_of(list_of(container, "command")), parameters);
  return container;
}

caf::expected<resource_needs> needs_of(const json& container) {
  resource_needs needs;
  if (auto vcpus = requirement_of(container, "VCPU"))
    needs.vcpus = std::strtod(vcpus->c_str(), nullptr);
  else if (auto legacy = container.find("vcpus");
           legacy != container.end() && legacy->is_number())
    needs.vcpus = legacy->get<double>();
  else
    return client_error("The job needs vCPUs: set vcpus or a VCPU resource "
                        "requirement in the job definition or in "
                        "containerOverrides");
  if (!(needs.vcpus > 0))
    return client_error("The job's vCPUs must be greater than 0");
  if (auto memory = requirement_of(container, "MEMORY"))
    needs.memory_mib = std::strtoll(memory->c_str(), nullptr, 10);
  else
    needs.memory_mib = integer_of(container, "memory").value_or(0);
  if (auto gpus = requirement_of(container, "GPU"))
    needs.gpus = std::strtoll(gpus->c_str(), nullptr, 10);
  if (needs.memory_mib < 0 || needs.gpus < 0)
    return client_error("The job's memory and GPUs must not be negative");
  return needs;
}

std::string log_group_of(const json& container) {
  auto& configuration = object_of(container, "logConfiguration");
  if (text_of(configuration, "logDriver") != std::string{"awslogs"})
    return default_log_group;
  auto group = text_of(object_of(configuration, "options"), "awslogs-group");
  return group && !group->empty() ? *group : default_log_group;
}

std::string log_stream_name(const std::string& definition_name,
                            const std::string& attempt_id) {
  static constexpr size_t max_prefix = 200;
  return definition_name.substr(0, max_prefix) + "/default/" + attempt_id;
}

attempt_spec make_attempt_spec(const job_spec& spec, const json& container,
                               const attempt_placement& placement) {
  attempt_spec result;
  result.job_id = spec.id;
  result.job_name = spec.name;
  result.attempt = placement.attempt;
  result.image = text_of(container, "image").value_or("");
  result.command = strings_of(list_of(container, "command"));
  result.environment = environment_of(container);
  result.environment.emplace_back("AWS_BATCH_JOB_ID", spec.id);
  result.environment.emplace_back("AWS_BATCH_JQ_NAME", spec.queue->name);
  result.environment.emplace_back("AWS_BATCH_CE_NAME",
                                  placement.compute_environment);
  result.environment.emplace_back("AWS_BATCH_JOB_ATTEMPT",
                                  std::to_string(placement.attempt));
  result.vcpus = spec.needs.vcpus;
  result.memory_mib = spec.needs.memory_mib;
  result.gpus = spec.needs.gpus;
  result.user = text_of(container, "user");
  result.privileged = flag_of(container, "privileged");
  result.read_only_root_filesystem
    = flag_of(container, "readonlyRootFilesystem");
  result.mounts = mounts_of(container);
  result.ulimits = ulimits_of(container);
  auto& linux_parameters = object_of(container, "linuxParameters");
  result.init_process = flag_of(linux_parameters, "initProcessEnabled");
  result.shared_memory_mib = integer_of(linux_parameters, "sharedMemorySize");
  result.log_group = log_group_of(container);
  result.log_stream
    = log_stream_name(spec.definition->name, placement.attempt_id);
  return result;
}

} // namespace batch
