// The scheduling policy vocabulary: a fair-share policy's record, the
// requests that act on it, its decoding and validation from restJson1 bodies
// and the encoding of replies. One actor per region owns every policy and
// knows which job queues use which policy.
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

/// One share of a fair-share policy. An identifier ending in `*` matches
/// every share identifier that starts with the text before the `*`.
struct share_attributes {
  std::string share_identifier;
  double weight_factor = 1.0;
};

/// Everything batchd knows about one scheduling policy.
struct scheduling_policy_record {
  std::string name;
  /// arn:aws:batch:<region>:<account>:scheduling-policy/<name>.
  std::string arn;
  int64_t share_decay_seconds = 0;
  int64_t compute_reservation = 0;
  std::vector<share_attributes> share_distribution;
  /// True if the policy has a fairsharePolicy member (possibly empty).
  bool has_fairshare_policy = false;
  /// The quotaSharePolicy member (compact JSON text).
  std::optional<std::string> quota_share_policy;
  tag_map tags;
};

// -- requests ----------------------------------------------------------------

/// CreateSchedulingPolicy. The directory fills in the ARN.
struct create_scheduling_policy {
  scheduling_policy_record record;
};

/// UpdateSchedulingPolicy: a fairsharePolicy or quotaSharePolicy that is set
/// replaces the stored one as a whole.
struct update_scheduling_policy {
  std::string arn;
  /// Carries the new fair-share members when `has_fairshare_policy` is set
  /// and the new quotaSharePolicy when `quota_share_policy` is set; name,
  /// ARN and tags are ignored.
  scheduling_policy_record changes;
};

struct delete_scheduling_policy {
  std::string arn;
};

/// DescribeSchedulingPolicies: unknown ARNs are left out of the reply.
struct describe_scheduling_policies {
  std::vector<std::string> arns;
};

struct list_scheduling_policies {
  std::optional<int64_t> max_results;
  std::string next_token;
};

/// Asks for the record of the policy with `arn`; answered with a
/// `scheduling_policy_record` or a ClientException.
struct resolve_scheduling_policy {
  std::string arn;
};

/// Tells the policy directory which policies a job queue refers to, so that
/// a policy in use cannot be deleted. The list replaces what the queue
/// referred to before; an empty list drops the queue. A queue uses one
/// policy, but while it replaces one it claims both.
struct scheduling_policy_references {
  std::string job_queue_arn;
  std::vector<std::string> scheduling_policy_arns;
};

// -- events ------------------------------------------------------------------

/// Sent to the region's event listener whenever a policy is created or
/// changes.
struct scheduling_policy_changed {
  scheduling_policy_record record;
};

// -- replies -----------------------------------------------------------------

/// The reply of CreateSchedulingPolicy.
struct scheduling_policy_ref {
  std::string name;
  std::string arn;
};

using scheduling_policy_records = std::vector<scheduling_policy_record>;

/// The reply of ListSchedulingPolicies: ARNs only.
struct scheduling_policy_arn_page {
  std::vector<std::string> arns;
  std::string next_token;
};

// -- actor interface ---------------------------------------------------------

/// The owner of a region's scheduling policies.
using scheduling_policies_actor = caf::typed_actor<
  caf::replies_to<create_scheduling_policy>::with<scheduling_policy_ref>,
  caf::replies_to<update_scheduling_policy>::with<ack>,
  caf::replies_to<delete_scheduling_policy>::with<ack>,
  caf::replies_to<describe_scheduling_policies>::with<
    scheduling_policy_records>,
  caf::replies_to<list_scheduling_policies>::with<scheduling_policy_arn_page>,
  caf::replies_to<resolve_scheduling_policy>::with<scheduling_policy_record>,
  caf::reacts_to<scheduling_policy_references>,
  caf::replies_to<tag_resource>::with<ack>,
  caf::replies_to<untag_resource>::with<ack>,
  caf::replies_to<list_tags>::with<tag_map>>;

// -- wire --------------------------------------------------------------------

/// Decodes and validates a CreateSchedulingPolicy body.
caf::expected<create_scheduling_policy>
decode_create_scheduling_policy(simdjson::dom::object body);

/// Decodes and validates an UpdateSchedulingPolicy body.
caf::expected<update_scheduling_policy>
decode_update_scheduling_policy(simdjson::dom::object body);

/// Decodes a DeleteSchedulingPolicy body.
caf::expected<delete_scheduling_policy>
decode_delete_scheduling_policy(simdjson::dom::object body);

/// Decodes a DescribeSchedulingPolicies body (1 to 100 ARNs).
caf::expected<describe_scheduling_policies>
decode_describe_scheduling_policies(simdjson::dom::object body);

/// Decodes a ListSchedulingPolicies body.
caf::expected<list_scheduling_policies>
decode_list_scheduling_policies(simdjson::dom::object body);

/// Checks a share distribution: weights in range, identifiers valid and no
/// identifier matched by another one's prefix.
caf::error
check_share_distribution(const std::vector<share_attributes>& shares);

/// Returns the SchedulingPolicyDetail of `record`.
json encode(const scheduling_policy_record& record);

json encode(const scheduling_policy_ref& ref);

json encode(const scheduling_policy_records& records);

json encode(const scheduling_policy_arn_page& page);

} // namespace batch

BATCH_LOCAL_MESSAGE(batch::scheduling_policy_record)
BATCH_LOCAL_MESSAGE(batch::create_scheduling_policy)
BATCH_LOCAL_MESSAGE(batch::update_scheduling_policy)
BATCH_LOCAL_MESSAGE(batch::delete_scheduling_policy)
BATCH_LOCAL_MESSAGE(batch::describe_scheduling_policies)
BATCH_LOCAL_MESSAGE(batch::list_scheduling_policies)
BATCH_LOCAL_MESSAGE(batch::resolve_scheduling_policy)
BATCH_LOCAL_MESSAGE(batch::scheduling_policy_references)
BATCH_LOCAL_MESSAGE(batch::scheduling_policy_changed)
BATCH_LOCAL_MESSAGE(batch::scheduling_policy_ref)
BATCH_LOCAL_MESSAGE(batch::scheduling_policy_records)
BATCH_LOCAL_MESSAGE(batch::scheduling_policy_arn_page)
