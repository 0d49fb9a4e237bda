// Decoding, validation and encoding of scheduling policies.
#include "protocol/errors.hpp"
#include "protocol/scheduling_policy.hpp"

#include <doctest/doctest.h>

namespace batch {

namespace {

caf::expected<create_scheduling_policy> decode(const std::string& text) {
  auto body = parse_request_body(text);
  REQUIRE(body);
  return decode_create_scheduling_policy(*body);
}

std::string refusal(const std::string& text) {
  auto result = decode(text);
  REQUIRE_FALSE(result);
  auto wire = to_wire_error(result.error());
  CHECK(wire.code == batch_errc::client);
  return wire.message;
}

/// A policy named "sp" with the given fairsharePolicy members.
std::string fairshare(const std::string& members) {
  return R"({"name": "sp", "fairsharePolicy": {)" + members + "}}";
}

std::string shares(const std::string& a, const std::string& b) {
  return fairshare(R"("shareDistribution": [{"shareIdentifier": ")" + a
                   + R"("}, {"shareIdentifier": ")" + b + R"("}])");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("a fair-share policy decodes with its shares and encodes back") {
  auto result = decode(fairshare(R"("shareDecaySeconds": 3600,
    "computeReservation": 50, "shareDistribution": [
      {"shareIdentifier": "teamA*", "weightFactor": 0.125},
      {"shareIdentifier": "teamB"}])"));
  REQUIRE(result);
  auto& record = result->record;
  CHECK(record.has_fairshare_policy);
  CHECK(record.share_decay_seconds == 3600);
  CHECK(record.compute_reservation == 50);
  REQUIRE(record.share_distribution.size() == 2);
  CHECK(record.share_distribution[0].weight_factor == 0.125);
  CHECK(record.share_distribution[1].weight_factor == 1.0);
  auto out = encode(record);
  CHECK(out["fairsharePolicy"]["shareDistribution"][0]["shareIdentifier"]
        == "teamA*");
  CHECK(out["fairsharePolicy"]["computeReservation"] == 50);
  CHECK_FALSE(out.contains("quotaSharePolicy"));
}

TEST_CASE("a policy without fairsharePolicy encodes without it") {
  auto result = decode(R"({"name": "plain"})");
  REQUIRE(result);
  CHECK_FALSE(encode(result->record).contains("fairsharePolicy"));
}

TEST_CASE("fair-share ranges are enforced") {
  CHECK(refusal(fairshare(R"("shareDecaySeconds": 604801)"))
        == "fairsharePolicy.shareDecaySeconds must be between 0 and 604800");
  CHECK(refusal(fairshare(R"("computeReservation": 100)"))
        == "fairsharePolicy.computeReservation must be between 0 and 99");
  CHECK(contains(refusal(fairshare(R"("shareDistribution": [
          {"shareIdentifier": "a", "weightFactor": 0.00001}])")),
                 "between 0.0001 and 999.9999"));
  CHECK(contains(refusal(fairshare(R"("shareDistribution": [
          {"shareIdentifier": "a", "weightFactor": 1000}])")),
                 "between 0.0001 and 999.9999"));
  CHECK(decode(fairshare(R"("shareDecaySeconds": 604800,
    "computeReservation": 99, "shareDistribution": [
      {"shareIdentifier": "a", "weightFactor": 0.0001},
      {"shareIdentifier": "b", "weightFactor": 999.9999}])")));
}

TEST_CASE("share identifiers must not overlap") {
  CHECK(contains(refusal(shares("UserA*", "UserA1")), "overlaps"));
  CHECK(contains(refusal(shares("UserA1", "UserA*")), "overlaps"));
  CHECK(contains(refusal(shares("User*", "UserA*")), "overlaps"));
  CHECK(contains(refusal(shares("same", "same")), "overlaps"));
  CHECK(decode(shares("UserA*", "UserB")));
  CHECK(decode(shares("UserA", "UserAB")));
}

TEST_CASE("share identifiers are alphanumeric with an optional trailing *") {
  CHECK(contains(refusal(shares("user-a", "b")), "alphanumeric"));
  CHECK(contains(refusal(shares("*", "b")), "alphanumeric"));
  CHECK(contains(refusal(shares("a*b", "c")), "alphanumeric"));
  CHECK(contains(refusal(shares(std::string(256, 'a'), "b")), "alphanumeric"));
}

TEST_CASE("a policy is either fair-share or quota-share") {
  CHECK(contains(refusal(R"({"name": "sp", "fairsharePolicy": {},
    "quotaSharePolicy": {"idleResourceAssignmentStrategy": "FIFO"}})"),
                 "Only one of"));
  CHECK(contains(refusal(R"({"name": "sp", "quotaSharePolicy":
                             {"idleResourceAssignmentStrategy": "LIFO"}})"),
                 "FIFO"));
  auto quota = decode(R"({"name": "sp", "quotaSharePolicy":
                          {"idleResourceAssignmentStrategy": "FIFO"}})");
  REQUIRE(quota);
  CHECK(
    encode(quota->record)["quotaSharePolicy"]["idleResourceAssignmentStrategy"]
    == "FIFO");
}

TEST_CASE("policy names are checked") {
  CHECK(contains(refusal(R"({"name": "no spaces"})"), "name must be"));
  CHECK(refusal(R"({})") == "name is required");
}

TEST_CASE("DescribeSchedulingPolicies needs 0 to 100 ARNs") {
  auto missing = parse_request_body("{}");
  REQUIRE(missing);
  auto result = decode_describe_scheduling_policies(*missing);
  REQUIRE_FALSE(result);
  CHECK(to_wire_error(result.error()).message == "arns is required");
  std::string many = R"({"arns": [)";
  for (int i = 0; i < 101; ++i)
    many += std::string{i > 0 ? "," : ""} + "\"x\"";
  auto body = parse_request_body(many + "]}");
  REQUIRE(body);
  CHECK_FALSE(decode_describe_scheduling_policies(*body));
}

TEST_CASE("ListSchedulingPolicies encodes ARNs only") {
  scheduling_policy_arn_page page{{"arn:a", "arn:b"}, "token"};
  auto out = encode(page);
  CHECK(out["schedulingPolicies"][1] == json{{"arn", "arn:b"}});
  CHECK(out["nextToken"] == "token");
}

} // namespace batch
