#!/bin/bash
# omtwitter-replay (issue 15): every input format with literal UTC times
# and the alert text after the tag, New Year, time stamps going back, bad
# lines, --set refused with rsyslogd -N1's own message, the counts adding
# up (judged with python3's json module, awk, grep and wc, never with the
# tool), --assign, --match, .gz input, the doc's night (figures, and the
# block in doc/omtwitter.md is the replay's output), and the exit codes.
. "$(dirname "$0")/lib.sh"
tb_init

REPLAY="$OMTW_BUILDDIR/contrib/omtwitter-replay/omtwitter-replay"
# replay-vg.sh runs every replay under valgrind (its errors exit 99)
REPLAY_PREFIX=${REPLAY_PREFIX:-}
[ -x "$REPLAY" ] || bail "no $REPLAY: build the tree first"
NIGHT="$OMTW_SRCDIR/tests/data/night.log"
DOC="$OMTW_SRCDIR/doc/omtwitter.md"
[ -f "$NIGHT" ] || bail "no $NIGHT"
# RFC 3164 stamps are local time, as rsyslog writes them: UTC unless a
# check says otherwise
export TZ=UTC

# run NAME ARGS...: the replay, stdout in $TB/NAME.out, stderr in
# $TB/NAME.err, exit status in $rc.
run() {
	local n=$1
	shift
	$REPLAY_PREFIX "$REPLAY" "$@" > "$TB/$n.out" 2> "$TB/$n.err"
	rc=$?
}

# timeline JSON: one line per post, "TIME KIND PART | PART...", by python3's json
timeline() {
	"$PYTHON3" -c 'import json, sys
for p in json.load(open(sys.argv[1]))["posts"]:
    print(p["time"], p["kind"], " | ".join(p["parts"]))' "$1"
}

# jpy JSON EXPR: EXPR (python) on the document d, its summary s
jpy() {
	"$PYTHON3" -c 'import json, sys
d = json.load(open(sys.argv[1])); s = d["summary"]
print(eval(sys.argv[2]))' "$1" "$2" 2>&1
}

# expect_timeline NAME DESC: $TB/NAME.out (--json) has exactly the posts on stdin.
expect_timeline() {
	cat > "$TB/$1.want"
	timeline "$TB/$1.out" > "$TB/$1.tl" 2>&1
	diff -u "$TB/$1.want" "$TB/$1.tl" > "$TB/$1.diff"
	ok $? "$2" || diag "$TB/$1.diff" "$TB/$1.err"
}

# exit_is NAME WANT DESC
exit_is() {
	[ "$rc" -eq "$2" ]
	ok $? "$3 (exit $rc)" || diag "$TB/$1.err"
}

# ---- each input format ----------------------------------------------------

cat > "$TB/rfc3164.log" <<'EOF'
Nov 27 22:00:00 host1 bird_alert: disk /var full on db1
Dec  3 08:00:00 host1 sshd[123]: failed login for root
<34>Dec  4 10:00:00 host1 su: 'su root' failed for lonvick on /dev/pts/8
EOF
run rfc3164 --json --year 2025 "$TB/rfc3164.log"
exit_is rfc3164 0 "RFC 3164 file with --year: done"
expect_timeline rfc3164 "RFC 3164 (with --year 2025, a space-padded day, a <PRI>): the posts' UTC times and the text after the tag" <<'EOF'
2025-11-27T22:00:00Z alert disk /var full on db1
2025-12-03T08:00:00Z alert failed login for root
2025-12-04T10:00:00Z alert 'su root' failed for lonvick on /dev/pts/8
EOF

# the local time zone applies (a POSIX TZ: no tzdata needed): summer and winter
TZ='CET-1CEST,M3.5.0,M10.5.0/3' run rfc3164-tz --json --year 2026 - <<'EOF'
Jul  1 12:00:00 host1 tag: summer
Nov 27 22:00:00 host1 tag: winter
EOF
expect_timeline rfc3164-tz "RFC 3164 stamps are local time (TZ CET/CEST: +02:00 in July, +01:00 in November)" <<'EOF'
2026-07-01T10:00:00Z alert summer
2026-11-27T21:00:00Z alert winter
EOF

{
	printf '<165>1 2026-11-27T22:00:00.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] \xef\xbb\xbfAn application event log entry\n'
	printf '<13>1 2026-11-27T18:30:00-05:00 host2 app 77 - [a@1 k="x\\]y \\"q\\""] sd with escapes\n'
	printf '<13>1 2026-11-27T23:45:00+00:00 host2 app - - - no structured data\n'
} > "$TB/rfc5424.log"
grep -q $'\xef\xbb\xbfAn application' "$TB/rfc5424.log"
ok $? "the RFC 5424 fixture has a BOM before the message"
run rfc5424 --json "$TB/rfc5424.log"
exit_is rfc5424 0 "RFC 5424 lines: done"
expect_timeline rfc5424 "RFC 5424 (SD elements, escapes in SD, BOM, zone offsets): UTC times and the msg" <<'EOF'
2026-11-27T22:00:00Z alert An application event log entry
2026-11-27T23:30:00Z alert sd with escapes
2026-11-27T23:45:00Z alert no structured data
EOF

cat > "$TB/iso.log" <<'EOF'
2026-11-27T22:00:00.123456+01:00 host1 bird_alert: file format msg
<13>2026-11-27T22:05:00+00:00 host1 bird_alert[9]: forward format msg
2026-11-27T23:10:00+0100 host1 bird_alert[1]: journald short iso msg
EOF
run iso --json "$TB/iso.log"
exit_is iso 0 "ISO 8601 lines: done"
expect_timeline iso "ISO (RSYSLOG_FileFormat, ForwardFormat with <PRI>, journald short-iso +0100): UTC times and the msg" <<'EOF'
2026-11-27T21:00:00Z alert file format msg
2026-11-27T22:05:00Z alert forward format msg
2026-11-27T22:10:00Z alert journald short iso msg
EOF

# auto is each format's own: naming the format gives the same
for f in rfc3164 rfc5424 iso; do
	$REPLAY_PREFIX "$REPLAY" --json --year 2025 --format "$f" "$TB/$f.log" > "$TB/$f-named.out" 2>&1
	cmp -s "$TB/$f.out" "$TB/$f-named.out"
	ok $? "--format $f gives what auto gives for that file" || diag "$TB/$f-named.out"
done

cat > "$TB/none.log" <<'EOF'
first bare line
Nov 27 22:00:00 host1 tag: looks stamped but is not read so
third bare line
EOF
day1=$(date -u +%F)
run none --json --format none --spacing 60 "$TB/none.log"
day2=$(date -u +%F)
exit_is none 0 "--format none --spacing 60: done"
timeline "$TB/none.out" > "$TB/none.tl" 2>&1
for day in "$day1" "$day2"; do
	printf '%sT00:00:00Z alert first bare line\n%sT00:01:00Z alert Nov 27 22:00:00 host1 tag: looks stamped but is not read so\n%sT00:02:00Z alert third bare line\n' \
		"$day" "$day" "$day" > "$TB/none.want"
	cmp -s "$TB/none.want" "$TB/none.tl" && break
done
diff -u "$TB/none.want" "$TB/none.tl" > "$TB/none.diff"
ok $? "--format none --spacing 60: whole lines, 60 s apart from today's 00:00:00Z" || diag "$TB/none.diff"

# ---- New Year ---------------------------------------------------------------

cat > "$TB/newyear.log" <<'EOF'
Dec 31 23:59:00 host1 tag: last alert of the year
Jan  1 00:01:00 host1 tag: first alert of the next
EOF
run newyear --json --year 2026 "$TB/newyear.log"
exit_is newyear 0 "Dec 31 then Jan 1: done"
expect_timeline newyear "Dec 31 23:59:00 then Jan 1 00:01:00 with --year 2026: the second is in 2027" <<'EOF'
2026-12-31T23:59:00Z alert last alert of the year
2027-01-01T00:01:00Z alert first alert of the next
EOF

# merged files go back a little at a month's end and at New Year: no new year
run monthend --json --year 2026 - <<'EOF'
Dec  1 00:00:05 host1 tag: a
Nov 30 23:59:58 host2 tag: b
Dec  1 00:00:10 host1 tag: c
EOF
expect_timeline monthend "merged lines: Nov 30 23:59:58 after Dec 1 00:00:05 is the same year (taken as equal)" <<'EOF'
2026-12-01T00:00:05Z alert a
2026-12-01T00:00:05Z alert b
2026-12-01T00:00:10Z alert c
EOF
run newyear-merged --json --year 2027 - <<'EOF'
Jan  1 00:00:05 host1 tag: a
Dec 31 23:59:58 host2 tag: b
Jan  1 00:00:10 host1 tag: c
EOF
expect_timeline newyear-merged "merged lines: Dec 31 23:59:58 after Jan 1 00:00:05 is the year before (taken as equal)" <<'EOF'
2027-01-01T00:00:05Z alert a
2027-01-01T00:00:05Z alert b
2027-01-01T00:00:10Z alert c
EOF

# ---- time stamps going back -------------------------------------------------

cat > "$TB/back-ok.log" <<'EOF'
2026-11-27T22:00:30Z host1 tag: first
2026-11-27T21:59:31Z host2 tag: second, 59 s back
2026-11-27T22:00:40Z host1 tag: third
EOF
run back-ok --json "$TB/back-ok.log"
exit_is back-ok 0 "a stamp 59 s back: accepted"
expect_timeline back-ok "a stamp less than 60 s back is taken as equal to the one before" <<'EOF'
2026-11-27T22:00:30Z alert first
2026-11-27T22:00:30Z alert second, 59 s back
2026-11-27T22:00:40Z alert third
EOF

cat > "$TB/back-bad.log" <<'EOF'
2026-11-27T22:01:00Z host1 tag: first
2026-11-27T22:00:00Z host2 tag: second, 60 s back
EOF
run back-bad "$TB/back-bad.log"
exit_is back-bad 1 "a stamp 60 s back: refused"
grep -q "$TB/back-bad.log:2:" "$TB/back-bad.err" && grep -Eq "$TB/back-bad.log:1([^0-9]|\$)" "$TB/back-bad.err"
ok $? "a stamp 60 s back: the message names back-bad.log:2 and back-bad.log:1" || diag "$TB/back-bad.err"

# across files (merged logs given one after the other)
printf '2026-11-27T22:00:00Z h t: a1\n2026-11-27T22:00:30Z h t: a2\n' > "$TB/merge-a.log"
printf '2026-11-27T22:00:01Z h t: b1\n' > "$TB/merge-b.log"
printf '2026-11-27T21:59:00Z h t: c1\n' > "$TB/merge-c.log"
run merge-ab --json "$TB/merge-a.log" "$TB/merge-b.log"
exit_is merge-ab 0 "the next file starts 29 s back: accepted"
run merge-ac "$TB/merge-a.log" "$TB/merge-c.log"
exit_is merge-ac 1 "the next file starts 90 s back: refused"
grep -q "$TB/merge-c.log:1:" "$TB/merge-ac.err" && grep -Eq "$TB/merge-a.log:2([^0-9]|\$)" "$TB/merge-ac.err"
ok $? "90 s back across files: the message names merge-c.log:1 and merge-a.log:2" || diag "$TB/merge-ac.err"

# a line taken as equal, then one >= 60 s before the stamp it was taken as:
# the message must name the line whose stamp that is (line 1: 22:01:00),
# not line 2 (22:00:30, only 31 s after line 3)
cat > "$TB/back-chain.log" <<'EOF'
2026-11-27T22:01:00Z host1 tag: first
2026-11-27T22:00:30Z host2 tag: second, 30 s back
2026-11-27T21:59:59Z host2 tag: third, 61 s before the first
EOF
run back-chain "$TB/back-chain.log"
exit_is back-chain 1 "61 s before a line that was taken as equal: refused"
grep -q "$TB/back-chain.log:3:" "$TB/back-chain.err" && grep -Eq "$TB/back-chain.log:1([^0-9]|\$)" "$TB/back-chain.err"
ok $? "61 s back after a line taken as equal: the message names back-chain.log:1, whose stamp it is 61 s before" ||
	diag "$TB/back-chain.err"

# ---- bad lines ----------------------------------------------------------------

cat > "$TB/bad.log" <<'EOF'
2026-11-27T22:01:00Z host1 tag: before
this line has no time stamp
2026-11-27T22:02:00Z host1 tag: after
EOF
run bad "$TB/bad.log"
exit_is bad 1 "a line without a time stamp: refused"
grep -q "^omtwitter-replay: $TB/bad.log:2: " "$TB/bad.err"
ok $? "a line without a time stamp: the message names bad.log:2:" || diag "$TB/bad.err"
run skip-bad --json --skip-bad "$TB/bad.log"
exit_is skip-bad 0 "--skip-bad: done"
[ "$(jpy "$TB/skip-bad.out" 's["bad"], s["lines"], s["alerts"]')" = "(1, 3, 2)" ]
ok $? "--skip-bad: the summary counts 1 bad line of 3, 2 alerts" || { jpy "$TB/skip-bad.out" 's' | diag; }

# ---- --set refused as rsyslogd -N1 refuses it ----------------------------------

write_creds "$TB/good.cred"
printf '2026-11-27T22:00:00Z host1 tag: one alert\n' > "$TB/one.log"
# refusal NAME 'ACTION-PARAMS' --set ...: the same text as the module's
# message after "omtwitter[NAME]: " (or rsyslog's own "is not a proper
# number"), without rsyslog's " [v8... try https://... ]"
refusal() {
	local name=$1 params=$2 want got n1rc
	shift 2
	cat > "$TB/$name.conf" <<-EOF
	global(workDirectory="$TB")
	module(load="$OMTW_MODULE")
	action(type="omtwitter" name="$name" credentials="$TB/good.cred" $params)
	EOF
	"$RSYSLOGD" -N1 -f "$TB/$name.conf" > "$TB/$name.n1" 2>&1
	n1rc=$?
	want=$( { grep -F "omtwitter[$name]: " "$TB/$name.n1" | sed "s/^.*omtwitter\[$name\]: //"
		  grep -o "parameter '[^']*' is not a proper number" "$TB/$name.n1"; } |
		head -n 1 | sed -E 's/ \[v[0-9][^]]*\]$//')
	[ "$n1rc" -ne 0 ] && [ -n "$want" ]
	ok $? "$name: rsyslogd -N1 refuses $params: '$want'" || diag "$TB/$name.n1"
	run "$name" "$@" "$TB/one.log"
	exit_is "$name" 2 "$name: the replay refuses $*"
	got=$(sed -n '1s/^omtwitter-replay: //p' "$TB/$name.err")
	[ -n "$want" ] && [ "$got" = "$want" ]
	ok $? "$name: the replay's message is rsyslogd -N1's" ||
		printf '# -N1:    %s\n# replay: %s\n' "$want" "$got"
}
refusal maxlength-5 'maxlength="5"' --set maxlength=5
refusal maxparts-0 'maxparts="0"' --set maxparts=0
refusal daily-neg 'budget.daily="-1"' --set budget.daily=-1
refusal split-wrap 'split="wrap"' --set split=wrap
refusal window-abc 'dedup.window="abc"' --set dedup.window=abc
refusal keep-39 'urls="keep" maxlength="39"' --set urls=keep --set maxlength=39
refusal dm-alone 'mode="dm"' --set mode=dm

# ---- the counts add up --------------------------------------------------------

# 400 lines every 20 s: repeats, distinct texts, long texts (threads with
# maxlength=60), empty messages (refused), enough to spend the budgets
"$PYTHON3" - > "$TB/counts.log" <<'EOF'
import datetime
t0 = datetime.datetime(2026, 3, 10, 8, 0, 0)
long = "backup job failed: " + " ".join("volume%02d" % i for i in range(30))
for i in range(400):
    ts = (t0 + datetime.timedelta(seconds=20 * i)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    if i % 50 == 7:
        print(f"{ts} backup1 cron[42]: {long} run {i}")
    elif i % 3 == 0:
        print(f"{ts} db1 bird_alert: disk /var full on db1")
    elif i % 3 == 1:
        print(f"{ts} web{i % 7} bird_alert: http 500 on web{i % 7}")
    elif i % 31 == 2:
        print(f"{ts} web1 bird_alert:")
    else:
        print(f"{ts} web1 nginx: GET /status 200")
EOF
# check_counts NAME JSON INPUT-ALERTS
check_counts() {
	local j=$2 got
	"$PYTHON3" -c 'import json, sys; json.load(open(sys.argv[1]))' "$j" 2> "$TB/$1.json-err"
	ok $? "$1: --json is one JSON document" || diag "$TB/$1.json-err"
	got=$(jpy "$j" 's["posted"] + s["digested"] + s["held"] + s["refused"] == s["alerts"]')
	[ "$got" = True ]
	ok $? "$1: posted + digested + held + refused == alerts" || { jpy "$j" 's' | diag; }
	got=$(jpy "$j" 's["alerts"]')
	[ "$got" = "$3" ]
	ok $? "$1: alerts ($got) == the alert lines of the input ($3)"
	got=$(jpy "$j" 's["posts"] == sum(len(p["parts"]) for p in d["posts"])')
	[ "$got" = True ]
	ok $? "$1: posts == the parts of all posts" || { jpy "$j" 's["posts"], [len(p["parts"]) for p in d["posts"]]' | diag; }
	got=$(jpy "$j" 's["digests"] == len([p for p in d["posts"] if p["kind"] == "digest"])')
	[ "$got" = True ]
	ok $? "$1: digests == the posts of kind digest" || { jpy "$j" 's["digests"], [p["kind"] for p in d["posts"]]' | diag; }
	got=$(jpy "$j" 's["posted"] == len([p for p in d["posts"] if p["kind"] == "alert"])')
	[ "$got" = True ]
	ok $? "$1: posted == the posts of kind alert" || { jpy "$j" 's["posted"], [p["kind"] for p in d["posts"]]' | diag; }
	got=$(jpy "$j" '(s["distinct"] == len(d["alerts"]), sum(a["count"] for a in d["alerts"]) + s["refused"] == s["alerts"])')
	[ "$got" = "(True, True)" ]
	ok $? "$1: distinct == the alerts listed, whose counts (+ refused) add up to alerts" || echo "# $got"
}
run counts --json --set maxlength=60 --set budget.pace=off "$TB/counts.log" # the budget spent fast, threads among it
exit_is counts 0 "counts: done"
check_counts counts "$TB/counts.out" "$(wc -l < "$TB/counts.log")"
# the fixture does what it is for: threads, digests, held, refused, all non-zero
got=$(jpy "$TB/counts.out" 'all(s[k] > 0 for k in ("posted", "digested", "held", "refused", "digests")) and s["posts"] > len(d["posts"])')
[ "$got" = True ]
ok $? "counts: the input makes threads, digests, held and refused alerts (else the sums prove little)" || { jpy "$TB/counts.out" 's' | diag; }

# ---- --assign -------------------------------------------------------------------

cat > "$TB/assign.log" <<'EOF'
2026-11-27T22:00:00Z db1 mon: disk full on db1
2026-11-27T22:00:01Z db2 mon: raid degraded on db2
2026-11-27T22:00:02Z db1 mon: disk full on db1
2026-11-27T22:00:03Z web1 mon: http 500 on web1
2026-11-27T22:00:04Z db2 mon: raid degraded on db2
2026-11-27T22:00:05Z db1 mon: disk full on db1
2026-11-27T22:00:06Z web2 mon: http 500 on web2
2026-11-27T22:00:07Z web1 mon: http 500 on web1
EOF
# the texts after the tag, by awk (the fixture has single spaces)
awk '{ $1 = $2 = $3 = ""; sub(/^ +/, ""); print }' "$TB/assign.log" > "$TB/assign.texts"
sort "$TB/assign.texts" | uniq -d | grep -q . && [ "$(sort -u "$TB/assign.texts" | wc -l)" -gt 1 ]
ok $? "assign: the fixture repeats texts and has different ones"
# group="exact": an id per distinct text
run assign --json --set group=exact --assign "$TB/assign.ids" "$TB/assign.log"
exit_is assign 0 "--assign: done"
[ "$(wc -l < "$TB/assign.ids")" -eq "$(wc -l < "$TB/assign.log")" ] &&
	[ "$(wc -l < "$TB/assign.ids")" = "$(jpy "$TB/assign.out" 's["alerts"]')" ]
ok $? "--assign: one line per alert ($(wc -l < "$TB/assign.ids") lines, $(wc -l < "$TB/assign.log") alert lines)" || diag "$TB/assign.ids"
paste "$TB/assign.ids" "$TB/assign.texts" | awk -F '\t' '
	$1 !~ /^[0-9]+$/ { bad++ }
	($2 in id) && id[$2] != $1 { bad++ }
	($1 in tx) && tx[$1] != $2 { bad++ }
	{ id[$2] = $1; tx[$1] = $2 }
	END { exit bad > 0 }'
ok $? "--assign: identical ids for identical texts, different ids for different texts" ||
	paste "$TB/assign.ids" "$TB/assign.texts" | diag
# in input order: line i's id is the entry whose key is line i's text
got=$("$PYTHON3" -c 'import json, sys
keys = {a["id"]: a["key"] for a in json.load(open(sys.argv[1]))["alerts"]}
ids = open(sys.argv[2]).read().split("\n")[:-1]
texts = open(sys.argv[3]).read().split("\n")[:-1]
print(all(keys.get(int(i)) == t for i, t in zip(ids, texts)) and len(ids) == len(texts))' \
	"$TB/assign.out" "$TB/assign.ids" "$TB/assign.texts" 2>&1)
[ "$got" = True ]
ok $? "--assign: in input order, each id is that of the --json alert with the line's text" || echo "# $got"

# the default, group="template": an id per incident, the --json alerts are
# the incidents with their templates
cat > "$TB/incidents.log" <<'EOF'
2026-11-27T22:00:00Z db1 mon: disk full on db1
2026-11-27T22:00:01Z db2 mon: raid degraded on db2
2026-11-27T22:00:02Z db1 mon: disk full on db1
2026-11-27T22:00:03Z web1 mon: http 500 on web1
2026-11-27T22:00:04Z db2 mon: raid degraded on db2
2026-11-27T22:00:05Z db7 mon: disk full on db7
2026-11-27T22:00:06Z web2 mon: http 500 on web2
2026-11-27T22:00:07Z web1 mon: http 503 on web1
EOF
run incidents --json --assign "$TB/incidents.ids" "$TB/incidents.log"
exit_is incidents 0 "--assign, incidents: done"
[ "$(tr '\n' ' ' < "$TB/incidents.ids")" = "1 2 1 3 2 1 3 3 " ]
ok $? "--assign, incidents: a disk filling on db1 and db7 is one incident, http 500 and 503 on web1 and web2 another" ||
	diag "$TB/incidents.ids"
got=$(jpy "$TB/incidents.out" '[(a["id"], a["key"], a["count"]) for a in d["alerts"]]')
[ "$got" = "[(1, 'disk full on db<*>', 3), (2, 'raid degraded on db2', 2), (3, 'http <*> on web<*>', 3)]" ]
ok $? "--json, incidents: each with its template and count" || echo "# $got"
got=$(jpy "$TB/incidents.out" '(s["alerts"], s["distinct"], s["posted"], s["digested"] + s["held"])')
[ "$got" = "(8, 3, 3, 5)" ]
ok $? "--json, incidents: 8 alerts, 3 incidents, their 3 first lines posted, the 5 others counted ($got)"

# ---- --match --------------------------------------------------------------------

cat > "$TB/match.log" <<'EOF'
2026-11-27T22:00:00Z web1 nginx: GET /index 200
2026-11-27T22:00:01Z db1 mon: bird_alert disk full on db1
2026-11-27T22:00:02Z db1 mon: bird_alert disk full on db1
2026-11-27T22:00:03Z web1 nginx: GET /about 200
2026-11-27T22:00:04Z db2 mon: bird_alert raid degraded
2026-11-27T22:00:05Z web1 nginx: GET /status 200
2026-11-27T22:00:06Z db1 mon: bird_alert disk full on db1
EOF
n_match=$(grep -c bird_alert "$TB/match.log")
[ "$(grep -vc bird_alert "$TB/match.log")" -gt 0 ] && [ "$n_match" -gt 0 ]
ok $? "match: the fixture has lines with and lines without the text"
run match --json --match bird_alert --assign "$TB/match.ids" "$TB/match.log"
exit_is match 0 "--match: done"
check_counts match "$TB/match.out" "$n_match"
[ "$(wc -l < "$TB/match.ids")" -eq "$n_match" ]
ok $? "--match: --assign has one line per matching line"
got=$(jpy "$TB/match.out" 'all("bird_alert" in a["key"] for a in d["alerts"]) and len(d["alerts"]) > 0')
[ "$got" = True ]
ok $? "--match: every alert listed contains the text" || { jpy "$TB/match.out" 'd["alerts"]' | diag; }

# ---- .gz -------------------------------------------------------------------------

run night "$NIGHT"
exit_is night 0 "the doc's night: done"
gzip -c "$NIGHT" > "$TB/night.log.gz"
run night-gz "$TB/night.log.gz"
exit_is night-gz 0 ".gz input: done"
[ -s "$TB/night.out" ] && cmp -s "$TB/night.out" "$TB/night-gz.out"
ok $? ".gz input gives the same output as the plain file" || diff "$TB/night.out" "$TB/night-gz.out" | head -20 | diag
# standard input too
$REPLAY_PREFIX "$REPLAY" < "$NIGHT" > "$TB/night-stdin.out" 2>&1
cmp -s "$TB/night.out" "$TB/night-stdin.out"
ok $? "standard input gives the same output as the file" || diff "$TB/night.out" "$TB/night-stdin.out" | head -20 | diag
# a .gz cut short (its CRC and length trailer lost) is not a whole file
size=$(stat -c %s "$TB/night.log.gz")
head -c $((size - 8)) "$TB/night.log.gz" > "$TB/cut.log.gz"
! gzip -t "$TB/cut.log.gz" 2>/dev/null
ok $? "the cut .gz is one that gzip -t refuses"
run cut-gz "$TB/cut.log.gz"
[ "$rc" -eq 1 ]
ok $? "a truncated .gz is unreadable input: exit 1 (exit $rc)" || diag "$TB/cut-gz.err"

# ---- the doc's night ----------------------------------------------------------------

run night-json --json "$NIGHT"
exit_is night-json 0 "the doc's night, --json: done"
got=$(jpy "$TB/night-json.out" '(s["lines"], s["posts"], s["posted"], s["digests"], s["held"], s["digested"])')
[ "$got" = "(5120, 7, 5, 2, 1515, 3600)" ]
ok $? "the night: 5120 lines, 7 posts, 5 alerts posted, 2 digests, 1515 held, 3600 digested ($got)"
got=$(jpy "$TB/night-json.out" '[(a["key"], a["count"]) for a in d["alerts"]]')
[ "$got" = "[('disk /var full on db1', 2880), ('raid md0 degraded on db2', 720), ('sshd: failed login for invalid user u<*>', 1400), ('power supply <*> failed on db3', 60), ('UPS on battery', 60)]" ]
ok $? "the night: five incidents, the brute force one of them ($got)"
# what issue 17 asks of the night, from the posts and incidents themselves
night_promises() {
"$PYTHON3" - "$1" <<'PY'
import datetime, json, re, sys
d = json.load(open(sys.argv[1]))
t = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").timestamp()
posts = [(t(p["time"]), p) for p in d["posts"] for _ in p["parts"]]  # a part is a post
checks = []
first = d["alerts"][0]
checks.append((t(first["shown"]) - t(first["first"]) <= 1, "the first line of the night is on the phone within 1 s"))
delays = [t(a["shown"]) - t(a["first"]) if a["shown"] else None for a in d["alerts"]]
worst = max(x for x in delays if x is not None) if all(x is not None for x in delays) else None
checks.append((worst is not None and worst <= 7200, "every incident is shown within 2 hours (worst %s s)" % worst))
times = sorted(x for x, _ in posts)
day = max(sum(1 for y in times if x <= y < x + 86400) for x in times)
hour = max(sum(1 for y in times if x <= y < x + 3600) for x in times)
checks.append((day <= 17 and hour <= 10, "at most 17 posts in any 24 h (%d) and 10 in any hour (%d)" % (day, hour)))
digs = [(x, p) for x, p in posts if p["kind"] == "digest"]
pic = lambda p: tuple(sorted(re.sub(r"\[×\d+\] ", "", r) for r in re.split(r" (?=\[×)", " ".join(p["parts"]))[1:]))
same = [(a, b) for i, (a, p) in enumerate(digs) for b, q in digs[i + 1:] if b - a < 14400 and pic(p) == pic(q)]
checks.append((not same, "no two digests with the same picture within digest.repeat (%d pairs)" % len(same)))
s = d["summary"]
checks.append((s["posted"] + s["digested"] + s["held"] == s["alerts"] == 5120, "posted + digested + held = all"))
bad = 0
for good, what in checks:
    print(("# ok: " if good else "# FAILED: ") + what)
    bad += not good
sys.exit(1 if bad else 0)
PY
}
night_promises "$TB/night-json.out"
ok $? "the night keeps issue 17's promises: the first line at once, every incident within 2 h, the budgets, no repeated picture, exact counts"
run night-pace --json --set budget.pace=off "$NIGHT"
exit_is night-pace 0 "the night with budget.pace=off: done"
got=$(jpy "$TB/night-pace.out" '(s["posts"], s["posted"], s["digests"], s["held"], s["digested"])')
[ "$got" = "(9, 5, 4, 59, 5056)" ]
ok $? "with budget.pace=off: 9 posts, the restatements not paced ($got)"
night_promises "$TB/night-pace.out"
ok $? "and the night keeps the same promises"
got=$(jpy "$TB/night-json.out" '(d["posts"][0]["time"], d["posts"][0]["kind"], d["posts"][0]["parts"])')
[ "$got" = "('2026-11-27T22:00:00Z', 'alert', ['disk /var full on db1'])" ]
ok $? "the night: the first post is the alert 'disk /var full on db1' at 2026-11-27T22:00:00Z" || echo "# $got"
[ "$(head -n 1 "$TB/night.out")" = "2026-11-27T22:00:00Z alert   disk /var full on db1" ]
ok $? "the night, text: the first line is the first post" || head -n 1 "$TB/night.out" | diag
check_counts night "$TB/night-json.out" "$(wc -l < "$NIGHT")"

begin='<!-- replay: night begin -->'
end='<!-- replay: night end -->'
[ "$(grep -cxF "$begin" "$DOC")" -eq 1 ] && [ "$(grep -cxF "$end" "$DOC")" -eq 1 ]
ok $? "doc/omtwitter.md has the lines '$begin' and '$end' once each" ||
	echo "# doc/omtwitter.md must hold the replay's output of tests/data/night.log between the lines '$begin' and '$end'"
awk -v b="$begin" -v e="$end" '$0 == e { f = 0 } f { print } $0 == b { f = 1 }' "$DOC" > "$TB/doc-block"
{ echo '```'; cat "$TB/night.out"; echo '```'; } > "$TB/doc-want"
[ -s "$TB/night.out" ] && diff -u "$TB/doc-want" "$TB/doc-block" > "$TB/doc.diff"
ok $? "doc/omtwitter.md: the block between the markers is \`omtwitter-replay tests/data/night.log\` in a \`\`\` fence" ||
	diag "$TB/doc.diff"

# ---- exit codes ----------------------------------------------------------------------

run usage-opt --no-such-option "$TB/one.log"
exit_is usage-opt 2 "an unknown option: usage error"
run usage-format --format bogus "$TB/one.log"
exit_is usage-format 2 "--format bogus: usage error"
run usage-year --year abc "$TB/one.log"
exit_is usage-year 2 "--year abc: usage error"
run usage-spacing --spacing -1 --format none "$TB/one.log"
exit_is usage-spacing 2 "--spacing -1: usage error"
run usage-set --set maxlength "$TB/one.log"
exit_is usage-set 2 "--set without =VALUE: usage error"
run usage-unknown-param --set colour=blue "$TB/one.log"
exit_is usage-unknown-param 2 "--set of an unknown parameter: refused"
run missing "$TB/no-such-file.log"
exit_is missing 1 "a file that does not exist: unreadable"
grep -qF "$TB/no-such-file.log" "$TB/missing.err"
ok $? "a file that does not exist: the message names it" || diag "$TB/missing.err"
run dir "$TB"
exit_is dir 1 "a directory: unreadable"
run after-good "$TB/one.log" "$TB/no-such-file.log"
exit_is after-good 1 "a readable file, then one that does not exist: unreadable"
if [ "$(id -u)" -ne 0 ]; then
	cp "$TB/one.log" "$TB/noread.log" && chmod 000 "$TB/noread.log"
	run noread "$TB/noread.log"
	exit_is noread 1 "a file without read permission: unreadable"
else
	ok 0 "a file without read permission: unreadable # SKIP root reads any file"
fi
tb_done
