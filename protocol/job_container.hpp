// The container of a job: how a job definition's containerProperties, the
// submit's parameters and containerOverrides combine into what DescribeJobs
// echoes, what the scheduler counts (vCPUs, memory, GPUs) and what an
// executor runs (`attempt_spec`). Pure functions of their inputs.
#pragma once

#include "protocol/executor.hpp"
#include "protocol/job.hpp"
#include "protocol/job_definition.hpp"
#include "protocol/json.hpp"

#include <caf/expected.hpp>

#include <map>
#include <string>

namespace batch {

/// The log group of jobs whose definition names none.
constexpr const char* default_log_group = "/aws/batch/job";

/// Returns the definition's default parameters overridden by `submitted`.
std::map<std::string, std::string>
merged_parameters(const job_definition_record& definition,
                  const std::map<std::string, std::string>& submitted);

/// Replaces every element of `command` that reads `Ref::<name>` with the
/// parameter `name`; elements naming unknown parameters stay as they are.
std::vector<std::string>
substitute_parameters(const std::vector<std::string>& command,
                      const std::map<std::string, std::string>& parameters);

/// Returns the container a job runs, in the shape of ContainerProperties:
/// the definition's with `overrides` (compact JSON, may be empty) applied —
/// the command replaced, the environment merged by name, resource
/// requirements replaced per type — and `Ref::` parameters substituted in
/// the command. Fails if the combination is invalid, e.g. a legacy vcpus
/// override of a definition that sets VCPU as a resource requirement.
caf::expected<json>
effective_container(const job_definition_record& definition,
                    const std::string& overrides,
                    const std::map<std::string, std::string>& parameters);

/// Returns what `container` (an effective container) needs; fails if it
/// names no vCPUs or invalid amounts.
caf::expected<resource_needs> needs_of(const json& container);

/// Returns the CloudWatch Logs group of the definition's jobs: the
/// `awslogs-group` option of an awslogs logConfiguration, else
/// /aws/batch/job.
std::string log_group_of(const json& container);

/// Returns `<definition name>/default/<attempt id>`, AWS's stream name.
std::string log_stream_name(const std::string& definition_name,
                            const std::string& attempt_id);

/// Where and how one attempt of a job runs.
struct attempt_placement {
  int attempt = 1;
  std::string compute_environment;
  /// A fresh 32-digit hex id, like an ECS task id.
  std::string attempt_id;
};

/// Returns what an executor needs to run `placement` of the job `spec`
/// whose effective container is `container`.
attempt_spec make_attempt_spec(const job_spec& spec, const json& container,
                               const attempt_placement& placement);

} // namespace batch
