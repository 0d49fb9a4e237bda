#include "protocol/pagination.hpp"

#include "protocol/errors.hpp"

namespace batch {

namespace {

constexpr std::string_view token_prefix = "bd1";
constexpr std::string_view hex_digits = "0123456789abcdef";

int hex_value(char c) {
  auto pos = hex_digits.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

} // namespace

std::string make_page_token(std::string_view key) {
  std::string result{token_prefix};
  for (unsigned char c : key) {
    result += hex_digits[c >> 4];
    result += hex_digits[c & 0x0F];
  }
  return result;
}

caf::expected<std::string> read_page_token(std::string_view token) {
  auto invalid = [] {
    return client_error("Invalid nextToken");
  };
  if (token.substr(0, token_prefix.size()) != token_prefix)
    return invalid();
  token.remove_prefix(token_prefix.size());
  if (token.size() % 2 != 0)
    return invalid();
  std::string key;
  for (size_t i = 0; i < token.size(); i += 2) {
    auto high = hex_value(token[i]);
    auto low = hex_value(token[i + 1]);
    if (high < 0 || low < 0)
      return invalid();
    key += static_cast<char>(high * 16 + low);
  }
  return key;
}

caf::expected<size_t> page_size(std::optional<int64_t> max_results,
                                size_t limit) {
  if (!max_results)
    return limit;
  if (*max_results < 1 || *max_results > static_cast<int64_t>(limit))
    return client_error("maxResults must be between 1 and "
                        + std::to_string(limit));
  return static_cast<size_t>(*max_results);
}

} // namespace batch
