// How the directories read the resource a request names: a plain name, or an
// ARN of the right resource type in the directory's region and account.
#pragma once

#include "protocol/arn.hpp"
#include "protocol/resource.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace batch {

/// Returns the resource id that `name_or_arn` names within `scope`: the text
/// itself for a plain name, the part after `<resource_type>/` for an ARN of
/// that type in the scope's region and account, and nothing otherwise.
inline std::optional<std::string>
resource_id_in(const resource_scope& scope, std::string_view resource_type,
               const std::string& name_or_arn) {
  if (!is_arn(name_or_arn))
    return name_or_arn;
  auto parts = parse_arn(name_or_arn);
  if (!parts || parts->resource_type != resource_type
      || parts->region != scope.region || parts->account_id != scope.account_id)
    return std::nullopt;
  return std::move(parts->resource_id);
}

} // namespace batch
