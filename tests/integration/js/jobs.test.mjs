// Jobs through @aws-sdk/client-batch on simulated compute environments (tag
// batchd:executor=simulated): an attempt runs no container, lasts
// BATCHD_SIMULATED_SECONDS (default 1) and exits with
// BATCHD_SIMULATED_EXIT_CODE (default 0). Covers a job that succeeds and one
// that fails with its exit code, timestamps and attempts, ListJobs by status
// and with a JOB_NAME filter, CancelJob of a job that waits RUNNABLE,
// TerminateJob of a running job, jobs that wait on capacity or on DISABLED
// environments, queues deleted under their jobs, how a definition name
// resolves, and the errors of bad submissions.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
  CancelJobCommand,
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  DeleteJobQueueCommand,
  DeregisterJobDefinitionCommand,
  DescribeJobsCommand,
  ListJobsCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  TerminateJobCommand,
  UpdateComputeEnvironmentCommand,
  UpdateJobQueueCommand,
} from "@aws-sdk/client-batch";

import {
  arn, assertOk, clientException, clientFor, startServer,
} from "./server.mjs";

/** AWS's statusReason for a job whose container ran and exited. */
const EXITED = "Essential container in task exited";

/** How long a test waits for a job to reach a status. */
const WAIT_MS = 15_000;

/** A MANAGED EC2 environment request whose attempts are simulated. */
function simulated(name, maxvCpus = 4) {
  return {
    computeEnvironmentName: name,
    type: "MANAGED",
    computeResources: {
      type: "EC2", minvCpus: 0, maxvCpus, subnets: ["subnet-1"],
      instanceRole: "ecsInstanceRole",
    },
    tags: { "batchd:executor": "simulated" },
  };
}

/** containerOverrides that set the environment variables of `variables`. */
function withEnvironment(variables) {
  return {
    containerOverrides: {
      environment: Object.entries(variables)
        .map(([name, value]) => ({ name, value: String(value) })),
    },
  };
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

describe("jobs", () => {
  let server;
  let batch;

  before(async () => {
    server = await startServer();
    batch = clientFor(server);

    // js-jobs runs jobs; js-jobs-waiting's only environment is DISABLED;
    // js-jobs-small's environment has 1 vCPU, less than some jobs ask for.
    await batch.send(new CreateComputeEnvironmentCommand(simulated("js-sim")));
    await batch.send(
      new CreateComputeEnvironmentCommand(simulated("js-sim-off")));
    await batch.send(new UpdateComputeEnvironmentCommand({
      computeEnvironment: "js-sim-off", state: "DISABLED",
    }));
    await batch.send(
      new CreateComputeEnvironmentCommand(simulated("js-sim-small", 1)));
    for (const [queue, environment] of [
      ["js-jobs", "js-sim"], ["js-jobs-waiting", "js-sim-off"],
      ["js-jobs-small", "js-sim-small"],
    ]) {
      await batch.send(new CreateJobQueueCommand({
        jobQueueName: queue, priority: 1,
        computeEnvironmentOrder: [{ order: 1, computeEnvironment: environment }],
      }));
    }
    await batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "js-job-def", type: "container",
      containerProperties: {
        image: "busybox", command: ["true"],
        resourceRequirements: [
          { type: "VCPU", value: "1" }, { type: "MEMORY", value: "128" },
        ],
      },
    }));
  });
  after(async () => {
    batch?.destroy();
    await server?.stop();
  });

  /** Submits job `name` of js-job-def to `queue`; returns its id. */
  async function submit(name, extra = {}, queue = "js-jobs") {
    const out = await batch.send(new SubmitJobCommand({
      jobName: name, jobQueue: queue, jobDefinition: "js-job-def", ...extra,
    }));
    assertOk(out);
    assert.equal(out.jobName, name);
    assert.match(out.jobId, /^[0-9a-f-]{36}$/);
    assert.equal(out.jobArn, arn("job", out.jobId));
    return out.jobId;
  }

  /** Returns the JobDetail of `jobId`, or undefined. */
  async function describeJob(jobId) {
    const out = await batch.send(new DescribeJobsCommand({ jobs: [jobId] }));
    assertOk(out);
    return out.jobs[0];
  }

  /** Polls DescribeJobs until `jobId` is in one of `statuses`. */
  async function waitFor(jobId, ...statuses) {
    const deadline = Date.now() + WAIT_MS;
    let job;
    while (Date.now() < deadline) {
      job = await describeJob(jobId);
      if (job && statuses.includes(job.status))
        return job;
      await sleep(50);
    }
    assert.fail(`job ${jobId} did not reach ${statuses.join(" or ")} within `
                + `${WAIT_MS} ms; last seen ${job?.status}`);
  }

  /** Asserts that `job` stays `status` for a while. */
  async function assertStays(jobId, status) {
    for (let i = 0; i < 5; i++) {
      assert.equal((await describeJob(jobId)).status, status);
      await sleep(50);
    }
  }

  /** Returns the summaries ListJobs gives for `input` (first page). */
  async function list(input) {
    const out = await batch.send(new ListJobsCommand(input));
    assertOk(out);
    return out.jobSummaryList;
  }

  test("a job that exits 0 SUCCEEDS with one attempt", async () => {
    const jobId = await submit("js-succeeds");
    const job = await waitFor(jobId, "SUCCEEDED", "FAILED");

    assert.equal(job.status, "SUCCEEDED");
    assert.equal(job.jobId, jobId);
    assert.equal(job.jobName, "js-succeeds");
    assert.equal(job.jobArn, arn("job", jobId));
    assert.equal(job.jobQueue, arn("job-queue", "js-jobs"));
    assert.equal(job.jobDefinition, arn("job-definition", "js-job-def:1"));
    assert.equal(job.statusReason, EXITED);
    assert.equal(job.container.exitCode, 0);
    assert.equal(job.container.reason, undefined);
    assert.equal(job.isCancelled, false);
    assert.equal(job.isTerminated, false);

    assert.ok(job.createdAt <= job.startedAt, "createdAt <= startedAt");
    assert.ok(job.startedAt <= job.stoppedAt, "startedAt <= stoppedAt");
    assert.ok(job.stoppedAt - job.startedAt >= 1000,
              "a simulated attempt lasts 1 s by default");

    assert.equal(job.attempts.length, 1);
    const [attempt] = job.attempts;
    assert.equal(attempt.container.exitCode, 0);
    assert.equal(attempt.startedAt, job.startedAt);
    assert.equal(attempt.stoppedAt, job.stoppedAt);
    assert.equal(attempt.statusReason, EXITED);
    assert.ok(attempt.container.logStreamName.startsWith("js-job-def/default/"));
  });

  test("a job that exits 3 FAILS with the container's exit code", async () => {
    const jobId = await submit("js-fails", withEnvironment({
      BATCHD_SIMULATED_SECONDS: 0.2, BATCHD_SIMULATED_EXIT_CODE: 3,
    }));
    const job = await waitFor(jobId, "SUCCEEDED", "FAILED");

    assert.equal(job.status, "FAILED");
    assert.equal(job.statusReason, EXITED);
    assert.equal(job.container.exitCode, 3);
    assert.equal(job.isCancelled, false);
    assert.equal(job.isTerminated, false);
    assert.ok(job.createdAt <= job.startedAt);
    assert.ok(job.startedAt + 200 <= job.stoppedAt,
              "the attempt lasts BATCHD_SIMULATED_SECONDS");
    assert.equal(job.attempts.length, 1);
    assert.equal(job.attempts[0].container.exitCode, 3);
    assert.equal(job.attempts[0].statusReason, EXITED);
  });

  test("DescribeJobs leaves out unknown job ids", async () => {
    const out = await batch.send(new DescribeJobsCommand({
      jobs: ["00000000-0000-4000-8000-000000000000"],
    }));
    assertOk(out);
    assert.deepEqual(out.jobs, []);
  });

  test("ListJobs lists the jobs of a queue by status", async () => {
    const succeeded = await submit("js-list-ok", withEnvironment({
      BATCHD_SIMULATED_SECONDS: 0.1,
    }));
    const failed = await submit("js-list-bad", withEnvironment({
      BATCHD_SIMULATED_SECONDS: 0.1, BATCHD_SIMULATED_EXIT_CODE: 1,
    }));
    const running = await submit("js-list-running", withEnvironment({
      BATCHD_SIMULATED_SECONDS: 30,
    }));
    await waitFor(succeeded, "SUCCEEDED");
    await waitFor(failed, "FAILED");
    await waitFor(running, "RUNNING");

    const done = await list({ jobQueue: "js-jobs", jobStatus: "SUCCEEDED" });
    assert.ok(done.every((s) => s.status === "SUCCEEDED"));
    const summary = done.find((s) => s.jobId === succeeded);
    assert.ok(summary, "the succeeded job is listed");
    assert.equal(summary.jobName, "js-list-ok");
    assert.equal(summary.jobArn, arn("job", succeeded));
    assert.equal(summary.container.exitCode, 0);
    assert.ok(summary.createdAt <= summary.startedAt);
    assert.ok(summary.startedAt <= summary.stoppedAt);
    assert.ok(!done.some((s) => s.jobId === failed));

    const failures = await list({
      jobQueue: arn("job-queue", "js-jobs"), jobStatus: "FAILED",
    });
    assert.ok(failures.some((s) => s.jobId === failed
                                   && s.container.exitCode === 1));

    const byDefault = await list({ jobQueue: "js-jobs" });
    assert.ok(byDefault.every((s) => s.status === "RUNNING"),
              "without jobStatus ListJobs lists RUNNING jobs");
    assert.ok(byDefault.some((s) => s.jobId === running));

    await batch.send(new TerminateJobCommand({
      jobId: running, reason: "test done",
    }));
    await waitFor(running, "FAILED");
  });

  test("ListJobs with a JOB_NAME filter matches names of every status",
       async () => {
    const first = await submit("js-named-alpha", withEnvironment({
      BATCHD_SIMULATED_SECONDS: 0.1,
    }));
    await waitFor(first, "SUCCEEDED");
    const second = await submit("JS-NAMED-beta", {}, "js-jobs-waiting");
    await waitFor(second, "RUNNABLE");
    await submit("js-other-name", withEnvironment({
      BATCHD_SIMULATED_SECONDS: 0.1,
    }));

    const exact = await list({
      jobQueue: "js-jobs", jobStatus: "RUNNING",
      filters: [{ name: "JOB_NAME", values: ["JS-Named-Alpha"] }],
    });
    assert.deepEqual(exact.map((s) => s.jobId), [first],
                     "case-insensitive and jobStatus is ignored");
    assert.equal(exact[0].status, "SUCCEEDED");

    const prefix = await list({
      jobQueue: "js-jobs",
      filters: [{ name: "JOB_NAME", values: ["js-named*"] }],
    });
    assert.deepEqual(prefix.map((s) => s.jobName), ["js-named-alpha"],
                     "the filter stays within the queue");

    const waiting = await list({
      jobQueue: "js-jobs-waiting",
      filters: [{ name: "JOB_NAME", values: ["js-named*"] }],
    });
    assert.deepEqual(waiting.map((s) => s.jobId), [second]);
    assert.equal(waiting[0].status, "RUNNABLE");

    await batch.send(new CancelJobCommand({ jobId: second, reason: "done" }));
  });

  test("CancelJob fails a job that waits RUNNABLE", async () => {
    const jobId = await submit("js-cancel-waiting", {}, "js-jobs-waiting");
    await waitFor(jobId, "RUNNABLE");
    await assertStays(jobId, "RUNNABLE");

    const out = await batch.send(new CancelJobCommand({
      jobId, reason: "no longer needed",
    }));
    assertOk(out);
    const job = await waitFor(jobId, "FAILED");
    assert.equal(job.statusReason, "no longer needed");
    assert.equal(job.isCancelled, true);
    assert.equal(job.isTerminated, false);
    assert.equal(job.startedAt, undefined, "the job never ran");
    assert.deepEqual(job.attempts, []);
  });

  test("a job larger than every environment waits RUNNABLE until cancelled",
       async () => {
    const jobId = await submit("js-too-big", {
      containerOverrides: {
        resourceRequirements: [{ type: "VCPU", value: "2" }],
      },
    }, "js-jobs-small");
    let job = await waitFor(jobId, "RUNNABLE");
    await assertStays(jobId, "RUNNABLE");
    job = await describeJob(jobId);
    assert.match(job.statusReason ?? "",
                 /^MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE/);
    const next = await submit("js-behind-too-big", withEnvironment({
      BATCHD_SIMULATED_SECONDS: 0.1,
    }), "js-jobs-small");

    await batch.send(new CancelJobCommand({ jobId, reason: "too big" }));
    job = await waitFor(jobId, "FAILED");
    assert.equal(job.statusReason, "too big");
    assert.equal(job.isCancelled, true);
    const behind = await waitFor(next, "SUCCEEDED", "FAILED");
    assert.equal(behind.status, "SUCCEEDED",
                 "the job behind the cancelled one runs");
  });

  test("a job waiting on a DISABLED environment runs once it is ENABLED",
       async () => {
    await batch.send(
      new CreateComputeEnvironmentCommand(simulated("js-sim-paused")));
    await batch.send(new UpdateComputeEnvironmentCommand({
      computeEnvironment: "js-sim-paused", state: "DISABLED",
    }));
    await batch.send(new CreateJobQueueCommand({
      jobQueueName: "js-jobs-paused", priority: 1,
      computeEnvironmentOrder: [
        { order: 1, computeEnvironment: "js-sim-paused" },
      ],
    }));
    const jobId = await submit("js-paused", withEnvironment({
      BATCHD_SIMULATED_SECONDS: 0.1,
    }), "js-jobs-paused");
    await waitFor(jobId, "RUNNABLE");
    await assertStays(jobId, "RUNNABLE");

    await batch.send(new UpdateComputeEnvironmentCommand({
      computeEnvironment: "js-sim-paused", state: "ENABLED",
    }));
    const job = await waitFor(jobId, "SUCCEEDED", "FAILED");
    assert.equal(job.status, "SUCCEEDED");
    assert.ok(job.createdAt <= job.startedAt);
  });

  test("deleting a queue fails the jobs it still holds", async () => {
    await batch.send(new CreateJobQueueCommand({
      jobQueueName: "js-jobs-doomed", priority: 1,
      computeEnvironmentOrder: [{ order: 1, computeEnvironment: "js-sim-off" }],
    }));
    const jobId = await submit("js-doomed", {}, "js-jobs-doomed");
    await waitFor(jobId, "RUNNABLE");
    await batch.send(new UpdateJobQueueCommand({
      jobQueue: "js-jobs-doomed", state: "DISABLED",
    }));
    await assertStays(jobId, "RUNNABLE");

    await batch.send(new DeleteJobQueueCommand({ jobQueue: "js-jobs-doomed" }));
    const job = await waitFor(jobId, "FAILED");
    assert.equal(job.startedAt, undefined);
  });

  test("CancelJob leaves a RUNNING job alone", async () => {
    const jobId = await submit("js-cancel-running", withEnvironment({
      BATCHD_SIMULATED_SECONDS: 1,
    }));
    await waitFor(jobId, "RUNNING");
    assertOk(await batch.send(new CancelJobCommand({
      jobId, reason: "too late",
    })));
    const job = await waitFor(jobId, "SUCCEEDED", "FAILED");
    assert.equal(job.status, "SUCCEEDED");
    assert.equal(job.isCancelled, false);
  });

  test("TerminateJob stops a RUNNING job", async () => {
    const jobId = await submit("js-terminate", withEnvironment({
      BATCHD_SIMULATED_SECONDS: 60,
    }));
    const running = await waitFor(jobId, "RUNNING");
    assert.ok(running.startedAt >= running.createdAt);
    assert.equal(running.stoppedAt, undefined);

    assertOk(await batch.send(new TerminateJobCommand({
      jobId, reason: "operator stopped it",
    })));
    const job = await waitFor(jobId, "FAILED");
    assert.equal(job.statusReason, "operator stopped it");
    assert.equal(job.isTerminated, true);
    assert.equal(job.isCancelled, false);
    assert.ok(job.startedAt <= job.stoppedAt);
    assert.ok(job.stoppedAt - job.startedAt < 60_000, "stopped early");
    assert.equal(job.attempts.length, 1);
    assert.equal(job.attempts[0].stoppedAt, job.stoppedAt);
    assert.notEqual(job.container.exitCode, 0);
  });

  test("TerminateJob of a job that has not started fails it", async () => {
    const jobId = await submit("js-terminate-waiting", {}, "js-jobs-waiting");
    await waitFor(jobId, "RUNNABLE");
    await batch.send(new TerminateJobCommand({ jobId, reason: "stop" }));
    const job = await waitFor(jobId, "FAILED");
    assert.equal(job.statusReason, "stop");
    assert.equal(job.startedAt, undefined);
  });

  test("CancelJob and TerminateJob of a finished job change nothing",
       async () => {
    const jobId = await submit("js-finished", withEnvironment({
      BATCHD_SIMULATED_SECONDS: 0.1,
    }));
    const before = await waitFor(jobId, "SUCCEEDED");
    assertOk(await batch.send(new CancelJobCommand({ jobId, reason: "x" })));
    assertOk(await batch.send(new TerminateJobCommand({ jobId, reason: "y" })));
    const after = await describeJob(jobId);
    assert.equal(after.status, "SUCCEEDED");
    assert.equal(after.statusReason, before.statusReason);
    assert.equal(after.stoppedAt, before.stoppedAt);
  });

  test("a definition name runs its latest ACTIVE revision", async () => {
    for (const code of [0, 5])
      await batch.send(new RegisterJobDefinitionCommand({
        jobDefinitionName: "js-job-revisions", type: "container",
        containerProperties: {
          image: "busybox", command: ["true"],
          environment: [
            { name: "BATCHD_SIMULATED_SECONDS", value: "0.1" },
            { name: "BATCHD_SIMULATED_EXIT_CODE", value: String(code) },
          ],
          resourceRequirements: [
            { type: "VCPU", value: "1" }, { type: "MEMORY", value: "64" },
          ],
        },
      }));
    const definitionArn = (revision) =>
      arn("job-definition", `js-job-revisions:${revision}`);

    let jobId = await submit("js-latest", {
      jobDefinition: "js-job-revisions",
    });
    let job = await waitFor(jobId, "SUCCEEDED", "FAILED");
    assert.equal(job.jobDefinition, definitionArn(2));
    assert.equal(job.container.exitCode, 5);

    await batch.send(new DeregisterJobDefinitionCommand({
      jobDefinition: "js-job-revisions:2",
    }));
    jobId = await submit("js-latest-active", {
      jobDefinition: arn("job-definition", "js-job-revisions"),
    });
    job = await waitFor(jobId, "SUCCEEDED", "FAILED");
    assert.equal(job.jobDefinition, definitionArn(1));
    assert.equal(job.status, "SUCCEEDED");

    const message = await clientException(batch.send(new SubmitJobCommand({
      jobName: "js-inactive", jobQueue: "js-jobs",
      jobDefinition: "js-job-revisions:2",
    })));
    assert.match(message, /does not exist or is not in ACTIVE status/);
  });

  test("bad submissions are ClientExceptions", async () => {
    let message = await clientException(batch.send(new SubmitJobCommand({
      jobName: "js-bad", jobQueue: "js-missing-queue",
      jobDefinition: "js-job-def",
    })));
    assert.equal(message, "JobQueue js-missing-queue not found.");

    message = await clientException(batch.send(new SubmitJobCommand({
      jobName: "-starts-with-a-hyphen", jobQueue: "js-jobs",
      jobDefinition: "js-job-def",
    })));
    assert.match(message, /Job name should match valid pattern/);

    message = await clientException(batch.send(new SubmitJobCommand({
      jobName: "js-bad", jobQueue: "js-jobs", jobDefinition: "js-job-def",
      ...withEnvironment({ AWS_BATCH_JOB_ID: "mine" }),
    })));
    assert.match(message, /AWS_BATCH/);

    message = await clientException(batch.send(
      new CancelJobCommand({ jobId: "js-no-such-job", reason: "x" })));
    assert.match(message, /js-no-such-job/);

    assert.deepEqual(await list({
      jobQueue: "js-jobs", filters: [{ name: "JOB_NAME", values: ["js-bad"] }],
    }), [], "refused submissions create no job");
  });

  test("an unknown definition name is refused in AWS's words", async () => {
    const message = await clientException(batch.send(new SubmitJobCommand({
      jobName: "js-bad", jobQueue: "js-jobs",
      jobDefinition: "js-missing-definition",
    })));
    assert.equal(message, "JobDefinition name js-missing-definition does not "
                          + "exist or is not in ACTIVE status");
  });

  test("a DISABLED queue takes no new jobs", async () => {
    await batch.send(new CreateJobQueueCommand({
      jobQueueName: "js-jobs-closed", priority: 1,
      computeEnvironmentOrder: [{ order: 1, computeEnvironment: "js-sim" }],
    }));
    await batch.send(new UpdateJobQueueCommand({
      jobQueue: "js-jobs-closed", state: "DISABLED",
    }));
    const message = await clientException(batch.send(new SubmitJobCommand({
      jobName: "js-closed", jobQueue: "js-jobs-closed",
      jobDefinition: "js-job-def",
    })));
    assert.match(message, /js-jobs-closed/);
  });
});
