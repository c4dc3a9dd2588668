#!/bin/bash
# replay.sh with every run of omtwitter-replay under valgrind: a memory
# error or a leak exits 99, which no check expects.
REPLAY_PREFIX="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
. "$(dirname "$0")/replay.sh"
