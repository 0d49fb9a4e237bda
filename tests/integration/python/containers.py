"""Helpers for tests whose jobs run as real containers: a compute
environment and queue to run them in, job definitions of the test image,
polling until a job reaches a state, reading its output back through
CloudWatch Logs, and asking Docker what is left."""

import subprocess
import time

IMAGE = "batchd-test/busybox:latest"

# How long any wait may take before the test fails instead of hanging. A
# bound, not a measurement: every job here finishes in a second or two.
WAIT_SECONDS = 60

FINAL = ("SUCCEEDED", "FAILED")

EXITED = "Essential container in task exited"


def eventually(check, what, timeout=WAIT_SECONDS, interval=0.1):
    """Calls `check` until it returns something truthy and returns that;
    fails with `what` when it never does within `timeout` seconds."""
    deadline = time.time() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(interval)


def docker(*args):
    """Runs the docker CLI and returns its stdout."""
    return subprocess.run(["docker", *args], capture_output=True, text=True,
                          check=True, timeout=60).stdout


def containers_of_job(job_id):
    """Returns the ids of the containers batchd created for `job_id`."""
    return docker("ps", "-a", "-q", "--filter",
                  f"label=batchd.job-id={job_id}").split()


def shell(script, *args):
    """Returns a command that runs `script` with busybox sh."""
    return ["sh", "-c", script, "sh", *args]


class Runner:
    """Runs jobs on one server: owns a compute environment and a job queue,
    registers definitions of the test image and waits for jobs."""

    def __init__(self, batch, logs, prefix, max_vcpus=8):
        self.batch = batch
        self.logs = logs
        self.environment = f"{prefix}-ce"
        self.queue = f"{prefix}-queue"
        batch.create_compute_environment(
            computeEnvironmentName=self.environment, type="MANAGED",
            computeResources={"type": "EC2", "maxvCpus": max_vcpus,
                              "minvCpus": 0, "subnets": ["subnet-1"],
                              "instanceRole": "ecsInstanceRole"})
        batch.create_job_queue(
            jobQueueName=self.queue, priority=1,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment":
                                      self.environment}])

    def define(self, name, command, vcpus="0.25", **properties):
        """Registers a definition that runs `command` in the test image."""
        container = {
            "image": IMAGE, "command": command,
            "resourceRequirements": [{"type": "VCPU", "value": vcpus},
                                     {"type": "MEMORY", "value": "64"}]}
        container.update(properties)
        return self.batch.register_job_definition(
            jobDefinitionName=name, type="container",
            containerProperties=container)["jobDefinitionArn"]

    def submit(self, name, definition, queue=None, **kwargs):
        """Submits a job and returns its id."""
        return self.batch.submit_job(jobName=name, jobQueue=queue or self.queue,
                                     jobDefinition=definition,
                                     **kwargs)["jobId"]

    def describe(self, job_id):
        jobs = self.batch.describe_jobs(jobs=[job_id])["jobs"]
        assert len(jobs) == 1
        return jobs[0]

    def wait_for(self, job_id, *statuses):
        """Waits until the job is in one of `statuses` (default: a final
        state) and returns its JobDetail."""
        wanted = statuses or FINAL

        def reached():
            job = self.describe(job_id)
            return job if job["status"] in wanted else None

        return eventually(reached, f"job {job_id} reaching {wanted}")

    def run(self, name, definition, **kwargs):
        """Submits a job, waits until it ends and returns its JobDetail."""
        return self.wait_for(self.submit(name, definition, **kwargs))

    def messages(self, job, group="/aws/batch/job"):
        """Returns every line the job's latest attempt wrote, oldest first."""
        stream = job["container"]["logStreamName"]
        events = self.logs.get_log_events(logGroupName=group,
                                          logStreamName=stream,
                                          startFromHead=True)["events"]
        return [event["message"] for event in events]

    def wait_for_line(self, job, line, group="/aws/batch/job"):
        """Waits until the job's output has `line`; returns all lines."""

        def written():
            lines = self.messages(job, group)
            return lines if line in lines else None

        return eventually(written, f"job output line {line!r}")

    def wait_until_gone(self, job_id):
        """Waits until no container of the job is left."""
        eventually(lambda: not containers_of_job(job_id),
                   f"removal of the containers of job {job_id}")
