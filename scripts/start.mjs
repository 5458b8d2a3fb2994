// npm start: Azurite on 127.0.0.1 (data in .azurite/), maildev on 127.0.0.1 (SMTP 1025, web UI
// http://127.0.0.1:1080, mails in .maildev/), then the self-hosted runtime on http://localhost:7071.
// Ctrl+C or SIGTERM stops them all; nothing is left running.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { azuriteArgs, checkTools, ensureNodeModules, fail, maildevArgs, root, startGuarded } from "./lib.mjs";

checkTools();
ensureNodeModules();

const settings = join(root, "local.settings.json");
if (!existsSync(settings)) {
  copyFileSync(join(root, "local.settings.sample.json"), settings);
  console.log("Created local.settings.json from local.settings.sample.json");
}

function portInUse(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("error", () => resolve(false));
  });
}

console.log("Building the Host...");
const build = spawnSync("dotnet", ["build", join(root, "src", "FunctionsJobs.Host"), "-c", "Debug", "--nologo", "-v", "quiet"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) fail("the Host did not build");

const running = [];
async function stopAll(code) {
  for (const proc of running.reverse()) await proc.stop();
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stopAll(0));

if (await portInUse(10001)) {
  console.log("Ports 10000-10002 are taken: using the storage emulator that is already running there.");
} else {
  const location = join(root, ".azurite");
  mkdirSync(location, { recursive: true });
  const azurite = startGuarded("Azurite", process.execPath, azuriteArgs({ location }), {
    readyPattern: /successfully listening/i,
    readyCount: 3,
    onLine: (line) => console.log(`[azurite] ${line}`),
  });
  running.push(azurite);
  try {
    await azurite.ready;
  } catch (error) {
    await stopAll(1);
  }
}

if (await portInUse(1025)) {
  console.log("Port 1025 is taken: using the SMTP server that is already running there for order e-mails.");
} else if (await portInUse(1080)) {
  console.log("Port 1080 is taken: maildev not started; order e-mails wait in the outbox until an SMTP server listens on 1025.");
} else {
  const location = join(root, ".maildev");
  mkdirSync(location, { recursive: true });
  const maildev = startGuarded("maildev", process.execPath, maildevArgs({ location }), {
    readyPattern: /running at/,
    readyCount: 2,
    onLine: (line) => console.log(`[maildev] ${line}`),
  });
  running.push(maildev);
  try {
    await maildev.ready;
    console.log("Order e-mails: http://127.0.0.1:1080 (maildev)");
  } catch (error) {
    await stopAll(1);
  }
}

const hostDll = join(root, "src", "FunctionsJobs.Host", "bin", "Debug", "net10.0", "FunctionsJobs.Host.dll");
const host = startGuarded("Host", "dotnet", [hostDll, "--contentRoot", root], {
  env: { AZURE_FUNCTIONS_ENVIRONMENT: process.env.AZURE_FUNCTIONS_ENVIRONMENT ?? "Development" },
  onLine: (line) => console.log(line),
});
running.push(host);
host.child.on("exit", (code) => stopAll(code ?? 1));
