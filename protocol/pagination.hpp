// Stable pagination for Describe* and List* calls. A token names the key at
// which the next page starts, so it stays valid while items are added or
// removed elsewhere in the listing.
#pragma once

#include <caf/expected.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace batch {

/// Returns the opaque token that resumes a listing at `key`.
std::string make_page_token(std::string_view key);

/// Returns the key at which `token` resumes, or a ClientException.
caf::expected<std::string> read_page_token(std::string_view token);

/// Returns the page size for `max_results` (default and ceiling `limit`), or
/// a ClientException when it is out of range.
caf::expected<size_t> page_size(std::optional<int64_t> max_results,
                                size_t limit);

/// Calls `emit` for up to `limit` items of the ordered map `items`, starting
/// at key `start`, for which `keep` holds. Returns the token of the next
/// page, or an empty string on the last page.
template <class Map, class Keep, class Emit>
std::string paginate(const Map& items, const std::string& start, size_t limit,
                     Keep keep, Emit emit) {
  size_t emitted = 0;
  for (auto i = items.lower_bound(start); i != items.end(); ++i) {
    if (!keep(i->second))
      continue;
    if (emitted == limit)
      return make_page_token(i->first);
    emit(i->second);
    ++emitted;
  }
  return {};
}

} // namespace batch
