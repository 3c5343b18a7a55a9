#!/usr/bin/env bash
# How much `prt run` adds to a command: runs `CMD` bare and through prt, N times each,
# inside a scratch session (offline: nothing is uploaded), and prints the median and p90
# of the added wall time for the ./prt launcher (shell fast path) and for `java -jar prt.jar run`.
# Usage: recorder/bench/run-latency.sh [N] [CMD…]        (default: 30 true)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
n="${1:-30}"; shift || true
cmd=("$@"); ((${#cmd[@]})) || cmd=(true)
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
export PRT_URL=http://127.0.0.1:9 PRT_CONFIG_HOME="$work/config" PRT_BACKGROUND="${PRT_BACKGROUND:-0}"
(cd "$work" && git init -q repo && cd repo && echo x >f && git add f && git -c user.name=b -c user.email=b@e commit -qm s)
cd "$work/repo"
"$root/prt" start --task bench --title bench --participant bench --no-watch >/dev/null
ms() { local t0="${EPOCHREALTIME/./}"; "$@" >/dev/null 2>&1 || true; echo $(( (${EPOCHREALTIME/./} - t0) )); }
stats() { sort -n | awk '{a[NR]=$1} END {printf "median %.1f ms, p90 %.1f ms", a[int((NR+1)/2)]/1000, a[int(NR*0.9+0.5)]/1000}'; }
bare=(); fast=(); jvm=()
for _ in $(seq "$n"); do
  bare+=("$(ms "${cmd[@]}")")
  fast+=("$(ms "$root/prt" run -- "${cmd[@]}")")
  jvm+=("$(ms java -jar "$root/recorder/target/prt.jar" run -- "${cmd[@]}")")
done
echo "command: ${cmd[*]} ($n runs each, PRT_BACKGROUND=$PRT_BACKGROUND)"
echo "bare:                 $(printf '%s\n' "${bare[@]}" | stats)"
echo "./prt run (shell):    $(printf '%s\n' "${fast[@]}" | stats)"
echo "java -jar prt run:    $(printf '%s\n' "${jvm[@]}" | stats)"
"$root/prt" sync --wait 0 >/dev/null 2>&1 || true
echo "recorded: $(wc -l <.prt/journal.jsonl) events (the shell runs are recorded by the next prt command: $(ls .prt/spool | wc -l) waiting)"
