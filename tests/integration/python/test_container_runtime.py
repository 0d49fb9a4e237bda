"""batchd and its container engine: jobs wait RUNNABLE while the docker
CLI does not work and start once it does, a job that ignores SIGTERM is
killed after the stop timeout, containers a previous batchd left behind
are removed at start-up, and a stopping batchd removes its own. Each test
starts a server of its own, with the options it is about."""

import os
import stat
import tempfile

import pytest

from conftest import Server, client_for, free_port, labelled_containers
from containers import (IMAGE, Runner, containers_of_job, docker, eventually,
                        shell)


@pytest.fixture
def serve():
    """Starts servers with the given options; stops them after the test."""
    servers = []

    def start(*args, **kwargs):
        servers.append(Server(*args, **kwargs))
        s = servers[-1]
        return s, Runner(client_for(s), client_for(s, service="logs"), "rt")

    yield start
    for s in servers:
        s.stop()


def test_jobs_wait_runnable_without_a_docker_cli(serve):
    server, runner = serve("--docker", "/nonexistent/docker")
    definition = runner.define("no-docker", shell("echo never"))
    job_id = runner.submit("no-docker", definition)

    reason = eventually(
        lambda: runner.describe(job_id).get("statusReason"),
        "a reason why the job waits")
    assert "/nonexistent/docker" in reason
    job = runner.describe(job_id)
    assert job["status"] == "RUNNABLE"
    assert "startedAt" not in job and job["attempts"] == []
    for status in ("STARTING", "RUNNING", "SUCCEEDED", "FAILED"):
        assert runner.batch.list_jobs(jobQueue=runner.queue,
                                      jobStatus=status)["jobSummaryList"] == []

    runner.batch.cancel_job(jobId=job_id, reason="no runtime")
    assert runner.wait_for(job_id)["status"] == "FAILED"


@pytest.fixture
def flaky_docker():
    """A docker CLI that fails like an unreachable daemon until the test
    creates the file `ready` next to it; then it is the real one."""
    with tempfile.TemporaryDirectory(prefix="batchd-docker-") as folder:
        cli = os.path.join(folder, "docker")
        with open(cli, "w") as f:
            f.write("#!/bin/sh\n"
                    f'[ -e "{folder}/ready" ] || {{\n'
                    '  echo "Cannot connect to the Docker daemon" >&2\n'
                    "  exit 1\n"
                    "}\n"
                    'exec docker "$@"\n')
        os.chmod(cli, stat.S_IRWXU)
        yield cli, os.path.join(folder, "ready")


def test_jobs_start_once_the_runtime_answers(flaky_docker, serve):
    cli, ready = flaky_docker
    server, runner = serve("--docker", cli)
    script = ("wget -q -O - $AWS_ENDPOINT_URL/_batchd/health; echo; "
              "echo endpoint=$AWS_ENDPOINT_URL")
    definition = runner.define("late-docker", shell(script))
    job_id = runner.submit("late-docker", definition)
    reason = eventually(lambda: runner.describe(job_id).get("statusReason"),
                        "a reason why the job waits")
    assert "Cannot connect to the Docker daemon" in reason

    open(ready, "w").close()
    job = runner.wait_for(job_id)

    # Containers reach batchd even though Docker answered only later.
    assert job["status"] == "SUCCEEDED", runner.messages(job)
    lines = runner.messages(job)
    assert lines[-1].startswith("endpoint=http://")
    assert '"status"' in lines[0]


def test_a_job_that_ignores_sigterm_is_killed_after_the_stop_timeout(serve):
    server, runner = serve("--stop-timeout", "2")
    script = "trap '' TERM; echo ready; sleep 300 & wait $!; echo woke"
    definition = runner.define("ignores-term", shell(script))
    job_id = runner.submit("ignores-term", definition)
    runner.wait_for_line(runner.wait_for(job_id, "RUNNING"), "ready")

    asked = runner.describe(job_id)
    runner.batch.terminate_job(jobId=job_id, reason="Kill it")
    job = runner.wait_for(job_id)

    assert job["status"] == "FAILED" and job["isTerminated"] is True
    assert job["statusReason"] == "Kill it"
    # 128 + SIGKILL: the grace period passed without the job exiting.
    assert job["container"]["exitCode"] == 137
    assert runner.messages(job) == ["ready"]
    assert job["stoppedAt"] - asked["startedAt"] >= 2000
    runner.wait_until_gone(job_id)


def test_stop_timeout_must_be_positive():
    import subprocess
    from conftest import BINARY
    result = subprocess.run([BINARY, "serve", "--stop-timeout", "0"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "stop-timeout" in result.stdout + result.stderr


def test_leftovers_of_an_earlier_batchd_are_removed_at_start_up(serve):
    port = free_port()
    endpoint = f"127.0.0.1:{port}"

    def leftover(endpoint_label):
        return docker("create", "--label", "batchd.managed=true",
                      "--label", f"batchd.endpoint={endpoint_label}",
                      "--label", "batchd.instance=an-earlier-batchd",
                      IMAGE, "sleep", "300").strip()

    ours = leftover(endpoint)
    docker("start", ours)
    other_endpoint = f"127.0.0.1:{free_port()}-not-ours"
    theirs = leftover(other_endpoint)
    try:
        serve(port=port)
        eventually(lambda: not labelled_containers(endpoint),
                   "removal of the leftover container")
        # Another server's containers are not this batchd's to remove.
        assert labelled_containers(other_endpoint) == [theirs[:12]]
    finally:
        docker("rm", "-f", theirs)


def test_a_stopping_batchd_removes_its_containers():
    server = Server()
    try:
        runner = Runner(client_for(server), client_for(server, "logs"), "stop")
        definition = runner.define("outlived", shell("echo ready; sleep 300"))
        job_id = runner.submit("outlived", definition)
        runner.wait_for_line(runner.wait_for(job_id, "RUNNING"), "ready")
        assert containers_of_job(job_id)
    finally:
        server.stop()
    assert containers_of_job(job_id) == []


def test_an_attempt_that_outlives_its_timeout_is_stopped(serve):
    # At this time scale the shortest timeout AWS allows, 60 s, is one
    # second of real time.
    server, runner = serve("--time-scale", "60")
    script = "trap 'exit 143' TERM; echo ready; sleep 300 & wait $!"
    definition = runner.define("too-slow", shell(script))
    job_id = runner.submit("too-slow", definition,
                           timeout={"attemptDurationSeconds": 60})
    job = runner.wait_for(job_id)

    assert job["status"] == "FAILED"
    assert job["statusReason"] == "Job attempt duration exceeded timeout"
    assert job["container"]["exitCode"] == 143
    assert runner.messages(job) == ["ready"]
    runner.wait_until_gone(job_id)
