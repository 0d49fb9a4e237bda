// Identifiers that batchd mints: random version-4 UUIDs for job ids, request
// ids and compute environment uuids.
#pragma once

#include <string>

namespace batch {

/// Returns a new random UUID in its canonical 36-character form.
std::string make_uuid();

} // namespace batch
