// Job definitions through @aws-sdk/client-batch: revisions that count up
// per name, DescribeJobDefinitions by name, ARN, name:revision and status,
// deregistration to INACTIVE without reusing revision numbers, the reserved
// AWS_BATCH environment variables, other bad calls, tags and pagination.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
  DeregisterJobDefinitionCommand,
  DescribeJobDefinitionsCommand,
  ListTagsForResourceCommand,
  RegisterJobDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  paginateDescribeJobDefinitions,
} from "@aws-sdk/client-batch";

import {
  arn, assertOk, clientException, clientFor, startServer,
} from "./server.mjs";

/** A container job definition request named `name`. */
function container(name, { command = ["echo", "hello"], environment } = {}) {
  return {
    jobDefinitionName: name,
    type: "container",
    containerProperties: {
      image: "busybox",
      command,
      ...(environment ? { environment } : {}),
      resourceRequirements: [
        { type: "VCPU", value: "1" }, { type: "MEMORY", value: "128" },
      ],
    },
  };
}

/** The ARN of revision `revision` of job definition `name`. */
function revisionArn(name, revision) {
  return arn("job-definition", `${name}:${revision}`);
}

/** Returns the revision numbers of `definitions`, ascending. */
function revisions(definitions) {
  return definitions.map((d) => d.revision).sort((a, b) => a - b);
}

describe("job definitions", () => {
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

  /** Registers `request` and returns the reply. */
  async function register(request) {
    const out = await batch.send(new RegisterJobDefinitionCommand(request));
    assertOk(out);
    return out;
  }

  /** Returns the job definitions DescribeJobDefinitions finds for `input`. */
  async function find(input) {
    const out = await batch.send(new DescribeJobDefinitionsCommand(input));
    assertOk(out);
    return out.jobDefinitions;
  }

  test("each registration of a name gets the next revision", async () => {
    for (const revision of [1, 2, 3]) {
      const out = await register(container("js-jd-rev", {
        command: ["echo", `revision ${revision}`],
      }));
      assert.equal(out.jobDefinitionName, "js-jd-rev");
      assert.equal(out.revision, revision);
      assert.equal(out.jobDefinitionArn, revisionArn("js-jd-rev", revision));
    }
    const other = await register(container("js-jd-rev-other"));
    assert.equal(other.revision, 1, "revisions count per name");
  });

  test("describe finds revisions by name, ARN, name:revision and status",
       async () => {
    for (let i = 0; i < 3; i++)
      await register(container("js-jd-find", { command: ["echo", `${i}`] }));

    const byName = await find({ jobDefinitionName: "js-jd-find" });
    assert.deepEqual(revisions(byName), [1, 2, 3]);
    for (const definition of byName) {
      assert.equal(definition.jobDefinitionName, "js-jd-find");
      assert.equal(definition.status, "ACTIVE");
      assert.equal(definition.type, "container");
      assert.equal(definition.jobDefinitionArn,
                   revisionArn("js-jd-find", definition.revision));
    }

    const [second] = await find({
      jobDefinitions: [revisionArn("js-jd-find", 2)],
    });
    assert.equal(second.revision, 2);
    assert.equal(second.containerProperties.image, "busybox");
    assert.deepEqual(second.containerProperties.command, ["echo", "1"]);
    assert.deepEqual(
      second.containerProperties.resourceRequirements
        .map(({ type, value }) => `${type}=${value}`).sort(),
      ["MEMORY=128", "VCPU=1"]);

    const byShortName = await find({
      jobDefinitions: ["js-jd-find:1", "js-jd-find:3"],
    });
    assert.deepEqual(revisions(byShortName), [1, 3]);

    assert.deepEqual(
      await find({ jobDefinitions: ["js-jd-find:9", "js-jd-nothing:1"] }), [],
      "unknown revisions are left out, not refused");

    const active = await find({
      jobDefinitionName: "js-jd-find", status: "ACTIVE",
    });
    assert.deepEqual(revisions(active), [1, 2, 3]);
    assert.deepEqual(await find({
      jobDefinitionName: "js-jd-find", status: "INACTIVE",
    }), []);
    assert.deepEqual(await find({ jobDefinitionName: "js-jd-nothing" }), []);
  });

  test("a deregistered revision is INACTIVE and its number is not reused",
       async () => {
    for (let i = 0; i < 3; i++)
      await register(container("js-jd-dereg"));

    assertOk(await batch.send(new DeregisterJobDefinitionCommand({
      jobDefinition: "js-jd-dereg:3",
    })));
    assertOk(await batch.send(new DeregisterJobDefinitionCommand({
      jobDefinition: revisionArn("js-jd-dereg", 1),
    })));

    const [third] = await find({ jobDefinitions: ["js-jd-dereg:3"] });
    assert.equal(third.status, "INACTIVE", "INACTIVE revisions stay visible");
    const inactive = await find({
      jobDefinitionName: "js-jd-dereg", status: "INACTIVE",
    });
    assert.deepEqual(revisions(inactive), [1, 3]);
    const active = await find({
      jobDefinitionName: "js-jd-dereg", status: "ACTIVE",
    });
    assert.deepEqual(revisions(active), [2]);

    const next = await register(container("js-jd-dereg"));
    assert.equal(next.revision, 4);
    assert.equal(next.jobDefinitionArn, revisionArn("js-jd-dereg", 4));
    const all = await find({ jobDefinitionName: "js-jd-dereg" });
    assert.deepEqual(revisions(all), [1, 2, 3, 4]);
  });

  test("deregistering an unknown revision is a ClientException", async () => {
    const message = await clientException(batch.send(
      new DeregisterJobDefinitionCommand({ jobDefinition: "js-jd-none:1" })));
    assert.match(message, /js-jd-none:1/);
  });

  test("reserved AWS_BATCH environment variables are refused", async () => {
    for (const name of ["AWS_BATCH_JOB_ID", "AWS_BATCH_MINE"]) {
      const message = await clientException(batch.send(
        new RegisterJobDefinitionCommand(container("js-jd-reserved", {
          environment: [{ name: "FINE", value: "1" }, { name, value: "x" }],
        }))));
      assert.match(message, new RegExp(name));
      assert.match(message, /AWS_BATCH/);
    }
    assert.deepEqual(await find({ jobDefinitionName: "js-jd-reserved" }), [],
                     "a refused registration creates no revision");

    const fine = await register(container("js-jd-reserved", {
      environment: [{ name: "MY_AWS_BATCH_VALUE", value: "1" }],
    }));
    assert.equal(fine.revision, 1, "only the prefix is reserved");
  });

  test("other bad registrations are ClientExceptions", async () => {
    let message = await clientException(batch.send(
      new RegisterJobDefinitionCommand({
        ...container("js-jd-bad"), type: "docker",
      })));
    assert.match(message, /type/);

    message = await clientException(batch.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: "js-jd-bad", type: "container",
      })));
    assert.match(message, /containerProperties/);

    message = await clientException(batch.send(
      new RegisterJobDefinitionCommand(container("bad name!"))));
    assert.match(message, /jobDefinitionName/);

    message = await clientException(batch.send(
      new DescribeJobDefinitionsCommand({ status: "DELETED" })));
    assert.match(message, /status/);
  });

  test("each revision carries its own tags", async () => {
    await register({ ...container("js-jd-tags"), tags: { team: "a" } });
    await register({ ...container("js-jd-tags"), tags: { team: "b" } });
    const first = revisionArn("js-jd-tags", 1);

    assertOk(await batch.send(new TagResourceCommand({
      resourceArn: first, tags: { env: "test" },
    })));
    let listed = await batch.send(
      new ListTagsForResourceCommand({ resourceArn: first }));
    assert.deepEqual(listed.tags, { team: "a", env: "test" });

    assertOk(await batch.send(new UntagResourceCommand({
      resourceArn: first, tagKeys: ["team"],
    })));
    listed = await batch.send(
      new ListTagsForResourceCommand({ resourceArn: first }));
    assert.deepEqual(listed.tags, { env: "test" });

    const [second] = await find({ jobDefinitions: ["js-jd-tags:2"] });
    assert.deepEqual(second.tags, { team: "b" });
  });

  test("the paginator walks every page with stable tokens", async () => {
    for (let i = 0; i < 5; i++)
      await register(container("js-jd-page"));
    await register(container("js-jd-page-other"));

    const seen = [];
    let pages = 0;
    for await (const page of paginateDescribeJobDefinitions(
      { client: batch, pageSize: 2 }, { jobDefinitionName: "js-jd-page" })) {
      pages++;
      assert.ok(page.jobDefinitions.length <= 2);
      seen.push(...page.jobDefinitions);
    }
    assert.ok(seen.every((d) => d.jobDefinitionName === "js-jd-page"));
    assert.deepEqual(revisions(seen), [1, 2, 3, 4, 5]);
    assert.ok(pages >= 3);

    const everything = [];
    for await (const page of paginateDescribeJobDefinitions(
      { client: batch, pageSize: 3 }, { status: "ACTIVE" }))
      everything.push(...page.jobDefinitions.map((d) => d.jobDefinitionArn));
    assert.equal(new Set(everything).size, everything.length,
                 "no revision twice");
    for (let revision = 1; revision <= 5; revision++)
      assert.ok(everything.includes(revisionArn("js-jd-page", revision)));
    assert.ok(everything.includes(revisionArn("js-jd-page-other", 1)));
  });
});
