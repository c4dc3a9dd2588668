#!/bin/bash
# The README's demo (contrib/demo-run.sh on this build) prints the delivered
# alert with a verified signature and leaves no process or file behind.
. "$(dirname "$0")/lib.sh"
tb_init
before=$(ls -d /tmp/omtwitter-demo.* 2>/dev/null | wc -l)
"$OMTW_SRCDIR/contrib/demo-run.sh" "$OMTW_BUILDDIR" > "$TB/demo.out" 2>&1
ok $? "the demo exits 0" || diag "$TB/demo.out"
grep -q '^   POST /2/tweets -> HTTP 201, post id [0-9]*$' "$TB/demo.out"
ok $? "it shows the post the emulator accepted" || diag "$TB/demo.out"
grep -q '^   text: bird_alert: BGP session with AS64500 on edge1 went down (hold timer expired)$' "$TB/demo.out"
ok $? "with the alert's exact text"
grep -q 'signature verified' "$TB/demo.out"
ok $? "and a verified signature"
after=$(ls -d /tmp/omtwitter-demo.* 2>/dev/null | wc -l)
[ "$after" -eq "$before" ]; ok $? "its temporary directory is gone"
! pgrep -f 'omtwitter-demo\.' >/dev/null
ok $? "no rsyslogd or emulator of the demo is left running"
tb_done
