#include "runtime/ids.hpp"

#include <cstdint>
#include <random>

namespace batch {

std::string make_uuid() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  uint64_t high = engine();
  uint64_t low = engine();
  high = (high & ~uint64_t{0xF000}) | 0x4000;
  low = (low & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);
  static constexpr char digits[] = "0123456789abcdef";
  std::string result;
  result.reserve(36);
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

} // namespace batch
