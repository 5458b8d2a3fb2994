// node --test: both branches of the Service Bus switch in functions-restore.mjs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyRestoreFailure, decideFunctionsBuild, serviceBusPackage } from "./functions-restore.mjs";

const project = "/repo/src/FunctionsJobs.Functions/FunctionsJobs.Functions.csproj";
const serviceBusMissing = `${project} : error NU1101: Unable to find package ${serviceBusPackage}. No packages exist with this id in source(s): nuget.org`;
const workerMissing = `${project} : error NU1102: Unable to find package Microsoft.Azure.Functions.Worker with version (>= 2.52.0)`;
const downgrade = `${project} : error NU1605: Warning As Error: Detected package downgrade: Azure.Core from 1.50.0 to 1.44.0`;

const ok = { status: 0, stdout: "Restored", stderr: "" };
const failed = (stdout) => ({ status: 1, stdout, stderr: "" });

test("a feed that serves every package builds the whole app", () => {
  const calls = [];
  const decision = decideFunctionsBuild({ root: "/repo", restore: (_, p) => (calls.push(p), ok), log: () => {} });
  assert.deepEqual(decision, { properties: [] });
  assert.deepEqual(calls, [[]]);
});

test("a feed without the Service Bus extension builds without its trigger, with one notice", () => {
  const calls = [];
  const notices = [];
  const decision = decideFunctionsBuild({
    root: "/repo",
    restore: (_, p) => (calls.push(p), p.length === 0 ? failed(serviceBusMissing) : ok),
    log: (line) => notices.push(line),
  });
  assert.deepEqual(decision, { properties: ["-p:ServiceBusTrigger=false"] });
  assert.deepEqual(calls, [[], ["-p:ServiceBusTrigger=false"]]);
  assert.equal(notices.length, 1);
  assert.match(notices[0], /^notice: .*ProcessOrderFromServiceBus.*NU1101/);
});

test("any other restore error fails the run", () => {
  for (const output of [workerMissing, `${serviceBusMissing}\n${workerMissing}`, `${serviceBusMissing}\n${downgrade}`, "error: something else"]) {
    assert.equal(classifyRestoreFailure(output), "fail", output);
    const decision = decideFunctionsBuild({ root: "/repo", restore: () => failed(output), log: () => {} });
    assert.match(decision.error, /restoring .* failed/);
  }
});

test("a restore that still fails without the trigger fails the run", () => {
  const decision = decideFunctionsBuild({
    root: "/repo",
    restore: (_, p) => (p.length === 0 ? failed(serviceBusMissing) : failed(workerMissing)),
    log: () => {},
  });
  assert.match(decision.error, /without its Service Bus trigger failed/);
});
