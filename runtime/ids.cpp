#include "runtime/ids.hpp"

#include <random>

namespace batch {

namespace {

constexpr size_t uuid_length = 36;

/// Where the last group starts: after 8-4-4-4 digits and four dashes.
constexpr size_t last_group = 24;

/// Returns the canonical form of the 128 bits `high` and `low`.
std::string format_uuid(uint64_t high, uint64_t low) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string result;
  result.reserve(uuid_length);
  auto append = [&](uint64_t bits, int from, int count) {
    for (int i = from; i < from + count; ++i)
      result += digits[(bits >> (60 - 4 * i)) & 0xF];
  };
  append(high, 0, 8);
  result += '-';
  append(high, 8, 4);
  result += '-';
  append(high, 12, 4);
  result += '-';
  append(low, 0, 4);
  result += '-';
  append(low, 4, 12);
  return result;
}

/// Returns 128 random bits with the version (4) and variant (10) fields set.
std::pair<uint64_t, uint64_t> random_version4_bits() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  uint64_t high = engine();
  uint64_t low = engine();
  high = (high & ~uint64_t{0xF000}) | 0x4000;
  low = (low & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);
  return {high, low};
}

std::optional<unsigned> hex_value(char digit) {
  if (digit >= '0' && digit <= '9')
    return digit - '0';
  if (digit >= 'a' && digit <= 'f')
    return digit - 'a' + 10;
  return std::nullopt;
}

} // namespace

std::string make_uuid() {
  auto [high, low] = random_version4_bits();
  return format_uuid(high, low);
}

std::string make_sequenced_uuid(uint64_t sequence) {
  auto [high, low] = random_version4_bits();
  low = (low & ~max_id_sequence) | (sequence & max_id_sequence);
  return format_uuid(high, low);
}

std::optional<uint64_t> sequence_in_uuid(std::string_view id) {
  if (id.size() != uuid_length || id[last_group - 1] != '-')
    return std::nullopt;
  uint64_t sequence = 0;
  for (auto digit : id.substr(last_group)) {
    auto value = hex_value(digit);
    if (!value)
      return std::nullopt;
    sequence = sequence << 4 | *value;
  }
  return sequence;
}

} // namespace batch
