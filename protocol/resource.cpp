#include "protocol/resource.hpp"

#include "protocol/validation.hpp"

namespace batch {

caf::error merge_tags(tag_map& tags, const tag_map& added) {
  auto merged = tags;
  for (auto& [key, value] : added)
    merged[key] = value;
  if (auto err = check_tags(merged))
    return err;
  tags = std::move(merged);
  return {};
}

} // namespace batch
