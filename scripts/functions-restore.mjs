// How `npm test` builds src/FunctionsJobs.Functions: whole, or without its Service Bus trigger
// when, and only when, the NuGet feed lacks that one extension package. Every other restore
// error is a real failure of the project and stops the run.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const serviceBusPackage = "Microsoft.Azure.Functions.Worker.Extensions.ServiceBus";
export const functionsProject = join("src", "FunctionsJobs.Functions", "FunctionsJobs.Functions.csproj");

/**
 * Reads the output of a failed `dotnet restore` of the Functions project.
 * Returns "without-service-bus" when every error is NU1101/NU1102 for the Service Bus extension,
 * otherwise "fail".
 */
export function classifyRestoreFailure(output) {
  const errors = output.split(/\r?\n/).filter((line) => /error NU\d+/.test(line));
  if (errors.length === 0) return "fail";
  const serviceBusMissing = (line) => /error NU110[12]\b/.test(line) && line.includes(serviceBusPackage);
  return errors.every(serviceBusMissing) ? "without-service-bus" : "fail";
}

/**
 * Restores the Functions project and returns the MSBuild properties every later build and test
 * must pass: [] for the whole app, or ["-p:ServiceBusTrigger=false"] where the feed lacks the
 * Service Bus extension. `restore` runs `dotnet restore` and is replaced in tests.
 */
export function decideFunctionsBuild({ root, restore = dotnetRestore, log = console.log } = {}) {
  const whole = restore(root, []);
  if (whole.status === 0) return { properties: [] };
  const output = `${whole.stdout}\n${whole.stderr}`;
  if (classifyRestoreFailure(output) !== "without-service-bus") {
    return { error: `restoring ${functionsProject} failed:\n${output}` };
  }
  const properties = ["-p:ServiceBusTrigger=false"];
  const without = restore(root, properties);
  if (without.status !== 0) {
    return { error: `restoring ${functionsProject} without its Service Bus trigger failed:\n${without.stdout}\n${without.stderr}` };
  }
  log(`notice: building src/FunctionsJobs.Functions without ProcessOrderFromServiceBus: the NuGet feed does not serve ${serviceBusPackage} (NU1101); everything else of the app is built and tested.`);
  return { properties };
}

function dotnetRestore(root, properties) {
  return spawnSync("dotnet", ["restore", functionsProject, "--nologo", ...properties], { cwd: root, encoding: "utf8" });
}
