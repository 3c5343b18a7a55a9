#!/usr/bin/env python3
"""Trace format v1 hashing, written from DESIGN.md ("Hashing, exactly") alone.

A reference for clients in other languages, and an independent check of the Java
implementation (schemas/src/test/.../CrossLanguageHashingTest runs it). Standard
library only.

    python3 prt_chain.py canon            < doc.json     # RFC 8785 canonical JSON
    python3 prt_chain.py hash             < event.json   # the event's hash
    python3 prt_chain.py chain TRACE_ID   < events.jsonl # chains unchained events, one per line,
                                                         # and prints a trace document
"""
import hashlib
import json
import math
import sys

UNHASHED = ("hash", "ts_server_s")


def _reject_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError("duplicate key %r" % key)
        seen[key] = value
    return seen


def parse(text):
    return json.loads(text, object_pairs_hook=_reject_duplicates,
                      parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))


def es_number(x):
    """ECMAScript Number.prototype.toString for a finite double."""
    if isinstance(x, bool):
        raise TypeError("not a number")
    if isinstance(x, int):
        if abs(x) <= 2 ** 53:
            return str(x)
        x = float(x)  # JCS numbers are IEEE-754 doubles
    if math.isnan(x) or math.isinf(x):
        raise ValueError("NaN and infinities have no JSON form")
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 2 ** 53:
        return str(int(x))
    sign = "-" if x < 0 else ""
    r = repr(abs(x))  # shortest round-trip digits, closest to the value
    mant, _, exp = r.partition("e")
    exp = int(exp) if exp else 0
    ip, _, fp = mant.partition(".")
    if ip.strip("0"):
        digits = (ip + fp).lstrip("0")
        n = len(ip.lstrip("0")) + exp
    else:
        stripped = fp.lstrip("0")
        n = -(len(fp) - len(stripped)) + exp
        digits = stripped
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        out = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("-" if e < 0 else "+") + str(abs(e))
    return sign + out


def es_string(s):
    out = ['"']
    for ch in s:
        c = ord(ch)
        if 0xD800 <= c <= 0xDFFF:
            raise ValueError("lone surrogate")
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\f\n\r\t":
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif c < 0x20:
            out.append("\\u%04x" % c)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canon(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return es_number(v)
    if isinstance(v, str):
        return es_string(v)
    if isinstance(v, list):
        return "[" + ",".join(canon(e) for e in v) + "]"
    if isinstance(v, dict):
        # sort by UTF-16 code units
        keys = sorted(v.keys(), key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(es_string(k) + ":" + canon(v[k]) for k in keys) + "}"
    raise TypeError(type(v))


def event_hash(event):
    body = {k: v for k, v in event.items() if k not in UNHASHED}
    return hashlib.sha256(canon(body).encode("utf-8")).hexdigest()


def genesis(trace_id):
    return hashlib.sha256(("prt-genesis:" + trace_id).encode("utf-8")).hexdigest()


def merkle_root(hashes):
    def mth(leaves):
        if not leaves:
            return hashlib.sha256(b"").digest()
        if len(leaves) == 1:
            return hashlib.sha256(b"\x00" + leaves[0]).digest()
        k = 1
        while k * 2 < len(leaves):
            k *= 2
        return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()
    return mth([bytes.fromhex(h) for h in hashes]).hex()


def chain(trace_id, events):
    prev = genesis(trace_id)
    for seq, e in enumerate(events):
        e["seq"] = seq
        e["prev_hash"] = prev
        e.pop("hash", None)
        e["hash"] = event_hash(e)
        prev = e["hash"]
    return {"trace_id": trace_id, "events": events,
            "integrity": {"chain_head": prev, "event_count": len(events),
                          "merkle_root": merkle_root([e["hash"] for e in events])}}


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    data = sys.stdin.buffer.read().decode("utf-8")
    if cmd == "canon":
        sys.stdout.buffer.write(canon(parse(data)).encode("utf-8"))
    elif cmd == "hash":
        print(event_hash(parse(data)))
    elif cmd == "chain" and len(argv) == 3:
        # split on "\n" only: str.splitlines() also splits inside strings holding U+2028 or U+0085
        events = [parse(line) for line in data.split("\n") if line.strip()]
        sys.stdout.buffer.write(json.dumps(chain(argv[2], events), ensure_ascii=False).encode("utf-8"))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
