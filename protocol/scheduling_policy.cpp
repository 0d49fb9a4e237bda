#include "protocol/scheduling_policy.hpp"

#include "protocol/errors.hpp"
#include "protocol/validation.hpp"

namespace batch {

namespace {

constexpr int64_t max_share_decay_seconds = 604'800;
constexpr int64_t max_compute_reservation = 99;
constexpr double min_weight_factor = 0.0001;
constexpr double max_weight_factor = 999.9999;
constexpr size_t max_share_identifier_length = 255;

/// A queue can have at most 500 active share identifiers; a distribution
/// that weighs more than that can never be fully used.
constexpr size_t max_shares = 500;

constexpr size_t max_described_policies = 100;

bool is_alphanumeric(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
         || (c >= '0' && c <= '9');
}

bool is_prefix(const std::string& identifier) {
  return !identifier.empty() && identifier.back() == '*';
}

/// Returns the text an identifier matches literally (without its `*`).
std::string_view stem(const std::string& identifier) {
  std::string_view result{identifier};
  if (is_prefix(identifier))
    result.remove_suffix(1);
  return result;
}

caf::error check_share_identifier(const std::string& identifier) {
  auto text = stem(identifier);
  auto valid = !text.empty() && text.size() <= max_share_identifier_length;
  for (auto c : text)
    valid = valid && is_alphanumeric(c);
  if (valid)
    return {};
  return client_error("shareIdentifier " + identifier
                      + " must be 1 to 255 alphanumeric characters, "
                        "optionally followed by an asterisk (*)");
}

/// Returns true if `a` and `b` can match the same share identifier.
bool overlaps(const std::string& a, const std::string& b) {
  auto sa = stem(a);
  auto sb = stem(b);
  if (!is_prefix(a) && !is_prefix(b))
    return sa == sb;
  if (is_prefix(a) && is_prefix(b))
    return sa.substr(0, sb.size()) == sb || sb.substr(0, sa.size()) == sa;
  if (is_prefix(a))
    return sb.substr(0, sa.size()) == sa;
  return sa.substr(0, sb.size()) == sb;
}

caf::error check_weight(const share_attributes& share) {
  if (share.weight_factor >= min_weight_factor
      && share.weight_factor <= max_weight_factor)
    return {};
  return client_error("weightFactor of shareIdentifier "
                      + share.share_identifier
                      + " must be between 0.0001 and 999.9999");
}

/// Reads the fairsharePolicy member into `record`.
void read_fairshare_policy(object_reader& in,
                           scheduling_policy_record& record) {
  auto policy = in.object("fairsharePolicy");
  if (!policy)
    return;
  record.has_fairshare_policy = true;
  object_reader fair{*policy, "fairsharePolicy."};
  record.share_decay_seconds = fair.integer("shareDecaySeconds").value_or(0);
  record.compute_reservation = fair.integer("computeReservation").value_or(0);
  if (auto shares = fair.array("shareDistribution"))
    for_each_object(fair, *shares, "shareDistribution", [&](auto& share) {
      share_attributes entry;
      entry.share_identifier = share.required_string("shareIdentifier");
      entry.weight_factor = share.number("weightFactor").value_or(1.0);
      record.share_distribution.push_back(std::move(entry));
    });
  if (!fair.ok())
    in.fail(fair.failure());
}

/// Reads the quotaSharePolicy member into `record`.
void read_quota_share_policy(object_reader& in,
                             scheduling_policy_record& record) {
  auto policy = in.object("quotaSharePolicy");
  if (!policy)
    return;
  object_reader quota{*policy, "quotaSharePolicy."};
  auto strategy = quota.required_string("idleResourceAssignmentStrategy");
  if (!quota.ok()) {
    in.fail(quota.failure());
    return;
  }
  if (strategy != "FIFO") {
    in.fail("quotaSharePolicy.idleResourceAssignmentStrategy must be one "
            "of: FIFO");
    return;
  }
  record.quota_share_policy
    = json{{"idleResourceAssignmentStrategy", strategy}}.dump();
}

/// Checks the policy members shared by Create and Update.
caf::error check_policy(const scheduling_policy_record& record) {
  if (record.has_fairshare_policy && record.quota_share_policy)
    return client_error(
      "Only one of fairsharePolicy or quotaSharePolicy can be set");
  if (!record.has_fairshare_policy)
    return {};
  if (auto err
      = check_range(record.share_decay_seconds, 0, max_share_decay_seconds,
                    "fairsharePolicy.shareDecaySeconds"))
    return err;
  if (auto err
      = check_range(record.compute_reservation, 0, max_compute_reservation,
                    "fairsharePolicy.computeReservation"))
    return err;
  return check_share_distribution(record.share_distribution);
}

json encode_fairshare_policy(const scheduling_policy_record& record) {
  auto shares = json::array();
  for (auto& share : record.share_distribution)
    shares.push_back({{"shareIdentifier", share.share_identifier},
                      {"weightFactor", share.weight_factor}});
  return {{"shareDecaySeconds", record.share_decay_seconds},
          {"computeReservation", record.compute_reservation},
          {"shareDistribution", std::move(shares)}};
}

} // namespace

caf::error
check_share_distribution(const std::vector<share_attributes>& shares) {
  if (shares.size() > max_shares)
    return client_error(
      "fairsharePolicy.shareDistribution can list at most 500 shares");
  for (auto& share : shares) {
    if (auto err = check_share_identifier(share.share_identifier))
      return err;
    if (auto err = check_weight(share))
      return err;
  }
  for (size_t i = 0; i < shares.size(); ++i)
    for (size_t j = i + 1; j < shares.size(); ++j)
      if (overlaps(shares[i].share_identifier, shares[j].share_identifier))
        return client_error("shareIdentifier " + shares[i].share_identifier
                            + " overlaps with " + shares[j].share_identifier
                            + ": share identifiers can't overlap");
  return {};
}

caf::expected<create_scheduling_policy>
decode_create_scheduling_policy(simdjson::dom::object body) {
  object_reader in{body};
  scheduling_policy_record record;
  record.name = in.required_string("name");
  read_fairshare_policy(in, record);
  read_quota_share_policy(in, record);
  record.tags = in.string_map("tags").value_or(tag_map{});
  if (!in.ok())
    return in.error();
  if (auto err = check_name(record.name, "name"))
    return err;
  if (auto err = check_policy(record))
    return err;
  if (auto err = check_tags(record.tags))
    return err;
  return create_scheduling_policy{std::move(record)};
}

caf::expected<update_scheduling_policy>
decode_update_scheduling_policy(simdjson::dom::object body) {
  object_reader in{body};
  update_scheduling_policy result;
  result.arn = in.required_string("arn");
  read_fairshare_policy(in, result.changes);
  read_quota_share_policy(in, result.changes);
  if (!in.ok())
    return in.error();
  if (auto err = check_policy(result.changes))
    return err;
  return result;
}

caf::expected<delete_scheduling_policy>
decode_delete_scheduling_policy(simdjson::dom::object body) {
  object_reader in{body};
  delete_scheduling_policy result;
  result.arn = in.required_string("arn");
  if (!in.ok())
    return in.error();
  return result;
}

caf::expected<describe_scheduling_policies>
decode_describe_scheduling_policies(simdjson::dom::object body) {
  object_reader in{body};
  describe_scheduling_policies result;
  auto arns = in.string_list("arns");
  if (!in.ok())
    return in.error();
  if (!arns)
    return client_error("arns is required");
  if (arns->size() > max_described_policies)
    return client_error("arns can list at most 100 entries");
  result.arns = std::move(*arns);
  return result;
}

caf::expected<list_scheduling_policies>
decode_list_scheduling_policies(simdjson::dom::object body) {
  object_reader in{body};
  list_scheduling_policies result;
  result.max_results = in.integer("maxResults");
  result.next_token = in.string("nextToken").value_or("");
  if (!in.ok())
    return in.error();
  return result;
}

json encode(const scheduling_policy_record& record) {
  json out
    = {{"name", record.name}, {"arn", record.arn}, {"tags", record.tags}};
  if (record.has_fairshare_policy)
    out["fairsharePolicy"] = encode_fairshare_policy(record);
  if (record.quota_share_policy)
    out["quotaSharePolicy"] = parse_stored_json(*record.quota_share_policy);
  return out;
}

json encode(const scheduling_policy_ref& ref) {
  return {{"name", ref.name}, {"arn", ref.arn}};
}

json encode(const scheduling_policy_records& records) {
  auto items = json::array();
  for (auto& record : records)
    items.push_back(encode(record));
  return {{"schedulingPolicies", std::move(items)}};
}

json encode(const scheduling_policy_arn_page& page) {
  auto items = json::array();
  for (auto& arn : page.arns)
    items.push_back({{"arn", arn}});
  json out = {{"schedulingPolicies", std::move(items)}};
  if (!page.next_token.empty())
    out["nextToken"] = page.next_token;
  return out;
}

} // namespace batch
