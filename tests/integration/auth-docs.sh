#!/bin/bash
# What the documents say about omtwitter-auth works: the README's "Trying
# it by hand" run as written, its --owner examples, the man page (the
# directory refusal, the printed configuration, an example with both
# variables, SEE ALSO) and the emulator's --help (an example credentials
# file that it takes, the default PIN, no document outside the tree).
. "$(dirname "$0")/lib.sh"
tb_init
AUTH=${OMTW_AUTH:-$OMTW_BUILDDIR/contrib/omtwitter-auth/omtwitter-auth}
README="$OMTW_SRCDIR/README.md"
MAN="$OMTW_SRCDIR/contrib/omtwitter-auth/omtwitter-auth.1"
free_port() {
	"$PYTHON3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# --- README, "Trying it by hand": its sh blocks in order as one script, the
# PIN on standard input, with two free ports instead of 8780 and 8781 and
# this build directory; before the last block (stop and clean up) the test
# waits for the post, as a person would
p1=$(free_port) p2=$(free_port)
"$PYTHON3" - "$README" "$TB/try.sh" "$OMTW_BUILDDIR" "$p1" "$p2" "$PYTHON3" "$RECORD_PY" "$TB" <<'PY' 2> "$TB/try-extract.err"
import re, sys
readme, out, build, p1, p2, python, record, tb = sys.argv[1:9]
text = open(readme).read()
start = text.find("\n## Trying it by hand\n")
if start < 0:
    sys.exit("README.md has no section 'Trying it by hand'")
section = text[start + 1:]
section = section[:section.find("\n## ", 1)]
blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
if len(blocks) < 2:
    sys.exit("'Trying it by hand' has %d sh blocks" % len(blocks))
# a person types the next command after the emulator or rsyslogd has
# started listening: so does the script
def listening(port):
    return """
end=$((SECONDS + 30))
until (exec 3<>/dev/tcp/127.0.0.1/%s) 2>/dev/null || [ $SECONDS -ge $end ]; do sleep 0.1; done
""" % port
script = ""
for b in blocks[:-1]:
    script += b
    if "xapi-emulator.py" in b:
        script += listening("8780")
    if re.search(r"^rsyslogd -n", b, re.M):
        script += listening("8781")
if not re.search(r"^build=\$PWD/_build\b.*$", script, re.M):
    sys.exit("'Trying it by hand' sets no build=$PWD/_build")
script = re.sub(r"^build=\$PWD/_build\b.*$", "build=%s" % build, script, flags=re.M)
wait = """
end=$((SECONDS + 60))
until [ "$(%s %s count --path /2/tweets --ok "$try/record.jsonl")" -ge 1 ] || [ $SECONDS -ge $end ]; do sleep 0.2; done
cp "$try/record.jsonl" %s/try-record.jsonl
echo "try=$try" > %s/try.dir
""" % (python, record, tb, tb)
script = "echo $$ > %s/try.pid\n" % tb + script + wait + blocks[-1]
open(out, "w").write(script.replace("8780", p1).replace("8781", p2))
PY
ok $? "README.md: 'Trying it by hand' has its commands in sh blocks" || diag "$TB/try-extract.err"
if [ -f "$TB/try.sh" ]; then
	(cd "$OMTW_SRCDIR" && printf '4242\n' | PATH="$(dirname "$RSYSLOGD"):$PATH" \
		setsid bash "$TB/try.sh" > "$TB/try.out" 2>&1) &
	try_pid=$!
	TB_PIDS="$TB_PIDS $try_pid"
	tb_wait_exit "$try_pid" 120
	finished=$?
	sid=$(cat "$TB/try.pid" 2>/dev/null)
	# the session the script ran in: what it started and did not stop
	left=$( [ -n "$sid" ] && pgrep -s "$sid")
	[ -n "$sid" ] && kill -- "-$sid" 2>/dev/null
	grep -q '^authorized as @try_alerts (1234567890)$' "$TB/try.out" &&
		grep -q 'End of config validation run' "$TB/try.out"
	ok $? "README.md by hand: the helper authorizes against the emulator, rsyslogd -N1 takes its lines" || diag "$TB/try.out"
	[ "$("$PYTHON3" "$RECORD_PY" count --path /2/tweets --verified --ok "$TB/try-record.jsonl")" -eq 1 ] &&
		[ "$("$PYTHON3" "$RECORD_PY" texts --path /2/tweets "$TB/try-record.jsonl")" = "bird_alert: disk sda on db1 is failing" ]
	ok $? "README.md by hand: the logged alert is posted, signed" || { diag "$TB/try.out"; "$PYTHON3" "$RECORD_PY" summary "$TB/try-record.jsonl"; }
	try=$(sed -n 's/^try=//p' "$TB/try.dir" 2>/dev/null)
	[ $finished -eq 0 ] && [ -z "$left" ] && [ -n "$try" ] && [ ! -e "$try" ]
	ok $? "README.md by hand: the last block stops the emulator and rsyslogd and removes the files" ||
		echo "# finished: $finished, left: $left, files: $try"
	[ -n "$try" ] && case $try in /tmp/omtw-try.*) rm -rf "$try" ;; esac
else
	for _ in 1 2 3; do ok 1 "README.md by hand: no script to run"; done
fi

# --- --owner USER:GROUP in the README and the man page: a group this
# system (Debian) has, or one the paragraph says is another system's
"$PYTHON3" - "$README" "$MAN" > "$TB/owner.out" <<'PY'
import grp, re, sys
bad = 0
for path in sys.argv[1:]:
    text = open(path).read().replace("\\-", "-")
    # a paragraph: up to a blank line or a man page macro that starts one
    # (not the .PP before an indented example, which belongs to its text)
    for para in re.split(r"\n\s*\n|\n\.(?:PP|TP|SH)\b(?!\n\.RS)", text):
        for group in re.findall(r"--owner\s+[a-z_][a-z0-9_-]*:([a-z_][a-z0-9_-]*)", para):
            try:
                grp.getgrnam(group)
            except KeyError:
                if "Ubuntu" not in para:
                    print("%s: --owner ...:%s, a group this system lacks, not said to be "
                          "Ubuntu's" % (path.rsplit("/", 1)[-1], group))
                    bad = 1
sys.exit(bad)
PY
ok $? "--owner examples name groups that exist here, or say whose they are" || diag "$TB/owner.out"

# --- the man page
if command -v groff >/dev/null; then
	LC_ALL=C.UTF-8 groff -ww -z -man -Tutf8 "$MAN" > "$TB/groff.out" 2>&1 && [ ! -s "$TB/groff.out" ]
	ok $? "omtwitter-auth.1: groff renders it without a warning" || diag "$TB/groff.out"
else
	echo "ok $((tb_n += 1)) # SKIP no groff"
fi
# section NAME: the text of that section of the man page, escapes and
# macros dropped, on one line
section() {
	"$PYTHON3" - "$MAN" "$1" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
parts = re.split(r'^\.SH\s+"?([^"\n]*)"?\s*$', src, flags=re.M)
body = dict(zip(parts[1::2], parts[2::2])).get(sys.argv[2], "")
body = re.sub(r"^\.(?:[A-Z]{1,2})\b ?", "", body, flags=re.M)
body = body.replace("\\-", "-").replace("\\%", "").replace("\\e", "\\").replace('"', "")
body = re.sub(r"\\f[BIRP]", "", body)
print(" ".join(body.split()))
PY
}
section "SEE ALSO" > "$TB/man-seealso.txt"
grep -q '/usr/share/doc/rsyslog-omtwitter/omtwitter.md' "$TB/man-seealso.txt" &&
	grep -q 'doc/omtwitter.md' "$TB/man-seealso.txt" && grep -q 'omtwitter-replay (1)' "$TB/man-seealso.txt"
ok $? "omtwitter-auth.1: SEE ALSO names the module's documentation and omtwitter-replay(1)" || diag "$TB/man-seealso.txt"
section DESCRIPTION > "$TB/man-description.txt"
grep -q 'a directory that other users can write to' "$TB/man-description.txt" &&
	grep -q 'Before it asks X for anything' "$TB/man-description.txt" &&
	grep -q 'is in /tmp, a directory other users can write to (mode 1777); omtwitter refuses a credentials file there' "$TB/man-description.txt"
ok $? "omtwitter-auth.1: says that an output directory other users can write to is refused first, and how" || diag "$TB/man-description.txt"
section "PRINTED CONFIGURATION" > "$TB/man-config.txt"
grep -q 'module(load=omtwitter)' "$TB/man-config.txt" && grep -q 'name=bird_alert ' "$TB/man-config.txt" &&
	grep -q 'bird_alert_dm' "$TB/man-config.txt"
ok $? "omtwitter-auth.1: shows the printed configuration, the posting and the DM one" || diag "$TB/man-config.txt"
section EXAMPLES > "$TB/man-examples.txt"
grep -q 'OMTWITTER_CONSUMER_KEY' "$TB/man-examples.txt" && grep -q 'OMTWITTER_CONSUMER_SECRET' "$TB/man-examples.txt"
ok $? "omtwitter-auth.1: an example with both environment variables" || diag "$TB/man-examples.txt"

# --- the emulator's --help, and its example credentials file in use
"$PYTHON3" "$EMULATOR" --help > "$TB/emu-help.out" 2>&1
[ $? -eq 0 ]; ok $? "xapi-emulator.py --help: exit 0" || diag "$TB/emu-help.out"
grep -q '(default 4242)' "$TB/emu-help.out"
ok $? "xapi-emulator.py --help: shows the default PIN" || diag "$TB/emu-help.out"
! grep -Eo '(^|[ (])/[A-Za-z0-9_./-]+\.md' "$TB/emu-help.out" > "$TB/emu-help-paths.out"
ok $? "xapi-emulator.py --help: names no document outside the source tree" || diag "$TB/emu-help-paths.out"
sed -n 's/^ *\([a-z_]*=[^ ]*\)$/\1/p' "$TB/emu-help.out" > "$TB/emu.cred"
for key in consumer_key consumer_secret access_token access_token_secret; do
	grep -q "^$key=" "$TB/emu.cred" || echo "# no $key= line" >> "$TB/emu-example.err"
done
[ ! -s "$TB/emu-example.err" ]
ok $? "xapi-emulator.py --help: an example credentials file with the four keys" || diag "$TB/emu-example.err" "$TB/emu-help.out"
if [ ! -s "$TB/emu-example.err" ]; then
	# the man page's example against an emulator on that file and the
	# default PIN: the same app, port and PIN in all three documents
	ck=$(sed -n 's/^consumer_key=//p' "$TB/emu.cred")
	cs=$(sed -n 's/^consumer_secret=//p' "$TB/emu.cred")
	grep -q "OMTWITTER_CONSUMER_KEY=$ck .*OMTWITTER_CONSUMER_SECRET=$cs .*--endpoint http://127.0.0.1:8780" "$TB/man-examples.txt"
	ok $? "the man page's emulator example uses the app of the emulator's --help, on port 8780" || diag "$TB/man-examples.txt"
	emu_start
	mkdir -m 0700 "$TB/home"
	printf '4242\n' | OMTWITTER_CONSUMER_KEY="$ck" OMTWITTER_CONSUMER_SECRET="$cs" \
		"$AUTH" --endpoint "$EMU_URL" --output "$TB/home/try.cred" > "$TB/man-example.out" 2>&1
	[ $? -eq 0 ] && grep -q '^authorized as @' "$TB/man-example.out"
	ok $? "that example, against an emulator on the --help's file, with the default PIN: exit 0" || diag "$TB/man-example.out"
	emu_stop
else
	for _ in 1 2; do ok 1 "no example credentials file in the emulator's --help"; done
fi
tb_done
