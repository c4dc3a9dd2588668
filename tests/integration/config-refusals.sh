#!/bin/bash
# `rsyslogd -N1` (config check) refuses every bad omtwitter configuration
# with a message that names the action, the parameter and the fix, and
# accepts a good one.
. "$(dirname "$0")/lib.sh"
tb_init
write_creds "$TB/good.cred"

# check_conf NAME WANT-EXIT 'ACTION-PARAMS' [EXPECTED-TEXT]
check_conf() {
	# GLOBAL="" (set but empty) leaves the work directory out
	global="global(workDirectory=\"$TB\")"
	[ -n "${GLOBAL+set}" ] && global=$GLOBAL
	cat > "$TB/$1.conf" <<-EOF
	$global
	module(load="$OMTW_MODULE")
	# another, valid action: the refusal must not depend on omtwitter being the only one
	action(type="omfile" file="$TB/other.log")
	action(type="omtwitter" name="$1" $3)
	EOF
	"$RSYSLOGD" -N1 -f "$TB/$1.conf" > "$TB/$1.out" 2>&1
	rc=$?
	if [ "$2" -eq 0 ]; then
		[ $rc -eq 0 ]; ok $? "$1: accepted (exit $rc)" || diag "$TB/$1.out"
	else
		[ $rc -ne 0 ]; ok $? "$1: refused (exit $rc)" || diag "$TB/$1.out"
		grep -qF -- "$4" "$TB/$1.out"
		ok $? "$1: says '$4'" || diag "$TB/$1.out"
	fi
	! grep -qE 'tbConsumerSecret|tbAccessTokenSecret' "$TB/$1.out"
	ok $? "$1: no secret in the output"
}

check_conf good 0 "credentials=\"$TB/good.cred\" endpoint=\"http://127.0.0.1:9\""
check_conf default-endpoint 0 "credentials=\"$TB/good.cred\""

check_conf missing-credentials-param 1 "" "parameter 'credentials' required but not specified"
check_conf missing-file 1 "credentials=\"$TB/nonexistent.cred\"" \
	"omtwitter[missing-file]: parameter 'credentials': cannot open credentials file $TB/nonexistent.cred: No such file or directory"

write_creds "$TB/world.cred" 0644
check_conf world-readable 1 "credentials=\"$TB/world.cred\"" \
	"has mode 0644, which lets other users access it; refusing to use it (fix: chmod 0600 $TB/world.cred"
write_creds "$TB/groupw.cred" 0660
check_conf group-writable 1 "credentials=\"$TB/groupw.cred\"" "which lets its group modify it"

printf 'consumer_key=a\nconsumer_secret=tbConsumerSecret-x\naccess_token=c\n' > "$TB/partial.cred"
chmod 0600 "$TB/partial.cred"
check_conf missing-key 1 "credentials=\"$TB/partial.cred\"" "lacks 'access_token_secret' (write it with omtwitter-auth)"

check_conf bad-url 1 "credentials=\"$TB/good.cred\" endpoint=\"not a url\"" \
	"omtwitter[bad-url]: parameter 'endpoint': endpoint 'not a url' is not a valid URL"
check_conf plain-http-remote 1 "credentials=\"$TB/good.cred\" endpoint=\"http://api.x.com\"" \
	"plain http is only allowed to a loopback host"
check_conf api-path 1 "credentials=\"$TB/good.cred\" endpoint=\"https://api.x.com/2\"" \
	"omtwitter[api-path]: parameter 'endpoint': endpoint 'https://api.x.com/2' must not name an API path ('/2'): give the API's base URL, e.g. https://api.x.com"
check_conf bad-proxy 1 "credentials=\"$TB/good.cred\" proxy=\"ftp://user:pr0xyPassw0rd@proxy.example\"" \
	"omtwitter[bad-proxy]: parameter 'proxy': proxy scheme 'ftp' is not one of http, https"
! grep -q pr0xyPassw0rd "$TB/bad-proxy.out"; ok $? "bad-proxy: the proxy's password is not repeated"
check_conf good-proxy 0 "credentials=\"$TB/good.cred\" proxy=\"socks5h://127.0.0.1:1080\""
check_conf bad-scheme 1 "credentials=\"$TB/good.cred\" endpoint=\"ftp://api.x.com\"" "scheme must be https"
check_conf unknown-param 1 "credentials=\"$TB/good.cred\" colour=\"blue\"" "parameter 'colour' not known"
check_conf bad-timeout 1 "credentials=\"$TB/good.cred\" timeout=\"0\"" \
	"parameter 'timeout' must be a positive number of milliseconds"
check_conf missing-cacert 1 "credentials=\"$TB/good.cred\" tls.cacert=\"$TB/none.pem\"" \
	"parameter 'tls.cacert': cannot read '$TB/none.pem'"
check_conf dm-ok 0 "credentials=\"$TB/good.cred\" mode=\"dm\" recipient=\"1234567890\""
check_conf dm-no-recipient 1 "credentials=\"$TB/good.cred\" mode=\"dm\"" \
	"mode=\"dm\" needs parameter 'recipient': the numeric user id"
check_conf dm-handle 1 "credentials=\"$TB/good.cred\" mode=\"dm\" recipient=\"@someone\"" \
	"parameter 'recipient': '@someone' is not a numeric user id (1 to 19 digits); X sends direct messages to ids only: look it up with omtwitter-auth --verify FILE --dm-to @someone"
check_conf recipient-without-dm 1 "credentials=\"$TB/good.cred\" recipient=\"123\"" \
	"parameter 'recipient' is only used with mode=\"dm\""
check_conf bad-mode 1 "credentials=\"$TB/good.cred\" mode=\"sms\"" \
	"parameter 'mode': 'sms' is not one of tweet, dm"
check_conf bad-split 1 "credentials=\"$TB/good.cred\" split=\"wrap\"" \
	"parameter 'split': 'wrap' is not one of thread, truncate"
check_conf bad-urls 1 "credentials=\"$TB/good.cred\" urls=\"drop\"" \
	"parameter 'urls': 'drop' is not one of defang, keep"
check_conf bad-maxparts 1 "credentials=\"$TB/good.cred\" maxparts=\"26\"" \
	"parameter 'maxparts' must be between 1 and 25"
check_conf bad-maxlength 1 "credentials=\"$TB/good.cred\" maxlength=\"5\"" \
	"parameter 'maxlength' must be between 10 and 25000"
check_conf keep-too-short 1 "credentials=\"$TB/good.cred\" urls=\"keep\" maxlength=\"39\"" \
	"with urls=\"keep\" parameter 'maxlength' must be at least 40"

# a typo in a parameter's name: rsyslog's own refusal, and the module's hint
check_conf typo 1 "credentials=\"$TB/good.cred\" maxlenght=\"200\"" \
	"omtwitter[typo]: parameter 'maxlenght' is not known; did you mean 'maxlength'?"
grep -qF "parameter 'maxlenght' not known -- typo in config file?" "$TB/typo.out"
ok $? "typo: rsyslog's own message is there too"
check_conf queue-typo 1 "credentials=\"$TB/good.cred\" queue.typ=\"Disk\"" \
	"parameter 'queue.typ' not known -- typo in config file?"
! grep -q "did you mean" "$TB/queue-typo.out"
ok $? "queue-typo: the core's queue parameters get no hint from the module"

# grouping into incidents
check_conf group-ok 0 "credentials=\"$TB/good.cred\" group=\"exact\" group.similarity=\"0.75\""
check_conf bad-group 1 "credentials=\"$TB/good.cred\" group=\"fuzzy\"" \
	"parameter 'group': 'fuzzy' is not one of template, exact"
check_conf bad-similarity 1 "credentials=\"$TB/good.cred\" group.similarity=\"1.5\"" \
	"parameter 'group.similarity': '1.5' is not a number from 0 to 1"
check_conf similarity-comma 1 "credentials=\"$TB/good.cred\" group.similarity=\"0,5\"" \
	"parameter 'group.similarity': '0,5' is not a number from 0 to 1"

check_conf pace-ok 0 "credentials=\"$TB/good.cred\" budget.pace=\"on\" digest.repeat=\"0\""
check_conf bad-pace 1 "credentials=\"$TB/good.cred\" budget.pace=\"yes\"" \
	"parameter 'budget.pace': 'yes' is not one of on, off"
check_conf bad-repeat 1 "credentials=\"$TB/good.cred\" digest.repeat=\"-1\"" \
	"parameter 'digest.repeat' must be between 0 and 604800 seconds"

# flood control
check_conf flood-ok 0 "credentials=\"$TB/good.cred\" dedup.window=\"0\" ratelimit.interval=\"0\"
	ratelimit.burst=\"100000\" budget.daily=\"0\" digest.interval=\"1\" dedup.maxentries=\"1\""
check_conf bad-window 1 "credentials=\"$TB/good.cred\" dedup.window=\"-1\"" \
	"omtwitter[bad-window]: parameter 'dedup.window' must be between 0 and 604800 seconds (0: no dedup)"
check_conf bad-burst 1 "credentials=\"$TB/good.cred\" ratelimit.burst=\"0\"" \
	"parameter 'ratelimit.burst' must be between 1 and 100000 posts"
check_conf bad-interval 1 "credentials=\"$TB/good.cred\" ratelimit.interval=\"-5\"" \
	"parameter 'ratelimit.interval' must be between 0 and 604800 seconds (0: no local limit)"
check_conf bad-daily 1 "credentials=\"$TB/good.cred\" budget.daily=\"100001\"" \
	"parameter 'budget.daily' must be between 0 and 100000 posts (0: no daily cap)"
check_conf bad-digest 1 "credentials=\"$TB/good.cred\" digest.interval=\"0\"" \
	"parameter 'digest.interval' must be between 1 and 604800 seconds"
check_conf bad-maxentries 1 "credentials=\"$TB/good.cred\" dedup.maxentries=\"0\"" \
	"parameter 'dedup.maxentries' must be between 1 and 80000 alerts"
check_conf bad-sync 1 "credentials=\"$TB/good.cred\" statefile.sync=\"60001\"" \
	"parameter 'statefile.sync' must be between 0 and 60000 milliseconds"
check_conf bad-dedup-key 1 "credentials=\"$TB/good.cred\" dedup.key=\"no_such_template\"" \
	"no_such_template"
GLOBAL="" check_conf no-workdir 1 "credentials=\"$TB/good.cred\"" \
	"omtwitter[no-workdir]: flood control keeps its state in rsyslog's work directory: set global(workDirectory="
GLOBAL="" check_conf absolute-statefile 0 "credentials=\"$TB/good.cred\" statefile=\"$TB/alerts.state\""
GLOBAL="" check_conf statefile-no-dir 1 "credentials=\"$TB/good.cred\" statefile=\"$TB/no-such-dir/alerts.state\"" \
	"omtwitter[statefile-no-dir]: parameter 'statefile': $TB/no-such-dir/alerts.state is in $TB/no-such-dir, which cannot be used (No such file or directory): create the directory"
: > "$TB/a-file"
GLOBAL="" check_conf statefile-dir-is-file 1 "credentials=\"$TB/good.cred\" statefile=\"$TB/a-file/alerts.state\"" \
	"$TB/a-file/alerts.state is in $TB/a-file, which cannot be used (not a directory)"
# the errorfile (by default beside the state file) must not be where others can write
mkdir -p "$TB/public" && chmod 1777 "$TB/public"
check_conf errorfile-public 1 "credentials=\"$TB/good.cred\" errorfile=\"$TB/public/refused.jsonl\"" \
	"omtwitter[errorfile-public]: parameter 'errorfile': $TB/public/refused.jsonl is in $TB/public, a directory other users can write to (mode 1777)"
GLOBAL="global(workDirectory=\"$TB/public\")" check_conf errorfile-default-public 1 "credentials=\"$TB/good.cred\"" \
	"parameter 'errorfile': $TB/public/omtwitter-errorfile-default-public.errors.jsonl is in $TB/public, a directory other users can write to"
GLOBAL="global(workDirectory=\"$TB/public\")" check_conf errorfile-off-public 0 "credentials=\"$TB/good.cred\" errorfile=\"\""
check_conf same-statefile 1 "credentials=\"$TB/good.cred\")
	action(type=\"omtwitter\" name=\"same-statefile\" credentials=\"$TB/good.cred\"" \
	"action 'same-statefile' already keeps its flood state in $TB/omtwitter-same-statefile.state: give each action its own name"
tb_done
