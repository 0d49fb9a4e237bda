#include "protocol/json.hpp"

#include "protocol/errors.hpp"

namespace batch {

namespace {

simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

} // namespace

caf::expected<simdjson::dom::object> parse_request_body(std::string_view body) {
  if (body.size() > max_request_body)
    return client_error("Request body exceeds the limit of "
                        + std::to_string(max_request_body) + " bytes");
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
    body = "{}";
  simdjson::dom::element root;
  auto code = thread_parser().parse(body.data(), body.size()).get(root);
  if (code != simdjson::SUCCESS)
    return client_error(std::string{"Malformed JSON in request body: "}
                        + simdjson::error_message(code));
  simdjson::dom::object object;
  if (root.get(object) != simdjson::SUCCESS)
    return client_error("Request body must be a JSON object");
  return object;
}

json to_json(simdjson::dom::element element) {
  switch (element.type()) {
  case simdjson::dom::element_type::ARRAY: {
    auto result = json::array();
    for (auto child : simdjson::dom::array(element))
      result.push_back(to_json(child));
    return result;
  }
  case simdjson::dom::element_type::OBJECT: {
    auto result = json::object();
    for (auto field : simdjson::dom::object(element))
      result[std::string{field.key}] = to_json(field.value);
    return result;
  }
  case simdjson::dom::element_type::INT64:
    return int64_t(element);
  case simdjson::dom::element_type::UINT64:
    return uint64_t(element);
  case simdjson::dom::element_type::DOUBLE:
    return double(element);
  case simdjson::dom::element_type::STRING:
    return std::string{std::string_view(element)};
  case simdjson::dom::element_type::BOOL:
    return bool(element);
  case simdjson::dom::element_type::NULL_VALUE:
    return nullptr;
  }
  return nullptr;
}

std::string to_json_text(simdjson::dom::element element) {
  return simdjson::minify(element);
}

std::string
to_json_text_with_lists(simdjson::dom::object object,
                        std::initializer_list<std::string_view> keys) {
  std::string added;
  for (auto key : keys)
    if (object[key].error() == simdjson::NO_SUCH_FIELD)
      added.append(",\"").append(key).append("\":[]");
  auto text = simdjson::minify(object);
  if (added.empty())
    return text;

  // Into the object before its closing brace; the first member of an empty
  // object takes no comma.
  text.pop_back();
  if (text == "{")
    added.erase(0, 1);
  return text.append(added).append("}");
}

json parse_stored_json(const std::string& text) {
  if (text.empty())
    return nullptr;
  return json::parse(text, nullptr, false);
}

object_reader::object_reader(simdjson::dom::object object, std::string path)
    : object_(object), path_(std::move(path)) {
  // nop
}

std::string object_reader::name_of(std::string_view key) const {
  return path_ + std::string{key};
}

void object_reader::fail(std::string message) {
  if (failure_.empty())
    failure_ = std::move(message);
}

caf::error object_reader::error() const {
  return client_error(failure_);
}

void object_reader::wrong_type(std::string_view key, const char* expected) {
  fail("Expected " + std::string{expected} + " for " + name_of(key));
}

std::optional<simdjson::dom::element>
object_reader::find(std::string_view key) {
  simdjson::dom::element element;
  if (object_.at_key(key).get(element) != simdjson::SUCCESS
      || element.is_null())
    return std::nullopt;
  return element;
}

std::optional<std::string> object_reader::string(std::string_view key) {
  auto element = find(key);
  if (!element)
    return std::nullopt;
  std::string_view value;
  if (element->get(value) != simdjson::SUCCESS) {
    wrong_type(key, "a string");
    return std::nullopt;
  }
  return std::string{value};
}

std::string object_reader::required_string(std::string_view key) {
  auto value = string(key);
  if (!value) {
    if (ok())
      fail(name_of(key) + " is required");
    return {};
  }
  return std::move(*value);
}

std::optional<int64_t> object_reader::integer(std::string_view key) {
  auto element = find(key);
  if (!element)
    return std::nullopt;
  int64_t value = 0;
  if (element->get(value) != simdjson::SUCCESS) {
    wrong_type(key, "an integer");
    return std::nullopt;
  }
  return value;
}

std::optional<double> object_reader::number(std::string_view key) {
  auto element = find(key);
  if (!element)
    return std::nullopt;
  if (element->is_int64())
    return static_cast<double>(int64_t(*element));
  double value = 0;
  if (element->get(value) != simdjson::SUCCESS) {
    wrong_type(key, "a number");
    return std::nullopt;
  }
  return value;
}

std::optional<bool> object_reader::boolean(std::string_view key) {
  auto element = find(key);
  if (!element)
    return std::nullopt;
  bool value = false;
  if (element->get(value) != simdjson::SUCCESS) {
    wrong_type(key, "a boolean");
    return std::nullopt;
  }
  return value;
}

std::optional<simdjson::dom::object>
object_reader::object(std::string_view key) {
  auto element = find(key);
  if (!element)
    return std::nullopt;
  simdjson::dom::object value;
  if (element->get(value) != simdjson::SUCCESS) {
    wrong_type(key, "an object");
    return std::nullopt;
  }
  return value;
}

std::optional<simdjson::dom::array> object_reader::array(std::string_view key) {
  auto element = find(key);
  if (!element)
    return std::nullopt;
  simdjson::dom::array value;
  if (element->get(value) != simdjson::SUCCESS) {
    wrong_type(key, "a list");
    return std::nullopt;
  }
  return value;
}

std::optional<std::vector<std::string>>
object_reader::string_list(std::string_view key) {
  auto elements = array(key);
  if (!elements)
    return std::nullopt;
  std::vector<std::string> result;
  for (auto element : *elements) {
    std::string_view value;
    if (element.get(value) != simdjson::SUCCESS) {
      wrong_type(key, "a list of strings");
      return std::nullopt;
    }
    result.emplace_back(value);
  }
  return result;
}

std::optional<std::map<std::string, std::string>>
object_reader::string_map(std::string_view key) {
  auto members = object(key);
  if (!members)
    return std::nullopt;
  std::map<std::string, std::string> result;
  for (auto field : *members) {
    std::string_view value;
    if (field.value.get(value) != simdjson::SUCCESS) {
      wrong_type(key, "a map of strings");
      return std::nullopt;
    }
    result.emplace(field.key, value);
  }
  return result;
}

std::optional<std::string> object_reader::document(std::string_view key) {
  auto element = find(key);
  if (!element)
    return std::nullopt;
  return to_json_text(*element);
}

} // namespace batch
