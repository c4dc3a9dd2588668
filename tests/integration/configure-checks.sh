#!/bin/bash
# configure refuses a missing, unconfigured, mismatched or debug-built
# rsyslog tree and says exactly what to run.
. "$(dirname "$0")/lib.sh"
tb_init

# try_configure NAME TREE-ARG EXPECTED-TEXT
try_configure() {
	mkdir -p "$TB/$1"
	(cd "$TB/$1" && "$OMTW_SRCDIR/configure" $2 > out 2>&1)
	[ $? -ne 0 ]; ok $? "$1: configure stops"
	grep -qF -- "$3" "$TB/$1/out"; ok $? "$1: it says '$3'" || tail -n 3 "$TB/$1/out" | diag
	grep -qF "contrib/get-rsyslog-source.sh" "$TB/$1/out"
	ok $? "$1: it names the script to run" || tail -n 3 "$TB/$1/out" | diag
}

version=$("$RSYSLOGD" -v | sed -n '1s/^rsyslogd *\([0-9.]*\).*/\1/p')

try_configure no-tree "" "--with-rsyslog-source=DIR is required"
try_configure missing-dir "--with-rsyslog-source=$TB/nonexistent" "is not a configured rsyslog source tree"

mkdir -p "$TB/unconfigured/runtime"
touch "$TB/unconfigured/runtime/module-template.h"
try_configure unconfigured-tree "--with-rsyslog-source=$TB/unconfigured" "is not a configured rsyslog source tree"

mkdir -p "$TB/other-version/runtime"
touch "$TB/other-version/runtime/module-template.h"
printf '#define VERSION "8.2404.0"\n#define NDEBUG 1\n' > "$TB/other-version/config.h"
try_configure other-version "--with-rsyslog-source=$TB/other-version" \
	"the rsyslog tree is version '8.2404.0' but the installed rsyslogd is $version"

mkdir -p "$TB/debug-tree/runtime"
touch "$TB/debug-tree/runtime/module-template.h"
printf '#define VERSION "%s"\n' "$version" > "$TB/debug-tree/config.h"
try_configure debug-tree "--with-rsyslog-source=$TB/debug-tree" "does not define NDEBUG"
tb_done
