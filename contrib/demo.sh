#!/bin/sh
# demo.sh - the README's demo: install, build, then post one alert through a
# real rsyslogd to the local X API emulator and show what it received.
set -eu
srcdir=$(cd "$(dirname "$0")/.." && pwd)
"$srcdir/contrib/setup.sh"
exec "$srcdir/contrib/demo-run.sh" "$srcdir/_build"
