#!/usr/bin/python3
"""The container latency benchmark: how long batchd takes to run a job's
container, side by side in the same run with a bare `docker run` of the same
image and command. Prints figures, not verdicts.

Measured for each job (one at a time, nothing else queued):
  client  submit -> RUNNING    from just before the SubmitJob call to the
                               first DescribeJobs answer that shows RUNNING,
                               polled every --interval-ms (the client's wall
                               clock, what a user of the API sees);
  client  submit -> SUCCEEDED  likewise, to the first answer that shows
                               SUCCEEDED;
  server  createdAt -> startedAt, createdAt -> stoppedAt
                               the job's own timestamps (epoch ms). startedAt
                               is stamped when batchd issues `docker start`,
                               stoppedAt when `docker wait` returns, so these
                               leave out the reporting that the client sees.
Baselines, by the same clock:
  bare `docker run --rm IMAGE CMD`  wall time of the CLI: create, start,
                               attach, wait and removal; the baseline of
                               submit -> SUCCEEDED;
  bare `docker run -d IMAGE CMD`    wall time until the CLI returns, which is
                               once the container runs; the baseline of
                               submit -> RUNNING. The container is removed
                               afterwards, outside the timed part.
Each round runs every case once, in an order that rotates from round to
round, so that a busy moment of the machine hits them alike. The server's log
is then read to split batchd's time into its steps (docker create, docker
start, the container's run until `docker wait` returns, and so on).

Usage: scripts/bench/containers.py [--rounds N] [--interval-ms MS]
         [--variants true echo] [--binary PATH]
Needs a Docker engine and the image batchd-test/busybox:latest
(scripts/docker.sh), Debian's python3-boto3 and AWS_DATA_PATH pointing at
tests/models; scripts/bench/containers.sh sets these up and runs this."""

import argparse
import datetime
import math
import os
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

import boto3

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
IMAGE = "batchd-test/busybox:latest"
# Labels the bare detached containers, so that an interrupted run can find
# and remove them.
BENCH_LABEL = "batchd.bench=containers"
# The commands a job definition (and its bare counterpart) can run.
VARIANTS = {
    "true": ["true"],
    "echo": ["sh", "-c", "echo hi"],
}
# A bound on any single wait, not a measurement.
WAIT_SECONDS = 60


def parse_args():
    parser = argparse.ArgumentParser(
        description="submit -> RUNNING / SUCCEEDED latency of batchd against "
                    "a bare docker run of the same image")
    parser.add_argument("--rounds", type=int, default=20,
                        help="measured rounds (default 20)")
    parser.add_argument("--interval-ms", type=float, default=5,
                        help="pause between two DescribeJobs polls "
                             "(default 5)")
    parser.add_argument("--variants", nargs="+", choices=sorted(VARIANTS),
                        default=["true", "echo"],
                        help="commands to run: true, echo (sh -c 'echo hi'); "
                             "default both")
    parser.add_argument("--binary", default=os.path.join(ROOT, "build/batchd"),
                        help="the batchd to measure (default build/batchd)")
    return parser.parse_args()


def reproduce_command(args):
    variants = " ".join(args.variants)
    build_dir = os.path.relpath(os.path.dirname(os.path.abspath(args.binary)),
                                ROOT)
    build = "" if build_dir == "build" else f"--build-dir {build_dir} "
    return (f"scripts/bench/containers.sh {build}--rounds {args.rounds} "
            f"--interval-ms {args.interval_ms:g} --variants {variants}")


# -- the server ------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A batchd serving on a free loopback port, logging to a file."""

    def __init__(self, binary):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = f"/tmp/batchd-bench-containers-{self.port}.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [binary, "serve", "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready()

    def wait_ready(self):
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.endpoint + "/_batchd/health"):
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.02)
        raise SystemExit("batchd did not start; see " + self.log_path)

    def client(self):
        return boto3.client("batch", endpoint_url=self.endpoint,
                            region_name="us-east-1",
                            aws_access_key_id="bench",
                            aws_secret_access_key="bench")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        self.log.close()


def set_up(batch, variants):
    """Creates a compute environment, a queue and one job definition per
    variant; returns the queue's name and {variant: definition ARN}."""
    batch.create_compute_environment(
        computeEnvironmentName="bench-ce", type="MANAGED",
        computeResources={"type": "EC2", "maxvCpus": 8, "minvCpus": 0,
                          "subnets": ["subnet-1"],
                          "instanceRole": "ecsInstanceRole"})
    batch.create_job_queue(
        jobQueueName="bench-queue", priority=1,
        computeEnvironmentOrder=[{"order": 1,
                                  "computeEnvironment": "bench-ce"}])
    definitions = {}
    for variant in variants:
        definitions[variant] = batch.register_job_definition(
            jobDefinitionName=f"bench-{variant}", type="container",
            containerProperties={
                "image": IMAGE, "command": VARIANTS[variant],
                "resourceRequirements": [{"type": "VCPU", "value": "0.25"},
                                         {"type": "MEMORY", "value": "64"}]},
        )["jobDefinitionArn"]
    return "bench-queue", definitions


# -- measuring -------------------------------------------------------------------


def run_job(batch, queue, definition, interval):
    """Submits one job and polls it until it ends. Returns the client's and
    the server's figures in milliseconds; client_running is None when the
    job went from an earlier state to SUCCEEDED between two polls."""
    began = time.perf_counter()
    job_id = batch.submit_job(jobName="bench", jobQueue=queue,
                              jobDefinition=definition)["jobId"]
    submitted = time.perf_counter()
    seen = {}
    polls = []
    deadline = began + WAIT_SECONDS
    while True:
        asked = time.perf_counter()
        job = batch.describe_jobs(jobs=[job_id])["jobs"][0]
        now = time.perf_counter()
        polls.append(now - asked)
        seen.setdefault(job["status"], now)
        if job["status"] in ("SUCCEEDED", "FAILED"):
            break
        if now > deadline:
            raise SystemExit(f"job {job_id} did not end within "
                             f"{WAIT_SECONDS} s")
        time.sleep(interval)
    if job["status"] != "SUCCEEDED":
        raise SystemExit(f"job {job_id} failed: {job.get('statusReason')}")

    def since_submit(status):
        return (seen[status] - began) * 1000 if status in seen else None

    return {
        "job_id": job_id,
        "created_at": job["createdAt"],
        "started_at": job["startedAt"],
        "stopped_at": job["stoppedAt"],
        "client_running": since_submit("RUNNING"),
        "client_succeeded": since_submit("SUCCEEDED"),
        "server_running": job["startedAt"] - job["createdAt"],
        "server_succeeded": job["stoppedAt"] - job["createdAt"],
        "submit_call": (submitted - began) * 1000,
        "poll_call": statistics.median(polls) * 1000,
    }


def docker(*args, check=True):
    """Runs the docker CLI; returns its stdout."""
    result = subprocess.run(["docker", *args], capture_output=True,
                            text=True, timeout=WAIT_SECONDS)
    if check and result.returncode != 0:
        raise SystemExit(f"docker {' '.join(args)} failed: "
                         f"{result.stderr.strip()}")
    return result.stdout


def timed_docker(*args):
    """Runs the docker CLI; returns (milliseconds, stdout)."""
    began = time.perf_counter()
    out = docker(*args)
    return (time.perf_counter() - began) * 1000, out


def bare_run(command):
    """`docker run --rm`: the whole life of a container, in ms."""
    elapsed, _ = timed_docker("run", "--rm", IMAGE, *command)
    return elapsed


def bare_detached(command):
    """`docker run -d`: until the container runs, in ms. Removes the
    container afterwards, untimed."""
    elapsed, out = timed_docker("run", "-d", "--label", BENCH_LABEL, IMAGE,
                                *command)
    docker("rm", "-f", out.strip())
    return elapsed


def cases_of(variants):
    """Returns [(name, kind, variant)]: every case one round runs."""
    cases = []
    for variant in variants:
        cases.append((f"batchd {variant}", "batchd", variant))
        cases.append((f"bare run --rm {variant}", "rm", variant))
    cases.append(("bare run -d true", "detached", "true"))
    return cases


def run_case(kind, variant, batch, queue, definitions, interval):
    if kind == "batchd":
        return run_job(batch, queue, definitions[variant], interval)
    if kind == "rm":
        return bare_run(VARIANTS[variant])
    return bare_detached(VARIANTS[variant])


def measure(args, batch, queue, definitions):
    """Runs a warm-up round, then the measured rounds. Returns
    {case name: [result of each round]}."""
    interval = args.interval_ms / 1000
    cases = cases_of(args.variants)
    for _, kind, variant in cases:
        run_case(kind, variant, batch, queue, definitions, interval)
    results = {name: [] for name, _, _ in cases}
    for round_number in range(args.rounds):
        shift = round_number % len(cases)
        for name, kind, variant in cases[shift:] + cases[:shift]:
            results[name].append(
                run_case(kind, variant, batch, queue, definitions, interval))
        print(f"round {round_number + 1} of {args.rounds} done",
              file=sys.stderr, flush=True)
    return results


# -- the server's log ------------------------------------------------------------

LOG_LINE = re.compile(r"^(\S+)Z \S+\s+(\S+) (.*)$")
JOB_ID = re.compile(r"job_id=(\S+)")


def epoch_ms(stamp):
    moment = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f")
    return moment.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000


def log_events(log_path):
    """Returns {job id: {event: epoch ms}} from the server's log; events are
    job:<STATUS>, container:<STEP> and scheduler:place."""
    events = {}
    with open(log_path) as f:
        for line in f:
            match = LOG_LINE.match(line)
            if not match:
                continue
            stamp, component, text = match.groups()
            job = JOB_ID.search(text)
            if not job:
                continue
            if component == "job":
                step = re.search(r" to=(\S+)", text)
                event = step and "job:" + step.group(1)
            elif component == "container":
                step = re.search(r" to=(\S+)", text)
                event = step and "container:" + step.group(1)
            elif component == "scheduler" and "decision=place" in text:
                event = "scheduler:place"
            else:
                event = None
            if event:
                events.setdefault(job.group(1), {}).setdefault(
                    event, epoch_ms(stamp))
    return events


# Where a job's time goes, as (label, from, to). `created`, `started` and
# `stopped` are the job's own timestamps; the rest are log lines.
STEPS = [
    ("SubmitJob -> RUNNABLE", "created", "job:RUNNABLE"),
    ("RUNNABLE -> placed (scheduler)", "job:RUNNABLE", "scheduler:place"),
    ("placed -> STARTING", "scheduler:place", "job:STARTING"),
    ("STARTING -> supervisor LAUNCHING", "job:STARTING", "container:LAUNCHING"),
    ("docker create", "container:LAUNCHING", "started"),
    ("docker start", "started", "container:RUNNING"),
    ("supervisor RUNNING -> job RUNNING", "container:RUNNING", "job:RUNNING"),
    ("RUNNING -> docker wait returns", "job:RUNNING", "stopped"),
    ("exit -> SUCCEEDED (end of docker logs)", "stopped", "job:SUCCEEDED"),
    ("after SUCCEEDED: docker rm", "job:SUCCEEDED", "container:REMOVED"),
]


def breakdown(runs, events):
    """Returns [(label, [ms of each run])] for the steps of STEPS."""
    rows = []
    for label, start, end in STEPS:
        values = []
        for run in runs:
            marks = dict(events.get(run["job_id"], {}))
            marks.update(created=run["created_at"],
                         started=run["started_at"],
                         stopped=run["stopped_at"])
            if start in marks and end in marks:
                values.append(marks[end] - marks[start])
        rows.append((label, values))
    return rows


# -- reporting -------------------------------------------------------------------


def percentile(values, fraction):
    """The nearest-rank percentile of `values`."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median_p90(values):
    return statistics.median(values), percentile(values, 0.9)


def print_row(label, values):
    if not values:
        print(f"  {label:<42} {'(never seen)':>9}")
        return
    median, p90 = median_p90(values)
    print(f"  {label:<42} {median:9.1f} {p90:9.1f}")


def print_header(title):
    print(title)
    print(f"  {'':<42} {'median':>9} {'p90':>9}")


def print_ratio(label, numerator, denominator):
    if not numerator:
        print(f"  {label:<42} {'-':>9}")
        return
    (a50, a90), (b50, b90) = median_p90(numerator), median_p90(denominator)
    print(f"  {label:<42} {a50 / b50:8.2f}x {a90 / b90:8.2f}x")


def report_variant(variant, results):
    runs = results[f"batchd {variant}"]
    bare_rm = results[f"bare run --rm {variant}"]
    bare_d = results["bare run -d true"]
    column = {k: [r[k] for r in runs if r[k] is not None]
              for k in ("client_running", "client_succeeded",
                        "server_running", "server_succeeded",
                        "submit_call", "poll_call")}
    command = shlex.join(VARIANTS[variant])
    print_header(f"== {command}: milliseconds over {len(runs)} rounds")
    print_row("batchd client submit -> RUNNING", column["client_running"])
    print_row("batchd client submit -> SUCCEEDED", column["client_succeeded"])
    print_row("batchd server createdAt -> startedAt", column["server_running"])
    print_row("batchd server createdAt -> stoppedAt",
              column["server_succeeded"])
    print_row("bare docker run -d (until running)", bare_d)
    print_row(f"bare docker run --rm ({command})", bare_rm)
    print_row("(SubmitJob call itself)", column["submit_call"])
    print_row("(one DescribeJobs poll)", column["poll_call"])
    missed = len(runs) - len(column["client_running"])
    if missed:
        print(f"  RUNNING fell between two polls in {missed} of {len(runs)} "
              f"rounds; those rounds are left out of submit -> RUNNING")
    print("ratios batchd / bare                           median       p90")
    print_ratio("client submit -> RUNNING / run -d", column["client_running"],
                bare_d)
    print_ratio("client submit -> SUCCEEDED / run --rm",
                column["client_succeeded"], bare_rm)
    print_ratio("server createdAt -> startedAt / run -d",
                column["server_running"], bare_d)
    print_ratio("server createdAt -> stoppedAt / run --rm",
                column["server_succeeded"], bare_rm)
    print()


def report_breakdown(variant, results, events):
    runs = results[f"batchd {variant}"]
    print_header(f"== where batchd's time goes, {shlex.join(VARIANTS[variant])}"
                 f" (server log and job timestamps, ms)")
    for label, values in breakdown(runs, events):
        print_row(label, values)
    tail = [r["client_succeeded"] - r["server_succeeded"] for r in runs]
    print_row("stoppedAt -> client sees SUCCEEDED", tail)
    print()


def print_environment(args):
    version = docker("version", "--format", "{{.Server.Version}}").strip()
    info = docker("info", "--format",
                  "{{.Driver}} storage, {{.CgroupDriver}} cgroups "
                  "v{{.CgroupVersion}}").strip()
    print(f"== containers: {args.rounds} rounds, DescribeJobs every "
          f"{args.interval_ms:g} ms, Docker {version} ({info}), "
          f"{os.cpu_count()} cores, image {IMAGE}")
    print()


# -- cleaning up -----------------------------------------------------------------


def containers_with(*labels):
    filters = [arg for label in labels for arg in ("--filter", f"label={label}")]
    return docker("ps", "-a", "-q", *filters, check=False).split()


def wait_until_removed(endpoint):
    """Waits until batchd removed every container it labelled."""
    deadline = time.time() + WAIT_SECONDS
    while containers_with("batchd.managed=true",
                          f"batchd.endpoint={endpoint}"):
        if time.time() > deadline:
            return
        time.sleep(0.1)


def check_nothing_left(endpoint):
    """Removes bare containers an interrupted run left; returns the number
    of containers left by batchd."""
    bare = containers_with(BENCH_LABEL)
    if bare:
        docker("rm", "-f", *bare, check=False)
    return len(containers_with("batchd.managed=true",
                               f"batchd.endpoint={endpoint}"))


def main():
    args = parse_args()
    if not os.access(args.binary, os.X_OK):
        raise SystemExit(f"no batchd at {args.binary}; run scripts/build.sh")
    if args.rounds < 1:
        raise SystemExit("--rounds must be at least 1")
    docker("image", "inspect", IMAGE)
    server = Server(args.binary)
    endpoint = f"127.0.0.1:{server.port}"
    try:
        batch = server.client()
        queue, definitions = set_up(batch, args.variants)
        results = measure(args, batch, queue, definitions)
        wait_until_removed(endpoint)
    finally:
        server.stop()
        left = check_nothing_left(endpoint)
    events = log_events(server.log_path)
    print()
    print_environment(args)
    for variant in args.variants:
        report_variant(variant, results)
    for variant in args.variants:
        report_breakdown(variant, results, events)
    print(f"server log: {server.log_path}")
    print(f"containers left by batchd: {left}")
    print(f"reproduce: {reproduce_command(args)}")
    if left:
        sys.exit(1)


if __name__ == "__main__":
    main()
