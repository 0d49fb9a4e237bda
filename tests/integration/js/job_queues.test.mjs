// Job queues through @aws-sdk/client-batch: the whole create → describe →
// update → tag → untag → delete flow, the errors of bad calls (unknown or too
// many compute environments, duplicate names, deleting an ENABLED queue) and
// pagination.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  DeleteComputeEnvironmentCommand,
  DeleteJobQueueCommand,
  DescribeJobQueuesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateComputeEnvironmentCommand,
  UpdateJobQueueCommand,
  paginateDescribeJobQueues,
} from "@aws-sdk/client-batch";

import {
  arn, assertOk, clientException, clientFor, startServer,
} from "./server.mjs";

/** A MANAGED compute environment request of `type` named `name`. */
function managed(name, type = "EC2") {
  return {
    computeEnvironmentName: name,
    type: "MANAGED",
    computeResources: {
      type, minvCpus: 0, maxvCpus: 4, subnets: ["subnet-1"],
      ...(type === "EC2" ? { instanceRole: "ecsInstanceRole" } : {}),
    },
  };
}

/** A computeEnvironmentOrder that lists `names` as orders 1, 2, … */
function orderOf(...names) {
  return names.map((name, i) => ({ order: i + 1, computeEnvironment: name }));
}

/** Returns `order` sorted by ascending `order`. */
function sorted(order) {
  return [...order].sort((a, b) => a.order - b.order);
}

describe("job queues", () => {
  let server;
  let batch;

  before(async () => {
    server = await startServer();
    batch = clientFor(server);
    for (const name of ["js-jq-a", "js-jq-b", "js-jq-c", "js-jq-d"])
      await batch.send(new CreateComputeEnvironmentCommand(managed(name)));
    await batch.send(new CreateComputeEnvironmentCommand(
      managed("js-jq-fargate", "FARGATE")));
  });
  after(async () => {
    batch?.destroy();
    await server?.stop();
  });

  /** Describes one job queue by name or ARN, or undefined. */
  async function describeOne(ref) {
    const out = await batch.send(
      new DescribeJobQueuesCommand({ jobQueues: [ref] }));
    assertOk(out);
    assert.ok(out.jobQueues.length <= 1);
    return out.jobQueues[0];
  }

  /** Creates an ENABLED queue named `name` on `environments`. */
  async function createQueue(name, environments = ["js-jq-a"], extra = {}) {
    const out = await batch.send(new CreateJobQueueCommand({
      jobQueueName: name, priority: 1,
      computeEnvironmentOrder: orderOf(...environments), ...extra,
    }));
    assertOk(out);
    return out;
  }

  /** Disables and deletes the queue `name`. */
  async function removeQueue(name) {
    await batch.send(
      new UpdateJobQueueCommand({ jobQueue: name, state: "DISABLED" }));
    await batch.send(new DeleteJobQueueCommand({ jobQueue: name }));
  }

  test("create, describe, update, tag, untag and delete", async () => {
    const created = await batch.send(new CreateJobQueueCommand({
      jobQueueName: "js-jq-flow", priority: 10,
      computeEnvironmentOrder: [
        { order: 2, computeEnvironment: "js-jq-b" },
        { order: 1, computeEnvironment: arn("compute-environment", "js-jq-a") },
      ],
      tags: { team: "a" },
    }));
    assertOk(created);
    const queueArn = arn("job-queue", "js-jq-flow");
    assert.equal(created.jobQueueArn, queueArn);
    assert.equal(created.jobQueueName, "js-jq-flow");

    const queue = await describeOne("js-jq-flow");
    assert.equal(queue.jobQueueArn, queueArn);
    assert.equal(queue.jobQueueName, "js-jq-flow");
    assert.equal(queue.state, "ENABLED", "queues start ENABLED by default");
    assert.equal(queue.status, "VALID");
    assert.equal(queue.priority, 10);
    assert.deepEqual(sorted(queue.computeEnvironmentOrder), [
      { order: 1, computeEnvironment: arn("compute-environment", "js-jq-a") },
      { order: 2, computeEnvironment: arn("compute-environment", "js-jq-b") },
    ], "environments named by name come back as ARNs");
    assert.deepEqual(queue.tags, { team: "a" });
    assert.equal(queue.schedulingPolicyArn, undefined, "a FIFO queue");

    const updated = await batch.send(new UpdateJobQueueCommand({
      jobQueue: "js-jq-flow", priority: 99, state: "DISABLED",
      computeEnvironmentOrder: [
        { order: 5, computeEnvironment: "js-jq-c" },
        { order: 3, computeEnvironment: "js-jq-a" },
      ],
    }));
    assertOk(updated);
    assert.equal(updated.jobQueueArn, queueArn);
    assert.equal(updated.jobQueueName, "js-jq-flow");
    const changed = await describeOne(queueArn);
    assert.equal(changed.priority, 99);
    assert.equal(changed.state, "DISABLED");
    assert.deepEqual(sorted(changed.computeEnvironmentOrder), [
      { order: 3, computeEnvironment: arn("compute-environment", "js-jq-a") },
      { order: 5, computeEnvironment: arn("compute-environment", "js-jq-c") },
    ]);

    assertOk(await batch.send(new TagResourceCommand({
      resourceArn: queueArn, tags: { env: "test", owner: "ops" },
    })));
    let listed = await batch.send(
      new ListTagsForResourceCommand({ resourceArn: queueArn }));
    assertOk(listed);
    assert.deepEqual(listed.tags, { team: "a", env: "test", owner: "ops" });

    assertOk(await batch.send(new UntagResourceCommand({
      resourceArn: queueArn, tagKeys: ["team", "owner"],
    })));
    listed = await batch.send(
      new ListTagsForResourceCommand({ resourceArn: queueArn }));
    assert.deepEqual(listed.tags, { env: "test" });
    assert.deepEqual((await describeOne(queueArn)).tags, { env: "test" });

    const deleted = await batch.send(
      new DeleteJobQueueCommand({ jobQueue: "js-jq-flow" }));
    assertOk(deleted);
    assert.equal(await describeOne("js-jq-flow"), undefined);
  });

  test("a queue can be created DISABLED and enabled later", async () => {
    await createQueue("js-jq-disabled", ["js-jq-a"], { state: "DISABLED" });
    assert.equal((await describeOne("js-jq-disabled")).state, "DISABLED");
    await batch.send(new UpdateJobQueueCommand({
      jobQueue: arn("job-queue", "js-jq-disabled"), state: "ENABLED",
    }));
    assert.equal((await describeOne("js-jq-disabled")).state, "ENABLED");
    await removeQueue("js-jq-disabled");
  });

  test("an unknown compute environment is refused", async () => {
    const message = await clientException(batch.send(
      new CreateJobQueueCommand({
        jobQueueName: "js-jq-unknown-ce", priority: 1,
        computeEnvironmentOrder: orderOf("js-jq-a", "js-jq-missing"),
      })));
    assert.match(message, /js-jq-missing/);
    assert.match(message, /not found|does not exist/);
    assert.equal(await describeOne("js-jq-unknown-ce"), undefined,
                 "a refused create leaves no queue behind");
  });

  test("a queue can't list more than 3 compute environments", async () => {
    const message = await clientException(batch.send(
      new CreateJobQueueCommand({
        jobQueueName: "js-jq-four", priority: 1,
        computeEnvironmentOrder:
          orderOf("js-jq-a", "js-jq-b", "js-jq-c", "js-jq-d"),
      })));
    assert.match(message, /computeEnvironmentOrder/);
    assert.match(message, /3/);

    await createQueue("js-jq-three", ["js-jq-a", "js-jq-b", "js-jq-c"]);
    await clientException(batch.send(new UpdateJobQueueCommand({
      jobQueue: "js-jq-three",
      computeEnvironmentOrder:
        orderOf("js-jq-a", "js-jq-b", "js-jq-c", "js-jq-d"),
    })));
    assert.equal(
      (await describeOne("js-jq-three")).computeEnvironmentOrder.length, 3);
    await removeQueue("js-jq-three");
  });

  test("a queue can't mix EC2 and Fargate compute environments", async () => {
    await clientException(batch.send(new CreateJobQueueCommand({
      jobQueueName: "js-jq-mixed", priority: 1,
      computeEnvironmentOrder: orderOf("js-jq-a", "js-jq-fargate"),
    })));
    assert.equal(await describeOne("js-jq-mixed"), undefined);
  });

  test("a duplicate queue name is refused", async () => {
    await createQueue("js-jq-dup");
    const message = await clientException(batch.send(
      new CreateJobQueueCommand({
        jobQueueName: "js-jq-dup", priority: 2,
        computeEnvironmentOrder: orderOf("js-jq-b"),
      })));
    assert.match(message, /already exists/);
    const queue = await describeOne("js-jq-dup");
    assert.equal(queue.priority, 1, "the first queue is left as it was");
    await removeQueue("js-jq-dup");
  });

  test("an ENABLED queue can't be deleted", async () => {
    await createQueue("js-jq-enabled");
    const message = await clientException(batch.send(
      new DeleteJobQueueCommand({ jobQueue: "js-jq-enabled" })));
    assert.match(message, /DISABLED/);
    assert.equal((await describeOne("js-jq-enabled")).state, "ENABLED");

    await batch.send(new UpdateJobQueueCommand({
      jobQueue: "js-jq-enabled", state: "DISABLED",
    }));
    assertOk(await batch.send(new DeleteJobQueueCommand({
      jobQueue: arn("job-queue", "js-jq-enabled"),
    })));
    assert.equal(await describeOne("js-jq-enabled"), undefined);
  });

  test("unknown queues and bad values are ClientExceptions", async () => {
    let message = await clientException(batch.send(
      new UpdateJobQueueCommand({ jobQueue: "js-jq-missing", priority: 2 })));
    assert.equal(message, "JobQueue js-jq-missing not found.");

    message = await clientException(batch.send(
      new DeleteJobQueueCommand({ jobQueue: "js-jq-missing" })));
    assert.equal(message, "JobQueue js-jq-missing not found.");

    message = await clientException(batch.send(new CreateJobQueueCommand({
      jobQueueName: "bad name!", priority: 1,
      computeEnvironmentOrder: orderOf("js-jq-a"),
    })));
    assert.match(message, /jobQueueName/);

    await createQueue("js-jq-values");
    message = await clientException(batch.send(new UpdateJobQueueCommand({
      jobQueue: "js-jq-values", state: "PAUSED",
    })));
    assert.match(message, /state/);

    message = await clientException(batch.send(new UpdateJobQueueCommand({
      jobQueue: "js-jq-values",
      computeEnvironmentOrder: orderOf("js-jq-missing"),
    })));
    assert.match(message, /js-jq-missing/);
    const queue = await describeOne("js-jq-values");
    assert.deepEqual(queue.computeEnvironmentOrder, [
      { order: 1, computeEnvironment: arn("compute-environment", "js-jq-a") },
    ], "a refused update changes nothing");
    await removeQueue("js-jq-values");
  });

  test("an environment is freed for deletion once its queue is deleted",
       async () => {
    await batch.send(
      new CreateComputeEnvironmentCommand(managed("js-jq-owned")));
    await createQueue("js-jq-owner", ["js-jq-owned"]);
    await batch.send(new UpdateComputeEnvironmentCommand({
      computeEnvironment: "js-jq-owned", state: "DISABLED",
    }));
    const message = await clientException(batch.send(
      new DeleteComputeEnvironmentCommand({
        computeEnvironment: "js-jq-owned",
      })));
    assert.equal(message, "Cannot delete, found existing JobQueue relationship");

    await removeQueue("js-jq-owner");
    assertOk(await batch.send(new DeleteComputeEnvironmentCommand({
      computeEnvironment: "js-jq-owned",
    })));
  });

  test("the paginator walks every page with stable tokens", async () => {
    for (let i = 0; i < 5; i++)
      await createQueue(`js-jq-page-${i}`);
    const names = [];
    let pages = 0;
    for await (const page of paginateDescribeJobQueues(
      { client: batch, pageSize: 2 }, {})) {
      pages++;
      assert.ok(page.jobQueues.length <= 2);
      names.push(...page.jobQueues.map((q) => q.jobQueueName));
    }
    assert.deepEqual(names.filter((n) => n.startsWith("js-jq-page-")),
                     [0, 1, 2, 3, 4].map((i) => `js-jq-page-${i}`));
    assert.equal(new Set(names).size, names.length, "no queue twice");
    assert.ok(pages >= 3);

    const message = await clientException(batch.send(
      new DescribeJobQueuesCommand({ nextToken: "not-a-token" })));
    assert.match(message, /nextToken/);
  });
});
