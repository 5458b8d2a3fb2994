#!/usr/bin/env bash
# Runs benchmarks on two commits, alternating per benchmark, so both sides see the same minutes of
# the same machine: the figures of docs/benchmarks.md's before/after table come from it.
#
#   bash benchmarks/before-after.sh <before-commit> [benchmark ...]
#
# The before side is built in a worktree of its own (../functionsjobs-before-<commit>), the after
# side is this checkout as it stands. A benchmark the before commit does not have runs on the after
# side only. Logs go to artifacts/before-after/<time>/, each run's summary lines to its summary.txt.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: bash benchmarks/before-after.sh <before-commit> [benchmark ...]" >&2
  exit 2
fi

root=$(cd "$(dirname "$0")/.." && pwd)
before=$(git -C "$root" rev-parse --short "$1")
shift
benchmarks=("$@")
if [[ ${#benchmarks[@]} -eq 0 ]]; then
  benchmarks=(queue-dispatch orders timer-lock thumbnails sales-report blob-scan callbacks dashboard)
fi

tree="$root/../functionsjobs-before-$before"
if [[ ! -d "$tree" ]]; then
  git -C "$root" worktree add --detach "$tree" "$before" >/dev/null
fi
# Both sides start the Azurite of this checkout's node_modules.
[[ -e "$tree/node_modules" ]] || ln -s "$root/node_modules" "$tree/node_modules"

project=benchmarks/FunctionsJobs.Benchmarks
dll=$project/bin/Release/net10.0/FunctionsJobs.Benchmarks.dll
for side in "$tree" "$root"; do
  dotnet build "$side/$project" -c Release -p:ServiceBusTrigger=false -v quiet -nologo >/dev/null
done

out="$root/artifacts/before-after/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
echo "before $before, after $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' + uncommitted changes'); logs in $out"

run() { # side label dir benchmark
  local label=$1 dir=$2 name=$3
  local start=$SECONDS
  (cd "$dir" && dotnet "$dll" "$name") >"$out/$label-$name.log" 2>&1 || true
  {
    echo "== $label $name ($((SECONDS - start)) s, load average $(cut -d' ' -f1-3 /proc/loadavg))"
    # Every benchmark prints its figures as "<name>: ..." lines, the last of them after "summary:" where it has one.
    grep -E "^$name: |^round " "$out/$label-$name.log" || echo "(no figures: see $out/$label-$name.log)"
  } >>"$out/summary.txt"
}

for name in "${benchmarks[@]}"; do
  if grep -q "\"$name\"" "$tree/$project/Program.cs"; then
    run before "$tree" "$name"
  else
    echo "== before $name: not in $before" >>"$out/summary.txt"
  fi
  run after "$root" "$name"
done
cat "$out/summary.txt"
