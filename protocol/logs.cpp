// The CloudWatch Logs JSON 1.1 wire: request decoding and reply encoding.
// Logs reports bad input as InvalidParameterException, not as Batch's
// ClientException.
#include "protocol/logs.hpp"

#include "protocol/errors.hpp"

namespace batch {

namespace {

caf::error invalid_parameter(std::string message) {
  return make_batch_error(batch_errc::invalid_parameter, std::move(message));
}

/// Returns the group named by logGroupName or logGroupIdentifier (a name or
/// an ARN `arn:aws:logs:<region>:<account>:log-group:<name>[:*]`).
std::string read_group(object_reader& reader) {
  auto name = reader.string("logGroupName");
  auto identifier = reader.string("logGroupIdentifier");
  if (name && identifier) {
    reader.fail("LogGroup name and LogGroup identifier are mutually "
                "exclusive parameters.");
    return {};
  }
  if (name)
    return *name;
  if (!identifier) {
    reader.fail("Either logGroupName or logGroupIdentifier must be "
                "specified.");
    return {};
  }
  constexpr std::string_view marker = ":log-group:";
  auto at = identifier->find(marker);
  if (identifier->compare(0, 4, "arn:") != 0 || at == std::string::npos)
    return *identifier;
  auto rest = identifier->substr(at + marker.size());
  return rest.substr(0, rest.find(':'));
}

/// Returns `value`, or the reader's first problem as an
/// InvalidParameterException.
template <class T>
caf::expected<T> checked(const object_reader& reader, T value) {
  if (!reader.ok())
    return invalid_parameter(reader.failure());
  return value;
}

template <class T>
void put_optional(json& out, const char* key, const std::optional<T>& value) {
  if (value)
    out[key] = *value;
}

json encode_event(const log_event& event) {
  return {{"timestamp", event.timestamp},
          {"message", event.message},
          {"ingestionTime", event.ingestion_time}};
}

} // namespace

caf::expected<get_log_events>
decode_get_log_events(simdjson::dom::object body) {
  object_reader reader{body};
  get_log_events result;
  result.group = read_group(reader);
  result.stream = reader.required_string("logStreamName");
  result.start_time = reader.integer("startTime");
  result.end_time = reader.integer("endTime");
  result.next_token = reader.string("nextToken").value_or("");
  result.limit = reader.integer("limit");
  result.start_from_head = reader.boolean("startFromHead").value_or(false);
  return checked(reader, std::move(result));
}

caf::expected<filter_log_events>
decode_filter_log_events(simdjson::dom::object body) {
  object_reader reader{body};
  filter_log_events result;
  result.group = read_group(reader);
  result.stream_names
    = reader.string_list("logStreamNames").value_or(std::vector<std::string>{});
  result.stream_name_prefix = reader.string("logStreamNamePrefix");
  result.start_time = reader.integer("startTime");
  result.end_time = reader.integer("endTime");
  result.filter_pattern = reader.string("filterPattern").value_or("");
  result.next_token = reader.string("nextToken").value_or("");
  result.limit = reader.integer("limit");
  return checked(reader, std::move(result));
}

caf::expected<describe_log_groups>
decode_describe_log_groups(simdjson::dom::object body) {
  object_reader reader{body};
  describe_log_groups result;
  result.name_prefix = reader.string("logGroupNamePrefix");
  result.next_token = reader.string("nextToken").value_or("");
  result.limit = reader.integer("limit");
  if (reader.string("logGroupNamePattern"))
    reader.fail("batchd does not support logGroupNamePattern; use "
                "logGroupNamePrefix");
  return checked(reader, std::move(result));
}

caf::expected<describe_log_streams>
decode_describe_log_streams(simdjson::dom::object body) {
  object_reader reader{body};
  describe_log_streams result;
  result.group = read_group(reader);
  result.name_prefix = reader.string("logStreamNamePrefix");
  auto order_by = reader.string("orderBy").value_or("LogStreamName");
  if (order_by != "LogStreamName" && order_by != "LastEventTime")
    reader.fail("orderBy must be LogStreamName or LastEventTime");
  result.order_by_last_event_time = order_by == "LastEventTime";
  result.descending = reader.boolean("descending").value_or(false);
  result.next_token = reader.string("nextToken").value_or("");
  result.limit = reader.integer("limit");
  return checked(reader, std::move(result));
}

json encode(const log_events_page& page) {
  auto events = json::array();
  for (auto& event : page.events)
    events.push_back(encode_event(event));
  return {{"events", std::move(events)},
          {"nextForwardToken", page.next_forward_token},
          {"nextBackwardToken", page.next_backward_token}};
}

json encode(const filtered_log_events_page& page) {
  auto events = json::array();
  for (auto& item : page.events) {
    auto event = encode_event(item.event);
    event["logStreamName"] = item.stream;
    event["eventId"] = item.event_id;
    events.push_back(std::move(event));
  }
  json result{{"events", std::move(events)},
              {"searchedLogStreams", json::array()}};
  if (!page.next_token.empty())
    result["nextToken"] = page.next_token;
  return result;
}

json encode(const log_group_page& page) {
  auto groups = json::array();
  for (auto& group : page.groups)
    groups.push_back({{"logGroupName", group.name},
                      {"creationTime", group.creation_time},
                      {"metricFilterCount", 0},
                      {"arn", group.arn + ":*"},
                      {"logGroupArn", group.arn},
                      {"storedBytes", group.stored_bytes},
                      {"logGroupClass", "STANDARD"}});
  json result{{"logGroups", std::move(groups)}};
  if (!page.next_token.empty())
    result["nextToken"] = page.next_token;
  return result;
}

json encode(const log_stream_page& page) {
  auto streams = json::array();
  for (auto& stream : page.streams) {
    json item{{"logStreamName", stream.name},
              {"creationTime", stream.creation_time},
              {"arn", stream.arn},
              {"storedBytes", stream.stored_bytes}};
    put_optional(item, "firstEventTimestamp", stream.first_event_timestamp);
    put_optional(item, "lastEventTimestamp", stream.last_event_timestamp);
    put_optional(item, "lastIngestionTime", stream.last_ingestion_time);
    streams.push_back(std::move(item));
  }
  json result{{"logStreams", std::move(streams)}};
  if (!page.next_token.empty())
    result["nextToken"] = page.next_token;
  return result;
}

} // namespace batch
