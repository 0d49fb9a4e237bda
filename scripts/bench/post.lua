-- wrk script of the gateway benchmark: sends $BENCH_METHOD (default POST)
-- $BENCH_PATH with the JSON body $BENCH_BODY and a SigV4 Authorization
-- header whose credential scope names us-east-1, as an SDK would, and prints
-- one machine-readable RESULT line when the run ends.
wrk.method = os.getenv("BENCH_METHOD") or "POST"
wrk.path = os.getenv("BENCH_PATH") or "/"
wrk.body = os.getenv("BENCH_BODY") or "{}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] =
  "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/batch/aws4_request, "
  .. "SignedHeaders=content-type;host;x-amz-date, Signature="
  .. string.rep("0", 64)
wrk.headers["X-Amz-Date"] = "20240101T000000Z"

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f non2xx=%d "
    .. "socket_errors=%d\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
