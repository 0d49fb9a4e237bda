// The CloudWatch Logs vocabulary: the events that job attempts write, the
// read requests that clients send through the Logs JSON protocol
// (`X-Amz-Target: Logs_20140328.*`), their replies, and the typed interface
// of the log store that owns a region's groups and streams.
#pragma once

#include "protocol/json.hpp"
#include "protocol/type_ids.hpp"

#include <caf/typed_actor.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace batch {

// -- events ------------------------------------------------------------------

/// One line of output. Times are epoch milliseconds.
struct log_event {
  /// When the container wrote the line, in epoch milliseconds.
  int64_t timestamp = 0;
  std::string message{};
  /// When the log store received it.
  int64_t ingestion_time = 0;
  /// The nanoseconds within `timestamp`'s millisecond, where known: they
  /// order lines of one millisecond that stdout and stderr deliver through
  /// separate pipes, and so out of order.
  int32_t nanos = 0;
};

/// Appends `events` to `stream` of `group`, creating both on first use. An
/// empty `events` only creates them, so that a stream exists as soon as its
/// attempt runs. Events keep the order in which they arrive.
struct append_log_events {
  std::string group{};
  std::string stream{};
  std::vector<log_event> events{};
};

// -- requests ----------------------------------------------------------------

/// GetLogEvents: events of one stream, a page at a time.
struct get_log_events {
  /// The group's name (from logGroupName or logGroupIdentifier).
  std::string group{};
  std::string stream{};
  std::optional<int64_t> start_time{};
  std::optional<int64_t> end_time{};
  /// `f/...` or `b/...` as returned by a previous call; empty for none.
  std::string next_token{};
  /// 1 to 10000; the default is 10000.
  std::optional<int64_t> limit{};
  /// Without a token: read from the oldest (true) or newest (false) events.
  bool start_from_head = false;
};

/// FilterLogEvents: events of several streams of a group, oldest first.
struct filter_log_events {
  std::string group{};
  /// Empty means every stream (or those matching the prefix).
  std::vector<std::string> stream_names{};
  std::optional<std::string> stream_name_prefix{};
  std::optional<int64_t> start_time{};
  std::optional<int64_t> end_time{};
  /// Terms that a message must contain; a quoted pattern matches as one
  /// phrase. Empty matches everything.
  std::string filter_pattern{};
  std::string next_token{};
  std::optional<int64_t> limit{};
};

/// DescribeLogGroups.
struct describe_log_groups {
  std::optional<std::string> name_prefix{};
  std::string next_token{};
  /// 1 to 50; the default is 50.
  std::optional<int64_t> limit{};
};

/// DescribeLogStreams.
struct describe_log_streams {
  std::string group{};
  std::optional<std::string> name_prefix{};
  /// Order by name (default) or by the time of the last event.
  bool order_by_last_event_time = false;
  bool descending = false;
  std::string next_token{};
  std::optional<int64_t> limit{};
};

// -- replies -----------------------------------------------------------------

/// The reply of GetLogEvents; both tokens are always set.
struct log_events_page {
  std::vector<log_event> events{};
  std::string next_forward_token{};
  std::string next_backward_token{};
};

/// One event of FilterLogEvents, with the stream it belongs to.
struct filtered_log_event {
  std::string stream{};
  std::string event_id{};
  log_event event{};
};

/// The reply of FilterLogEvents; `next_token` is empty on the last page.
struct filtered_log_events_page {
  std::vector<filtered_log_event> events{};
  std::string next_token{};
};

/// What DescribeLogGroups reports about a group.
struct log_group_info {
  std::string name{};
  /// The group's ARN without the trailing `:*`.
  std::string arn{};
  int64_t creation_time = 0;
  int64_t stored_bytes = 0;
};

struct log_group_page {
  std::vector<log_group_info> groups{};
  std::string next_token{};
};

/// What DescribeLogStreams reports about a stream. The event times are
/// absent while the stream holds no events.
struct log_stream_info {
  std::string name{};
  std::string arn{};
  int64_t creation_time = 0;
  std::optional<int64_t> first_event_timestamp{};
  std::optional<int64_t> last_event_timestamp{};
  std::optional<int64_t> last_ingestion_time{};
  int64_t stored_bytes = 0;
};

struct log_stream_page {
  std::vector<log_stream_info> streams{};
  std::string next_token{};
};

// -- actor interface ---------------------------------------------------------

/// A region's CloudWatch Logs: owns every group, stream and event. Reads of
/// an unknown group or stream fail with ResourceNotFoundException, bad
/// parameters with InvalidParameterException.
using log_store_actor = caf::typed_actor<
  caf::reacts_to<append_log_events>,
  caf::replies_to<get_log_events>::with<log_events_page>,
  caf::replies_to<filter_log_events>::with<filtered_log_events_page>,
  caf::replies_to<describe_log_groups>::with<log_group_page>,
  caf::replies_to<describe_log_streams>::with<log_stream_page>>;

// -- wire --------------------------------------------------------------------

/// Decodes a GetLogEvents body. Bad input is an InvalidParameterException.
caf::expected<get_log_events> decode_get_log_events(simdjson::dom::object body);

caf::expected<filter_log_events>
decode_filter_log_events(simdjson::dom::object body);

caf::expected<describe_log_groups>
decode_describe_log_groups(simdjson::dom::object body);

caf::expected<describe_log_streams>
decode_describe_log_streams(simdjson::dom::object body);

/// Returns the GetLogEventsResponse of `page`.
json encode(const log_events_page& page);

json encode(const filtered_log_events_page& page);

json encode(const log_group_page& page);

json encode(const log_stream_page& page);

} // namespace batch

BATCH_LOCAL_MESSAGE(batch::append_log_events)
BATCH_LOCAL_MESSAGE(batch::get_log_events)
BATCH_LOCAL_MESSAGE(batch::filter_log_events)
BATCH_LOCAL_MESSAGE(batch::describe_log_groups)
BATCH_LOCAL_MESSAGE(batch::describe_log_streams)
BATCH_LOCAL_MESSAGE(batch::log_events_page)
BATCH_LOCAL_MESSAGE(batch::filtered_log_events_page)
BATCH_LOCAL_MESSAGE(batch::log_group_page)
BATCH_LOCAL_MESSAGE(batch::log_stream_page)
