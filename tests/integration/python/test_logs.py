"""A job's output through the CloudWatch Logs API, as boto3 and the AWS
CLI read it: GetLogEvents in both directions with tokens and limits,
FilterLogEvents, DescribeLogGroups and DescribeLogStreams, the group of an
awslogs logConfiguration, and the errors of bad reads."""

import json
import subprocess

import pytest
from botocore.exceptions import ClientError

from containers import Runner, shell

GROUP = "/aws/batch/job"

LINES = [f"line-{i:02d}" for i in range(1, 26)]


@pytest.fixture(scope="module")
def runner(batch, logs):
    return Runner(batch, logs, "logs")


@pytest.fixture(scope="module")
def chatty(runner):
    """A finished job that wrote line-01 .. line-25, then one line to
    stderr. Docker stamps each pipe's lines as it reads them, so the stderr
    line comes a little later to be ordered after the others."""
    definition = runner.define(
        "chatty", shell("for i in $(seq -w 1 25); do echo line-$i; done; "
                        "sleep 0.1; echo to-stderr >&2"))
    job = runner.run("chatty", definition)
    assert job["status"] == "SUCCEEDED"
    return job


def stream_of(job):
    return job["container"]["logStreamName"]


def read(logs, job, **kwargs):
    return logs.get_log_events(logGroupName=GROUP,
                               logStreamName=stream_of(job), **kwargs)


def messages(page):
    return [event["message"] for event in page["events"]]


def test_stdout_and_stderr_are_captured_with_times(logs, chatty):
    page = read(logs, chatty, startFromHead=True)
    assert messages(page) == LINES + ["to-stderr"]
    for event in page["events"]:
        assert chatty["startedAt"] <= event["timestamp"] <= chatty["stoppedAt"]
        assert event["ingestionTime"] >= event["timestamp"]
    times = [event["timestamp"] for event in page["events"]]
    assert times == sorted(times)


def test_forward_pages_from_the_head(logs, chatty):
    seen = []
    page = read(logs, chatty, startFromHead=True, limit=10)
    while page["events"]:
        assert len(page["events"]) <= 10
        seen += messages(page)
        token = page["nextForwardToken"]
        page = read(logs, chatty, nextToken=token, limit=10)
    assert seen == LINES + ["to-stderr"]
    # At the end the same token comes back, as CloudWatch does.
    assert page["nextForwardToken"] == token


def test_backward_pages_from_the_tail(logs, chatty):
    page = read(logs, chatty, limit=5)
    assert messages(page) == LINES[21:] + ["to-stderr"]
    older = read(logs, chatty, nextToken=page["nextBackwardToken"], limit=5)
    assert messages(older) == LINES[16:21]


def test_filter_log_events(logs, chatty):
    page = logs.filter_log_events(logGroupName=GROUP,
                                  logStreamNames=[stream_of(chatty)],
                                  filterPattern="line-1")
    assert messages(page) == [f"line-1{i}" for i in range(10)]
    assert all(e["logStreamName"] == stream_of(chatty)
               for e in page["events"])
    assert len({e["eventId"] for e in page["events"]}) == 10

    paginator = logs.get_paginator("filter_log_events")
    pages = list(paginator.paginate(
        logGroupName=GROUP, logStreamNamePrefix="chatty/",
        filterPattern="line", PaginationConfig={"PageSize": 7}))
    assert [m for p in pages for m in messages(p)] == LINES
    assert len(pages) >= 4

    stderr_only = logs.filter_log_events(logGroupName=GROUP,
                                         logStreamNames=[stream_of(chatty)],
                                         filterPattern='"to-stderr"')
    assert messages(stderr_only) == ["to-stderr"]


def test_describe_groups_and_streams(logs, chatty):
    groups = logs.describe_log_groups(logGroupNamePrefix="/aws/batch")
    names = [g["logGroupName"] for g in groups["logGroups"]]
    assert GROUP in names
    group = groups["logGroups"][names.index(GROUP)]
    assert group["storedBytes"] > 0 and group["creationTime"] > 0

    streams = logs.describe_log_streams(logGroupName=GROUP,
                                        logStreamNamePrefix="chatty/")
    [stream] = streams["logStreams"]
    assert stream["logStreamName"] == stream_of(chatty)
    assert stream["firstEventTimestamp"] >= chatty["startedAt"]
    assert stream["lastEventTimestamp"] <= chatty["stoppedAt"]
    assert stream["storedBytes"] == sum(len(m) for m in LINES) + 9


def test_describe_streams_pages(runner, logs):
    definition = runner.define("paged", shell("echo x"))
    jobs = [runner.run(f"paged-{i}", definition) for i in range(3)]
    expected = sorted(stream_of(job) for job in jobs)

    pages = list(logs.get_paginator("describe_log_streams").paginate(
        logGroupName=GROUP, logStreamNamePrefix="paged/",
        PaginationConfig={"PageSize": 2}))
    assert [s["logStreamName"] for p in pages
            for s in p["logStreams"]] == expected
    assert len(pages) == 2


def test_awslogs_configuration_names_the_group(runner, logs):
    definition = runner.define(
        "custom-group", shell("echo in my own group"),
        logConfiguration={"logDriver": "awslogs",
                          "options": {"awslogs-group": "/custom/jobs"}})
    job = runner.run("custom-group", definition)

    assert job["status"] == "SUCCEEDED"
    assert runner.messages(job, group="/custom/jobs") == ["in my own group"]
    with pytest.raises(ClientError) as caught:
        read(logs, job)
    assert caught.value.response["Error"]["Code"] == \
        "ResourceNotFoundException"


def test_bad_reads(logs, chatty):
    def error_of(call, **kwargs):
        with pytest.raises(ClientError) as caught:
            call(**kwargs)
        return caught.value.response["Error"]["Code"]

    assert error_of(logs.get_log_events, logGroupName="/no/such/group",
                    logStreamName="x") == "ResourceNotFoundException"
    assert error_of(logs.get_log_events, logGroupName=GROUP,
                    logStreamName="no/such/stream") == \
        "ResourceNotFoundException"
    assert error_of(logs.get_log_events, logGroupName=GROUP,
                    logStreamName=stream_of(chatty),
                    nextToken="not-a-token") == "InvalidParameterException"
    assert error_of(logs.get_log_events, logGroupName=GROUP,
                    logStreamName=stream_of(chatty),
                    limit=10_001) == "InvalidParameterException"


def test_aws_cli_shows_the_output(server, chatty):
    result = subprocess.run(
        ["/usr/bin/aws", "--endpoint-url", server.endpoint, "--region",
         "us-east-1", "--output", "json", "logs", "get-log-events",
         "--log-group-name", GROUP, "--log-stream-name", stream_of(chatty),
         "--start-from-head"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [e["message"] for e in out["events"]][:2] == LINES[:2]
