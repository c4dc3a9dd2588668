#!/bin/bash
# faults.sh with rsyslogd (and the module) under valgrind: every retry,
# suspension, reconnect, HUP and the restart with a disk queue, checked for
# memory errors and leaks.
RS_VALGRIND=yes TB_TIMEOUT=120
. "$(dirname "$0")/faults.sh"
