// The operations of the AWS Batch API (model version 2016-08-10) and how
// restJson1 places them on HTTP: every operation is POST /v1/<lowercased
// name>, except the three tag operations on /v1/tags/{resourceArn}.
#pragma once

#include <string_view>
#include <vector>

namespace batch {

/// One operation of the model.
struct operation {
  std::string_view name;
  std::string_view method;
  std::string_view request_uri;
};

/// Returns all 45 operations of the model, sorted by name.
const std::vector<operation>& all_operations();

/// Returns the operation served at `method` and `path`, or null. `path` is
/// the request path without its query string.
const operation* find_operation(std::string_view method, std::string_view path);

} // namespace batch
