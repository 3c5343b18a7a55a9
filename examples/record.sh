#!/usr/bin/env bash
# Re-records the example sessions for real. Each <example>/session.sh drives prt in a scratch
# git copy of <example>/repo/ against the local stack (the running one, else one started here
# and stopped at the end), then the recording is copied back into the example:
#   trace/chunk-NNNNNN.json  the chunks exactly as the gateway accepted them (.prt/sent/)
#   trace/events.jsonl       the recorder's journal (the same events, one per line)
#   trace/start.bundle       the start snapshot (git bundle of the start commit)
#   trace.json               the trace document the server assembled
# Usage: examples/record.sh [example…]      (default: every folder with a session.sh)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
launcher="$root/prt"
data="${PRT_DATA_DIR:-$root/.prt-data}"
export PRT_BACKGROUND=0 # this script syncs itself: no stray background processes
export PRT_CONFIG_HOME; PRT_CONFIG_HOME="$(mktemp -d)"
export GIT_AUTHOR_NAME="Example Author" GIT_AUTHOR_EMAIL="author@example.org"
export GIT_COMMITTER_NAME="Example Author" GIT_COMMITTER_EMAIL="author@example.org"
scratch="$(mktemp -d)"
stack_pid=""
cleanup() {
  rm -rf "$scratch" "$PRT_CONFIG_HOME"
  if [[ -n "$stack_pid" ]]; then "$launcher" down >/dev/null 2>&1 || true; wait "$stack_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

if ! (cd "$root" && "$launcher" status >/dev/null 2>&1); then
  echo "record: starting the local stack (log: $scratch/stack.log)"
  (cd "$root" && exec "$launcher" up) >"$scratch/stack.log" 2>&1 &
  stack_pid=$!
  for _ in $(seq 1 180); do
    grep -q "Ctrl-C or ./prt down" "$scratch/stack.log" 2>/dev/null && break
    kill -0 "$stack_pid" 2>/dev/null || { cat "$scratch/stack.log"; exit 1; }
    sleep 1
  done
fi
url="http://127.0.0.1:${PRT_GATEWAY_PORT:-8000}"
"$launcher" login --server "$url" --participant example-author --researcher-token-file "$data/researcher.token" >/dev/null

# what session.sh scripts use
prt() { "$launcher" "$@"; }
pause() { sleep "${PRT_RECORD_PAUSE:-1}"; } # a developer takes a moment between steps
replace() { # FILE OLD NEW: one exact replacement, or fail
  python3 - "$1" "$2" "$3" <<'PY'
import sys
path, old, new = sys.argv[1:4]
text = open(path, encoding="utf-8").read()
if text.count(old) != 1:
    sys.exit(f"replace: {old!r} occurs {text.count(old)} times in {path}")
open(path, "w", encoding="utf-8").write(text.replace(old, new))
PY
}
fetch_document() { # TRACE_ID OUT: wait for the assembled document and save it
  python3 - "$url" "$1" "$2" "$(cat "$data/researcher.token")" <<'PY'
import json, sys, time, urllib.request, urllib.error
url, trace_id, out, token = sys.argv[1:5]
deadline = time.time() + 180
while True:
    req = urllib.request.Request(f"{url}/v1/traces/{trace_id}/document", headers={"Authorization": f"Bearer {token}"})
    try:
        body = urllib.request.urlopen(req).read()
        doc = json.loads(body)
        open(out, "w", encoding="utf-8").write(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        print(f"record: {trace_id}: {doc['session']['state']}, {doc['integrity']['event_count']} events, "
              f"verdict {doc['integrity']['verdict']}")
        break
    except urllib.error.HTTPError as e:
        if e.code != 404 or time.time() > deadline:
            raise
        time.sleep(0.5)
PY
}

examples=("$@")
if ((${#examples[@]} == 0)); then
  for d in "$here"/*/session.sh; do examples+=("$(basename "$(dirname "$d")")"); done
fi
for name in "${examples[@]}"; do
  ex="$here/$name"
  work="$scratch/$name"
  echo "record: $name"
  cp -r "$ex/repo" "$work"
  find "$work" \( -name __pycache__ -o -name .pytest_cache -o -name node_modules -o -name target \) -prune -exec rm -rf {} +
  (cd "$work" && git init -q && git add -A && git commit -qm "$name: start state" \
     && git remote add origin "https://example.org/prt-examples/$name.git")
  (cd "$work" && source "$ex/session.sh") >"$scratch/$name.log" 2>&1 || { cat "$scratch/$name.log"; exit 1; }
  trace_id="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["trace_id"])' "$work/.prt/session.json")"
  snapshot="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["create_request"]["start_snapshot_ref"].rsplit("/",1)[1])' "$work/.prt/session.json")"
  rm -rf "$ex/trace" "$ex/trace.json"
  mkdir -p "$ex/trace"
  cp "$work"/.prt/sent/chunk-*.json "$ex/trace/"
  cp "$work/.prt/journal.jsonl" "$ex/trace/events.jsonl"
  cp "$work/.prt/artifacts/$snapshot" "$ex/trace/start.bundle"
  fetch_document "$trace_id" "$ex/trace.json"
  java -jar "$root/recorder/target/prt.jar" verify "$ex/trace" >/dev/null
  java -jar "$root/recorder/target/prt.jar" verify "$ex/trace.json" >/dev/null
done
echo "record: done; prt verify accepts every recorded trace"
