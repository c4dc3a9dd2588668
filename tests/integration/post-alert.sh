#!/bin/bash
# A bird_alert line reaches the (emulated) X API exactly once, with the exact
# text and a signature the emulator's independent OAuth implementation
# verified; a line without the keyword is not posted; one connection is
# kept alive for consecutive alerts; proxies in the environment are ignored.
. "$(dirname "$0")/lib.sh"
tb_init
emu_start
write_creds "$TB/omtwitter.cred"
rs_conf <<EOF
if \$msg contains "bird_alert" then {
	action(type="omtwitter" name="alerts" credentials="$TB/omtwitter.cred"
	       endpoint="$EMU_URL" errorfile="$TB/errors.jsonl"
	       queue.type="LinkedList" action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF
# proxies in rsyslogd's environment are ignored: only 'proxy' sets one
# (port 9 on loopback: nothing listens, a request through it fails)
curl -s -m 5 -o /dev/null "$EMU_URL/_emu/health"; ok $? "control: curl(1) reaches the emulator"
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9
! curl -s -m 5 -o /dev/null "$EMU_URL/_emu/health" 2> /dev/null
ok $? "control: with that environment curl(1) cannot reach the emulator (the proxy is used)"
rs_start
unset http_proxy https_proxy ALL_PROXY

ALERT='bird_alert disk full !*'"'"'()+&=%~ é ✓ 日本 "q" \'
send_line "ordinary line, not an alert"
send_line "$ALERT"
wait_for_calls 1 --path /2/tweets
ok $? "the alert reached POST /2/tweets"

send_line "bird_alert second one" "bird_alert third one"
wait_for_calls 3 --path /2/tweets
ok $? "two more alerts arrived"
# the module's digest timer thread blocks signals like rsyslog's workers:
# SIGHUP, SIGINT, SIGTERM and SIGUSR1 are for rsyslogd's main thread
timer_task=$(grep -lx 'omtw:digest' /proc/"$RS_PID"/task/*/comm 2>/dev/null | head -n 1)
[ -n "$timer_task" ]; ok $? "rsyslogd has the module's digest timer thread (omtw:digest)"
sigblk=$(sed -n 's/^SigBlk:[[:space:]]*//p' "$(dirname "${timer_task:-/nonexistent}")/status" 2>/dev/null)
[ -n "$sigblk" ] && [ $(( 0x$sigblk & 0x4203 )) -eq $(( 0x4203 )) ]
ok $? "it blocks SIGHUP, SIGINT, SIGTERM and SIGUSR1 (SigBlk ${sigblk:-unknown})"
rs_stop

n=$(record count --path /2/tweets)
[ "$n" -eq 3 ]; ok $? "exactly three posts, the ordinary line was not posted (got $n)"
[ "$(record get 0 text --path /2/tweets)" = "$ALERT" ]
ok $? "the first post carries the exact alert text" || record show --path /2/tweets | diag
[ "$(record count --path /2/tweets --verified --status 201)" -eq 3 ]
ok $? "every post was signature-verified and accepted (201)"
[ "$(record get 0 method --path /2/tweets)" = "POST" ]; ok $? "sent with POST"
ua=$(record get 0 user_agent --path /2/tweets)
case "$ua" in omtwitter/*) r=0 ;; *) r=1 ;; esac; ok $r "User-Agent is omtwitter/VERSION ($ua)"
clients=$(for i in 0 1 2; do record get $i client --path /2/tweets; done | sort -u | wc -l)
[ "$clients" -eq 1 ]; ok $? "the three posts shared one kept-alive connection"
[ ! -s "$TB/errors.jsonl" ]; ok $? "nothing was written to the errorfile"
log_lacks "$TB/rsyslogd.log" 'omtwitter'
ok $? "no error logged by the module" || diag "$TB/rsyslogd.log"
no_secret "$TB"/*.log "$TB"/*.out
ok $? "no secret in any log"
tb_done
