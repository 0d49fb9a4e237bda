// The job definition vocabulary: a revision's record, the requests that act
// on definitions, their decoding and validation from restJson1 bodies and the
// encoding of replies. One actor per region owns every revision of every
// definition.
#pragma once

#include "protocol/json.hpp"
#include "protocol/resource.hpp"
#include "protocol/type_ids.hpp"

#include <caf/typed_actor.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace batch {

// -- record ------------------------------------------------------------------

/// One revision of a job definition.
struct job_definition_record {
  std::string name;
  /// arn:aws:batch:<region>:<account>:job-definition/<name>:<revision>.
  std::string arn;
  int64_t revision = 0;
  /// ACTIVE or INACTIVE.
  std::string status = "ACTIVE";
  /// container or multinode.
  std::string type;
  /// The sub-documents as the client sent them (compact JSON text).
  std::optional<std::string> container_properties;
  std::optional<std::string> node_properties;
  std::optional<std::string> ecs_properties;
  std::optional<std::string> eks_properties;
  std::map<std::string, std::string> parameters;
  /// The retryStrategy member (compact JSON text).
  std::optional<std::string> retry_strategy;
  /// timeout.attemptDurationSeconds.
  std::optional<int64_t> timeout_seconds;
  bool propagate_tags = false;
  /// EC2 and/or FARGATE.
  std::vector<std::string> platform_capabilities;
  std::optional<int64_t> scheduling_priority;
  std::optional<std::string> consumable_resource_properties;
  /// ECS or EKS.
  std::string container_orchestration_type = "ECS";
  tag_map tags;
};

// -- requests ----------------------------------------------------------------

/// RegisterJobDefinition. The directory assigns the revision and the ARN.
struct register_job_definition {
  job_definition_record record;
};

/// DeregisterJobDefinition: makes one revision INACTIVE.
struct deregister_job_definition {
  /// `name:revision` or a full ARN with a revision.
  std::string job_definition;
};

/// DescribeJobDefinitions. When `job_definitions` is set the other filters
/// do not apply.
struct describe_job_definitions {
  /// ARNs or `name:revision`, each naming one revision; entries that name
  /// no revision (bare names, ARNs without one) match nothing, as in AWS.
  std::vector<std::string> job_definitions;
  std::optional<std::string> job_definition_name;
  /// ACTIVE or INACTIVE.
  std::optional<std::string> status;
  std::optional<int64_t> max_results;
  std::string next_token;
};

/// Asks for the record a job submission refers to. A bare name means the
/// latest ACTIVE revision; `name:rev` and ARNs with a revision mean that
/// revision, which must be ACTIVE; an ARN without a revision means the
/// latest ACTIVE one. Otherwise the answer is ClientException "JobDefinition
/// <x> does not exist or is not in ACTIVE status".
struct resolve_job_definition {
  std::string job_definition;
};

// -- replies -----------------------------------------------------------------

/// The reply of RegisterJobDefinition.
struct job_definition_ref {
  std::string name;
  std::string arn;
  int64_t revision = 0;
};

struct job_definition_page {
  std::vector<job_definition_record> items;
  std::string next_token;
};

// -- actor interface ---------------------------------------------------------

/// The owner of a region's job definitions.
using job_definitions_actor = caf::typed_actor<
  caf::replies_to<register_job_definition>::with<job_definition_ref>,
  caf::replies_to<deregister_job_definition>::with<ack>,
  caf::replies_to<describe_job_definitions>::with<job_definition_page>,
  caf::replies_to<resolve_job_definition>::with<job_definition_record>,
  caf::replies_to<tag_resource>::with<ack>,
  caf::replies_to<untag_resource>::with<ack>,
  caf::replies_to<list_tags>::with<tag_map>>;

// -- wire --------------------------------------------------------------------

/// Decodes and validates a RegisterJobDefinition body.
caf::expected<register_job_definition>
decode_register_job_definition(simdjson::dom::object body);

/// Decodes a DeregisterJobDefinition body.
caf::expected<deregister_job_definition>
decode_deregister_job_definition(simdjson::dom::object body);

/// Decodes a DescribeJobDefinitions body.
caf::expected<describe_job_definitions>
decode_describe_job_definitions(simdjson::dom::object body);

/// Returns the JobDefinition shape of `record`.
json encode(const job_definition_record& record);

json encode(const job_definition_ref& ref);

json encode(const job_definition_page& page);

} // namespace batch

BATCH_LOCAL_MESSAGE(batch::job_definition_record)
BATCH_LOCAL_MESSAGE(batch::register_job_definition)
BATCH_LOCAL_MESSAGE(batch::deregister_job_definition)
BATCH_LOCAL_MESSAGE(batch::describe_job_definitions)
BATCH_LOCAL_MESSAGE(batch::resolve_job_definition)
BATCH_LOCAL_MESSAGE(batch::job_definition_ref)
BATCH_LOCAL_MESSAGE(batch::job_definition_page)
