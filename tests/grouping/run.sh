#!/bin/sh
# Grouping accuracy of plugins/omtwitter/incidents.c on every labelled set
# in tests/grouping/data: a markdown table and the average GA.
#   tests/grouping/run.sh [-s similarity]   (default: INCIDENTS_SIMILARITY_DEFAULT)
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${TMPDIR:-/tmp}/grouping_accuracy.$$
trap 'rm -f "$bin"' EXIT
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -I"$top/plugins/omtwitter" \
	"$here/grouping_accuracy.c" "$top/plugins/omtwitter/incidents.c" -o "$bin" || exit 1
echo "| set | lines | templates | incidents | GA |"
echo "|---|---:|---:|---:|---:|"
"$bin" "$@" "$here"/data/*.tsv | awk '
	/ GA / { sub(/\.tsv$/, "", $1); printf "| %s | %s | %s | %s | %s |\n", $1, $3, $5, $7, $9; sum += $9; n++ }
	END { if (n) printf "| **average** | | | | **%.3f** |\n", sum / n }'
exit 0
