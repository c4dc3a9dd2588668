#!/bin/bash
# A module built for another rsyslog version refuses to load (issue #13):
# rsyslog's loader checks no version, and its interfaces change between
# releases.  The build tree holds omtwitter_otherversion.so, the same
# module compiled as if for rsyslog 8.1901.0; the real rsyslogd must refuse
# it with a message that names both versions and the fix, and must load the
# real module, built for its own version, without a word about versions.
. "$(dirname "$0")/lib.sh"
tb_init
write_creds "$TB/good.cred"
running=$("$RSYSLOGD" -v | sed -n '1s/^rsyslogd[[:space:]]*\([0-9.]*\).*/\1/p')
[ -n "$running" ] || bail "cannot read the version from $RSYSLOGD -v"
other="$(dirname "$OMTW_MODULE")/omtwitter_otherversion.so"
[ -f "$other" ] || bail "$other is not built"

# n1 NAME MODULE: rsyslogd -N1 with one omtwitter action loaded from MODULE
n1() {
	cat > "$TB/$1.conf" <<-CONF
	global(workDirectory="$TB")
	module(load="$2")
	action(type="omtwitter" name="$1" credentials="$TB/good.cred" endpoint="http://127.0.0.1:9")
	CONF
	"$RSYSLOGD" -N1 -f "$TB/$1.conf" > "$TB/$1.out" 2>&1
}

n1 same "$OMTW_MODULE"
ok $? "the module built for rsyslog $running loads into rsyslogd $running" || diag "$TB/same.out"
grep -q "config validation run" "$TB/same.out" && ! grep -q 'built for rsyslog' "$TB/same.out"
ok $? "and says nothing about versions" || diag "$TB/same.out"

n1 other "$other"
rc=$?
[ $rc -ne 0 ]; ok $? "a module built for rsyslog 8.1901.0 is refused (exit $rc)" || diag "$TB/other.out"
grep -qF "omtwitter: this module was built for rsyslog 8.1901.0 but is loaded into rsyslogd $running;" "$TB/other.out"
ok $? "the message names both versions" || diag "$TB/other.out"
grep -qF "Fix: rebuild omtwitter against the rsyslog $running source" "$TB/other.out"
ok $? "and the fix" || diag "$TB/other.out"
grep -q "could not load module '$other'" "$TB/other.out"
ok $? "rsyslogd reports the module as not loaded" || diag "$TB/other.out"
tb_done
