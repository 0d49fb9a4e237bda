// What an operation's route sees: the region the call is for, the decoded
// body, and a blocking way to ask the region's actors. A route decodes the
// body into a typed request, asks the owning actor, and encodes the reply;
// it holds no domain logic.
#pragma once

#include "actors/region.hpp"
#include "protocol/errors.hpp"
#include "protocol/json.hpp"
#include "runtime/await_briefly.hpp"
#include "runtime/gateway/call_deadlines.hpp"

#include <caf/blocking_actor.hpp>
#include <caf/scoped_actor.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>

namespace batch {

/// How long the gateway waits for an actor's reply before answering 500.
constexpr auto call_timeout = std::chrono::seconds{30};

/// How long a call looks for its reply before it sleeps until it comes.
constexpr auto reply_wait_window = std::chrono::microseconds{50};

/// How often the gateway looks for calls that waited too long.
constexpr auto call_deadline_resolution = std::chrono::milliseconds{250};

/// Returns the empty JSON object that answers an operation without output.
inline json encode(const ack&) {
  return json::object();
}

/// One call as a route sees it.
class call_context {
public:
  call_context(const region& r, caf::scoped_actor& self,
               call_deadlines& deadlines, std::string resource_arn,
               std::multimap<std::string, std::string> query)
      : region_(r), self_(self), deadlines_(deadlines),
        resource_arn_(std::move(resource_arn)), query_(std::move(query)) {
    // nop
  }

  /// Returns the region the call is for.
  const region& target() const {
    return region_;
  }

  /// Returns the decoded {resourceArn} label of a tag operation.
  const std::string& resource_arn() const {
    return resource_arn_;
  }

  /// Returns all values of query parameter `key`.
  std::vector<std::string> query_values(const std::string& key) const {
    std::vector<std::string> result;
    auto [first, last] = query_.equal_range(key);
    for (auto i = first; i != last; ++i)
      result.push_back(i->second);
    return result;
  }

  /// Sends `request` to `handle` and waits for a reply of type `Result`, or
  /// for `deadlines` to end the wait with `sec::request_timeout`.
  template <class Result, class Handle, class Request>
  caf::expected<Result> ask(const Handle& handle, Request&& request) {
    caf::expected<Result> result{server_error("no reply")};

    // The deadline is the gateway's own, not CAF's: see call_deadlines.
    auto pending
      = self_->request(handle, caf::infinite, std::forward<Request>(request));
    auto ticket = deadlines_.arm(caf::actor_cast<caf::strong_actor_ptr>(self_),
                                 pending.id());
    // Most replies come within microseconds; looking for one before
    // blocking spares the thread a sleep and a wake-up.
    await_briefly([this] { return !self_->mailbox().empty(); },
                  reply_wait_window);
    pending.receive([&](Result& value) { result = std::move(value); },
                    [&](caf::error& err) { result = std::move(err); });
    deadlines_.disarm(ticket);

    if (!result && result.error() == caf::sec::request_timeout)
      timed_out_ = true;
    return result;
  }

  /// Returns true if a reply did not come in time. The reply may still
  /// arrive later, so the caller should not be used again.
  bool timed_out() const {
    return timed_out_;
  }

private:
  const region& region_;
  caf::scoped_actor& self_;
  call_deadlines& deadlines_;
  std::string resource_arn_;
  std::multimap<std::string, std::string> query_;
  bool timed_out_ = false;
};

/// Serves one operation: decodes the body, calls actors, returns the output.
using route
  = std::function<caf::expected<json>(call_context&, simdjson::dom::object)>;

/// Routes by operation name, e.g. "CreateComputeEnvironment".
using route_table = std::unordered_map<std::string, route>;

/// Returns a route that decodes with `decode`, asks the region actor that
/// `target` selects for a `Result`, and encodes the reply.
template <class Result, class Decode, class Target>
route make_route(Decode decode, Target target) {
  return [decode, target](call_context& ctx,
                          simdjson::dom::object body) -> caf::expected<json> {
    auto request = decode(body);
    if (!request)
      return std::move(request.error());
    auto reply = ctx.ask<Result>(target(ctx.target()), std::move(*request));
    if (!reply)
      return std::move(reply.error());
    return encode(*reply);
  };
}

/// Adds the routes of each resource family.
void add_compute_environment_routes(route_table& routes);
void add_job_queue_routes(route_table& routes);
void add_job_definition_routes(route_table& routes);
void add_scheduling_policy_routes(route_table& routes);
void add_job_routes(route_table& routes);
void add_tag_routes(route_table& routes);

/// Adds the CloudWatch Logs operations, keyed by the operation name that
/// follows `Logs_20140328.` in the X-Amz-Target header.
void add_logs_routes(route_table& routes);

} // namespace batch
