#!/usr/bin/python3
"""impstats.py STATS-FILE ACTION NAME=VALUE...: exit 0 if the last impstats
line of origin omtwitter for ACTION has exactly these counter values (the
values seen are printed as a TAP comment either way)."""
import json
import sys


def main():
    path, action, want = sys.argv[1], sys.argv[2], dict(a.split("=", 1) for a in sys.argv[3:])
    last = None
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line[line.find("{"):]
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if o.get("origin") == "omtwitter" and o.get("name") == action:
            last = o
    got = {k: last.get(k) for k in want} if last else None
    print("# %s counters: %s" % (action, got))
    return 0 if got == {k: int(v) for k, v in want.items()} else 1


if __name__ == "__main__":
    sys.exit(main())
