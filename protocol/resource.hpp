// What every Batch resource shares: the region and account that scope it,
// and its tags.
#pragma once

#include "protocol/arn.hpp"
#include "protocol/type_ids.hpp"

#include <caf/error.hpp>

#include <map>
#include <string>
#include <vector>

namespace batch {

using tag_map = std::map<std::string, std::string>;

/// The region and account that own a set of resources. ARNs are built from
/// it, and each region's resources are kept apart from every other region's.
struct resource_scope {
  std::string region;
  std::string account_id;

  /// Returns the ARN of `resource_type`/`resource_id` in this scope.
  std::string arn(std::string_view resource_type,
                  std::string_view resource_id) const {
    return make_arn(region, account_id, resource_type, resource_id);
  }
};

/// TagResource: adds or replaces tags of the resource named by `arn`.
struct tag_resource {
  std::string arn;
  tag_map tags;
};

/// UntagResource: removes the tags with `keys` from the resource.
struct untag_resource {
  std::string arn;
  std::vector<std::string> keys;
};

/// ListTagsForResource: replies with the tags of the resource.
struct list_tags {
  std::string arn;
};

/// Merges `added` into `tags` and returns an error if the result would break
/// the tag limits (in which case `tags` is unchanged).
caf::error merge_tags(tag_map& tags, const tag_map& added);

} // namespace batch

BATCH_LOCAL_MESSAGE(batch::tag_resource)
BATCH_LOCAL_MESSAGE(batch::untag_resource)
BATCH_LOCAL_MESSAGE(batch::list_tags)
BATCH_LOCAL_MESSAGE(batch::tag_map)
