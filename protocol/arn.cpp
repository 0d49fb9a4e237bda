#include "protocol/arn.hpp"

namespace batch {

std::string make_arn(std::string_view region, std::string_view account_id,
                     std::string_view resource_type,
                     std::string_view resource_id) {
  std::string result = "arn:aws:batch:";
  result.append(region).append(":").append(account_id).append(":");
  result.append(resource_type).append("/").append(resource_id);
  return result;
}

bool is_arn(std::string_view text) {
  return text.substr(0, 4) == "arn:";
}

std::optional<arn_parts> parse_arn(std::string_view text) {
  constexpr std::string_view prefix = "arn:aws:batch:";
  if (text.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  text.remove_prefix(prefix.size());
  auto region_end = text.find(':');
  if (region_end == std::string_view::npos)
    return std::nullopt;
  auto account_end = text.find(':', region_end + 1);
  if (account_end == std::string_view::npos)
    return std::nullopt;
  auto type_end = text.find('/', account_end + 1);
  if (type_end == std::string_view::npos || type_end + 1 == text.size())
    return std::nullopt;
  arn_parts result;
  result.region = std::string{text.substr(0, region_end)};
  result.account_id
    = std::string{text.substr(region_end + 1, account_end - region_end - 1)};
  result.resource_type
    = std::string{text.substr(account_end + 1, type_end - account_end - 1)};
  result.resource_id = std::string{text.substr(type_end + 1)};
  return result;
}

} // namespace batch
