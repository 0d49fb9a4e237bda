// The log store: a region's CloudWatch Logs groups, streams and events. The
// `log_archive` class holds the data and answers the reads (plain C++, no
// actor); the `log_store` actor owns one archive and serialises access to
// it, so supervisors append while clients read.
#pragma once

#include "protocol/logs.hpp"
#include "protocol/resource.hpp"
#include "runtime/clock.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace batch {

/// Limits that keep a long-running job from exhausting memory.
struct log_limits {
  /// Events kept per stream; the oldest go first.
  size_t max_events_per_stream = 1'000'000;
  /// Message bytes kept per stream; the oldest events go first.
  size_t max_bytes_per_stream = 256 * 1024 * 1024;
};

/// Every group, stream and event of a region. Events of a stream are kept
/// in time order (arrival order among equal times); each has an absolute
/// position that pagination tokens name and that never changes, even when
/// old events are dropped.
class log_archive {
public:
  explicit log_archive(resource_scope scope = {}, log_limits limits = {});

  /// Appends the events at `now`, creating the group and stream first.
  /// Returns true when the stream was created.
  bool append(const append_log_events& request, int64_t now);

  /// Answers GetLogEvents.
  caf::expected<log_events_page> read(const get_log_events& request) const;

  /// Answers FilterLogEvents.
  caf::expected<filtered_log_events_page>
  filter(const filter_log_events& request) const;

  /// Answers DescribeLogGroups.
  caf::expected<log_group_page>
  describe(const describe_log_groups& request) const;

  /// Answers DescribeLogStreams.
  caf::expected<log_stream_page>
  describe(const describe_log_streams& request) const;

private:
  struct stream {
    /// Distinguishes streams in event ids.
    uint64_t ordinal = 0;
    int64_t creation_time = 0;
    /// The absolute position of `events.front()`.
    uint64_t first_position = 0;
    std::deque<log_event> events;
    size_t bytes = 0;
    /// Bytes ever stored, dropped events included.
    int64_t stored_bytes = 0;
    std::optional<int64_t> first_event_timestamp;
    std::optional<int64_t> last_ingestion_time;
  };

  struct group {
    int64_t creation_time = 0;
    std::map<std::string, stream> streams;
  };

  std::string group_arn(const std::string& name) const;
  caf::expected<const group*> find_group(const std::string& name) const;
  void drop_oldest(stream& s);
  void insert_in_time_order(stream& s, log_event event);
  log_stream_info info(const std::string& group_name, const std::string& name,
                       const stream& s) const;

  resource_scope scope_;
  log_limits limits_;
  uint64_t next_ordinal_ = 0;
  std::map<std::string, group> groups_;
};

/// Spawns the log store of the region `scope`; `clock` stamps ingestion
/// times.
log_store_actor spawn_log_store(caf::actor_system& system, resource_scope scope,
                                clock_ptr clock, log_limits limits = {});

} // namespace batch
