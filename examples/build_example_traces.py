#!/usr/bin/env python3
"""Builds the example repositories' traces (examples/<name>/trace/) from scripted sessions.

Each session starts from examples/<name>/repo (the buggy start state), replays its steps in a
scratch copy — notes, saves (recorded as unified diffs against the previous save), real
pytest runs, commits — and writes the events as chunk files chained for a fixed example
trace id (so `./prt verify examples/<name>/trace` passes). The demo re-chains the same events
for the trace id the gateway issues. Until the recorder (issue #4) exists, this stands in for it.

    python3 examples/build_example_traces.py
"""
import difflib, hashlib, json, os, shutil, subprocess, sys, tempfile, time, xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "schemas", "reference", "python"))
import prt_chain  # noqa: E402

START_COMMIT = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"


def sha(b):
    return hashlib.sha256(b).hexdigest()


class Session:
    def __init__(self, name, t0):
        self.name, self.t, self.events = name, t0, []
        self.work = tempfile.mkdtemp(prefix="prt-example-")
        shutil.copytree(os.path.join(HERE, name, "repo"), self.work, dirs_exist_ok=True)

    def _add(self, typ, payload, dt):
        self.t += dt
        e = {"id": "ev-%04d" % len(self.events), "ts_client_s": round(self.t, 3), "type": typ, "payload": payload}
        self.events.append(e)
        return e["id"]

    def note(self, kind, text, refs=(), dt=20):
        p = {"kind": kind, "text": text}
        if refs:
            p["refs"] = list(refs)
        return self._add("rationale_note", p, dt)

    def edit(self, path, new_text, dt=45):
        full = os.path.join(self.work, path)
        old = open(full, encoding="utf-8").read() if os.path.exists(full) else None
        diff = "".join(difflib.unified_diff((old or "").splitlines(True), new_text.splitlines(True),
                                            "a/" + path if old is not None else "/dev/null", "b/" + path))
        os.makedirs(os.path.dirname(full) or ".", exist_ok=True)
        open(full, "w", encoding="utf-8").write(new_text)
        added = sum(1 for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++"))
        removed = sum(1 for l in diff.splitlines() if l.startswith("-") and not l.startswith("---"))
        return self._add("file_edit", {"path": path, "diff": diff,
                                       "before_sha256": sha(old.encode()) if old is not None else None,
                                       "after_sha256": sha(new_text.encode()), "lines_added": added,
                                       "lines_removed": removed}, dt)

    def test(self, args="", dt=15):
        report = os.path.join(self.work, ".report.xml")
        cmd = "python -m pytest -q -p no:cacheprovider " + args
        start = time.time()
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml", report]
                           + args.split(), cwd=self.work, capture_output=True, text=True)
        took = round(time.time() - start, 3)
        out = (r.stdout + r.stderr)[-4000:]
        run_id = self._add("cmd_run", {"command": cmd, "cwd": ".", "exit_code": r.returncode, "duration_s": took,
                                       "output_excerpt": out}, dt)
        cases, summary = [], {"total": 0, "passed": 0, "failed": 0, "errors": 0, "skipped": 0}
        for tc in ET.parse(report).getroot().iter("testcase"):
            outcome = "passed"
            msg = None
            for child in tc:
                if child.tag in ("failure", "error", "skipped"):
                    outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                    msg = (child.get("message") or "")[:400]
            c = {"name": tc.get("name"), "classname": tc.get("classname"), "outcome": outcome,
                 "duration_s": float(tc.get("time") or 0)}
            if msg:
                c["message"] = msg
            cases.append(c)
            summary["total"] += 1
            summary[{"passed": "passed", "failed": "failed", "error": "errors", "skipped": "skipped"}[outcome]] += 1
        os.remove(report)
        test_id = self._add("test_run", {"framework": "pytest", "command": cmd, "exit_code": r.returncode,
                                         "duration_s": took, "summary": summary, "cases": cases}, 0)
        return run_id, test_id, r.returncode

    def commit(self, message, dt=30):
        # a stable pseudo commit id over the tree and message (the example repos are not git repos)
        h = hashlib.sha1()
        for root, _, files in sorted(os.walk(self.work)):
            for f in sorted(files):
                if "__pycache__" in root or f.endswith(".pyc"):
                    continue
                p = os.path.join(root, f)
                h.update(os.path.relpath(p, self.work).encode() + b"\0" + open(p, "rb").read())
        h.update(message.encode())
        diff = "".join(e["payload"]["diff"] for e in self.events if e["type"] == "file_edit")
        return self._add("commit", {"sha": h.hexdigest(), "message": message, "parents": [START_COMMIT],
                                    "diff": diff[:200000]}, dt)

    def write(self, header, outcome, chunk_size=4):
        out = os.path.join(HERE, self.name, "trace")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        trace_id = "example-" + self.name
        with open(os.path.join(out, "events.jsonl"), "w", encoding="utf-8") as f:
            for e in self.events:
                f.write(json.dumps(e, ensure_ascii=False) + "\n")
        chained = prt_chain.chain(trace_id, json.loads(json.dumps(self.events)))
        for i in range(0, len(chained["events"]), chunk_size):
            chunk = {"trace_id": trace_id, "chunk_id": "%s-%d" % (self.name, i // chunk_size),
                     "chunk_seq": i // chunk_size, "events": chained["events"][i:i + chunk_size]}
            with open(os.path.join(out, "chunk-%03d.json" % (i // chunk_size)), "w", encoding="utf-8") as f:
                json.dump(chunk, f, ensure_ascii=False, indent=1)
        header = dict(header, start_commit=START_COMMIT, consent={"granted": True, "scopes": ["training", "evaluation"],
                                                                   "text_version": "2026-10"})
        json.dump({"trace_id": trace_id, "create": header,
                   "complete": {"final_seq": len(self.events) - 1, "chain_head": chained["integrity"]["chain_head"],
                                "outcome": outcome}},
                  open(os.path.join(out, "trace.json"), "w", encoding="utf-8"), indent=1)
        shutil.rmtree(self.work)
        print("%s: %d events, %d chunks, head %s" % (self.name, len(self.events),
                                                      (len(self.events) + chunk_size - 1) // chunk_size,
                                                      chained["integrity"]["chain_head"][:16]))


def read(name, path):
    return open(os.path.join(HERE, name, "repo", path), encoding="utf-8").read()


def dates_leap_day():
    s = Session("dates-leap-day", 1764000000.0)
    s.note("plan", "Reproduce the failing leap-day test, then read parse_date.")
    run, test, _ = s.test()
    s.note("hypothesis", "parse_date checks the day against a table with 28 days for February in every year; "
                         "leap years are ignored.", refs=[test])
    src = read("dates-leap-day", "dates/parse.py")
    fixed = src.replace('DAYS = [', 'import calendar\n\nDAYS = [', 1).replace(
        "    if d > DAYS[m - 1]:",
        "    limit = 29 if m == 2 and calendar.isleap(y) else DAYS[m - 1]\n    if d > limit:")
    edit = s.edit("dates/parse.py", fixed)
    run2, test2, _ = s.test()
    s.note("observation", "All tests pass after the edit; the leap-day case was the only failure.", refs=[edit, test2])
    c = s.commit("Accept 29 February in leap years\n")
    s.note("decision", "Done: minimal fix, covered by the existing test.", refs=[c])
    s.write({"participant_id": "p-demo-1", "task_id": "dates-leap-day",
             "task_title": "parse_date rejects 29 February in leap years",
             "task_description": "parse_date('2024-02-29') raises ValueError.",
             "repo_origin": "examples/dates-leap-day/repo",
             "environment": {"os": "Linux", "runtimes": {"python": "3.11"}, "test_command": "python -m pytest -q"}},
            "fixed")


def cart_discount():
    s = Session("cart-discount", 1764100000.0)
    s.note("plan", "Run the cart tests, read the failures, and find where totals are computed.")
    run, test, _ = s.test()
    h1 = s.note("hypothesis", "The percentage discount is applied per item before the quantity is multiplied.",
                refs=[test])
    cart = read("cart-discount", "cart/cart.py")
    try1 = cart.replace("price * (1 - self.discount / 100) * qty", "price * qty * (1 - self.discount / 100)")
    e1 = s.edit("cart/cart.py", try1)
    run2, test2, _ = s.test()
    s.note("observation", "Same failures: multiplication order does not change the value; the hypothesis is wrong.",
           refs=[e1, test2])
    s.edit("cart/cart.py", cart)
    h2 = s.note("hypothesis", "total() rounds each line to whole cents with int(), truncating; the expected totals "
                              "round half-up once at the end.", refs=[test2])
    fixed = cart.replace("total += int(line * 100) / 100", "total += line").replace(
        "        return total", "        return round_cents(total)")
    fixed = fixed.replace("class Cart:", "def round_cents(value):\n"
                          "    return float(Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP))\n\n\n"
                          "class Cart:")
    fixed = "from decimal import Decimal, ROUND_HALF_UP\n\n" + fixed
    e2 = s.edit("cart/cart.py", fixed)
    run3, test3, _ = s.test("tests/test_cart.py")
    s.note("observation", "Both failing totals are right now.", refs=[e2, test3])
    tests = read("cart-discount", "tests/test_cart.py")
    e3 = s.edit("tests/test_cart.py", tests + "\n\ndef test_many_small_items_round_once():\n"
                "    c = Cart(discount=10)\n    c.add('pin', 0.05, 7)\n    assert c.total() == 0.32\n")
    run4, test4, _ = s.test()
    s.note("decision", "Keep the half-up rounding at the end and a regression test for many small items.",
           refs=[e2, e3, test4])
    s.commit("Round cart totals once, half-up\n")
    s.write({"participant_id": "p-demo-2", "task_id": "cart-discount",
             "task_title": "Cart totals are off by a cent with discounts",
             "repo_origin": "examples/cart-discount/repo",
             "environment": {"os": "Linux", "runtimes": {"python": "3.11"}, "test_command": "python -m pytest -q"}},
            "fixed")


def csv_quoting():
    s = Session("csv-quoting", 1764200000.0)
    s.note("plan", "Reproduce the quoted-comma failure.")
    run, test, _ = s.test()
    s.note("hypothesis", "split_row splits on every comma, including commas inside quotes.", refs=[test])
    src = read("csv-quoting", "csvlite/rows.py")
    attempt = src.replace("    return [f.strip() for f in line.split(',')]",
                          "    return [f.strip().strip('\"') for f in line.split(',')]")
    e1 = s.edit("csvlite/rows.py", attempt)
    run2, test2, _ = s.test()
    s.note("observation", "Quotes are stripped now but the field is still split in two.", refs=[e1, test2])
    s.note("next_step", "Replace the split with a small state machine or the csv module; out of time today.",
           refs=[test2])
    s.write({"participant_id": "p-demo-3", "task_id": "csv-quoting",
             "task_title": "split_row breaks quoted fields that contain commas",
             "repo_origin": "examples/csv-quoting/repo",
             "environment": {"os": "Linux", "runtimes": {"python": "3.11"}, "test_command": "python -m pytest -q"}},
            "not_fixed")


if __name__ == "__main__":
    dates_leap_day()
    cart_discount()
    csv_quoting()
