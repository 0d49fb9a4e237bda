// Compute environments through @aws-sdk/client-batch: the whole create →
// describe → update → tag → untag → delete flow, the errors of bad calls,
// regions kept apart, and pagination.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
  CreateComputeEnvironmentCommand,
  DeleteComputeEnvironmentCommand,
  DescribeComputeEnvironmentsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateComputeEnvironmentCommand,
  paginateDescribeComputeEnvironments,
} from "@aws-sdk/client-batch";

import {
  arn, assertOk, clientException, clientFor, startServer,
} from "./server.mjs";

/** A MANAGED EC2 compute environment request named `name`. */
function managed(name, maxvCpus = 4) {
  return {
    computeEnvironmentName: name,
    type: "MANAGED",
    computeResources: {
      type: "EC2", minvCpus: 0, maxvCpus, subnets: ["subnet-1"],
      instanceRole: "ecsInstanceRole",
    },
  };
}

describe("compute environments", () => {
  let server;
  let batch;

  before(async () => {
    server = await startServer();
    batch = clientFor(server);
  });
  after(async () => {
    batch?.destroy();
    await server?.stop();
  });

  /** Describes one compute environment by name or ARN, or undefined. */
  async function describeOne(ref) {
    const out = await batch.send(
      new DescribeComputeEnvironmentsCommand({ computeEnvironments: [ref] }));
    assertOk(out);
    assert.ok(out.computeEnvironments.length <= 1);
    return out.computeEnvironments[0];
  }

  test("create, describe, update, tag, untag and delete", async () => {
    const created = await batch.send(new CreateComputeEnvironmentCommand({
      ...managed("js-ce-flow"), tags: { team: "a" },
    }));
    assertOk(created);
    const ceArn = arn("compute-environment", "js-ce-flow");
    assert.equal(created.computeEnvironmentArn, ceArn);
    assert.equal(created.computeEnvironmentName, "js-ce-flow");

    const ce = await describeOne("js-ce-flow");
    assert.equal(ce.computeEnvironmentArn, ceArn);
    assert.equal(ce.type, "MANAGED");
    assert.equal(ce.state, "ENABLED");
    assert.equal(ce.status, "VALID");
    assert.equal(ce.computeResources.maxvCpus, 4);
    assert.deepEqual(ce.computeResources.subnets, ["subnet-1"]);
    assert.deepEqual(ce.tags, { team: "a" });
    assert.match(ce.uuid, /^[0-9a-f-]{36}$/);

    const updated = await batch.send(new UpdateComputeEnvironmentCommand({
      computeEnvironment: "js-ce-flow", state: "DISABLED",
      computeResources: { maxvCpus: 8 },
    }));
    assertOk(updated);
    assert.equal(updated.computeEnvironmentArn, ceArn);
    const changed = await describeOne(ceArn);
    assert.equal(changed.state, "DISABLED");
    assert.equal(changed.computeResources.maxvCpus, 8);

    assertOk(await batch.send(new TagResourceCommand({
      resourceArn: ceArn, tags: { env: "test", owner: "ops" },
    })));
    let listed = await batch.send(
      new ListTagsForResourceCommand({ resourceArn: ceArn }));
    assertOk(listed);
    assert.deepEqual(listed.tags, { team: "a", env: "test", owner: "ops" });

    assertOk(await batch.send(new UntagResourceCommand({
      resourceArn: ceArn, tagKeys: ["team", "owner"],
    })));
    listed = await batch.send(
      new ListTagsForResourceCommand({ resourceArn: ceArn }));
    assert.deepEqual(listed.tags, { env: "test" });

    const deleted = await batch.send(new DeleteComputeEnvironmentCommand({
      computeEnvironment: "js-ce-flow",
    }));
    assertOk(deleted);
    assert.equal(await describeOne("js-ce-flow"), undefined);
  });

  test("an UNMANAGED environment keeps its vCPUs", async () => {
    await batch.send(new CreateComputeEnvironmentCommand({
      computeEnvironmentName: "js-unmanaged", type: "UNMANAGED",
      unmanagedvCpus: 6,
    }));
    const ce = await describeOne("js-unmanaged");
    assert.equal(ce.type, "UNMANAGED");
    assert.equal(ce.unmanagedvCpus, 6);
    assert.equal(ce.computeResources, undefined, "absent fields are omitted");
  });

  test("bad calls are ClientExceptions with clear messages", async () => {
    let message = await clientException(batch.send(
      new CreateComputeEnvironmentCommand({
        computeEnvironmentName: "bad name!", type: "UNMANAGED",
      })));
    assert.match(message, /computeEnvironmentName/);

    message = await clientException(batch.send(
      new CreateComputeEnvironmentCommand({
        computeEnvironmentName: "js-no-resources", type: "MANAGED",
      })));
    assert.match(message, /computeResources/);

    await batch.send(new CreateComputeEnvironmentCommand(managed("js-dup")));
    message = await clientException(batch.send(
      new CreateComputeEnvironmentCommand(managed("js-dup"))));
    assert.match(message, /already exists/);

    message = await clientException(batch.send(
      new DeleteComputeEnvironmentCommand({ computeEnvironment: "js-dup" })));
    assert.match(message, /DISABLED/);

    message = await clientException(batch.send(
      new UpdateComputeEnvironmentCommand({
        computeEnvironment: "js-missing", state: "DISABLED",
      })));
    assert.equal(message, "ComputeEnvironment js-missing not found.");

    message = await clientException(batch.send(new TagResourceCommand({
      resourceArn: "not-an-arn", tags: { a: "b" },
    })));
    assert.match(message, /not-an-arn/);
  });

  test("regions are kept apart", async () => {
    const west = clientFor(server, "eu-west-1");
    try {
      const created = await west.send(
        new CreateComputeEnvironmentCommand(managed("js-west")));
      assert.equal(created.computeEnvironmentArn,
                   arn("compute-environment", "js-west", "eu-west-1"));
      const out = await batch.send(new DescribeComputeEnvironmentsCommand({}));
      const names = out.computeEnvironments.map(
        (ce) => ce.computeEnvironmentName);
      assert.ok(!names.includes("js-west"));
      const there = await west.send(new DescribeComputeEnvironmentsCommand({
        computeEnvironments: ["js-west"],
      }));
      assert.equal(there.computeEnvironments.length, 1);
    } finally {
      west.destroy();
    }
  });

  test("the paginator walks every page with stable tokens", async () => {
    for (let i = 0; i < 5; i++) {
      await batch.send(new CreateComputeEnvironmentCommand({
        computeEnvironmentName: `js-page-${i}`, type: "UNMANAGED",
        unmanagedvCpus: 1,
      }));
    }
    const names = [];
    let pages = 0;
    for await (const page of paginateDescribeComputeEnvironments(
      { client: batch, pageSize: 2 }, {})) {
      pages++;
      assert.ok(page.computeEnvironments.length <= 2);
      names.push(...page.computeEnvironments.map(
        (ce) => ce.computeEnvironmentName));
    }
    assert.deepEqual(names.filter((n) => n.startsWith("js-page-")),
                     [0, 1, 2, 3, 4].map((i) => `js-page-${i}`));
    assert.ok(pages >= 3);
  });
});
