"""Jobs as real Docker containers, driven through boto3 and the AWS CLI:
exit codes, what a container sees of its job, calls from a container back
to batchd, TerminateJob and CancelJob, timestamps, and the removal of
every container."""

import json
import os
import re
import tempfile

import pytest

from conftest import arn
from containers import EXITED, Runner, containers_of_job, eventually, shell


@pytest.fixture(scope="module")
def runner(batch, logs):
    return Runner(batch, logs, "jobs")


@pytest.fixture(scope="module")
def shared_dir():
    """A host folder that jobs mount at /shared: the test tells a waiting
    job to go on by creating a file there."""
    with tempfile.TemporaryDirectory(prefix="batchd-jobs-") as path:
        os.chmod(path, 0o777)
        yield path


def with_shared(path):
    return dict(volumes=[{"name": "shared", "host": {"sourcePath": path}}],
                mountPoints=[{"sourceVolume": "shared",
                              "containerPath": "/shared"}])


def wait_for_file(name):
    """A shell fragment that waits until the test creates /shared/<name>."""
    return f"while [ ! -e /shared/{name} ]; do sleep 0.05; done"


def assert_times_in_order(job):
    assert job["createdAt"] <= job["startedAt"] <= job["stoppedAt"]
    attempt = job["attempts"][-1]
    assert attempt["startedAt"] == job["startedAt"]
    assert attempt["stoppedAt"] == job["stoppedAt"]


# -- exit codes ---------------------------------------------------------------


def test_exit_zero_succeeds(runner):
    definition = runner.define("exit-zero", shell("echo hello from busybox"))
    job = runner.run("exit-zero", definition)

    assert job["status"] == "SUCCEEDED"
    assert job["statusReason"] == EXITED
    assert job["container"]["exitCode"] == 0
    assert len(job["attempts"]) == 1
    assert job["attempts"][0]["container"]["exitCode"] == 0
    assert job["isTerminated"] is False and job["isCancelled"] is False
    assert_times_in_order(job)
    assert runner.messages(job) == ["hello from busybox"]
    runner.wait_until_gone(job["jobId"])


def test_exit_three_fails_with_the_aws_reason(runner, cli):
    definition = runner.define("exit-three", shell("echo failing; exit 3"))
    job_id = runner.submit("exit-three", definition)
    runner.wait_for(job_id)

    code, out = cli("describe-jobs", "--jobs", job_id)
    assert code == 0
    job = out["jobs"][0]
    assert job["status"] == "FAILED"
    assert job["statusReason"] == EXITED
    assert job["container"]["exitCode"] == 3
    assert job["attempts"][0]["container"]["exitCode"] == 3
    assert job["attempts"][0]["statusReason"] == EXITED
    assert_times_in_order(job)
    assert runner.messages(job) == ["failing"]


def test_log_events_lie_between_start_and_stop(runner):
    definition = runner.define(
        # Docker stamps stdout and stderr lines as it reads each pipe, so the
        # order across the two is only as exact as those stamps: the lines
        # are written apart in time.
        "timestamps",
        shell("echo one; sleep 0.1; echo two >&2; sleep 0.2; echo three"))
    job = runner.run("timestamps", definition)

    assert job["status"] == "SUCCEEDED"
    stream = job["container"]["logStreamName"]
    events = runner.logs.get_log_events(
        logGroupName="/aws/batch/job", logStreamName=stream,
        startFromHead=True)["events"]
    assert [e["message"] for e in events] == ["one", "two", "three"]
    for event in events:
        assert job["startedAt"] <= event["timestamp"] <= job["stoppedAt"]


# -- what the container sees --------------------------------------------------


def variables(lines):
    """Returns the NAME=value lines of `env` output as a dict."""
    return dict(line.split("=", 1) for line in lines if "=" in line)


def test_container_sees_its_job(runner):
    definition = runner.define("sees-job", shell("env"))
    job = runner.run("sees-job", definition)

    env = variables(runner.messages(job))
    assert env["AWS_BATCH_JOB_ID"] == job["jobId"]
    assert env["AWS_BATCH_JQ_NAME"] == runner.queue
    assert env["AWS_BATCH_CE_NAME"] == runner.environment
    assert env["AWS_BATCH_JOB_ATTEMPT"] == "1"
    assert env["AWS_ENDPOINT_URL"].startswith("http://")
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"]
    assert env["AWS_DEFAULT_REGION"] == "us-east-1"


# Prints the command's arguments, the environment and the cgroup limits
# (cgroup v2 files first, v1 as the fallback).
REPORT = """
echo "args=$*"
env
echo "memory=$(cat /sys/fs/cgroup/memory.max 2>/dev/null \
  || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
echo "cpu=$(cat /sys/fs/cgroup/cpu.max 2>/dev/null \
  || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)"
"""


def cpu_quota(text):
    """Returns the CPU quota in cores from cpu.max or cfs_quota_us."""
    quota = text.split()[0]
    return int(quota) / 100000


def test_overrides_and_parameters_reach_the_container(runner):
    definition = runner.batch.register_job_definition(
        jobDefinitionName="overridden", type="container",
        parameters={"first": "from-definition", "second": "kept-default"},
        containerProperties={
            "image": "batchd-test/busybox:latest",
            "command": shell("echo definition command"),
            "environment": [{"name": "KEPT", "value": "definition"},
                            {"name": "REPLACED", "value": "definition"}],
            "resourceRequirements": [{"type": "VCPU", "value": "0.5"},
                                     {"type": "MEMORY", "value": "64"}]},
    )["jobDefinitionArn"]

    job = runner.run(
        "overridden", definition,
        parameters={"first": "from-submit"},
        containerOverrides={
            "command": shell(REPORT, "Ref::first", "Ref::second",
                             "Ref::unknown"),
            "environment": [{"name": "REPLACED", "value": "override"},
                            {"name": "ADDED", "value": "override"}],
            "resourceRequirements": [{"type": "MEMORY", "value": "96"},
                                     {"type": "VCPU", "value": "0.25"}]})

    assert job["status"] == "SUCCEEDED"
    lines = runner.messages(job)
    assert "definition command" not in lines
    env = variables(lines)
    assert env["args"] == "from-submit kept-default Ref::unknown"
    assert env["KEPT"] == "definition"
    assert env["REPLACED"] == "override"
    assert env["ADDED"] == "override"
    assert int(env["memory"]) == 96 * 1024 * 1024
    assert cpu_quota(env["cpu"]) == 0.25
    assert job["parameters"] == {"first": "from-submit",
                                 "second": "kept-default"}
    assert job["container"]["command"][-3:] == ["from-submit", "kept-default",
                                                "Ref::unknown"]


def test_job_calls_batch_from_inside_its_container(runner):
    # busybox has no AWS CLI; a plain POST is what an SDK sends. The job asks
    # about itself until batchd reports it RUNNING (at most 100 times): the
    # container may run a moment before batchd learns that it does.
    script = """
    for i in $(seq 100); do
      reply=$(wget -q -O - --header 'Content-Type: application/json' \
        --post-data "{\\"jobs\\": [\\"$AWS_BATCH_JOB_ID\\"]}" \
        "$AWS_ENDPOINT_URL/v1/describejobs")
      case "$reply" in *'"RUNNING"'*) break ;; esac
      sleep 0.1
    done
    echo "$reply"
    """
    definition = runner.define("calls-home", shell(script))
    job = runner.run("calls-home", definition)

    assert job["status"] == "SUCCEEDED", runner.messages(job)
    reply = json.loads(runner.messages(job)[-1])
    assert [j["jobId"] for j in reply["jobs"]] == [job["jobId"]]
    assert reply["jobs"][0]["status"] == "RUNNING"
    assert reply["jobs"][0]["container"]["logStreamName"] == \
        job["container"]["logStreamName"]


# -- terminate and cancel -----------------------------------------------------


def test_terminate_stops_a_job_that_traps_sigterm(runner, shared_dir):
    # The trap exits 0: a terminated job must end FAILED all the same.
    script = """
    trap 'echo got SIGTERM; exit 0' TERM
    echo ready
    sleep 300 & wait $!
    echo sleep ended
    """
    definition = runner.define("traps-term", shell(script))
    job_id = runner.submit("traps-term", definition)
    running = runner.wait_for(job_id, "RUNNING")
    runner.wait_for_line(running, "ready")

    runner.batch.terminate_job(jobId=job_id, reason="Stopped by the test")
    job = runner.wait_for(job_id)

    assert job["status"] == "FAILED"
    assert job["isTerminated"] is True
    assert job["statusReason"] == "Stopped by the test"
    assert job["container"]["exitCode"] == 0
    assert runner.messages(job) == ["ready", "got SIGTERM"]
    assert_times_in_order(job)
    runner.wait_until_gone(job_id)
    assert runner.describe(job_id)["status"] == "FAILED"


def test_terminate_of_a_starting_or_queued_job(runner):
    definition = runner.define("terminated-early", shell("sleep 300"))
    job_id = runner.submit("terminated-early", definition)
    runner.batch.terminate_job(jobId=job_id, reason="Never mind")

    job = runner.wait_for(job_id)
    assert job["status"] == "FAILED"
    assert job["statusReason"] == "Never mind"
    runner.wait_until_gone(job_id)


def test_cancel_is_a_no_op_for_a_running_job(runner, shared_dir):
    script = f"echo ready; {wait_for_file('cancel-no-op')}; echo done"
    definition = runner.define("cancel-running", shell(script),
                               **with_shared(shared_dir))
    job_id = runner.submit("cancel-running", definition)
    runner.wait_for_line(runner.wait_for(job_id, "RUNNING"), "ready")

    reply = runner.batch.cancel_job(jobId=job_id, reason="Too late")
    assert reply["ResponseMetadata"]["HTTPStatusCode"] == 200
    job = runner.describe(job_id)
    assert job["status"] == "RUNNING" and job["isCancelled"] is False

    open(os.path.join(shared_dir, "cancel-no-op"), "w").close()
    job = runner.wait_for(job_id)
    assert job["status"] == "SUCCEEDED"
    assert runner.messages(job) == ["ready", "done"]


@pytest.fixture(scope="module")
def stalled_queue(runner):
    """A queue whose only environment is DISABLED: its jobs stay RUNNABLE."""
    batch = runner.batch
    batch.create_compute_environment(
        computeEnvironmentName="stalled-ce", type="UNMANAGED",
        unmanagedvCpus=4)
    batch.create_job_queue(
        jobQueueName="stalled-queue", priority=1,
        computeEnvironmentOrder=[{"order": 1,
                                  "computeEnvironment": "stalled-ce"}])
    batch.update_compute_environment(computeEnvironment="stalled-ce",
                                     state="DISABLED")
    return "stalled-queue"


def test_cancel_a_runnable_job(runner, stalled_queue):
    definition = runner.define("cancel-runnable", shell("echo never"))
    job_id = runner.submit("cancel-runnable", definition, queue=stalled_queue)
    runnable = runner.wait_for(job_id, "RUNNABLE")
    eventually(lambda: runner.describe(job_id).get("statusReason"),
               "a reason why the job waits")
    assert "startedAt" not in runnable

    runner.batch.cancel_job(jobId=job_id, reason="Cancelled by the test")
    job = runner.wait_for(job_id)

    assert job["status"] == "FAILED"
    assert job["isCancelled"] is True
    assert job["statusReason"] == "Cancelled by the test"
    assert job["attempts"] == []
    assert "startedAt" not in job
    assert job["createdAt"] <= job["stoppedAt"]
    assert containers_of_job(job_id) == []


# -- live output --------------------------------------------------------------


def test_log_stream_appears_when_running_and_output_is_live(runner,
                                                            shared_dir):
    script = f"echo first line; {wait_for_file('live')}; echo last line"
    definition = runner.define("live", shell(script),
                               **with_shared(shared_dir))
    job_id = runner.submit("live", definition)

    running = runner.wait_for(job_id, "RUNNING")
    stream = running["container"]["logStreamName"]
    assert re.fullmatch(r"live/default/[0-9a-f]{32}", stream)
    assert running["attempts"][0]["container"]["logStreamName"] == stream
    assert runner.wait_for_line(running, "first line") == ["first line"]
    assert runner.describe(job_id)["status"] == "RUNNING"

    open(os.path.join(shared_dir, "live"), "w").close()
    job = runner.wait_for(job_id)
    assert job["status"] == "SUCCEEDED"
    assert job["container"]["logStreamName"] == stream
    assert runner.messages(job) == ["first line", "last line"]


# -- describe and list --------------------------------------------------------


def test_describe_jobs_leaves_out_unknown_ids(runner, stalled_queue):
    definition = runner.define("described", shell("true"))
    job_id = runner.submit("described", definition, queue=stalled_queue)

    jobs = runner.batch.describe_jobs(
        jobs=[job_id, "00000000-0000-0000-0000-000000000000", "nonsense"]
    )["jobs"]
    assert [j["jobId"] for j in jobs] == [job_id]
    job = jobs[0]
    assert job["jobArn"] == arn("job", job_id)
    assert job["jobQueue"] == arn("job-queue", stalled_queue)
    assert job["jobDefinition"] == definition
    assert job["container"]["image"] == "batchd-test/busybox:latest"
    assert runner.batch.describe_jobs(jobs=["unknown"])["jobs"] == []
    runner.batch.cancel_job(jobId=job_id, reason="done")


def test_list_jobs_filters_and_pages(runner, stalled_queue):
    batch = runner.batch
    first = runner.define("listed-a", shell("true"))
    second = runner.define("listed-b", shell("true"))
    ids = [runner.submit(f"Listed-{i}", first if i < 3 else second,
                         queue=stalled_queue) for i in range(5)]
    for job_id in ids:
        runner.wait_for(job_id, "RUNNABLE")
    created = [runner.describe(job_id)["createdAt"] for job_id in ids]

    def listed(**kwargs):
        pages = batch.get_paginator("list_jobs").paginate(
            jobQueue=stalled_queue, **kwargs)
        return [s["jobId"] for page in pages for s in page["jobSummaryList"]]

    def filtered(name, value):
        return listed(filters=[{"name": name, "values": [value]}])

    # RUNNING by default; by state in submission order, a page at a time.
    assert listed() == []
    pages = list(batch.get_paginator("list_jobs").paginate(
        jobQueue=stalled_queue, jobStatus="RUNNABLE",
        PaginationConfig={"PageSize": 2}))
    paged = [s["jobId"] for page in pages for s in page["jobSummaryList"]]
    assert [i for i in paged if i in ids] == ids
    assert all(len(page["jobSummaryList"]) <= 2 for page in pages)

    # Filters ignore the state and list newest first.
    newest_first = list(reversed(ids))
    assert filtered("JOB_NAME", "listed-*") == newest_first
    assert filtered("JOB_NAME", "LISTED-2") == [ids[2]]
    assert filtered("JOB_DEFINITION", "listed-b") == newest_first[:2]
    assert filtered("JOB_DEFINITION", first) == newest_first[2:]
    after = [i for i in filtered("AFTER_CREATED_AT", str(created[1]))
             if i in ids]
    assert after == [i for i, t in zip(ids, created)
                     if t > created[1]][::-1]
    before = [i for i in filtered("BEFORE_CREATED_AT", str(created[3]))
              if i in ids]
    assert before == [i for i, t in zip(ids, created)
                      if t < created[3]][::-1]

    summary = batch.list_jobs(jobQueue=stalled_queue, jobStatus="RUNNABLE",
                              maxResults=1)
    assert len(summary["jobSummaryList"]) == 1 and summary["nextToken"]
    item = summary["jobSummaryList"][0]
    assert item["status"] == "RUNNABLE" and item["createdAt"] > 0
    for job_id in ids:
        batch.cancel_job(jobId=job_id, reason="listed")
    assert listed(jobStatus="RUNNABLE") == []


def test_list_jobs_shows_finished_jobs_with_exit_codes(runner):
    definition = runner.define("listed-exit", shell("exit 5"))
    job = runner.run("listed-exit", definition)

    failed = runner.batch.list_jobs(jobQueue=runner.queue,
                                    jobStatus="FAILED")["jobSummaryList"]
    summary = next(s for s in failed if s["jobId"] == job["jobId"])
    assert summary["container"]["exitCode"] == 5
    assert summary["statusReason"] == EXITED
    assert summary["startedAt"] == job["startedAt"]


# -- SubmitJob validation -----------------------------------------------------


def submit_error(runner, **kwargs):
    from botocore.exceptions import ClientError
    request = dict(jobName="valid", jobQueue=runner.queue,
                   jobDefinition="exit-zero")
    request.update(kwargs)
    with pytest.raises(ClientError) as caught:
        runner.batch.submit_job(**request)
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] == "ClientException"
    return response["Error"]["Message"]


def test_submit_job_validation(runner, stalled_queue):
    runner.define("exit-zero", shell("true"))
    batch = runner.batch

    assert "not found" in submit_error(runner, jobQueue="no-such-queue")
    assert "ACTIVE" in submit_error(runner, jobDefinition="no-such-definition")
    assert "Job name" in submit_error(runner, jobName="bad name!")
    assert "Job name" in submit_error(runner, jobName="x" * 129)
    assert "30 KiB" in submit_error(runner,
                                    parameters={"big": "x" * 40_000})
    assert "AWS_BATCH" in submit_error(
        runner, containerOverrides={"environment": [
            {"name": "AWS_BATCH_JOB_ID", "value": "forged"}]})

    retired = runner.define("retired", shell("true"))
    batch.deregister_job_definition(jobDefinition=retired)
    assert "ACTIVE" in submit_error(runner, jobDefinition=retired)

    batch.create_job_queue(
        jobQueueName="closed-queue", priority=1, state="DISABLED",
        computeEnvironmentOrder=[{"order": 1,
                                  "computeEnvironment": runner.environment}])
    assert "not ENABLED" in submit_error(runner, jobQueue="closed-queue")

    # Every form of the definition's name is accepted.
    for form in ("exit-zero", "exit-zero:1", arn("job-definition",
                                                 "exit-zero:1")):
        job_id = runner.submit("forms", form, queue=stalled_queue)
        batch.cancel_job(jobId=job_id, reason="accepted")


# -- images and timeouts --------------------------------------------------------


def test_an_image_that_cannot_be_pulled_fails_the_job(runner):
    # No registry answers here, so the pull of a missing image fails.
    definition = runner.define("no-image", ["true"],
                               image="batchd-test/does-not-exist:1")
    job = runner.run("no-image", definition)

    # As ECS reports a task whose image could not be pulled.
    assert job["status"] == "FAILED"
    assert job["statusReason"] == "Task failed to start"
    assert job["container"]["reason"].startswith("CannotPullContainerError:")
    assert "exitCode" not in job["container"]
    assert containers_of_job(job["jobId"]) == []
