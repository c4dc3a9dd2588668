#!/usr/bin/env python3
"""new-style-header.py IN OUT: rewrite an rsyslog module-template.h (up to
8.2506) into the macro style of rsyslog 8.2508 and later, so that the
module's source can be checked against both styles where no newer tree is
at hand.  The changes are the documented ones (shared docs,
rsyslog-versions.md):
  - CODESTARTmodInit, CODE_STD_STRING_REQUESTnewActInst and INITLegCnfVars
    no longer end in ';' (the caller writes it);
  - each CODEqueryEtryPt_* block begins with a plain 'if' instead of
    'else if', except CODEqueryEtryPt_SetShutdownImmdtPtr.
Exits 1 when the header does not have the expected shape (nothing to
rewrite), so a check can never pass against an unchanged header."""
import re
import sys

NO_SEMI = {"CODESTARTmodInit", "CODE_STD_STRING_REQUESTnewActInst", "INITLegCnfVars"}
KEEP_ELSE = {"CODEqueryEtryPt_SetShutdownImmdtPtr"}

lines = open(sys.argv[1]).read().split("\n")
out, semis, ifs = [], 0, 0
i = 0
while i < len(lines):
    m = re.match(r"#define\s+([A-Za-z_0-9]+)", lines[i])
    if not m:
        out.append(lines[i])
        i += 1
        continue
    name = m.group(1)
    block = [lines[i]]
    while block[-1].rstrip().endswith("\\") and i + 1 < len(lines):
        i += 1
        block.append(lines[i])
    i += 1
    if name in NO_SEMI and block[-1].rstrip().endswith(";"):
        block[-1] = block[-1].rstrip()[:-1]
        semis += 1
    if (name.startswith("CODEqueryEtryPt_") and name not in KEEP_ELSE and len(block) > 1
            and re.match(r"\s*else\s+if\b", block[1])):
        block[1] = re.sub(r"^(\s*)else\s+if\b", r"\1if", block[1])
        ifs += 1
    out.extend(block)

if semis != len(NO_SEMI) or ifs < 3:
    sys.stderr.write("new-style-header: %s: rewrote %d of %d trailing ';' and %d 'else if' "
                     "(expected %d and at least 3): not the header shape this rewrite knows\n"
                     % (sys.argv[1], semis, len(NO_SEMI), ifs, len(NO_SEMI)))
    sys.exit(1)
open(sys.argv[2], "w").write("\n".join(out))
sys.stderr.write("new-style-header: %d trailing ';' removed, %d blocks begin with 'if'\n" % (semis, ifs))
