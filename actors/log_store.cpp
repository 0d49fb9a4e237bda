// The log store's data and reads. Events of a stream sit in a deque in
// time order, with absolute positions, so GetLogEvents tokens
// (`f/<position>`, `b/<position>`) stay valid while the stream grows and
// while the oldest events are dropped. A line that arrives late (see
// `insert_in_time_order`) shifts the few events after it by one position: a
// reader whose token points among them may see an event twice or miss the
// late one. Sorted timestamps let a time range become a pair of binary
// searches.
#include "actors/log_store.hpp"

#include "protocol/errors.hpp"
#include "protocol/pagination.hpp"
#include "runtime/logging.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <tuple>

namespace batch {

namespace {

constexpr int64_t max_event_limit = 10'000;
constexpr int64_t max_describe_limit = 50;

caf::error invalid_parameter(std::string message) {
  return make_batch_error(batch_errc::invalid_parameter, std::move(message));
}

caf::error not_found(std::string message) {
  return make_batch_error(batch_errc::resource_not_found, std::move(message));
}

caf::expected<size_t> limit_of(std::optional<int64_t> limit, int64_t ceiling) {
  if (!limit)
    return static_cast<size_t>(ceiling);
  if (*limit < 1 || *limit > ceiling)
    return invalid_parameter("limit must be between 1 and "
                             + std::to_string(ceiling));
  return static_cast<size_t>(*limit);
}

std::string position_token(char direction, uint64_t position) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%c/%020llu", direction,
                static_cast<unsigned long long>(position));
  return buf;
}

/// A parsed GetLogEvents token.
struct position_ref {
  bool forward = true;
  uint64_t position = 0;
};

caf::expected<position_ref> parse_position_token(const std::string& token) {
  auto invalid = [] {
    return invalid_parameter("The specified nextToken is invalid.");
  };
  if (token.size() < 3 || token[1] != '/'
      || (token[0] != 'f' && token[0] != 'b'))
    return invalid();
  auto digits = token.substr(2);
  if (digits.size() > 20
      || digits.find_first_not_of("0123456789") != std::string::npos)
    return invalid();
  return position_ref{token[0] == 'f', std::stoull(digits)};
}

bool has_prefix(const std::string& text,
                const std::optional<std::string>& prefix) {
  return !prefix || text.compare(0, prefix->size(), *prefix) == 0;
}

/// A filter pattern: every term must occur in the message.
struct term_pattern {
  std::vector<std::string> terms;

  bool matches(const std::string& message) const {
    return std::all_of(terms.begin(), terms.end(), [&](const auto& term) {
      return message.find(term) != std::string::npos;
    });
  }
};

caf::expected<term_pattern> parse_pattern(const std::string& pattern) {
  term_pattern result;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == ' ' || pattern[i] == '\t') {
      ++i;
      continue;
    }
    if (pattern[i] == '{' || pattern[i] == '[' || pattern[i] == '?'
        || pattern[i] == '-' || pattern[i] == '%')
      return invalid_parameter("batchd supports only terms and quoted "
                               "phrases in filterPattern");
    if (pattern[i] == '"') {
      auto close = pattern.find('"', i + 1);
      if (close == std::string::npos)
        return invalid_parameter("Invalid filter pattern: unbalanced quote");
      result.terms.push_back(pattern.substr(i + 1, close - i - 1));
      i = close + 1;
      continue;
    }
    auto end = pattern.find_first_of(" \t", i);
    if (end == std::string::npos)
      end = pattern.size();
    result.terms.push_back(pattern.substr(i, end - i));
    i = end;
  }
  return result;
}

/// The key by which FilterLogEvents orders events across streams.
struct filter_key {
  int64_t timestamp = 0;
  std::string stream;
  uint64_t position = 0;

  bool operator<(const filter_key& other) const {
    return std::tie(timestamp, stream, position)
           < std::tie(other.timestamp, other.stream, other.position);
  }
};

std::string filter_token(const filter_key& key) {
  return make_page_token(std::to_string(key.timestamp) + "/"
                         + std::to_string(key.position) + "/" + key.stream);
}

caf::expected<filter_key> parse_filter_token(const std::string& token) {
  auto invalid = invalid_parameter("The specified nextToken is invalid.");
  auto text = read_page_token(token);
  if (!text)
    return invalid;
  auto first = text->find('/');
  auto second = first == std::string::npos ? first : text->find('/', first + 1);
  if (second == std::string::npos)
    return invalid;
  try {
    return filter_key{std::stoll(text->substr(0, first)),
                      text->substr(second + 1),
                      std::stoull(text->substr(first + 1, second - first))};
  } catch (const std::exception&) {
    return invalid;
  }
}

std::string event_id(uint64_t ordinal, uint64_t position) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%020llu%020llu",
                static_cast<unsigned long long>(ordinal),
                static_cast<unsigned long long>(position));
  return buf;
}

/// Returns the offsets in `events` of the time range [start, end).
template <class Events>
std::pair<size_t, size_t> time_range(const Events& events,
                                     std::optional<int64_t> start,
                                     std::optional<int64_t> end) {
  auto by_time = [](const log_event& e, int64_t t) {
    return e.timestamp < t;
  };
  size_t lo = 0;
  size_t hi = events.size();
  if (start)
    lo = std::lower_bound(events.begin(), events.end(), *start, by_time)
         - events.begin();
  if (end)
    hi = std::lower_bound(events.begin(), events.end(), *end, by_time)
         - events.begin();
  return {lo, std::max(lo, hi)};
}

} // namespace

// -- log_archive
// ---------------------------------------------------------------

log_archive::log_archive(resource_scope scope, log_limits limits)
    : scope_(std::move(scope)), limits_(limits) {
  // nop
}

bool log_archive::append(const append_log_events& request, int64_t now) {
  auto& g = groups_[request.group];
  if (g.creation_time == 0)
    g.creation_time = now;
  auto [position, created] = g.streams.try_emplace(request.stream);
  auto& s = position->second;
  if (created) {
    s.creation_time = now;
    s.ordinal = next_ordinal_++;
  }
  for (auto& event : request.events) {
    auto stored = event;
    stored.ingestion_time = now;
    s.bytes += stored.message.size();
    s.stored_bytes += static_cast<int64_t>(stored.message.size());
    insert_in_time_order(s, std::move(stored));
    s.last_ingestion_time = now;
  }
  // The first event ever stored, even once it is dropped.
  if (!s.events.empty()
      && s.events.front().timestamp < s.first_event_timestamp.value_or(
           std::numeric_limits<int64_t>::max()))
    s.first_event_timestamp = s.events.front().timestamp;
  drop_oldest(s);
  return created;
}

void log_archive::insert_in_time_order(stream& s, log_event event) {
  // stdout and stderr come through separate pipes, so a line may arrive
  // after a later one of the other pipe; it goes where its time puts it,
  // which is nearly always the end or a few events before it.
  auto later = [&](const log_event& other) {
    return std::tie(other.timestamp, other.nanos)
           > std::tie(event.timestamp, event.nanos);
  };
  auto at = std::find_if_not(s.events.rbegin(), s.events.rend(), later).base();
  s.events.insert(at, std::move(event));
}

void log_archive::drop_oldest(stream& s) {
  // TODO(#3): events are held in memory only; a stream beyond the limits
  // loses its oldest lines instead of spilling them to disk.
  while (!s.events.empty()
         && (s.events.size() > limits_.max_events_per_stream
             || s.bytes > limits_.max_bytes_per_stream)) {
    s.bytes -= s.events.front().message.size();
    s.events.pop_front();
    ++s.first_position;
  }
}

std::string log_archive::group_arn(const std::string& name) const {
  return "arn:aws:logs:" + scope_.region + ":" + scope_.account_id
         + ":log-group:" + name;
}

caf::expected<const log_archive::group*>
log_archive::find_group(const std::string& name) const {
  auto i = groups_.find(name);
  if (i == groups_.end())
    return not_found("The specified log group does not exist.");
  return &i->second;
}

caf::expected<log_events_page>
log_archive::read(const get_log_events& request) const {
  auto g = find_group(request.group);
  if (!g)
    return std::move(g.error());
  auto i = (*g)->streams.find(request.stream);
  if (i == (*g)->streams.end())
    return not_found("The specified log stream does not exist.");
  auto limit = limit_of(request.limit, max_event_limit);
  if (!limit)
    return std::move(limit.error());
  auto& s = i->second;
  auto [lo_offset, hi_offset]
    = time_range(s.events, request.start_time, request.end_time);
  uint64_t lo = s.first_position + lo_offset;
  uint64_t hi = s.first_position + hi_offset;
  uint64_t from = 0;
  uint64_t to = 0;
  if (request.next_token.empty()) {
    from
      = request.start_from_head ? lo : std::max(lo, hi - std::min(hi, *limit));
    to = request.start_from_head ? std::min(hi, lo + *limit) : hi;
  } else {
    auto token = parse_position_token(request.next_token);
    if (!token)
      return std::move(token.error());
    auto at = std::clamp(token->position, lo, hi);
    from = token->forward ? at : std::max(lo, at - std::min(at, *limit));
    to = token->forward ? std::min(hi, at + *limit) : at;
  }
  log_events_page page;
  for (auto p = from; p < to; ++p)
    page.events.push_back(s.events[p - s.first_position]);
  page.next_forward_token = position_token('f', to);
  page.next_backward_token = position_token('b', from);
  return page;
}

caf::expected<filtered_log_events_page>
log_archive::filter(const filter_log_events& request) const {
  if (!request.stream_names.empty() && request.stream_name_prefix)
    return invalid_parameter("logStreamNames and logStreamNamePrefix are "
                             "mutually exclusive");
  auto g = find_group(request.group);
  if (!g)
    return std::move(g.error());
  auto limit = limit_of(request.limit, max_event_limit);
  if (!limit)
    return std::move(limit.error());
  auto pattern = parse_pattern(request.filter_pattern);
  if (!pattern)
    return std::move(pattern.error());
  std::optional<filter_key> resume;
  if (!request.next_token.empty()) {
    auto key = parse_filter_token(request.next_token);
    if (!key)
      return std::move(key.error());
    resume = std::move(*key);
  }
  auto wanted = [&](const std::string& name) {
    if (!has_prefix(name, request.stream_name_prefix))
      return false;
    auto& names = request.stream_names;
    return names.empty()
           || std::find(names.begin(), names.end(), name) != names.end();
  };
  std::vector<std::pair<filter_key, const log_event*>> matches;
  std::map<std::string, uint64_t> ordinals;
  for (auto& [name, s] : (*g)->streams) {
    if (!wanted(name))
      continue;
    ordinals[name] = s.ordinal;
    auto [lo, hi] = time_range(s.events, request.start_time, request.end_time);
    for (auto offset = lo; offset < hi; ++offset) {
      auto& event = s.events[offset];
      filter_key key{event.timestamp, name, s.first_position + offset};
      if ((!resume || !(key < *resume)) && pattern->matches(event.message))
        matches.emplace_back(std::move(key), &event);
    }
  }
  std::sort(matches.begin(), matches.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  filtered_log_events_page page;
  for (auto& [key, event] : matches) {
    if (page.events.size() == *limit) {
      page.next_token = filter_token(key);
      break;
    }
    page.events.push_back(
      {key.stream, event_id(ordinals[key.stream], key.position), *event});
  }
  return page;
}

caf::expected<log_group_page>
log_archive::describe(const describe_log_groups& request) const {
  auto limit = limit_of(request.limit, max_describe_limit);
  if (!limit)
    return std::move(limit.error());
  std::string start;
  if (!request.next_token.empty()) {
    auto key = read_page_token(request.next_token);
    if (!key)
      return invalid_parameter("The specified nextToken is invalid.");
    start = std::move(*key);
  }
  log_group_page page;
  for (auto i = groups_.lower_bound(start); i != groups_.end(); ++i) {
    if (!has_prefix(i->first, request.name_prefix))
      continue;
    if (page.groups.size() == *limit) {
      page.next_token = make_page_token(i->first);
      break;
    }
    int64_t bytes = 0;
    for (auto& entry : i->second.streams)
      bytes += entry.second.stored_bytes;
    page.groups.push_back(
      {i->first, group_arn(i->first), i->second.creation_time, bytes});
  }
  return page;
}

caf::expected<log_stream_page>
log_archive::describe(const describe_log_streams& request) const {
  if (request.order_by_last_event_time && request.name_prefix)
    return invalid_parameter("Cannot order by LastEventTime with a "
                             "logStreamNamePrefix.");
  auto g = find_group(request.group);
  if (!g)
    return std::move(g.error());
  auto limit = limit_of(request.limit, max_describe_limit);
  if (!limit)
    return std::move(limit.error());
  size_t offset = 0;
  if (!request.next_token.empty()) {
    auto key = read_page_token(request.next_token);
    if (!key || key->empty()
        || key->find_first_not_of("0123456789") != std::string::npos)
      return invalid_parameter("The specified nextToken is invalid.");
    offset = std::stoull(*key);
  }
  std::vector<log_stream_info> ordered;
  for (auto& [name, s] : (*g)->streams)
    if (has_prefix(name, request.name_prefix))
      ordered.push_back(info(request.group, name, s));
  if (request.order_by_last_event_time)
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto& x, const auto& y) {
                       return x.last_event_timestamp.value_or(0)
                              < y.last_event_timestamp.value_or(0);
                     });
  if (request.descending)
    std::reverse(ordered.begin(), ordered.end());
  log_stream_page page;
  for (auto i = offset; i < ordered.size(); ++i) {
    if (page.streams.size() == *limit) {
      page.next_token = make_page_token(std::to_string(i));
      break;
    }
    page.streams.push_back(std::move(ordered[i]));
  }
  return page;
}

log_stream_info log_archive::info(const std::string& group_name,
                                  const std::string& name,
                                  const stream& s) const {
  log_stream_info result;
  result.name = name;
  result.arn = group_arn(group_name) + ":log-stream:" + name;
  result.creation_time = s.creation_time;
  result.first_event_timestamp = s.first_event_timestamp;
  if (!s.events.empty())
    result.last_event_timestamp = s.events.back().timestamp;
  result.last_ingestion_time = s.last_ingestion_time;
  result.stored_bytes = s.stored_bytes;
  return result;
}

// -- the actor
// -----------------------------------------------------------------

namespace {

spdlog::logger& logger() {
  static auto& instance = component_logger("log_store");
  return instance;
}

struct log_store_state {
  static constexpr const char* name = "log_store";

  log_archive archive;
  clock_ptr clock;
};

log_store_actor::behavior_type
log_store(log_store_actor::stateful_pointer<log_store_state> self,
          resource_scope scope, clock_ptr clock, log_limits limits) {
  self->state.archive = log_archive{std::move(scope), limits};
  self->state.clock = std::move(clock);
  return {
    [self](const append_log_events& request) {
      if (self->state.archive.append(request, self->state.clock->now_ms()))
        logger().info("stream created group={} stream={}", request.group,
                      request.stream);
    },
    [self](const get_log_events& request) -> caf::result<log_events_page> {
      return self->state.archive.read(request);
    },
    [self](const filter_log_events& request)
      -> caf::result<filtered_log_events_page> {
      return self->state.archive.filter(request);
    },
    [self](const describe_log_groups& request) -> caf::result<log_group_page> {
      return self->state.archive.describe(request);
    },
    [self](
      const describe_log_streams& request) -> caf::result<log_stream_page> {
      return self->state.archive.describe(request);
    },
  };
}

} // namespace

log_store_actor spawn_log_store(caf::actor_system& system, resource_scope scope,
                                clock_ptr clock, log_limits limits) {
  return system.spawn(log_store, std::move(scope), std::move(clock), limits);
}

} // namespace batch
