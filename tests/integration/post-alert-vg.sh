#!/bin/bash
# post-alert.sh with rsyslogd (and the module) under valgrind.
RS_VALGRIND=yes TB_TIMEOUT=90
. "$(dirname "$0")/post-alert.sh"
