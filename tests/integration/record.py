#!/usr/bin/python3
"""Query the emulator's JSON-lines record, or call its control API.

  record.py count [FILTERS] RECORD        number of matching calls
  record.py get INDEX KEY [FILTERS] RECORD  one field of the INDEX-th match
                                            (strings raw, others as JSON)
  record.py texts [FILTERS] RECORD        the "text" of every match, one per line
  record.py show [FILTERS] RECORD         the matching calls, pretty
  record.py summary [FILTERS] RECORD      a human-readable line or three per call
  record.py quiet-after-429 T RECORD      exit 0 if calls followed the last 429 and
                                          none of them came before time T
  record.py control URL METHOD PATH [JSON] [--cacert FILE]

FILTERS: --path PREFIX, --status CODE, --ok (2xx only), --verified
"""
import argparse
import json
import ssl
import sys
import urllib.request


def load(path, args):
    calls = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    calls.append(json.loads(line))
    except FileNotFoundError:
        # the emulator creates it at its start: no file, no emulator
        sys.exit("record.py: no record file %s (was the emulator started?)" % path)
    out = []
    for c in calls:
        if args.path and not c.get("path", "").startswith(args.path):
            continue
        if args.status is not None and c.get("status") != args.status:
            continue
        if args.ok and not 200 <= (c.get("status") or 0) < 300:
            continue
        if args.verified and c.get("verified") is not True:
            continue
        out.append(c)
    return out


def control(url, method, path, body, cacert):
    data = body.encode() if body else None
    req = urllib.request.Request(url + path, data=data, method=method)
    if data:
        req.add_header("Content-Type", "application/json")
    ctx = ssl.create_default_context(cafile=cacert) if cacert else None
    with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
        sys.stdout.write(r.read().decode())


def summary(c):
    o = c.get("oauth") or {}
    print("   %s %s -> HTTP %s%s" % (c.get("method"), c.get("path"), c.get("status"),
                                   ", post id %s" % c["id"] if c.get("id") else ""))
    if c.get("text") is not None:
        print("   text: %s" % c["text"])
    if c.get("verified"):
        print("   OAuth 1.0a HMAC-SHA1 signature verified (python3-oauthlib): "
              "consumer key %s, token %s, nonce %s"
              % (o.get("consumer_key"), o.get("token"), o.get("nonce")))
    else:
        print("   signature NOT verified: %s" % c.get("reason"))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "control":
        p = argparse.ArgumentParser()
        p.add_argument("cmd")
        p.add_argument("url")
        p.add_argument("method")
        p.add_argument("path")
        p.add_argument("body", nargs="?", default="")
        p.add_argument("--cacert")
        a = p.parse_args()
        control(a.url, a.method, a.path, a.body, a.cacert)
        return 0
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["count", "get", "texts", "show", "summary", "quiet-after-429"])
    p.add_argument("rest", nargs="+")
    p.add_argument("--path")
    p.add_argument("--status", type=int)
    p.add_argument("--ok", action="store_true")
    p.add_argument("--verified", action="store_true")
    a = p.parse_intermixed_args()
    calls = load(a.rest[-1], a)
    if a.cmd == "count":
        print(len(calls))
    elif a.cmd == "texts":
        for c in calls:
            print(c.get("text"))
    elif a.cmd == "summary":
        for c in calls:
            summary(c)
    elif a.cmd == "quiet-after-429":
        seen = [k for k, c in enumerate(calls) if c.get("status") == 429]
        later = calls[seen[-1] + 1:] if seen else []
        return 0 if later and all(c["time"] >= int(a.rest[0]) for c in later) else 1
    elif a.cmd == "show":
        for c in calls:
            print(json.dumps(c, indent=1, ensure_ascii=False))
    else:
        idx, key = int(a.rest[0]), a.rest[1]
        if idx >= len(calls):
            return 1
        v = calls[idx].get(key)
        sys.stdout.write(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
