// npm test: every test of the solution against real Azurite instances the tests start
// themselves, plus the scripts' own node tests. The Functions app is built whole, or without its
// Service Bus trigger where the NuGet feed lacks that one package (functions-restore.mjs).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { decideFunctionsBuild } from "./functions-restore.mjs";
import { checkTools, ensureNodeModules, fail, root } from "./lib.mjs";

checkTools();
ensureNodeModules();

const scripts = spawnSync(process.execPath, ["--test", "--test-reporter=tap", join("scripts", "functions-restore.test.mjs")], { cwd: root, encoding: "utf8" });
process.stdout.write(scripts.stdout);
const tap = (name) => Number(scripts.stdout.match(new RegExp(`^# ${name} (\\d+)`, "m"))?.[1] ?? 0);
let passed = tap("pass"), failed = tap("fail") + (scripts.status === 0 ? 0 : 1), skipped = tap("skipped");

const decision = decideFunctionsBuild({ root });
if (decision.error) fail(decision.error);

const results = join(root, "artifacts", "test-results");
rmSync(results, { recursive: true, force: true });
const test = spawnSync("dotnet", ["test", "FunctionsJobs.sln", "--nologo", ...decision.properties, "--logger", "trx", "--results-directory", results], { cwd: root, stdio: "inherit" });

for (const file of readdirSync(results, { withFileTypes: true }).filter((f) => f.name.endsWith(".trx"))) {
  const counters = readFileSync(join(results, file.name), "utf8").match(/<Counters [^>]*>/)?.[0] ?? "";
  const count = (name) => Number(counters.match(new RegExp(`${name}="(\\d+)"`))?.[1] ?? 0);
  passed += count("passed");
  failed += count("failed") + count("error") + count("timeout") + count("aborted");
  skipped += count("notExecuted");
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(test.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
