// Decoding of request bodies (simdjson) and the JSON type used to encode
// responses (nlohmann::json). Decoding never throws: a reader records the
// first problem it meets and the caller turns it into a ClientException.
#pragma once

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace batch {

using json = nlohmann::json;

/// The largest request body batchd accepts, in bytes.
constexpr size_t max_request_body = 1024 * 1024;

/// Parses `body` (an empty body counts as `{}`) and returns its root object.
/// The result lives in a parser owned by the calling thread and stays valid
/// until the next call on the same thread.
caf::expected<simdjson::dom::object> parse_request_body(std::string_view body);

/// Converts a simdjson value into an owned JSON value.
json to_json(simdjson::dom::element element);

/// Returns the compact text of `element`.
std::string to_json_text(simdjson::dom::element element);

/// Returns the compact text of `object` with an empty list added for each of
/// `keys` it lacks.
std::string
to_json_text_with_lists(simdjson::dom::object object,
                        std::initializer_list<std::string_view> keys);

/// Parses text that batchd wrote itself; returns null on empty text.
json parse_stored_json(const std::string& text);

/// Reads typed members from one JSON object. Each getter returns nothing when
/// the member is absent or null, and records an error when it has the wrong
/// type or a required member is missing. Only the first error is kept.
class object_reader {
public:
  /// `path` prefixes member names in messages, e.g. "computeResources.".
  explicit object_reader(simdjson::dom::object object, std::string path = {});

  std::optional<std::string> string(std::string_view key);
  std::string required_string(std::string_view key);
  std::optional<int64_t> integer(std::string_view key);
  std::optional<double> number(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  std::optional<simdjson::dom::object> object(std::string_view key);
  std::optional<simdjson::dom::array> array(std::string_view key);
  std::optional<std::vector<std::string>> string_list(std::string_view key);
  std::optional<std::map<std::string, std::string>>
  string_map(std::string_view key);

  /// Returns the member as compact JSON text, whatever its type.
  std::optional<std::string> document(std::string_view key);

  /// Records `message` as a validation error unless one is recorded already.
  void fail(std::string message);

  /// Returns the full name of `key` for messages, e.g.
  /// "retryStrategy.attempts".
  std::string name_of(std::string_view key) const;

  /// Returns true while no error was recorded.
  bool ok() const {
    return failure_.empty();
  }

  /// Returns the first recorded problem, or an empty string.
  const std::string& failure() const {
    return failure_;
  }

  /// Returns the first recorded problem as a ClientException.
  caf::error error() const;

private:
  std::optional<simdjson::dom::element> find(std::string_view key);
  void wrong_type(std::string_view key, const char* expected);

  simdjson::dom::object object_;
  std::string path_;
  std::string failure_;
};

/// Reads every element of `array` as an object and calls `read` with a reader
/// for it; errors of the element readers go to `parent`.
template <class F>
void for_each_object(object_reader& parent, simdjson::dom::array array,
                     std::string_view key, F read) {
  size_t index = 0;
  for (auto element : array) {
    auto path = parent.name_of(key) + "[" + std::to_string(index++) + "].";
    simdjson::dom::object object;
    if (element.get(object) != simdjson::SUCCESS) {
      parent.fail("Expected an object at " + path.substr(0, path.size() - 1));
      return;
    }
    object_reader reader{object, path};
    read(reader);
    if (!reader.ok()) {
      parent.fail(reader.failure());
      return;
    }
  }
}

} // namespace batch
