import re, sys, os
sys.path.insert(0, os.path.dirname(__file__))
from vals import *
import vals

def fill(t):
    def sub(m):
        k = m.group(1)
        if "|" in k: return R.choice(k.split("|"))
        if k.startswith("n:"): a,b = k[2:].split(","); return n(int(a),int(b))
        if k.startswith("h:"): return hexs(int(k[2:]))
        if k.startswith("H:"): return hexu(int(k[2:]))
        if re.fullmatch(r"[a-z0-9_]+", k) and hasattr(vals, k): return str(getattr(vals, k)())
        return m.group(0)
    for _ in range(3):
        t2 = re.sub(r"\{([^{}]+)\}", sub, t)
        if t2 == t: break
        t = t2
    return t

def emit(name, temps, nlines, zipf=1.2):
    """temps: list of (label, template) or template; frequency by rank (Zipf), rank order shuffled a little"""
    items = [(t, t) if isinstance(t, str) else t for t in temps]
    ranks = list(range(len(items)))
    # mostly the written order, a few swaps: frequent first
    for _ in range(len(items)//4):
        i = R.randrange(len(items)); j = min(len(items)-1, i + R.randint(1,3)); ranks[i], ranks[j] = ranks[j], ranks[i]
    w = [1.0/((ranks[i]+1)**zipf) for i in range(len(items))]
    out = []
    # every template at least once, then the rest by weight; bursts (floods) as in real logs
    picks = list(range(len(items)))
    while len(picks) < nlines:
        k = R.choices(range(len(items)), weights=w)[0]
        burst = 1 if R.random() < 0.8 else R.randint(2, 12)
        picks += [k]*burst
    picks = picks[:len(items)] + R.sample(picks[len(items):], len(picks)-len(items))
    R.shuffle(picks)
    picks = picks[:nlines] if nlines >= len(items) else picks
    seen = set(picks)
    for k in range(len(items)):
        if k not in seen: picks.append(k)
    with open(os.path.join(OUT, name + ".tsv"), "w") as f:
        for k in picks:
            label, t = items[k]
            msg = fill(t)
            assert "\t" not in msg and "\n" not in msg
            f.write(label.replace("\t"," ") + "\t" + msg + "\n")

OUT = sys.argv[1]
import sets_defs
for name, (temps, nl, z) in sets_defs.SETS.items():
    emit(name, temps, nl, z)
