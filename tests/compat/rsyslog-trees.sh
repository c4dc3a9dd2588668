#!/bin/bash
# The module compiles with -Werror under gcc and clang against the rsyslog
# of every Debian release it supports, not only the installed one, and in a
# macro style that also compiles against rsyslog 8.2508 and later (#13).
#
# OMTW_RSYSLOG_TREES: the configured trees to check, by default every
# .rsyslog-src/rsyslog-*/ that is configured; contrib/run-tests.sh first
# fetches Debian 12's (8.2302.0) and Debian 13's (8.2504.0).  For each tree
# a copy of its module-template.h rewritten into the 8.2508 style
# (compat/new-style-header.py) is checked too.  Two controls show that the
# checks can fail: old-style code against the new-style header, and a ';'
# between the query blocks against the real header.
. "$(dirname "$0")/../integration/lib.sh"
tb_init
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
trees=${OMTW_RSYSLOG_TREES:-$(for d in "$OMTW_SRCDIR"/.rsyslog-src/rsyslog-*/; do
	[ -f "$d/.omtwitter-configured" ] && echo "${d%/}"; done)}
version() { sed -n 's/^#define VERSION "\(.*\)"$/\1/p' "$1/config.h"; }
mod="$OMTW_BUILDDIR/plugins/omtwitter"

for want in 8.2302.0 8.2504.0; do
	found=no
	for t in $trees; do [ "$(version "$t")" = "$want" ] && found=yes; done
	[ $found = yes ]; ok $? "a configured rsyslog $want tree is at hand (Debian $([ $want = 8.2302.0 ] && echo 12 || echo 13))"
done

# compile NAME TREE CC [make args...]: make compile-check, its output in $TB/NAME.log
compile() {
	n=$1 t=$2 cc=$3
	shift 3
	make -s -C "$mod" compile-check TREE="$t" CHECK_CC="$cc" "$@" > "$TB/$n.log" 2>&1
}

for t in $trees; do
	v=$(version "$t")
	for cc in gcc clang; do
		compile "$v-$cc" "$t" "$cc"
		ok $? "$cc -Werror: the module compiles against rsyslog $v" || diag "$TB/$v-$cc.log"
	done
	mkdir -p "$TB/new-$v"
	"$PYTHON3" "$OMTW_SRCDIR/tests/compat/new-style-header.py" "$t/runtime/module-template.h" \
		"$TB/new-$v/module-template.h" 2> "$TB/new-$v.log"
	ok $? "rsyslog $v's module-template.h rewritten into the 8.2508 macro style" || diag "$TB/new-$v.log"
	for cc in gcc clang; do
		compile "new-$v-$cc" "$t" "$cc" CHECK_INCLUDES="-I$TB/new-$v"
		ok $? "$cc -Werror: the module compiles against it (rsyslog $v, 8.2508-style macros)" ||
			diag "$TB/new-$v-$cc.log"
	done
done

# the controls, against the first tree
t=$(echo "$trees" | head -n 1)
v=$(version "$t")
src="$OMTW_SRCDIR/plugins/omtwitter/omtwitter.c"
mkdir -p "$TB/old-style" "$TB/extra-semi"
sed 's/^CODESTARTmodInit;$/CODESTARTmodInit/' "$src" > "$TB/old-style/omtwitter.c"
! cmp -s "$src" "$TB/old-style/omtwitter.c"; ok $? "control: a copy written in the old style (CODESTARTmodInit without ';')"
compile old-style "$t" gcc CHECK_SRC="$TB/old-style/omtwitter.c" \
	CHECK_INCLUDES="-I$TB/new-$v -I$OMTW_SRCDIR/plugins/omtwitter"
[ $? -ne 0 ] && grep -q "error: expected" "$TB/old-style.log"
ok $? "control: it does not compile against the 8.2508-style header" || diag "$TB/old-style.log"
sed 's/^CODEqueryEtryPt_doHUP$/&;/' "$src" > "$TB/extra-semi/omtwitter.c"
! cmp -s "$src" "$TB/extra-semi/omtwitter.c"; ok $? "control: a copy with a ';' between two query blocks"
compile extra-semi "$t" gcc CHECK_SRC="$TB/extra-semi/omtwitter.c" CHECK_INCLUDES="-I$OMTW_SRCDIR/plugins/omtwitter"
[ $? -ne 0 ] && grep -q "without a previous" "$TB/extra-semi.log"
ok $? "control: it does not compile against rsyslog $v's own header" || diag "$TB/extra-semi.log"
tb_done
