// The owner of one region's job definitions: every revision of every name.
// Revisions count 1, 2, 3, ... per name and are never reused, even after a
// revision is deregistered; a deregistered revision stays visible as
// INACTIVE.
#pragma once

#include "actors/region.hpp"
#include "protocol/job_definition.hpp"

#include <map>
#include <optional>
#include <string>

namespace batch {

/// A job definition as a request names it: a name, `name:revision`, or an
/// ARN with or without a revision.
struct job_definition_reference {
  std::string name;
  std::optional<int64_t> revision;
};

/// Reads `text` as a job definition reference of region `scope`; returns
/// nothing if it can't name a definition there.
std::optional<job_definition_reference>
parse_job_definition_reference(const resource_scope& scope,
                               const std::string& text);

struct job_definitions_state {
  static constexpr const char* name = "job_definitions";

  using pointer
    = job_definitions_actor::stateful_pointer<job_definitions_state>;

  pointer self = nullptr;
  region_services services;
  /// Every revision by `revision_key`, so that the revisions of one name are
  /// adjacent and ascending, and pagination is stable.
  std::map<std::string, job_definition_record> revisions;
  /// The last revision registered per name.
  std::map<std::string, int64_t> last_revision;

  // -- handlers ---------------------------------------------------------------

  job_definition_ref on_register(register_job_definition& request);

  caf::result<ack> on_deregister(const deregister_job_definition& request);

  caf::result<job_definition_page>
  on_describe(const describe_job_definitions& request);

  caf::result<job_definition_record>
  on_resolve(const resolve_job_definition& request);

  caf::result<ack> on_tag(const tag_resource& request);

  caf::result<ack> on_untag(const untag_resource& request);

  caf::result<tag_map> on_list_tags(const list_tags& request);

  // -- lookup -----------------------------------------------------------------

  /// Returns the key of revision `revision` of `name`.
  static std::string revision_key(const std::string& name, int64_t revision);

  /// Returns the revision that `text` names exactly (it must carry a
  /// revision), or null.
  job_definition_record* find_revision(const std::string& text);

  /// Returns the highest ACTIVE revision of `name`, or null.
  job_definition_record* latest_active(const std::string& name);

  /// Returns true if `record` passes the name and status filters of
  /// `request`.
  static bool matches(const describe_job_definitions& request,
                      const job_definition_record& record);
};

/// Spawn function of the job definition owner.
job_definitions_actor::behavior_type
job_definitions_directory(job_definitions_state::pointer self,
                          region_services services);

} // namespace batch
