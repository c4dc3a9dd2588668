#!/bin/bash
# secrets.sh with rsyslogd (and the module) under valgrind, debug output on:
# the error paths (400, 401, HUP with a new file) checked for memory errors
# and leaks as well as for secrets.
RS_VALGRIND=yes TB_TIMEOUT=90
. "$(dirname "$0")/secrets.sh"
