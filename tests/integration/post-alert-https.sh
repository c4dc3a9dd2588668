#!/bin/bash
# Over HTTPS with a test CA: with the right CA alerts are posted (and
# verified) over one TLS connection; with a wrong CA, an expired server
# certificate or one for another host name nothing is sent, the cause is
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
send_line "bird_alert over TLS é" "bird_alert two" "bird_alert three"
wait_for_calls 3 --path /2/tweets
ok $? "alerts reached the HTTPS emulator"
rs_stop
[ "$(record count --path /2/tweets --verified --status 201)" -eq 3 ]
ok $? "three posts, signatures verified against the https:// base URL"
[ "$(record get 0 text --path /2/tweets)" = "bird_alert over TLS é" ]
ok $? "with the exact text"
clients=$(for i in 0 1 2; do record get $i client --path /2/tweets; done | sort -u | wc -l)
[ "$clients" -eq 1 ]; ok $? "the three posts used one TLS connection (one handshake)"

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
wait_for_log 'omtwitter\[wrongca\]'
sleep 1 # a few retries happen meanwhile
rs_stop
[ "$(record count --path /2/tweets)" -eq 3 ]
ok $? "no request reached the server through a wrong CA"
grep -q 'omtwitter\[wrongca\]: cannot deliver to https://127.0.0.1:[0-9]*: TLS certificate verification failed: SSL certificate problem' "$TB/rsyslogd.log"
ok $? "the log names the action and the TLS verification failure" || diag "$TB/rsyslogd.log"
[ "$(grep -c 'omtwitter\[wrongca\]: cannot deliver' "$TB/rsyslogd.log")" -eq 1 ]
ok $? "the cause is logged once, not once per retry"

# 3. and 4.: the right CA, but the server's certificate has expired, or was
# issued for another host name; the emulator is restarted with it
# tls_refused NAME CERT LOG-PATTERN
tls_refused() {
	emu_stop
	emu_start --https "$TB/tls/$2.pem" "$TB/tls/$2.key"
	rs_conf <<-EOF
	if \$msg contains "bird_alert" then {
		action(type="omtwitter" name="$1" credentials="$TB/omtwitter.cred"
		       endpoint="$EMU_URL" tls.cacert="$TB/tls/good-ca.pem"
		       queue.type="LinkedList" action.resumeRetryCount="-1" action.resumeInterval="1")
	}
	EOF
	before=$(record count --path /2/tweets)
	rs_start
	send_line "bird_alert must not pass: $1"
	wait_for_log "omtwitter\[$1\]"
	sleep 1
	rs_stop
	[ "$(record count --path /2/tweets)" -eq "$before" ]
	ok $? "$1: no request reached the server"
	grep -q "omtwitter\[$1\]: cannot deliver to https://127.0.0.1:[0-9]*: TLS certificate verification failed: .*$3" "$TB/rsyslogd.log"
	ok $? "$1: the log names the cause ($3)" || grep "omtwitter\[$1\]" "$TB/rsyslogd.log" | diag
}
server_cert "$TB/tls" good expired "IP:127.0.0.1,DNS:localhost" -1
tls_refused expired expired "certificate has expired"
server_cert "$TB/tls" good otherhost "DNS:otherhost.example" 2
# curl 7.88 says "target host name", 8.14 "target ipv4 address '127.0.0.1'"
tls_refused otherhost otherhost "no alternative certificate subject name matches target"
tb_done
