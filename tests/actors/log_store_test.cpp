#include "tests/actor_fixture.hpp"

#include "actors/log_store.hpp"

namespace batch {

namespace {

const resource_scope scope{"us-east-1", "000000000000"};
const std::string group = "/aws/batch/job";

/// Appends events "line 0" ... "line n-1" with timestamps 1000, 1010, ...
void append_lines(log_archive& archive, const std::string& stream, int n,
                  int64_t first_timestamp = 1000) {
  append_log_events request{group, stream, {}};
  for (int i = 0; i < n; ++i)
    request.events.push_back(
      {first_timestamp + 10 * i, "line " + std::to_string(i), 0});
  archive.append(request, 5000);
}

std::vector<std::string> messages(const log_events_page& page) {
  std::vector<std::string> result;
  for (auto& event : page.events)
    result.push_back(event.message);
  return result;
}

std::vector<std::string> messages(const filtered_log_events_page& page) {
  std::vector<std::string> result;
  for (auto& item : page.events)
    result.push_back(item.stream + ":" + item.event.message);
  return result;
}

get_log_events read_request(const std::string& stream) {
  get_log_events request;
  request.group = group;
  request.stream = stream;
  return request;
}

batch_errc code_of(const caf::error& err) {
  return to_wire_error(err).code;
}

} // namespace

TEST_CASE("GetLogEvents without a token returns the newest events") {
  log_archive archive{scope};
  append_lines(archive, "s", 5);
  auto request = read_request("s");
  request.limit = 2;
  auto page = archive.read(request);
  REQUIRE(page);
  CHECK(messages(*page) == std::vector<std::string>{"line 3", "line 4"});
  CHECK(page->events[0].timestamp == 1030);
  CHECK(page->events[0].ingestion_time == 5000);
}

TEST_CASE("startFromHead reads forward from the oldest event to the end") {
  log_archive archive{scope};
  append_lines(archive, "s", 5);
  auto request = read_request("s");
  request.limit = 2;
  request.start_from_head = true;
  auto first = archive.read(request);
  REQUIRE(first);
  CHECK(messages(*first) == std::vector<std::string>{"line 0", "line 1"});
  request.next_token = first->next_forward_token;
  auto second = archive.read(request);
  REQUIRE(second);
  CHECK(messages(*second) == std::vector<std::string>{"line 2", "line 3"});
  request.next_token = second->next_forward_token;
  auto third = archive.read(request);
  REQUIRE(third);
  CHECK(messages(*third) == std::vector<std::string>{"line 4"});
  request.next_token = third->next_forward_token;
  auto end = archive.read(request);
  REQUIRE(end);
  CHECK(end->events.empty());
  // The end of a stream repeats the token, as CloudWatch does.
  CHECK(end->next_forward_token == third->next_forward_token);
}

TEST_CASE("a forward token sees events appended after it was issued") {
  log_archive archive{scope};
  append_lines(archive, "s", 2);
  auto request = read_request("s");
  auto first = archive.read(request);
  REQUIRE(first);
  CHECK(first->events.size() == 2);
  append_lines(archive, "s", 1, 2000);
  request.next_token = first->next_forward_token;
  auto next = archive.read(request);
  REQUIRE(next);
  CHECK(messages(*next) == std::vector<std::string>{"line 0"});
  CHECK(next->events[0].timestamp == 2000);
}

TEST_CASE("a backward token pages towards older events") {
  log_archive archive{scope};
  append_lines(archive, "s", 5);
  auto request = read_request("s");
  request.limit = 2;
  auto newest = archive.read(request);
  REQUIRE(newest);
  CHECK(newest->next_backward_token.substr(0, 2) == "b/");
  request.next_token = newest->next_backward_token;
  auto older = archive.read(request);
  REQUIRE(older);
  CHECK(messages(*older) == std::vector<std::string>{"line 1", "line 2"});
  request.next_token = older->next_backward_token;
  auto oldest = archive.read(request);
  REQUIRE(oldest);
  CHECK(messages(*oldest) == std::vector<std::string>{"line 0"});
}

TEST_CASE("GetLogEvents honours startTime (inclusive) and endTime") {
  log_archive archive{scope};
  append_lines(archive, "s", 5);
  auto request = read_request("s");
  request.start_time = 1010;
  request.end_time = 1030;
  auto page = archive.read(request);
  REQUIRE(page);
  CHECK(messages(*page) == std::vector<std::string>{"line 1", "line 2"});
}

TEST_CASE("a line that arrives late takes its place in time, with its "
          "own timestamp") {
  log_archive archive{scope};
  archive.append({group, "s", {{2000, "stdout", 0}, {1990, "stderr", 0}}}, 1);
  archive.append({group, "s", {{2000, "same time", 0}}}, 2);
  auto page = archive.read(read_request("s"));
  REQUIRE(page);
  CHECK(messages(*page)
        == std::vector<std::string>{"stderr", "stdout", "same time"});
  CHECK(page->events[0].timestamp == 1990);
  auto earliest = archive.read([] {
    auto request = read_request("s");
    request.end_time = 2000;
    return request;
  }());
  REQUIRE(earliest);
  CHECK(messages(*earliest) == std::vector<std::string>{"stderr"});
}

TEST_CASE("unknown groups and streams are ResourceNotFoundException") {
  log_archive archive{scope};
  auto missing_group = archive.read(read_request("s"));
  REQUIRE_FALSE(missing_group);
  CHECK(code_of(missing_group.error()) == batch_errc::resource_not_found);
  append_lines(archive, "s", 1);
  auto missing_stream = archive.read(read_request("other"));
  REQUIRE_FALSE(missing_stream);
  CHECK(code_of(missing_stream.error()) == batch_errc::resource_not_found);
}

TEST_CASE("bad tokens and limits are InvalidParameterException") {
  log_archive archive{scope};
  append_lines(archive, "s", 1);
  auto request = read_request("s");
  request.next_token = "x/12";
  auto bad_token = archive.read(request);
  REQUIRE_FALSE(bad_token);
  CHECK(code_of(bad_token.error()) == batch_errc::invalid_parameter);
  request.next_token.clear();
  request.limit = 10001;
  auto bad_limit = archive.read(request);
  REQUIRE_FALSE(bad_limit);
  CHECK(code_of(bad_limit.error()) == batch_errc::invalid_parameter);
}

TEST_CASE("an empty append creates the stream without events") {
  log_archive archive{scope};
  CHECK(archive.append({group, "s", {}}, 42));
  CHECK_FALSE(archive.append({group, "s", {}}, 43));
  auto page = archive.read(read_request("s"));
  REQUIRE(page);
  CHECK(page->events.empty());
  describe_log_streams describe;
  describe.group = group;
  auto streams = archive.describe(describe);
  REQUIRE(streams);
  REQUIRE(streams->streams.size() == 1);
  CHECK(streams->streams[0].creation_time == 42);
  CHECK_FALSE(streams->streams[0].last_event_timestamp);
}

TEST_CASE("dropped events keep the positions of the rest") {
  log_archive archive{scope, log_limits{3, 1 << 20}};
  append_lines(archive, "s", 3);
  auto request = read_request("s");
  request.start_from_head = true;
  request.limit = 1;
  auto first = archive.read(request);
  REQUIRE(first);
  CHECK(messages(*first) == std::vector<std::string>{"line 0"});
  append_lines(archive, "s", 2, 2000);
  request.next_token = first->next_forward_token;
  auto next = archive.read(request);
  REQUIRE(next);
  // "line 1" was dropped; reading resumes at the oldest event kept.
  CHECK(messages(*next) == std::vector<std::string>{"line 2"});
}

TEST_CASE("FilterLogEvents merges streams by time and matches terms") {
  log_archive archive{scope};
  archive.append({group, "a", {{10, "ERROR disk full", 0}, {30, "ok", 0}}}, 1);
  archive.append({group, "b", {{20, "ERROR disk gone", 0}}}, 1);
  filter_log_events request;
  request.group = group;
  auto all = archive.filter(request);
  REQUIRE(all);
  CHECK(messages(*all)
        == std::vector<std::string>{"a:ERROR disk full", "b:ERROR disk gone",
                                    "a:ok"});
  request.filter_pattern = "ERROR full";
  auto terms = archive.filter(request);
  REQUIRE(terms);
  CHECK(messages(*terms) == std::vector<std::string>{"a:ERROR disk full"});
  request.filter_pattern = "\"disk gone\"";
  auto phrase = archive.filter(request);
  REQUIRE(phrase);
  CHECK(messages(*phrase) == std::vector<std::string>{"b:ERROR disk gone"});
}

TEST_CASE("FilterLogEvents pages with nextToken and selects streams") {
  log_archive archive{scope};
  append_lines(archive, "job/default/1", 3);
  append_lines(archive, "other/default/1", 3);
  filter_log_events request;
  request.group = group;
  request.stream_name_prefix = "job/";
  request.limit = 2;
  auto first = archive.filter(request);
  REQUIRE(first);
  CHECK(messages(*first)
        == std::vector<std::string>{"job/default/1:line 0",
                                    "job/default/1:line 1"});
  REQUIRE_FALSE(first->next_token.empty());
  request.next_token = first->next_token;
  auto second = archive.filter(request);
  REQUIRE(second);
  CHECK(messages(*second) == std::vector<std::string>{"job/default/1:line 2"});
  CHECK(second->next_token.empty());
  CHECK(first->events[0].event_id != first->events[1].event_id);
  filter_log_events by_name;
  by_name.group = group;
  by_name.stream_names = {"other/default/1"};
  by_name.stream_name_prefix = "job/";
  auto both = archive.filter(by_name);
  REQUIRE_FALSE(both);
  CHECK(code_of(both.error()) == batch_errc::invalid_parameter);
}

TEST_CASE("DescribeLogGroups filters by prefix and pages") {
  log_archive archive{scope};
  archive.append({"/aws/batch/job", "s", {}}, 1);
  archive.append({"/aws/batch/other", "s", {}}, 1);
  archive.append({"/custom", "s", {}}, 1);
  describe_log_groups request;
  request.name_prefix = "/aws/";
  request.limit = 1;
  auto first = archive.describe(request);
  REQUIRE(first);
  REQUIRE(first->groups.size() == 1);
  CHECK(first->groups[0].name == "/aws/batch/job");
  CHECK(first->groups[0].arn
        == "arn:aws:logs:us-east-1:000000000000:log-group:/aws/batch/job");
  request.next_token = first->next_token;
  auto second = archive.describe(request);
  REQUIRE(second);
  REQUIRE(second->groups.size() == 1);
  CHECK(second->groups[0].name == "/aws/batch/other");
  CHECK(second->next_token.empty());
}

TEST_CASE("DescribeLogStreams orders by name or by last event time") {
  log_archive archive{scope};
  archive.append({group, "b", {{100, "x", 0}}}, 1);
  archive.append({group, "a", {{300, "x", 0}}}, 1);
  archive.append({group, "c", {{200, "x", 0}}}, 1);
  describe_log_streams request;
  request.group = group;
  auto names = [](const log_stream_page& page) {
    std::string result;
    for (auto& s : page.streams)
      result += s.name;
    return result;
  };
  auto by_name = archive.describe(request);
  REQUIRE(by_name);
  CHECK(names(*by_name) == "abc");
  request.order_by_last_event_time = true;
  request.descending = true;
  auto by_time = archive.describe(request);
  REQUIRE(by_time);
  CHECK(names(*by_time) == "acb");
  request.limit = 2;
  auto first = archive.describe(request);
  REQUIRE(first);
  CHECK(names(*first) == "ac");
  request.next_token = first->next_token;
  auto rest = archive.describe(request);
  REQUIRE(rest);
  CHECK(names(*rest) == "b");
  request.name_prefix = "a";
  auto refused = archive.describe(request);
  REQUIRE_FALSE(refused);
  CHECK(code_of(refused.error()) == batch_errc::invalid_parameter);
}

TEST_CASE_FIXTURE(testing::actor_fixture,
                  "the log store actor stamps ingestion with its clock") {
  auto store = track(spawn_log_store(sys, scope, clock));
  self->send(store, append_log_events{group, "s", {{1, "hello", 0}}});
  auto page = ask<log_events_page>(store, read_request("s"));
  REQUIRE(page);
  REQUIRE(page->events.size() == 1);
  CHECK(page->events[0].message == "hello");
  CHECK(page->events[0].ingestion_time == clock->now_ms());
}

} // namespace batch
