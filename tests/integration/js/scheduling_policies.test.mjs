// Scheduling policies through @aws-sdk/client-batch: the create → describe →
// list → update → tag → untag → delete flow of a fair-share policy, the
// ranges AWS enforces, deletion refused while a job queue uses the policy,
// and pagination of ListSchedulingPolicies.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  CreateSchedulingPolicyCommand,
  DeleteJobQueueCommand,
  DeleteSchedulingPolicyCommand,
  DescribeSchedulingPoliciesCommand,
  ListSchedulingPoliciesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateJobQueueCommand,
  UpdateSchedulingPolicyCommand,
  paginateListSchedulingPolicies,
} from "@aws-sdk/client-batch";

import {
  arn, assertOk, clientException, clientFor, startServer,
} from "./server.mjs";

/** A fairsharePolicy with the given members over the shares teamA and teamB*. */
function fairshare(members = {}) {
  return {
    shareDecaySeconds: 3600,
    computeReservation: 10,
    shareDistribution: [
      { shareIdentifier: "teamA", weightFactor: 0.5 },
      { shareIdentifier: "teamB*", weightFactor: 2 },
    ],
    ...members,
  };
}

describe("scheduling policies", () => {
  let server;
  let batch;

  before(async () => {
    server = await startServer();
    batch = clientFor(server);
    await batch.send(new CreateComputeEnvironmentCommand({
      computeEnvironmentName: "js-sp-ce", type: "MANAGED",
      computeResources: {
        type: "EC2", minvCpus: 0, maxvCpus: 4, subnets: ["subnet-1"],
        instanceRole: "ecsInstanceRole",
      },
    }));
  });
  after(async () => {
    batch?.destroy();
    await server?.stop();
  });

  /** Creates the policy `name` and returns its ARN. */
  async function createPolicy(name, fairsharePolicy = fairshare()) {
    const out = await batch.send(
      new CreateSchedulingPolicyCommand({ name, fairsharePolicy }));
    assertOk(out);
    return out.arn;
  }

  /** Describes one policy by ARN, or undefined. */
  async function describeOne(policyArn) {
    const out = await batch.send(
      new DescribeSchedulingPoliciesCommand({ arns: [policyArn] }));
    assertOk(out);
    assert.ok(out.schedulingPolicies.length <= 1);
    return out.schedulingPolicies[0];
  }

  /** Returns every policy ARN ListSchedulingPolicies walks through. */
  async function listAll(pageSize) {
    const arns = [];
    for await (const page of paginateListSchedulingPolicies(
      { client: batch, pageSize }, {}))
      arns.push(...page.schedulingPolicies.map((p) => p.arn));
    return arns;
  }

  /** Creates an ENABLED fair-share queue `name` that uses `policyArn`. */
  async function createQueue(name, policyArn) {
    await batch.send(new CreateJobQueueCommand({
      jobQueueName: name, priority: 1, schedulingPolicyArn: policyArn,
      computeEnvironmentOrder: [{ order: 1, computeEnvironment: "js-sp-ce" }],
    }));
  }

  test("create, describe, list, update, tag, untag and delete", async () => {
    const created = await batch.send(new CreateSchedulingPolicyCommand({
      name: "js-sp-flow", fairsharePolicy: fairshare(), tags: { team: "a" },
    }));
    assertOk(created);
    const policyArn = arn("scheduling-policy", "js-sp-flow");
    assert.equal(created.arn, policyArn);
    assert.equal(created.name, "js-sp-flow");

    const policy = await describeOne(policyArn);
    assert.equal(policy.name, "js-sp-flow");
    assert.equal(policy.arn, policyArn);
    assert.equal(policy.fairsharePolicy.shareDecaySeconds, 3600);
    assert.equal(policy.fairsharePolicy.computeReservation, 10);
    assert.deepEqual(policy.fairsharePolicy.shareDistribution, [
      { shareIdentifier: "teamA", weightFactor: 0.5 },
      { shareIdentifier: "teamB*", weightFactor: 2 },
    ]);
    assert.deepEqual(policy.tags, { team: "a" });

    const listed = await batch.send(new ListSchedulingPoliciesCommand({}));
    assertOk(listed);
    assert.deepEqual(
      listed.schedulingPolicies.find((p) => p.arn === policyArn),
      { arn: policyArn }, "ListSchedulingPolicies returns ARNs only");

    const updated = await batch.send(new UpdateSchedulingPolicyCommand({
      arn: policyArn,
      fairsharePolicy: {
        shareDecaySeconds: 0, computeReservation: 99,
        shareDistribution: [{ shareIdentifier: "teamC", weightFactor: 0.0001 }],
      },
    }));
    assertOk(updated);
    const changed = await describeOne(policyArn);
    assert.equal(changed.fairsharePolicy.shareDecaySeconds, 0);
    assert.equal(changed.fairsharePolicy.computeReservation, 99);
    assert.deepEqual(changed.fairsharePolicy.shareDistribution, [
      { shareIdentifier: "teamC", weightFactor: 0.0001 },
    ]);

    assertOk(await batch.send(new TagResourceCommand({
      resourceArn: policyArn, tags: { env: "test", owner: "ops" },
    })));
    let tags = await batch.send(
      new ListTagsForResourceCommand({ resourceArn: policyArn }));
    assertOk(tags);
    assert.deepEqual(tags.tags, { team: "a", env: "test", owner: "ops" });

    assertOk(await batch.send(new UntagResourceCommand({
      resourceArn: policyArn, tagKeys: ["team", "owner"],
    })));
    tags = await batch.send(
      new ListTagsForResourceCommand({ resourceArn: policyArn }));
    assert.deepEqual(tags.tags, { env: "test" });

    assertOk(await batch.send(
      new DeleteSchedulingPolicyCommand({ arn: policyArn })));
    assert.equal(await describeOne(policyArn), undefined);
    assert.ok(!(await listAll(100)).includes(policyArn));
  });

  test("describe leaves out unknown ARNs", async () => {
    const known = await createPolicy("js-sp-known");
    const out = await batch.send(new DescribeSchedulingPoliciesCommand({
      arns: [arn("scheduling-policy", "js-sp-unknown"), known],
    }));
    assert.deepEqual(out.schedulingPolicies.map((p) => p.name),
                     ["js-sp-known"]);
  });

  test("values out of AWS's ranges are refused", async () => {
    const refused = [
      [{ computeReservation: 100 }, /computeReservation/],
      [{ computeReservation: -1 }, /computeReservation/],
      [{ shareDecaySeconds: 604801 }, /shareDecaySeconds/],
      [{ shareDecaySeconds: -1 }, /shareDecaySeconds/],
      [{ shareDistribution: [{ shareIdentifier: "A", weightFactor: 0 }] },
       /weightFactor/],
      [{ shareDistribution: [{ shareIdentifier: "A", weightFactor: 1000 }] },
       /weightFactor/],
      [{ shareDistribution: [{ shareIdentifier: "not-alnum" }] },
       /shareIdentifier/],
      [{ shareDistribution: [{ shareIdentifier: "UserA*" },
                             { shareIdentifier: "UserA1" }] },
       /overlap/],
    ];
    for (const [members, pattern] of refused) {
      const message = await clientException(batch.send(
        new CreateSchedulingPolicyCommand({
          name: "js-sp-range", fairsharePolicy: fairshare(members),
        })));
      assert.match(message, pattern, JSON.stringify(members));
    }
    assert.ok(!(await listAll(100)).includes(
      arn("scheduling-policy", "js-sp-range")));

    const edges = await createPolicy("js-sp-edges", {
      shareDecaySeconds: 604800, computeReservation: 0,
      shareDistribution: [{ shareIdentifier: "A", weightFactor: 999.9999 }],
    });
    const message = await clientException(batch.send(
      new UpdateSchedulingPolicyCommand({
        arn: edges, fairsharePolicy: fairshare({ computeReservation: 100 }),
      })));
    assert.match(message, /computeReservation/);
    const policy = await describeOne(edges);
    assert.equal(policy.fairsharePolicy.computeReservation, 0,
                 "a refused update changes nothing");
    assert.equal(policy.fairsharePolicy.shareDecaySeconds, 604800);
  });

  test("other bad calls are ClientExceptions", async () => {
    await createPolicy("js-sp-dup");
    let message = await clientException(batch.send(
      new CreateSchedulingPolicyCommand({ name: "js-sp-dup" })));
    assert.match(message, /already exists/);

    message = await clientException(batch.send(
      new CreateSchedulingPolicyCommand({ name: "bad name!" })));
    assert.match(message, /name/);

    const missing = arn("scheduling-policy", "js-sp-missing");
    message = await clientException(batch.send(
      new UpdateSchedulingPolicyCommand({
        arn: missing, fairsharePolicy: fairshare(),
      })));
    assert.match(message, /js-sp-missing/);
    message = await clientException(batch.send(
      new DeleteSchedulingPolicyCommand({ arn: missing })));
    assert.match(message, /js-sp-missing/);
  });

  test("a policy can't be deleted while a job queue uses it", async () => {
    const policyArn = await createPolicy("js-sp-used");
    await createQueue("js-sp-queue", policyArn);

    const message = await clientException(batch.send(
      new DeleteSchedulingPolicyCommand({ arn: policyArn })));
    assert.match(message, /JobQueue/);

    await batch.send(new UpdateJobQueueCommand({
      jobQueue: "js-sp-queue", state: "DISABLED",
    }));
    await clientException(batch.send(
      new DeleteSchedulingPolicyCommand({ arn: policyArn })));
    assert.ok(await describeOne(policyArn), "a DISABLED queue still uses it");

    await batch.send(new DeleteJobQueueCommand({ jobQueue: "js-sp-queue" }));
    assertOk(await batch.send(
      new DeleteSchedulingPolicyCommand({ arn: policyArn })));
    assert.equal(await describeOne(policyArn), undefined);
  });

  test("a replaced policy is free to be deleted", async () => {
    const first = await createPolicy("js-sp-first");
    const second = await createPolicy("js-sp-second");
    await createQueue("js-sp-replacing", first);
    await batch.send(new UpdateJobQueueCommand({
      jobQueue: "js-sp-replacing", schedulingPolicyArn: second,
    }));

    assertOk(await batch.send(
      new DeleteSchedulingPolicyCommand({ arn: first })));
    const message = await clientException(batch.send(
      new DeleteSchedulingPolicyCommand({ arn: second })));
    assert.match(message, /JobQueue/);
  });

  test("the paginator walks every page with stable tokens", async () => {
    const created = [];
    for (let i = 0; i < 5; i++)
      created.push(await createPolicy(`js-sp-page-${i}`));
    let pages = 0;
    const arns = [];
    for await (const page of paginateListSchedulingPolicies(
      { client: batch, pageSize: 2 }, {})) {
      pages++;
      assert.ok(page.schedulingPolicies.length <= 2);
      arns.push(...page.schedulingPolicies.map((p) => p.arn));
    }
    assert.deepEqual(arns.filter((a) => created.includes(a)), created);
    assert.equal(new Set(arns).size, arns.length, "no policy twice");
    assert.ok(pages >= 3);
  });
});
