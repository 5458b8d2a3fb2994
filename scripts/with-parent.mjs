// Runs a command and ends it when this process's standard input closes, that is when the
// process that started us exits, even by SIGKILL. This is how the app script and the test
// fixtures start Azurite (and the Host) without ever leaving an orphan behind.
//
//   node scripts/with-parent.mjs <command> [args...]
import { spawn } from "node:child_process";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: node scripts/with-parent.mjs <command> [args...]");
  process.exit(2);
}

const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
let stopping = false;

function stop(signal) {
  if (stopping || child.exitCode !== null) return;
  stopping = true;
  child.kill(signal);
  // A child that ignores SIGTERM gets SIGKILL: the parent is gone, nobody else will stop it.
  setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
}

process.stdin.on("end", () => stop("SIGTERM"));
process.stdin.on("error", () => stop("SIGTERM"));
process.stdin.resume();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(signal === "SIGHUP" ? "SIGTERM" : signal));

child.on("error", (error) => {
  console.error(`with-parent: cannot start ${command}: ${error.message}`);
  process.exit(127);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
