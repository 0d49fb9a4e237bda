#!/usr/bin/env bash
# The gateway benchmark: requests per second and latency of batchd's API over
# loopback keep-alive connections (SubmitJob among them), side by side in the
# same run with a bare cpp-httplib server that answers {}
# (tests/bench/bare_http_server.cpp), plus batchd's start-up time and idle
# memory. Prints figures, not verdicts.
#
# Usage: scripts/bench/gateway.sh [--build-dir DIR] [--duration SECONDS]
#          [--connections N] [--rounds N] [--http-threads N]
# Each case runs --rounds times, alternating with the others so that a busy
# moment of the machine hits them alike; the best round is reported.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"

build_dir=build
duration=5
connections=8
rounds=5
http_threads=16
while (($#)); do
  case "$1" in
    --build-dir) build_dir="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --http-threads) http_threads="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "needs wrk (scripts/setup.sh)" >&2; exit 1; }

echo "== building batchd and bare_http_server in $build_dir"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target batchd bare_http_server \
  >/dev/null
batchd="$root/$build_dir/batchd"
bare="$root/$build_dir/bare_http_server"

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pids=()
cleanup() {
  for pid in "${pids[@]+"${pids[@]}"}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

wait_ready() { # URL
  for _ in $(seq 1 500); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.01
  done
  echo "no answer from $1" >&2
  exit 1
}

bare_port=$(free_port)
"$bare" "$bare_port" "$http_threads" &
pids+=($!)
batchd_port=$(free_port)
"$batchd" serve --port "$batchd_port" --http-threads "$http_threads" \
  >"/tmp/batchd-bench-$batchd_port.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$bare_port/"
wait_ready "http://127.0.0.1:$batchd_port/_batchd/health"

# POSTs BODY to /v1/OPERATION; prints the HTTP status, then the body.
api() { # OPERATION BODY
  curl -s -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data "$2" "http://127.0.0.1:$batchd_port/v1/$1"
}

# True when batchd serves OPERATION (it answers anything but "not yet").
supported() { # OPERATION
  ! api "$1" '{}' | grep -q 'does not support'
}

# -- what is measured ----------------------------------------------------------
# name | port | method | path | body
cases=("bare cpp-httplib {}|$bare_port|POST|/|{}")
skipped=()

api createcomputeenvironment \
  '{"computeEnvironmentName":"bench-ce","type":"UNMANAGED","unmanagedvCpus":4}' \
  >/dev/null
cases+=("DescribeComputeEnvironments|$batchd_port|POST|/v1/describecomputeenvironments|{}")
ce_arn="arn%3Aaws%3Abatch%3Aus-east-1%3A000000000000%3Acompute-environment%2Fbench-ce"
cases+=("ListTagsForResource|$batchd_port|GET|/v1/tags/$ce_arn|")

if supported describejobqueues; then
  api createjobqueue '{"jobQueueName":"bench-queue","priority":1,"computeEnvironmentOrder":[{"order":1,"computeEnvironment":"bench-ce"}]}' >/dev/null
  cases+=("DescribeJobQueues|$batchd_port|POST|/v1/describejobqueues|{}")
else
  skipped+=(DescribeJobQueues)
fi
job_definition='{"jobDefinitionName":"bench-def","type":"container","containerProperties":{"image":"busybox","command":["true"],"resourceRequirements":[{"type":"VCPU","value":"1"},{"type":"MEMORY","value":"128"}]}}'
if supported registerjobdefinition; then
  api registerjobdefinition "$job_definition" >/dev/null
  cases+=("DescribeJobDefinitions|$batchd_port|POST|/v1/describejobdefinitions|{\"jobDefinitions\":[\"bench-def:1\"]}")
  cases+=("RegisterJobDefinition|$batchd_port|POST|/v1/registerjobdefinition|$job_definition")
else
  skipped+=(DescribeJobDefinitions RegisterJobDefinition)
fi

# SubmitJob of a job that waits RUNNABLE behind a day-long simulated job, so
# that every submitted job stays queued and nothing runs a container.
if supported submitjob; then
  api createcomputeenvironment '{"computeEnvironmentName":"bench-sim","type":"MANAGED","computeResources":{"type":"EC2","maxvCpus":1,"subnets":["s"],"instanceRole":"r"},"tags":{"batchd:executor":"simulated"}}' >/dev/null
  api createjobqueue '{"jobQueueName":"bench-submit","priority":1,"computeEnvironmentOrder":[{"order":1,"computeEnvironment":"bench-sim"}]}' >/dev/null
  api registerjobdefinition '{"jobDefinitionName":"bench-sim","type":"container","containerProperties":{"image":"busybox","command":["true"],"resourceRequirements":[{"type":"VCPU","value":"1"},{"type":"MEMORY","value":"128"}],"environment":[{"name":"BATCHD_SIMULATED_SECONDS","value":"86400"}]}}' >/dev/null
  cases+=("SubmitJob (simulated, queued)|$batchd_port|POST|/v1/submitjob|{\"jobName\":\"bench\",\"jobQueue\":\"bench-submit\",\"jobDefinition\":\"bench-sim\"}")
else
  skipped+=(SubmitJob)
fi

# -- measuring -------------------------------------------------------------------

# Runs wrk once for a case; prints its RESULT line.
measure() { # PORT METHOD PATH BODY
  BENCH_METHOD="$2" BENCH_PATH="$3" BENCH_BODY="$4" \
    wrk -t1 -c"$connections" -d"${duration}s" \
    -s "$root/scripts/bench/post.lua" "http://127.0.0.1:$1" | grep '^RESULT'
}

field() { # LINE NAME
  sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}

echo "== warming up"
for c in "${cases[@]}"; do
  IFS='|' read -r name port method path body <<<"$c"
  BENCH_METHOD="$method" BENCH_PATH="$path" BENCH_BODY="$body" \
    wrk -t1 -c"$connections" -d1s -s scripts/bench/post.lua \
    "http://127.0.0.1:$port" >/dev/null
done

declare -A best
for round in $(seq 1 "$rounds"); do
  echo "== round $round of $rounds"
  for c in "${cases[@]}"; do
    IFS='|' read -r name port method path body <<<"$c"
    line=$(measure "$port" "$method" "$path" "$body")
    if [[ "$(field "$line" non2xx)" != 0 || "$(field "$line" socket_errors)" != 0 ]]; then
      echo "$name: failed requests: $line" >&2
      exit 1
    fi
    rps=$(field "$line" rps)
    previous="${best[$name]:-}"
    if [[ -z "$previous" ]] || ((rps > $(field "$previous" rps))); then
      best[$name]="$line"
    fi
  done
done

bare_rps=$(field "${best[${cases[0]%%|*}]}" rps)
echo
echo "== gateway: wrk -t1 -c$connections -d${duration}s, best of $rounds rounds, http threads $http_threads, $(nproc) cores"
printf '%-30s %10s %9s %9s %9s\n' "case" "req/s" "p50 ms" "p99 ms" "of bare"
for c in "${cases[@]}"; do
  name="${c%%|*}"
  line="${best[$name]}"
  rps=$(field "$line" rps)
  ratio=$(awk -v a="$rps" -v b="$bare_rps" 'BEGIN { printf "%.0f %%", 100 * a / b }')
  printf '%-30s %10s %9s %9s %9s\n' "$name" "$rps" "$(field "$line" p50_ms)" \
    "$(field "$line" p99_ms)" "$ratio"
done
for name in "${skipped[@]+"${skipped[@]}"}"; do
  printf '%-30s %10s\n' "$name" "(not built yet)"
done
batchd_rss=$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/${pids[1]}/status")
echo "batchd resident memory after the runs: $batchd_rss MiB"

cleanup
pids=()
echo
echo "== start-up and idle memory (target: < 50 ms, < 15 MiB)"
line=$(/usr/bin/python3 scripts/bench/startup.py "$batchd" 7 \
  --http-threads "$http_threads")
echo "start to first answer: median $(field "$line" startup_median_ms) ms, worst $(field "$line" startup_max_ms) ms (7 starts)"
echo "idle resident memory: $(field "$line" idle_rss_mib) MiB, $(field "$line" threads) threads"
echo
echo "reproduce: scripts/bench/gateway.sh --build-dir $build_dir --duration $duration --connections $connections --rounds $rounds --http-threads $http_threads"
