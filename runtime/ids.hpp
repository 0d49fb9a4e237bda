// Identifiers that batchd mints: random version-4 UUIDs for request ids and
// compute environment uuids, and job ids that carry their job's submission
// sequence.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace batch {

/// Returns a new random UUID in its canonical 36-character form.
std::string make_uuid();

/// The largest sequence a job id can carry: its last group of 12 digits.
constexpr uint64_t max_id_sequence = (uint64_t{1} << 48) - 1;

/// Returns a new version-4 UUID whose last group is `sequence` in hex and
/// whose other digits are random. A region numbers its jobs in submission
/// order, so it finds a job by its id without an index of ids.
/// REQUIRES: sequence <= max_id_sequence.
std::string make_sequenced_uuid(uint64_t sequence);

/// Returns the sequence in the last group of `id`, or nothing if `id` is not
/// in the canonical UUID form. The caller still compares the whole id: any
/// UUID yields a sequence.
std::optional<uint64_t> sequence_in_uuid(std::string_view id);

} // namespace batch
