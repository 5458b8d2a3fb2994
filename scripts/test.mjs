// npm test: every test of the solution against real Azurite instances the tests start
// themselves. The Functions project is built too wherever its packages can be restored;
// where the NuGet feed lacks them (an offline mirror), it is skipped with a one-line notice.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { checkTools, ensureNodeModules, fail, root } from "./lib.mjs";

checkTools();
ensureNodeModules();

const functionsProject = join("src", "FunctionsJobs.Functions", "FunctionsJobs.Functions.csproj");
const restore = spawnSync("dotnet", ["restore", functionsProject, "--nologo"], { cwd: root, encoding: "utf8" });
let target = "FunctionsJobs.sln";
if (restore.status !== 0) {
  const output = `${restore.stdout}\n${restore.stderr}`;
  const errors = output.split("\n").filter((line) => /error NU\d+/.test(line));
  // Skip only when the feed lacks the Functions worker packages, and every other error is about a
  // package or version the feed does not carry (NU1603: a nearby version resolved instead).
  // Anything else (a downgrade, a conflict, a compile-time error) is a real failure of the project.
  const workerMissing = errors.some((line) => /error NU110[12]/.test(line) && /Microsoft\.Azure\.Functions\.Worker/.test(line));
  const missingOnly = workerMissing && errors.every((line) => /error NU110[123]|error NU1603/.test(line));
  if (!missingOnly) {
    console.error(output);
    fail("restoring src/FunctionsJobs.Functions failed for a reason other than missing packages");
  }
  console.log("notice: skipping src/FunctionsJobs.Functions: its isolated-worker packages are not on the configured NuGet feed (NU1101/NU1102); every other project is built and tested.");
  const projects = spawnSync("dotnet", ["sln", "FunctionsJobs.sln", "list"], { cwd: root, encoding: "utf8" })
    .stdout.split("\n").map((line) => line.trim()).filter((line) => line.endsWith(".csproj") && !line.includes("FunctionsJobs.Functions"));
  mkdirSync(join(root, "artifacts"), { recursive: true });
  target = join("artifacts", "FunctionsJobs.NoFunctions.slnf");
  writeFileSync(join(root, target), JSON.stringify({ solution: { path: relative(join(root, "artifacts"), join(root, "FunctionsJobs.sln")), projects } }, null, 2));
}

const results = join(root, "artifacts", "test-results");
rmSync(results, { recursive: true, force: true });
const test = spawnSync("dotnet", ["test", target, "--nologo", "--logger", "trx", "--results-directory", results], { cwd: root, stdio: "inherit" });

let passed = 0, failed = 0, skipped = 0;
for (const file of readdirSync(results, { withFileTypes: true }).filter((f) => f.name.endsWith(".trx"))) {
  const counters = readFileSync(join(results, file.name), "utf8").match(/<Counters [^>]*>/)?.[0] ?? "";
  const count = (name) => Number(counters.match(new RegExp(`${name}="(\\d+)"`))?.[1] ?? 0);
  passed += count("passed");
  failed += count("failed") + count("error") + count("timeout") + count("aborted");
  skipped += count("notExecuted");
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(test.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
