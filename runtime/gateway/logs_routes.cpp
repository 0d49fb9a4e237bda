// The CloudWatch Logs operations that clients use to read job output. They
// arrive as `POST /` with `X-Amz-Target: Logs_20140328.<operation>` and are
// answered by the region's log store.
#include "protocol/logs.hpp"
#include "runtime/gateway/routes.hpp"

namespace batch {

namespace {

log_store_actor store(const region& r) {
  return r.log_store;
}

} // namespace

void add_logs_routes(route_table& routes) {
  routes["GetLogEvents"]
    = make_route<log_events_page>(decode_get_log_events, store);
  routes["FilterLogEvents"]
    = make_route<filtered_log_events_page>(decode_filter_log_events, store);
  routes["DescribeLogGroups"]
    = make_route<log_group_page>(decode_describe_log_groups, store);
  routes["DescribeLogStreams"]
    = make_route<log_stream_page>(decode_describe_log_streams, store);
}

} // namespace batch
