#!/bin/bash
# shaping.sh with rsyslogd (and the module) under valgrind: threads, hostile
# bytes, defanging, DMs and a resumed thread, checked for memory errors and
# leaks.
RS_VALGRIND=yes TB_TIMEOUT=90
. "$(dirname "$0")/shaping.sh"
