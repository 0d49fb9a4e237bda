"""The scheduler through boto3 and the AWS CLI: capacity with real
containers, the MISCONFIGURATION reason of a job no environment can hold,
queue priority, fair-share admission rules and dispatch order,
GetJobQueueSnapshot, DISABLED queues and environments, and
jobStateTimeLimitActions. Simulated environments (tag `batchd:executor` =
`simulated`) run the jobs that need no container; the server runs with
--time-scale so that ten-minute time limits pass in a second."""

import re

import pytest

from conftest import Server, cli_for, client_exception, client_for
from containers import Runner, eventually, shell

# The server's clock runs this many times faster than real time.
TIME_SCALE = 600


@pytest.fixture(scope="module")
def scaled():
    s = Server("--time-scale", str(TIME_SCALE))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def batch_scaled(scaled):
    return client_for(scaled)


@pytest.fixture(scope="module")
def cli_scaled(scaled):
    return cli_for(scaled)


def simulated_environment(batch, name, vcpus, state="ENABLED"):
    """Creates a simulated MANAGED environment of `vcpus`."""
    batch.create_compute_environment(
        computeEnvironmentName=name, type="MANAGED",
        computeResources={"type": "EC2", "maxvCpus": vcpus, "minvCpus": 0,
                          "subnets": ["subnet-1"],
                          "instanceRole": "ecsInstanceRole"},
        tags={"batchd:executor": "simulated"})
    if state != "ENABLED":
        batch.update_compute_environment(computeEnvironment=name, state=state)


def fifo_queue(batch, name, environments, priority=1, **kwargs):
    batch.create_job_queue(
        jobQueueName=name, priority=priority,
        computeEnvironmentOrder=[{"order": i + 1, "computeEnvironment": e}
                                 for i, e in enumerate(environments)],
        **kwargs)


def simulated_definition(batch, name, vcpus=1, seconds=60, priority=None):
    """Registers a definition whose simulated attempts last `seconds` of
    server time."""
    properties = {
        "image": "busybox",
        "resourceRequirements": [{"type": "VCPU", "value": str(vcpus)},
                                 {"type": "MEMORY", "value": "64"}],
        "environment": [{"name": "BATCHD_SIMULATED_SECONDS",
                         "value": str(seconds)}]}
    extra = {} if priority is None else {"schedulingPriority": priority}
    return batch.register_job_definition(
        jobDefinitionName=name, type="container",
        containerProperties=properties, **extra)["jobDefinitionArn"]


def submit(batch, queue, definition, name="job", **kwargs):
    return batch.submit_job(jobName=name, jobQueue=queue,
                            jobDefinition=definition, **kwargs)["jobId"]


def describe(batch, job_id):
    return batch.describe_jobs(jobs=[job_id])["jobs"][0]


def wait_for_status(batch, job_id, *statuses):
    def reached():
        job = describe(batch, job_id)
        return job if job["status"] in statuses else None

    return eventually(reached, f"job {job_id} reaching {statuses}")


def wait_for_reason(batch, job_id):
    """Waits until the job says why it waits and returns its JobDetail."""

    def told():
        job = describe(batch, job_id)
        return job if job.get("statusReason") else None

    return eventually(told, f"a reason why job {job_id} waits")


# -- capacity with real containers ---------------------------------------------


def placement_order(server, ids):
    """Returns those of `ids` that the scheduler placed, in the order its log
    says it placed them."""
    wanted = set(ids)
    placed = re.findall(r"job_id=(\S+) .*decision=place", server.logs())
    return [job_id for job_id in placed if job_id in wanted]


def most_at_once(jobs):
    """Returns how many of `jobs` ran at the same time at most, from their
    startedAt and stoppedAt."""
    edges = []
    for job in jobs:
        edges += [(job["startedAt"], 1), (job["stoppedAt"], -1)]
    running = peak = 0
    # At equal times a stop comes before a start: the capacity was free.
    for _, step in sorted(edges, key=lambda edge: (edge[0], edge[1])):
        running += step
        peak = max(peak, running)
    return peak


def test_a_two_vcpu_environment_runs_two_one_vcpu_containers_at_once(server,
                                                                     batch):
    runner = Runner(batch, client_for(server, "logs"), "capacity",
                    max_vcpus=2)
    definition = runner.define("one-vcpu", shell("sleep 1"), vcpus="1")
    ids = [runner.submit(f"one-vcpu-{i}", definition) for i in range(6)]

    waiting = eventually(
        lambda: [j for j in batch.describe_jobs(jobs=ids)["jobs"]
                 if j["status"] == "RUNNABLE" and j.get("statusReason")],
        "jobs waiting for capacity")
    assert waiting[0]["statusReason"].startswith(
        "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY")

    jobs = [runner.wait_for(job_id) for job_id in ids]
    assert [job["status"] for job in jobs] == ["SUCCEEDED"] * 6
    assert most_at_once(jobs) == 2
    # FIFO: the scheduler placed the jobs in submission order. (Their
    # startedAt may differ in order by the few milliseconds that one
    # container takes longer to start than another.)
    assert placement_order(server, ids) == ids


def test_a_job_no_environment_can_hold_waits_with_the_misconfiguration(
        batch_scaled):
    batch = batch_scaled
    simulated_environment(batch, "small-ce", 2)
    fifo_queue(batch, "small-queue", ["small-ce"])
    huge = simulated_definition(batch, "huge", vcpus=4)
    job_id = submit(batch, "small-queue", huge)

    job = wait_for_reason(batch, job_id)
    assert job["status"] == "RUNNABLE"
    assert job["statusReason"].startswith(
        "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE")

    # Raising maxvCpus takes effect at once.
    batch.update_compute_environment(computeEnvironment="small-ce",
                                     computeResources={"maxvCpus": 4})
    assert wait_for_status(batch, job_id, "RUNNING", "SUCCEEDED")


# -- priority and states ---------------------------------------------------------


def test_the_higher_priority_queue_is_served_first(batch_scaled):
    batch = batch_scaled
    simulated_environment(batch, "shared-ce", 1)
    fifo_queue(batch, "low-queue", ["shared-ce"], priority=1)
    fifo_queue(batch, "high-queue", ["shared-ce"], priority=100)
    definition = simulated_definition(batch, "minute", seconds=60)
    blocker = submit(batch, "low-queue", definition)
    wait_for_status(batch, blocker, "RUNNING")
    low = submit(batch, "low-queue", definition)
    high = submit(batch, "high-queue", definition)

    high_job = wait_for_status(batch, high, "RUNNING", "SUCCEEDED")
    low_job = wait_for_status(batch, low, "RUNNING", "SUCCEEDED")
    assert high_job["startedAt"] < low_job["startedAt"]


def test_a_disabled_queue_refuses_jobs_and_finishes_what_it_holds(
        batch_scaled):
    batch = batch_scaled
    simulated_environment(batch, "drain-ce", 1)
    fifo_queue(batch, "drain-queue", ["drain-ce"])
    definition = simulated_definition(batch, "drain", seconds=120)
    running = submit(batch, "drain-queue", definition)
    queued = submit(batch, "drain-queue", definition)
    wait_for_status(batch, running, "RUNNING")

    batch.update_job_queue(jobQueue="drain-queue", state="DISABLED")
    message = client_exception(batch.submit_job, jobName="late",
                           jobQueue="drain-queue", jobDefinition=definition)
    assert "drain-queue" in message

    assert wait_for_status(batch, running, "SUCCEEDED")
    assert wait_for_status(batch, queued, "SUCCEEDED")


def test_a_disabled_environment_gets_no_new_jobs(batch_scaled):
    batch = batch_scaled
    simulated_environment(batch, "off-ce", 4, state="DISABLED")
    fifo_queue(batch, "off-queue", ["off-ce"])
    definition = simulated_definition(batch, "off", seconds=1)
    job_id = submit(batch, "off-queue", definition)

    job = wait_for_reason(batch, job_id)
    assert job["status"] == "RUNNABLE"
    assert "DISABLED" in job["statusReason"]

    batch.update_compute_environment(computeEnvironment="off-ce",
                                     state="ENABLED")
    assert wait_for_status(batch, job_id, "SUCCEEDED")


# -- fair share ------------------------------------------------------------------


@pytest.fixture(scope="module")
def fair_queue(batch_scaled):
    """A fair-share queue on a one-vCPU simulated environment whose first
    job keeps it busy for an hour of server time."""
    batch = batch_scaled
    policy = batch.create_scheduling_policy(
        name="fair", fairsharePolicy={
            "shareDecaySeconds": 0, "computeReservation": 0,
            "shareDistribution": [{"shareIdentifier": "light",
                                   "weightFactor": 0.25}]})["arn"]
    simulated_environment(batch, "fair-ce", 1)
    fifo_queue(batch, "fair-queue", ["fair-ce"], schedulingPolicyArn=policy)
    hour = simulated_definition(batch, "hour", seconds=3600, priority=1)
    blocker = submit(batch, "fair-queue", hour, shareIdentifier="blocker")
    wait_for_status(batch, blocker, "RUNNING")
    return "fair-queue"


def test_fair_share_queues_need_a_share_identifier_and_a_priority(
        batch_scaled, fair_queue):
    batch = batch_scaled
    with_priority = simulated_definition(batch, "ranked", priority=5)
    without = simulated_definition(batch, "unranked")

    message = client_exception(batch.submit_job, jobName="j", jobQueue=fair_queue,
                           jobDefinition=with_priority)
    assert message == "shareIdentifier must be specified."

    message = client_exception(batch.submit_job, jobName="j", jobQueue=fair_queue,
                           jobDefinition=without, shareIdentifier="light")
    assert message == ("Either schedulingPriority in job definition or "
                       "schedulingPriorityOverride should be specified.")
    assert submit(batch, fair_queue, without, shareIdentifier="light",
                  schedulingPriorityOverride=3)


def test_a_fifo_queue_refuses_a_share_identifier(batch_scaled):
    batch = batch_scaled
    simulated_environment(batch, "plain-ce", 1)
    fifo_queue(batch, "plain-queue", ["plain-ce"])
    definition = simulated_definition(batch, "plain")
    message = client_exception(batch.submit_job, jobName="j",
                           jobQueue="plain-queue", jobDefinition=definition,
                           shareIdentifier="light")
    assert "shareIdentifier" in message


def test_the_snapshot_shows_the_fair_share_dispatch_order(batch_scaled,
                                                          fair_queue):
    batch = batch_scaled
    definition = simulated_definition(batch, "ordered", priority=1)
    heavy = [submit(batch, fair_queue, definition, shareIdentifier="heavy")
             for _ in range(2)]
    light = [submit(batch, fair_queue, definition, shareIdentifier="light")
             for _ in range(4)]

    snapshot = batch.get_job_queue_snapshot(jobQueue=fair_queue)
    front = [job["jobArn"].rsplit("/", 1)[1]
             for job in snapshot["frontOfQueue"]["jobs"]]
    ours = [job_id for job_id in front if job_id in heavy + light]
    # A job of the share weighing 0.25 costs a quarter of one of weight 1:
    # "heavy" goes first by name, then four "light" jobs cost what one
    # "heavy" job does.
    assert ours[:1] == heavy[:1]
    assert ours.index(heavy[1]) > ours.index(light[2])
    for job in snapshot["frontOfQueue"]["jobs"]:
        assert job["earliestTimeAtPosition"] > 0
    assert snapshot["frontOfQueue"]["lastUpdatedAt"] > 0


def test_the_cli_reads_the_snapshot(cli_scaled, fair_queue):
    code, out = cli_scaled("get-job-queue-snapshot", "--job-queue",
                           fair_queue)
    assert code == 0, out
    assert out["frontOfQueue"]["jobs"]
    code, out = cli_scaled("get-job-queue-snapshot", "--job-queue", "nope")
    assert code != 0 and "ClientException" in out


# -- time limits -------------------------------------------------------------------


def test_a_head_job_waiting_past_its_time_limit_is_cancelled(batch_scaled):
    batch = batch_scaled
    simulated_environment(batch, "limited-ce", 1)
    reason = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
    fifo_queue(batch, "limited-queue", ["limited-ce"],
               jobStateTimeLimitActions=[{
                   "reason": reason, "state": "RUNNABLE",
                   "maxTimeSeconds": 600, "action": "CANCEL"}])
    too_big = simulated_definition(batch, "too-big", vcpus=2)
    job_id = submit(batch, "limited-queue", too_big)

    # Ten minutes of server time are one second at this time scale.
    job = wait_for_status(batch, job_id, "FAILED")
    assert job["statusReason"] == (
        "Canceled by JobStateTimeLimit action due to reason: " + reason)
    assert job["isCancelled"] is True
    assert job["attempts"] == []
