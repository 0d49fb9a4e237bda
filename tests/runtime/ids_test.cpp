#include "runtime/ids.hpp"

#include <doctest/doctest.h>

#include <set>

namespace batch {

TEST_CASE("a uuid is a canonical version-4 UUID") {
  auto id = make_uuid();
  REQUIRE(id.size() == 36);
  CHECK(id[8] == '-');
  CHECK(id[13] == '-');
  CHECK(id[14] == '4');
  CHECK(id[18] == '-');
  CHECK(std::string{"89ab"}.find(id[19]) != std::string::npos);
  CHECK(id[23] == '-');
  CHECK(make_uuid() != id);
}

TEST_CASE("a sequenced uuid carries its sequence in the last group") {
  auto id = make_sequenced_uuid(0x2a);
  REQUIRE(id.size() == 36);
  CHECK(id[14] == '4');
  CHECK(id.substr(24) == "00000000002a");
  CHECK(sequence_in_uuid(id) == uint64_t{0x2a});
  CHECK(sequence_in_uuid(make_sequenced_uuid(max_id_sequence))
        == max_id_sequence);

  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i)
    ids.insert(make_sequenced_uuid(7));
  CHECK(ids.size() == 100);
}

TEST_CASE("only a canonical uuid yields a sequence") {
  CHECK(sequence_in_uuid("") == std::nullopt);
  CHECK(sequence_in_uuid("not-a-job-id") == std::nullopt);
  CHECK(sequence_in_uuid("0123456789abcdef0123456789abcdef0123")
        == std::nullopt);
  CHECK(sequence_in_uuid("01234567-89ab-4def-8123-0000000000zz")
        == std::nullopt);
  CHECK(sequence_in_uuid("01234567-89ab-4def-8123-0000000000FF")
        == std::nullopt);
  CHECK(sequence_in_uuid("01234567-89ab-4def-8123-0000000000ff")
        == uint64_t{255});
}

} // namespace batch
