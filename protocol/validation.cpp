#include "protocol/validation.hpp"

#include "protocol/errors.hpp"

namespace batch {

namespace {

constexpr size_t max_name_length = 128;
constexpr size_t max_tags = 50;
constexpr size_t max_tag_key_length = 128;
constexpr size_t max_tag_value_length = 256;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
         || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

} // namespace

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > max_name_length)
    return false;
  for (auto c : name)
    if (!is_name_char(c))
      return false;
  return true;
}

caf::error check_name(std::string_view name, std::string_view member) {
  if (is_valid_name(name))
    return {};
  return client_error(std::string{member}
                      + " must be 1 to 128 characters of letters, numbers, "
                        "hyphens and underscores");
}

caf::error check_tag_keys(const std::vector<std::string>& keys) {
  if (keys.empty() || keys.size() > max_tags)
    return client_error("tagKeys must list 1 to 50 keys");
  for (auto& key : keys)
    if (key.empty() || key.size() > max_tag_key_length)
      return client_error("Tag keys must be 1 to 128 characters");
  return {};
}

caf::error check_tags(const std::map<std::string, std::string>& tags) {
  if (tags.size() > max_tags)
    return client_error("A resource can have at most 50 tags");
  for (auto& [key, value] : tags) {
    if (key.empty() || key.size() > max_tag_key_length)
      return client_error("Tag keys must be 1 to 128 characters");
    if (value.size() > max_tag_value_length)
      return client_error("Tag values must be at most 256 characters");
    if (key.rfind("aws:", 0) == 0)
      return client_error("Tag keys must not start with the reserved prefix "
                          "aws:");
  }
  return {};
}

caf::error check_range(int64_t value, int64_t low, int64_t high,
                       std::string_view member) {
  if (value >= low && value <= high)
    return {};
  return client_error(std::string{member} + " must be between "
                      + std::to_string(low) + " and " + std::to_string(high));
}

caf::error check_enum(std::string_view value,
                      std::initializer_list<std::string_view> allowed,
                      std::string_view member) {
  std::string choices;
  for (auto candidate : allowed) {
    if (candidate == value)
      return {};
    if (!choices.empty())
      choices += ", ";
    choices.append(candidate);
  }
  return client_error(std::string{member} + " must be one of: " + choices);
}

} // namespace batch
