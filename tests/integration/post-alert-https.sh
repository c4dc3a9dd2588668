#!/bin/bash
# Over HTTPS with a test CA: with the right CA the alert is posted (and
# verified); with a wrong CA nothing is posted, a TLS verification error is
# logged, and the alert waits instead of being lost.
. "$(dirname "$0")/lib.sh"
tb_init
make_ca "$TB/tls" good
make_ca "$TB/tls" other
emu_start --https "$TB/tls/good-server.pem" "$TB/tls/good-server.key"
write_creds "$TB/omtwitter.cred"

# 1. the right CA
rs_conf <<EOF
if \$msg contains "bird_alert" then {
	action(type="omtwitter" name="alerts" credentials="$TB/omtwitter.cred"
	       endpoint="$EMU_URL" tls.cacert="$TB/tls/good-ca.pem"
	       queue.type="LinkedList" action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF
rs_start
send_line "bird_alert over TLS é"
wait_for_calls 1 --path /2/tweets
ok $? "an alert reached the HTTPS emulator"
rs_stop
[ "$(record count --path /2/tweets --verified --status 201)" -eq 1 ]
ok $? "exactly one post, signature verified against the https:// base URL"
[ "$(record get 0 text --path /2/tweets)" = "bird_alert over TLS é" ]
ok $? "with the exact text"

# 2. a CA that did not sign the server's certificate
rs_conf <<EOF
if \$msg contains "bird_alert" then {
	action(type="omtwitter" name="wrongca" credentials="$TB/omtwitter.cred"
	       endpoint="$EMU_URL" tls.cacert="$TB/tls/other-ca.pem"
	       queue.type="LinkedList" action.resumeRetryCount="-1" action.resumeInterval="1")
}
EOF
rs_start
send_line "bird_alert must not pass a wrong CA"
i=0
while ! grep -q 'omtwitter\[wrongca\]' "$TB/rsyslogd.log" 2>/dev/null && [ $i -lt 150 ]; do
	sleep 0.1; i=$((i + 1))
done
sleep 1 # a few retries happen meanwhile
rs_stop
[ "$(record count --path /2/tweets)" -eq 1 ]
ok $? "no request reached the server through a wrong CA"
grep -q 'omtwitter\[wrongca\]: cannot deliver to https://127.0.0.1:[0-9]*: TLS certificate verification failed: SSL certificate problem' "$TB/rsyslogd.log"
ok $? "the log names the action and the TLS verification failure" || diag "$TB/rsyslogd.log"
[ "$(grep -c 'omtwitter\[wrongca\]: cannot deliver' "$TB/rsyslogd.log")" -eq 1 ]
ok $? "the cause is logged once, not once per retry"
tb_done
