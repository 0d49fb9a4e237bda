// Amazon Resource Names of Batch resources:
// arn:aws:batch:<region>:<account>:<resource-type>/<resource-id>.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace batch {

/// The parts of a Batch ARN.
struct arn_parts {
  std::string region;
  std::string account_id;
  /// "compute-environment", "job-queue", "job-definition", "job", ...
  std::string resource_type;
  /// Everything after the first '/', e.g. "my-queue" or "my-def:3".
  std::string resource_id;
};

/// Returns the ARN of a resource of `resource_type` named `resource_id`.
std::string make_arn(std::string_view region, std::string_view account_id,
                     std::string_view resource_type,
                     std::string_view resource_id);

/// Splits a Batch ARN; returns nothing if `text` is not one.
std::optional<arn_parts> parse_arn(std::string_view text);

/// Returns true if `text` looks like an ARN rather than a plain name.
bool is_arn(std::string_view text);

} // namespace batch
