// The compute environment vocabulary: its record, the requests that act on
// it, their decoding from restJson1 bodies and the encoding of replies.
#pragma once

#include "protocol/json.hpp"
#include "protocol/resource.hpp"
#include "protocol/type_ids.hpp"

#include <caf/typed_actor.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace batch {

// -- record ------------------------------------------------------------------

/// Everything batchd knows about one compute environment.
struct compute_environment_record {
  std::string name;
  std::string arn;
  /// MANAGED or UNMANAGED.
  std::string type;
  /// ENABLED or DISABLED.
  std::string state = "ENABLED";
  /// CREATING, UPDATING, DELETING, DELETED, VALID or INVALID.
  std::string status = "VALID";
  std::string status_reason = "ComputeEnvironment Healthy";
  std::string uuid;
  std::string ecs_cluster_arn;
  /// ECS or EKS.
  std::string container_orchestration_type = "ECS";
  std::optional<std::string> service_role;
  std::optional<int64_t> unmanaged_vcpus;
  /// The computeResources member as the client sent it (JSON text).
  std::optional<std::string> compute_resources;
  std::optional<std::string> update_policy;
  std::optional<std::string> eks_configuration;
  std::optional<std::string> context;
  tag_map tags;

  /// Returns the vCPUs this environment can run at once: maxvCpus for a
  /// MANAGED environment, unmanagedvCpus (0 if unset) for an UNMANAGED one.
  int64_t vcpu_capacity() const;
};

// -- requests ----------------------------------------------------------------

struct create_compute_environment {
  compute_environment_record record;
};

struct update_compute_environment {
  /// Name or ARN.
  std::string compute_environment;
  std::optional<std::string> state;
  std::optional<int64_t> unmanaged_vcpus;
  std::optional<std::string> compute_resources;
  std::optional<std::string> service_role;
  std::optional<std::string> update_policy;
  std::optional<std::string> context;
};

struct delete_compute_environment {
  /// Name or ARN.
  std::string compute_environment;
};

struct describe_compute_environments {
  /// Names or ARNs; empty means all.
  std::vector<std::string> compute_environments;
  std::optional<int64_t> max_results;
  std::string next_token;
};

/// Asks for the records of the named environments, in the given order;
/// unknown names are reported as an error naming the first of them.
struct resolve_compute_environments {
  std::vector<std::string> compute_environments;
};

/// Tells the directory which environments a job queue refers to, so that
/// an environment in use cannot be deleted. An empty list drops the queue.
struct compute_environment_references {
  std::string job_queue_arn;
  std::vector<std::string> compute_environment_arns;
};

// -- events ------------------------------------------------------------------

/// Sent to the region's event listener whenever an environment is created or
/// changes.
struct compute_environment_changed {
  compute_environment_record record;
};

/// Sent to the region's event listener when an environment is deleted.
struct compute_environment_removed {
  std::string arn;
};

// -- replies -----------------------------------------------------------------

/// The reply of Create/UpdateComputeEnvironment.
struct compute_environment_ref {
  std::string name;
  std::string arn;
};

struct compute_environment_page {
  std::vector<compute_environment_record> items;
  std::string next_token;
};

using compute_environment_records = std::vector<compute_environment_record>;

// -- actor interface ---------------------------------------------------------

/// One compute environment: owns its record and applies changes to it.
/// Each change is answered with the updated record.
using compute_environment_actor = caf::typed_actor<
  caf::replies_to<update_compute_environment>::with<compute_environment_record>,
  caf::replies_to<tag_resource>::with<compute_environment_record>,
  caf::replies_to<untag_resource>::with<compute_environment_record>>;

/// The directory of a region's compute environments.
using compute_environments_actor = caf::typed_actor<
  caf::replies_to<create_compute_environment>::with<compute_environment_ref>,
  caf::replies_to<update_compute_environment>::with<compute_environment_ref>,
  caf::replies_to<delete_compute_environment>::with<ack>,
  caf::replies_to<describe_compute_environments>::with<
    compute_environment_page>,
  caf::replies_to<resolve_compute_environments>::with<
    compute_environment_records>,
  caf::reacts_to<compute_environment_references>,
  caf::replies_to<tag_resource>::with<ack>,
  caf::replies_to<untag_resource>::with<ack>,
  caf::replies_to<list_tags>::with<tag_map>>;

// -- wire --------------------------------------------------------------------

/// Decodes and validates a CreateComputeEnvironment body. The record's ARN,
/// uuid and cluster ARN are left for the directory to fill in.
caf::expected<create_compute_environment>
decode_create_compute_environment(simdjson::dom::object body);

caf::expected<update_compute_environment>
decode_update_compute_environment(simdjson::dom::object body);

caf::expected<delete_compute_environment>
decode_delete_compute_environment(simdjson::dom::object body);

caf::expected<describe_compute_environments>
decode_describe_compute_environments(simdjson::dom::object body);

/// Returns the ComputeEnvironmentDetail of `record`.
json encode(const compute_environment_record& record);

json encode(const compute_environment_ref& ref);

json encode(const compute_environment_page& page);

/// Applies `update` to `record` after checking it; leaves `record` unchanged
/// on error.
caf::error apply_update(compute_environment_record& record,
                        const update_compute_environment& update);

} // namespace batch

BATCH_LOCAL_MESSAGE(batch::create_compute_environment)
BATCH_LOCAL_MESSAGE(batch::update_compute_environment)
BATCH_LOCAL_MESSAGE(batch::delete_compute_environment)
BATCH_LOCAL_MESSAGE(batch::describe_compute_environments)
BATCH_LOCAL_MESSAGE(batch::resolve_compute_environments)
BATCH_LOCAL_MESSAGE(batch::compute_environment_references)
BATCH_LOCAL_MESSAGE(batch::compute_environment_changed)
BATCH_LOCAL_MESSAGE(batch::compute_environment_removed)
BATCH_LOCAL_MESSAGE(batch::compute_environment_ref)
BATCH_LOCAL_MESSAGE(batch::compute_environment_record)
BATCH_LOCAL_MESSAGE(batch::compute_environment_page)
BATCH_LOCAL_MESSAGE(batch::compute_environment_records)
