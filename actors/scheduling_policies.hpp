// The owner of one region's scheduling policies. It keeps every policy's
// record, applies changes, and knows which job queues use which policy, so
// that a policy in use cannot be deleted.
#pragma once

#include "actors/region.hpp"
#include "protocol/scheduling_policy.hpp"

#include <map>
#include <set>
#include <string>

namespace batch {

struct scheduling_policies_state {
  static constexpr const char* name = "scheduling_policies";

  using pointer
    = scheduling_policies_actor::stateful_pointer<scheduling_policies_state>;

  pointer self = nullptr;
  region_services services;
  /// Policies by name; the order makes pagination stable.
  std::map<std::string, scheduling_policy_record> policies;
  /// For each policy ARN, the ARNs of the job queues that use it.
  std::map<std::string, std::set<std::string>> queues_by_policy;

  // -- handlers ---------------------------------------------------------------

  caf::result<scheduling_policy_ref>
  on_create(create_scheduling_policy& request);

  caf::result<ack> on_update(const update_scheduling_policy& request);

  caf::result<ack> on_delete(const delete_scheduling_policy& request);

  scheduling_policy_records
  on_describe(const describe_scheduling_policies& request);

  caf::result<scheduling_policy_arn_page>
  on_list(const list_scheduling_policies& request);

  caf::result<scheduling_policy_record>
  on_resolve(const resolve_scheduling_policy& request);

  void on_references(const scheduling_policy_references& references);

  caf::result<ack> on_tag(const tag_resource& request);

  caf::result<ack> on_untag(const untag_resource& request);

  caf::result<tag_map> on_list_tags(const list_tags& request);

  // -- lookup -----------------------------------------------------------------

  /// Returns the policy with ARN `arn`, or null.
  scheduling_policy_record* find(const std::string& arn);

  /// Returns true if a job queue uses the policy with ARN `arn`.
  bool in_use(const std::string& arn) const;

  /// Tells the region's event listener about the new state of `record`.
  void publish(const scheduling_policy_record& record);

  /// Returns the error for a policy that does not exist.
  static caf::error not_found(const std::string& arn);
};

/// Spawn function of the policy directory.
scheduling_policies_actor::behavior_type
scheduling_policies_directory(scheduling_policies_state::pointer self,
                              region_services services);

} // namespace batch
