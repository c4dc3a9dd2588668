#!/bin/bash
# omtwitter-auth against the emulator: the PIN flow piped and under a
# pseudo-terminal, every failure mode with its exit status and message,
# no clobbering, --owner, --verify, and no secret in any output.
. "$(dirname "$0")/lib.sh"
tb_init
# OMTW_AUTH: another build of the helper (e.g. an older one, to see a check fail)
AUTH=${OMTW_AUTH:-$OMTW_BUILDDIR/contrib/omtwitter-auth/omtwitter-auth}
emu_start
CK=tbConsumerKey0123456789
CS=tbConsumerSecret-abcdefghijklmnopqrstuvwxyz012345
ATS=tbAccessTokenSecret-zyxwvutsrqponmlkjihgfedcba9876
export OMTWITTER_CONSUMER_KEY=$CK OMTWITTER_CONSUMER_SECRET=$CS

# run NAME PIN ARGS...: run the helper with PIN on stdin; sets RC.
run() {
	name=$1 pin=$2
	shift 2
	printf '%s\n' "$pin" | "$AUTH" "$@" > "$TB/$name.out" 2> "$TB/$name.err"
	RC=$?
}
no_leftovers() { # DIR: no file and no temporary file written
	[ -z "$(ls -A "$1")" ]
}

# --- happy path, PIN piped
mkdir -p "$TB/etc"
run happy 4242 --endpoint "$EMU_URL" --output "$TB/etc/omtwitter.cred"
[ $RC -eq 0 ]; ok $? "piped PIN: exit 0" || diag "$TB/happy.err"
grep -q '^authorized as @omtwitter_test (1234567890)$' "$TB/happy.out"
ok $? "prints 'authorized as @omtwitter_test (1234567890)'"
grep -q "^  $EMU_URL/oauth/authorize?oauth_token=[A-Za-z0-9_%-]*$" "$TB/happy.out"
ok $? "prints the authorize URL on the endpoint's host"
grep -q "credentials=\"$TB/etc/omtwitter.cred\"" "$TB/happy.out" && grep -q 'rsyslogd -N1' "$TB/happy.out"
ok $? "prints the rsyslog lines that use the file"
[ "$(stat -c %a "$TB/etc/omtwitter.cred")" = 600 ]; ok $? "the file has mode 0600"
[ "$(grep -v '^#' "$TB/etc/omtwitter.cred")" = "$(grep -v '^#' "$TB/emu.cred")" ]
ok $? "the file holds the app's keys and the issued access token, user id and name"
[ "$(ls -A "$TB/etc")" = omtwitter.cred ]; ok $? "no temporary file left"
for step in /oauth/request_token /oauth/access_token /2/users/me; do
	[ "$(record count --path "$step" --verified --ok)" -eq 1 ]
	ok $? "$step was called once with a verified signature"
done
[ "$(record get 0 oauth --path /oauth/request_token | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin).get("callback"))')" = oob ]
ok $? "the request token asked for the out-of-band (PIN) callback"

# the file works for the module (same parser, same permission rules)
cat > "$TB/check.conf" <<EOF
global(workDirectory="$TB")
module(load="$OMTW_MODULE")
action(type="omtwitter" credentials="$TB/etc/omtwitter.cred" endpoint="$EMU_URL")
EOF
"$RSYSLOGD" -N1 -f "$TB/check.conf" > "$TB/check.out" 2>&1; ok $? "rsyslogd -N1 accepts the written file"

# --- the DM configuration (--verify --dm-to) pasted beside the posting one
# the first run printed: one rsyslog.conf that rsyslogd takes
run dmbeside "" --verify "$TB/etc/omtwitter.cred" --dm-to @bob_oncall --endpoint "$EMU_URL"
[ $RC -eq 0 ] && grep -q 'sits beside the posting action' "$TB/dmbeside.out" &&
	grep -q 'If it$' "$TB/dmbeside.out" && grep -q '^is the only omtwitter action, put module(load="omtwitter") before it' "$TB/dmbeside.out"
ok $? "--dm-to: says the DM action sits beside the posting one, and when to load the module" || diag "$TB/dmbeside.out" "$TB/dmbeside.err"
snippet() { # FILE: the configuration lines the helper printed
	sed -n '/^module(load=\|^if \$msg/,/^}$/p' "$1"
}
{
	echo "global(workDirectory=\"$TB/spool\")"
	snippet "$TB/happy.out"
	snippet "$TB/dmbeside.out"
} | sed "s|module(load=\"omtwitter\")|module(load=\"$OMTW_MODULE\")|" > "$TB/both.conf"
grep -q 'mode="dm" recipient="[0-9]*"' "$TB/both.conf" && "$RSYSLOGD" -N1 -f "$TB/both.conf" > "$TB/both.out" 2>&1
ok $? "the first run's configuration and the DM one in one rsyslog.conf: rsyslogd -N1 accepts it" || diag "$TB/both.conf" "$TB/both.out"
{
	echo "global(workDirectory=\"$TB/spool\")"
	echo "module(load=\"$OMTW_MODULE\")"
	snippet "$TB/dmbeside.out"
} > "$TB/dmonly.conf"
"$RSYSLOGD" -N1 -f "$TB/dmonly.conf" > "$TB/dmonly.out" 2>&1
ok $? "the DM configuration alone after module(load), as it says: rsyslogd -N1 accepts it" || diag "$TB/dmonly.conf" "$TB/dmonly.out"
# and both actions deliver: one alert becomes a post and a DM
{ snippet "$TB/happy.out"; snippet "$TB/dmbeside.out"; } | grep -v '^module(load=' | rs_conf
rs_start
send_line "bird_alert: disk sda failing on db1"
wait_for_calls 1 --path /2/tweets --verified --ok && wait_for_calls 1 --path /2/dm_conversations/with/ --verified --ok
ok $? "rsyslogd with both: the alert is posted and sent as a DM" || { record summary; diag "$TB/rsyslogd.log"; }
rs_stop

# --- existing output: refused without --force, replaced with it
sum=$(md5sum < "$TB/etc/omtwitter.cred")
run exists 4242 --endpoint "$EMU_URL" --output "$TB/etc/omtwitter.cred"
[ $RC -eq 2 ]; ok $? "an existing file without --force: exit 2"
grep -q 'exists; not replacing it without --force' "$TB/exists.err"; ok $? "and says why"
[ "$(md5sum < "$TB/etc/omtwitter.cred")" = "$sum" ]; ok $? "the existing file is untouched"
sleep 1 # a new timestamp in the header
run force 4242 --endpoint "$EMU_URL" --force --output "$TB/etc/omtwitter.cred"
[ $RC -eq 0 ] && [ "$(md5sum < "$TB/etc/omtwitter.cred")" != "$sum" ] && [ "$(ls -A "$TB/etc")" = omtwitter.cred ]
ok $? "--force replaces it atomically (exit 0, new content, no temporary file)"

# --- an output the module would refuse, or that cannot be written: refused
# before any request (a request token and its PIN work once), exit 2
# refused_early NAME DESCRIPTION PATTERN ARGS...: the helper exits 2 with
# PATTERN on stderr and no request reaches the emulator
refused_early() {
	name=$1 what=$2 pattern=$3
	shift 3
	before=$(record count)
	run "$name" 4242 --endpoint "$EMU_URL" "$@"
	[ $RC -eq 2 ] && grep -q -- "$pattern" "$TB/$name.err"
	ok $? "$what: exit 2, says why and the fix" || diag "$TB/$name.out" "$TB/$name.err"
	[ "$(record count)" -eq "$before" ] && ! grep -q 'authorize' "$TB/$name.out"
	ok $? "$what: refused before any request reached the emulator" || diag "$TB/$name.out"
}
for mode in 0777 1777; do
	mkdir -p "$TB/ww$mode" && chmod "$mode" "$TB/ww$mode"
	refused_early "ww$mode" "--output in a directory of mode $mode" \
		"is in $TB/ww$mode, a directory other users can write to (mode $mode); omtwitter refuses a credentials file there.*(fix: write it in a directory only root can write" \
		--output "$TB/ww$mode/x.cred"
	no_leftovers "$TB/ww$mode"; ok $? "mode $mode: nothing written"
done
mkdir -p "$TB/wwtarget" && chmod 0777 "$TB/wwtarget" && ln -s wwtarget "$TB/wwlink"
refused_early wwlink "--output through a symbolic link to such a directory" \
	"is in $TB/wwlink, a directory other users can write to" --output "$TB/wwlink/x.cred"
tmpout=/tmp/omtw-auth-test-$$.cred
refused_early wwtmp "--output in /tmp" "is in /tmp, a directory other users can write to" --output "$tmpout"
[ ! -e "$tmpout" ]; ok $? "--output in /tmp: nothing written"
rm -f "$tmpout"
refused_early nodir "--output in a directory that does not exist" \
	"is in $TB/nodir, which cannot be used (No such file or directory): not starting the authorization (fix: create the directory first)" \
	--output "$TB/nodir/x.cred"
if [ "$(id -u)" -eq 0 ] && getent passwd nobody >/dev/null && command -v setpriv >/dev/null; then
	# outside the build tree: nobody may not reach a clone in root's 0700 home
	rootonly=$(mktemp -d /var/tmp/omtw-auth-rootonly.XXXXXX) && chmod 0755 "$rootonly"
	before=$(record count)
	printf '4242\n' | setpriv --reuid=nobody --regid=nogroup --clear-groups "$AUTH" --endpoint "$EMU_URL" \
		--output "$rootonly/x.cred" > "$TB/unwritable.out" 2> "$TB/unwritable.err"
	[ $? -eq 2 ] && grep -q "cannot write in $rootonly (Permission denied): not starting" "$TB/unwritable.err" &&
		[ "$(record count)" -eq "$before" ]
	ok $? "--output in a directory the user cannot write: exit 2 before any request" || diag "$TB/unwritable.err"
	rm -rf "$rootonly"
else
	echo "ok $((tb_n += 1)) # SKIP an unwritable directory needs root (to run as nobody)"
fi
# the boundary is the module's: a directory only its group may write is accepted by both
mkdir -p "$TB/grp" && chmod 0775 "$TB/grp"
run grpdir 4242 --endpoint "$EMU_URL" --output "$TB/grp/x.cred"
sed "s|$TB/etc/omtwitter.cred|$TB/grp/x.cred|" "$TB/check.conf" > "$TB/grp.conf"
[ $RC -eq 0 ] && "$RSYSLOGD" -N1 -f "$TB/grp.conf" > "$TB/grp-check.out" 2>&1
ok $? "--output in a directory of mode 0775: written, and rsyslogd -N1 accepts it" || diag "$TB/grpdir.err" "$TB/grp-check.out"

# --- --owner USER:GROUP gives owner, group and 0640
if [ "$(id -u)" -eq 0 ] && getent passwd nobody >/dev/null && getent group nogroup >/dev/null; then
	run owner 4242 --endpoint "$EMU_URL" --owner nobody:nogroup --output "$TB/etc/owned.cred"
	[ $RC -eq 0 ] && [ "$(stat -c '%U:%G %a' "$TB/etc/owned.cred")" = "nobody:nogroup 640" ]
	ok $? "--owner nobody:nogroup: owner, group and mode 0640 ($(stat -c '%U:%G %a' "$TB/etc/owned.cred" 2>&1))"
else
	echo "ok $((tb_n += 1)) # SKIP --owner needs root and the nobody user and nogroup group"
fi
run badowner 4242 --endpoint "$EMU_URL" --owner no-such-user --output "$TB/etc/x.cred"
[ $RC -eq 2 ] && grep -q "no such user 'no-such-user'" "$TB/badowner.err"; ok $? "--owner with an unknown user: exit 2"

# --- failures: exit 1, clear message, nothing written
mkdir -p "$TB/fail"
run wrongpin 1111 --endpoint "$EMU_URL" --output "$TB/fail/x.cred"
[ $RC -eq 1 ]; ok $? "wrong PIN: exit 1"
grep -q '^omtwitter-auth: access token (POST /oauth/access_token) failed: HTTP 401' "$TB/wrongpin.err"
ok $? "wrong PIN: names the step and the HTTP status" || diag "$TB/wrongpin.err"
grep -q '^omtwitter-auth: run omtwitter-auth again for a new authorize URL and PIN (each request token and its PIN work once)$' "$TB/wrongpin.err"
ok $? "wrong PIN: says to run the helper again (the request token works once)" || diag "$TB/wrongpin.err"
no_leftovers "$TB/fail"; ok $? "wrong PIN: no file, no temporary file"

OMTWITTER_CONSUMER_SECRET=wrong-secret run wrongsecret 4242 --endpoint "$EMU_URL" --output "$TB/fail/x.cred"
[ $RC -eq 1 ] && grep -q '^omtwitter-auth: request token (POST /oauth/request_token) failed: HTTP 401: Unauthorized$' "$TB/wrongsecret.err"
ok $? "wrong consumer secret: exit 1 at the request-token step with X's error text" || diag "$TB/wrongsecret.err"
no_leftovers "$TB/fail"; ok $? "wrong consumer secret: nothing written"

dead=$("$PYTHON3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run down 4242 --endpoint "http://127.0.0.1:$dead" --output "$TB/fail/x.cred"
[ $RC -eq 1 ] && grep -q 'request token (POST /oauth/request_token) failed: cannot connect to the endpoint' "$TB/down.err"
ok $? "endpoint down: exit 1, 'cannot connect'" || diag "$TB/down.err"
no_leftovers "$TB/fail"; ok $? "endpoint down: nothing written"

make_ca "$TB/tls" good
make_ca "$TB/tls" other
emu_stop
EMU_PORT=
emu_start --https "$TB/tls/good-server.pem" "$TB/tls/good-server.key"
run tls 4242 --endpoint "$EMU_URL" --cacert "$TB/tls/other-ca.pem" --output "$TB/fail/x.cred"
[ $RC -eq 1 ] && grep -q 'failed: TLS certificate verification failed' "$TB/tls.err"
ok $? "TLS with a wrong CA: exit 1, the cause named" || diag "$TB/tls.err"
no_leftovers "$TB/fail"; ok $? "TLS failure: nothing written"
run tlsok 4242 --endpoint "$EMU_URL" --cacert "$TB/tls/good-ca.pem" --output "$TB/fail/tls.cred"
[ $RC -eq 0 ]; ok $? "HTTPS with the right CA: exit 0" || diag "$TB/tlsok.err"

# --- --verify
run verify "" --verify "$TB/fail/tls.cred" --endpoint "$EMU_URL" --cacert "$TB/tls/good-ca.pem"
[ $RC -eq 0 ] && grep -q '^authorized as @omtwitter_test (1234567890)$' "$TB/verify.out"
ok $? "--verify of a good file: exit 0 and the account"
run dm "" --verify "$TB/fail/tls.cred" --dm-to @alice_ops --endpoint "$EMU_URL" --cacert "$TB/tls/good-ca.pem"
id=$(sed -n 's/^@alice_ops has the user id \([0-9]*\);.*/\1/p' "$TB/dm.out")
[ $RC -eq 0 ] && [ -n "$id" ] && grep -q "mode=\"dm\" recipient=\"$id\"" "$TB/dm.out"
ok $? "--dm-to @alice_ops: the recipient's id ($id) and a DM configuration for it" || diag "$TB/dm.out" "$TB/dm.err"
[ "$(record count --path /2/users/by/username/alice_ops --verified --status 200)" -eq 1 ]
ok $? "looked up with a signed GET /2/users/by/username/alice_ops"
run dmnone "" --verify "$TB/fail/tls.cred" --dm-to nosuchperson --endpoint "$EMU_URL" --cacert "$TB/tls/good-ca.pem"
[ $RC -eq 1 ] && grep -q 'looking up the DM recipient failed: Could not find user with username: \[nosuchperson\]' "$TB/dmnone.err"
ok $? "--dm-to an unknown account: exit 1, X's answer shown" || diag "$TB/dmnone.err"
run dmbad "" --verify "$TB/fail/tls.cred" --dm-to '@not a handle' --endpoint "$EMU_URL" --cacert "$TB/tls/good-ca.pem"
[ $RC -eq 2 ] && grep -q 'a handle is 1 to 15 letters' "$TB/dmbad.err"
ok $? "--dm-to with an invalid handle: exit 2, nothing asked of X"
run dmnoverify 4242 --dm-to alice --output "$TB/fail/y.cred"
[ $RC -eq 2 ]; ok $? "--dm-to without --verify: exit 2"
chmod 0644 "$TB/fail/tls.cred"
run verifyperm "" --verify "$TB/fail/tls.cred" --endpoint "$EMU_URL" --cacert "$TB/tls/good-ca.pem"
[ $RC -eq 2 ] && grep -q 'has mode 0644, which lets other users access it' "$TB/verifyperm.err"
ok $? "--verify of a world-readable file: exit 2, says what is wrong"
chmod 0600 "$TB/fail/tls.cred"
sed -i 's/^access_token_secret=.*/access_token_secret=revoked/' "$TB/fail/tls.cred"
run verifybad "" --verify "$TB/fail/tls.cred" --endpoint "$EMU_URL" --cacert "$TB/tls/good-ca.pem"
[ $RC -eq 1 ] && grep -q 'verification (GET /2/users/me) failed: HTTP 401' "$TB/verifybad.err"
ok $? "--verify of revoked credentials: exit 1 with the HTTP status"

# --- usage
"$AUTH" --help > "$TB/help.out" 2>&1; [ $? -eq 0 ] && grep -q 'OMTWITTER_CONSUMER_KEY' "$TB/help.out"
ok $? "--help: exit 0"
"$AUTH" --version > "$TB/version.out" 2>&1; [ $? -eq 0 ] && grep -q '^omtwitter-auth [0-9]' "$TB/version.out"
ok $? "--version: exit 0"
"$AUTH" --consumer-secret x --output "$TB/x" > "$TB/usage.out" 2>&1; [ $? -eq 2 ]
ok $? "secrets are not accepted as options (exit 2)"
"$AUTH" > "$TB/usage2.out" 2>&1; [ $? -eq 2 ]; ok $? "no --output/--verify: exit 2"
run plainhttp 4242 --endpoint "http://api.x.com" --output "$TB/fail/x.cred"
[ $RC -eq 2 ] && grep -q 'plain http is only allowed to a loopback host' "$TB/plainhttp.err"
ok $? "plain http to a remote host: exit 2"

# --- interactive, under a pseudo-terminal: the secret prompt does not echo
emu_stop
EMU_PORT=
emu_start
cat > "$TB/onpty.py" <<'PY'
# onpty.py AUTH ARGS... -- ANSWERS...: run AUTH under a pseudo-terminal, give
# each answer at its prompt (key, secret, PIN; "^D" is Ctrl-D), print what the
# terminal showed and "EXIT n".
import os, pty, select, sys, time
argv = sys.argv[1:sys.argv.index("--")]
answers = sys.argv[sys.argv.index("--") + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
buf, eof = b"", False
def pump(until, timeout=15):
    global buf, eof
    end = time.time() + timeout
    while not eof and (until is None or until not in buf):
        if not select.select([fd], [], [], max(0, end - time.time()))[0]:
            return
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        eof = not chunk
        buf += chunk
for prompt, answer in zip((b"Consumer key", b"Consumer secret", b"PIN: "), answers):
    pump(prompt)
    if prompt not in buf:
        break
    os.write(fd, b"\x04" if answer == "^D" else (answer + "\n").encode())
pump(None, 30)
if not eof:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
sys.stdout.write(buf.decode(errors="replace"))
print("\nEXIT", os.waitstatus_to_exitcode(status))
PY
# pty_run NAME OUTPUT ANSWERS...: the PIN flow under a pseudo-terminal, without
# the consumer variables; what the terminal showed and "EXIT n" in $TB/NAME.out
pty_run() {
	name=$1 out=$2
	shift 2
	env -u OMTWITTER_CONSUMER_KEY -u OMTWITTER_CONSUMER_SECRET "$PYTHON3" "$TB/onpty.py" \
		"$AUTH" --endpoint "$EMU_URL" --output "$out" -- "$@" > "$TB/$name.out" 2>&1
}
pty_run pty "$TB/pty.cred" "$CK" "$CS" 4242
grep -q '^EXIT 0' "$TB/pty.out" && grep -q 'authorized as @omtwitter_test' "$TB/pty.out"
ok $? "interactive: key and secret asked on the terminal, exit 0" || diag "$TB/pty.out"
grep -q "$CK" "$TB/pty.out"; ok $? "interactive: the consumer key is echoed as typed"
! grep -q "$CS" "$TB/pty.out"; ok $? "interactive: the consumer secret is not echoed"

# --- no consumer key or secret: say what happened; white space around
# pasted keys is dropped
mkdir -p "$TB/nokey"
before=$(record count)
pty_run ctrld-key "$TB/nokey/x.cred" "^D"
grep -q '^EXIT 2' "$TB/ctrld-key.out" &&
	grep -q '^omtwitter-auth: no consumer key (API key) given (end of input at the prompt)' "$TB/ctrld-key.out"
ok $? "Ctrl-D at the consumer key prompt: exit 2, says so" || diag "$TB/ctrld-key.out"
pty_run ctrld-secret "$TB/nokey/x.cred" "$CK" "^D"
grep -q '^EXIT 2' "$TB/ctrld-secret.out" &&
	grep -q '^omtwitter-auth: no consumer secret (API key secret) given (end of input at the prompt)' "$TB/ctrld-secret.out"
ok $? "Ctrl-D at the consumer secret prompt: exit 2, says so" || diag "$TB/ctrld-secret.out"
pty_run empty-key "$TB/nokey/x.cred" ""
grep -q '^EXIT 2' "$TB/empty-key.out" &&
	grep -q '^omtwitter-auth: no consumer key (API key) given (an empty answer at the prompt)' "$TB/empty-key.out"
ok $? "an empty answer at the consumer key prompt: exit 2, says so" || diag "$TB/empty-key.out"
# without a terminal (setsid: no controlling terminal, whoever runs the test)
OMTWITTER_CONSUMER_KEY= setsid -w "$AUTH" --endpoint "$EMU_URL" --output "$TB/nokey/x.cred" \
	< /dev/null > "$TB/envempty.out" 2> "$TB/envempty.err"
[ $? -eq 2 ] && grep -q "^omtwitter-auth: OMTWITTER_CONSUMER_KEY is set but empty: set it to the app's consumer key (API key), or unset it to be asked for it on the terminal$" "$TB/envempty.err"
ok $? "OMTWITTER_CONSUMER_KEY set but empty: exit 2, says so" || diag "$TB/envempty.err"
OMTWITTER_CONSUMER_SECRET=' ' setsid -w "$AUTH" --endpoint "$EMU_URL" --output "$TB/nokey/x.cred" \
	< /dev/null > "$TB/envblank.out" 2> "$TB/envblank.err"
[ $? -eq 2 ] && grep -q '^omtwitter-auth: OMTWITTER_CONSUMER_SECRET is set but empty' "$TB/envblank.err"
ok $? "OMTWITTER_CONSUMER_SECRET only a space: exit 2, set but empty" || diag "$TB/envblank.err"
env -u OMTWITTER_CONSUMER_KEY setsid -w "$AUTH" --endpoint "$EMU_URL" --output "$TB/nokey/x.cred" \
	< /dev/null > "$TB/notty.out" 2> "$TB/notty.err"
[ $? -eq 2 ] && grep -q '^omtwitter-auth: no terminal to ask for the consumer key (API key) on: set OMTWITTER_CONSUMER_KEY$' "$TB/notty.err"
ok $? "no OMTWITTER_CONSUMER_KEY and no terminal: exit 2, says so" || diag "$TB/notty.err"
OMTWITTER_CONSUMER_KEY="tbConsumer Key0123456789" run innerspace 4242 --endpoint "$EMU_URL" --output "$TB/nokey/x.cred"
[ $RC -eq 2 ] && grep -q '^omtwitter-auth: the consumer key (API key) in OMTWITTER_CONSUMER_KEY contains a space, a control or a non-ASCII character: copy it again' "$TB/innerspace.err"
ok $? "a consumer key with a space inside: exit 2, says so" || diag "$TB/innerspace.err"
[ "$(record count)" -eq "$before" ] && no_leftovers "$TB/nokey"
ok $? "none of these asked anything of X or wrote anything"
tab=$(printf '\t')
OMTWITTER_CONSUMER_KEY=" $CK " OMTWITTER_CONSUMER_SECRET="$CS$tab" run padded 4242 --endpoint "$EMU_URL" --output "$TB/padded.cred"
[ $RC -eq 0 ] && grep -qx "consumer_key=$CK" "$TB/padded.cred" && grep -qx "consumer_secret=$CS" "$TB/padded.cred"
ok $? "key and secret with white space around them in the environment: trimmed, exit 0" || diag "$TB/padded.err"
pty_run pty-padded "$TB/pty-padded.cred" "  $CK " " $CS  " " 4242 "
grep -q '^EXIT 0' "$TB/pty-padded.out" && grep -qx "consumer_key=$CK" "$TB/pty-padded.cred"
ok $? "key, secret and PIN typed with white space around them: trimmed, exit 0" || diag "$TB/pty-padded.out"

# --- the whole flow under valgrind: no memory error, no leak
printf '4242\n' | valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	"$AUTH" --endpoint "$EMU_URL" --output "$TB/vg.cred" > "$TB/vg.out" 2> "$TB/vg.err"
[ $? -eq 0 ]; ok $? "valgrind: the PIN flow has no memory errors and no leaks" || diag "$TB/vg.err"

# --- no secret anywhere
! grep -rqE "$CS|$ATS" "$TB"/*.out "$TB"/*.err "$TB/emulator.log"
ok $? "no secret in any output stream or the server log"
tb_done
