#include "protocol/arn.hpp"
#include "protocol/errors.hpp"
#include "protocol/json.hpp"
#include "protocol/pagination.hpp"

#include <doctest/doctest.h>

namespace batch {

namespace {

std::string message_of(const caf::error& err) {
  return to_wire_error(err).message;
}

} // namespace

TEST_CASE("an empty body decodes as an empty object") {
  auto body = parse_request_body("");
  REQUIRE(body);
  CHECK(body->size() == 0);
}

TEST_CASE("stored text gains the lists its object lacks") {
  auto body = parse_request_body(R"({"a": {"x": [1], "y": 2}, "b": {}})");
  REQUIRE(body);
  simdjson::dom::object a = (*body)["a"];
  simdjson::dom::object b = (*body)["b"];
  CHECK(to_json_text_with_lists(a, {"x", "z"}) == R"({"x":[1],"y":2,"z":[]})");
  CHECK(to_json_text_with_lists(a, {"x"}) == R"({"x":[1],"y":2})");
  CHECK(to_json_text_with_lists(b, {"p", "q"}) == R"({"p":[],"q":[]})");
  CHECK(to_json_text_with_lists(b, {}) == "{}");
}

TEST_CASE("malformed JSON is a ClientException") {
  auto body = parse_request_body("{\"a\": ");
  REQUIRE_FALSE(body);
  auto wire = to_wire_error(body.error());
  CHECK(wire.code == batch_errc::client);
  CHECK(wire.message.find("Malformed JSON") != std::string::npos);
}

TEST_CASE("a body that is not an object is a ClientException") {
  auto body = parse_request_body("[1, 2]");
  REQUIRE_FALSE(body);
  CHECK(message_of(body.error()) == "Request body must be a JSON object");
}

TEST_CASE("a reader reports the first member of the wrong type") {
  auto body = parse_request_body(R"({"name": 3, "size": "x"})");
  REQUIRE(body);
  object_reader in{*body};
  CHECK_FALSE(in.string("name"));
  CHECK_FALSE(in.integer("size"));
  CHECK(in.failure() == "Expected a string for name");
}

TEST_CASE("a reader reports a missing required member") {
  auto body = parse_request_body(R"({"other": null})");
  REQUIRE(body);
  object_reader in{*body, "outer."};
  CHECK(in.required_string("other").empty());
  CHECK(in.failure() == "outer.other is required");
}

TEST_CASE("a reader keeps sub-documents as compact JSON") {
  auto body = parse_request_body(R"({"doc": {"a": [1, 2], "b": "c"}})");
  REQUIRE(body);
  object_reader in{*body};
  CHECK(in.document("doc") == std::string{R"({"a":[1,2],"b":"c"})"});
}

TEST_CASE("ARNs split into region, account, type and id") {
  auto parts = parse_arn("arn:aws:batch:eu-west-1:123:job-definition/d:3");
  REQUIRE(parts);
  CHECK(parts->region == "eu-west-1");
  CHECK(parts->account_id == "123");
  CHECK(parts->resource_type == "job-definition");
  CHECK(parts->resource_id == "d:3");
  CHECK_FALSE(parse_arn("arn:aws:ecs:eu-west-1:123:cluster/x"));
  CHECK_FALSE(parse_arn("my-queue"));
}

TEST_CASE("page tokens round-trip and reject garbage") {
  auto token = make_page_token("queue-7");
  CHECK(read_page_token(token) == std::string{"queue-7"});
  CHECK_FALSE(read_page_token("not-a-token"));
  CHECK_FALSE(page_size(int64_t{0}, 100));
  CHECK(page_size(std::nullopt, 100) == size_t{100});
}

} // namespace batch
