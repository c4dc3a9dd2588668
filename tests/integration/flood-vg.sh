#!/bin/bash
# flood.sh with rsyslogd (and the module) under valgrind: the digest timer
# thread, admission and the state file, checked for memory
# errors and leaks across a restart.
RS_VALGRIND=yes TB_TIMEOUT=120 SAME_N=2000 SAME_DIGEST=15
. "$(dirname "$0")/flood.sh"
