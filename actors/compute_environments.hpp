// The directory of one region's compute environments. It spawns an actor per
// environment, routes changes to it, keeps the latest record of each for
// Describe calls, and knows which job queues refer to which environment.
#pragma once

#include "actors/region.hpp"
#include "protocol/compute_environment.hpp"

#include <map>
#include <set>
#include <string>

namespace batch {

struct compute_environments_state {
  static constexpr const char* name = "compute_environments";

  using pointer
    = compute_environments_actor::stateful_pointer<compute_environments_state>;

  /// An environment's actor and the record it last reported.
  struct entry {
    compute_environment_actor owner;
    compute_environment_record snapshot;
  };

  pointer self = nullptr;
  region_services services;
  /// Environments by name; the order makes pagination stable.
  std::map<std::string, entry> environments;
  /// For each environment ARN, the ARNs of the job queues that use it.
  std::map<std::string, std::set<std::string>> queues_by_environment;

  // -- handlers ---------------------------------------------------------------

  caf::result<compute_environment_ref>
  on_create(create_compute_environment& request);

  caf::result<compute_environment_ref>
  on_update(const update_compute_environment& request);

  caf::result<ack> on_delete(const delete_compute_environment& request);

  caf::result<compute_environment_page>
  on_describe(const describe_compute_environments& request);

  caf::result<compute_environment_records>
  on_resolve(const resolve_compute_environments& request);

  void on_references(const compute_environment_references& references);

  template <class Request>
  caf::result<ack> on_change_tags(const Request& request);

  caf::result<tag_map> on_list_tags(const list_tags& request);

  // -- lookup -----------------------------------------------------------------

  /// Returns the entry named by `name_or_arn`: a name, or an ARN of this
  /// region and account. Returns null for anything else.
  entry* find(const std::string& name_or_arn);

  /// Tells the region's event listener about the new state of `record`.
  void publish(const compute_environment_record& record);

  /// Returns the error for an environment that does not exist.
  static caf::error not_found(const std::string& name_or_arn);
};

/// Spawn function of the directory.
compute_environments_actor::behavior_type
compute_environments_directory(compute_environments_state::pointer self,
                               region_services services);

} // namespace batch
