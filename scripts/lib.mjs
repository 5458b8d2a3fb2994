// Shared by start.mjs and test.mjs: the repository root, the npm install check, Azurite and maildev.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}

export function checkTools() {
  const [major] = process.versions.node.split(".").map(Number);
  if (major < 20) fail(`Node ${process.versions.node} is too old: Azurite 3.35 needs Node 20 or later`);
  const dotnet = spawnSync("dotnet", ["--version"], { encoding: "utf8" });
  if (dotnet.error || dotnet.status !== 0) fail("the .NET SDK (dotnet) is not on PATH: install the .NET 10 SDK");
  if (!dotnet.stdout.startsWith("10.") && Number(dotnet.stdout.split(".")[0]) < 10) {
    fail(`dotnet ${dotnet.stdout.trim()} found; this project needs the .NET 10 SDK`);
  }
}

/** Installs the pinned npm packages (Azurite, maildev) when they are missing. */
export function ensureNodeModules() {
  const installed = [azuriteScript(), maildevScript()].every((script) => existsSync(script));
  if (installed) return;
  console.log("Installing the local components (npm ci)...");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) fail("npm ci failed");
}

/**
 * Starts a command under with-parent.mjs, so it dies with us even if we are killed, and resolves
 * once `readyPattern` has been printed `readyCount` times.
 */
export function startGuarded(name, command, args, { readyPattern, readyCount = 1, env, onLine } = {}) {
  const child = spawn(process.execPath, [join(root, "scripts", "with-parent.mjs"), command, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let seen = 0;
  const ready = new Promise((resolve, reject) => {
    if (!readyPattern) resolve();
    const onData = (chunk) => {
      for (const line of chunk.toString().split(/\r?\n/)) {
        if (!line) continue;
        onLine?.(line);
        if (readyPattern && readyPattern.test(line) && ++seen === readyCount) resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`${name} exited with code ${code} before it was ready`)));
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", resolve);
      child.stdin.end();
    });
  return { child, ready, stop };
}

const azuriteScript = () => join(root, "node_modules", "azurite", "dist", "src", "azurite.js");
const maildevScript = () => join(root, "node_modules", "maildev", "bin", "maildev");

export function azuriteArgs({ location, blobPort = 10000, queuePort = 10001, tablePort = 10002 }) {
  return [
    azuriteScript(),
    "--blobHost", "127.0.0.1", "--blobPort", String(blobPort),
    "--queueHost", "127.0.0.1", "--queuePort", String(queuePort),
    "--tableHost", "127.0.0.1", "--tablePort", String(tablePort),
    "--location", location,
    "--skipApiVersionCheck", "--disableTelemetry", "--loose", "--silent",
  ];
}

/** maildev, the local SMTP sink for order e-mails: SMTP on 1025, the web UI and REST API on 1080. */
export function maildevArgs({ location, smtpPort = 1025, webPort = 1080 }) {
  return [
    maildevScript(),
    "--smtp", String(smtpPort), "--web", String(webPort),
    "--ip", "127.0.0.1", "--web-ip", "127.0.0.1",
    "--mail-directory", location,
  ];
}
