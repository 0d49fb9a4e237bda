// Server-side validation rules that the model states only in prose: name
// patterns, tag limits and numeric ranges. Each check returns an empty error
// on success and a ClientException naming the offending member otherwise.
#pragma once

#include <caf/error.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace batch {

/// Returns true if `name` is 1..128 characters of [A-Za-z0-9_-].
bool is_valid_name(std::string_view name);

/// Checks a resource name; `member` names it in the message.
caf::error check_name(std::string_view name, std::string_view member);

/// Checks a tag map: at most 50 entries, keys 1..128, values up to 256
/// characters, no key starting with "aws:".
caf::error check_tags(const std::map<std::string, std::string>& tags);

/// Checks a list of tag keys for UntagResource.
caf::error check_tag_keys(const std::vector<std::string>& keys);

/// Checks that `value` lies in [low, high].
caf::error check_range(int64_t value, int64_t low, int64_t high,
                       std::string_view member);

/// Checks that `value` is one of `allowed`.
caf::error check_enum(std::string_view value,
                      std::initializer_list<std::string_view> allowed,
                      std::string_view member);

} // namespace batch
