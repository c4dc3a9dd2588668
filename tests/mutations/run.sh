#!/bin/bash
# run.sh - the mutation check (issue 19): break a critical behaviour one line
# at a time and see that the tests meant to guard it notice.
#
# usage: cd BUILDDIR && bash SRCDIR/tests/mutations/run.sh [--quick] [--keep] [NAME...]
#
#   BUILDDIR  a configured build directory (contrib/setup.sh's, or any
#             ./configure run): its configure options and its source tree
#             are used; neither is changed
#   NAME...   run only these mutations (see tests/mutations/list)
#   --quick   only the entries marked "quick: yes" (a short subset for CI)
#   --keep    keep the scratch directory (kept anyway when a mutation was
#             not caught, for its logs)
#   --list F  another list file (default: list beside this script)
#
# What it does: copies the source tree (the files as they are on disk,
# without .git, the fetched rsyslog tree and build directories) to a
# scratch directory (MUTATION_SCRATCH, default a new /tmp/omtw-mutations.*),
# configures a build there with BUILDDIR's options and builds it once; runs
# every test any chosen mutation names, unmutated (a test that fails
# already proves nothing: its mutations are reported broken); then, for
# each mutation, replaces its text in the scratch copy (the text must occur
# exactly once), rebuilds (make -j1), runs its tests and puts the line back.
# A test fails when it exits non-zero, prints "Bail out!" or a "not ok"
# line that is not a TODO.  Each mutation is reported as
#   caught    a test failed (need "all": every test failed)
#   survived  the tests passed (or, with need "all", one of them did)
#   broken    its text was not found exactly once, it did not compile, or
#             a test of it failed unmutated
# and the last line is "N caught, N survived" (", N broken" if any).
# Exit status: 0 when every mutation run was caught, 1 otherwise, 2 on a
# usage or setup error.
set -u

here=$(cd "$(dirname "$0")" && pwd)
list=$here/list
quick=no
keep=no
names=()
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=yes ;;
	--keep) keep=yes ;;
	--list) list=$2; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) names+=("$1") ;;
	esac
	shift
done

die() { echo "run.sh: $*" >&2; exit 2; }

build=$PWD
[ -x "$build/config.status" ] && [ -f "$build/Makefile" ] ||
	die "run it from a configured build directory (no config.status in $build)"
srcdir=$(sed -n 's/^abs_top_srcdir = //p' "$build/Makefile")
[ -n "$srcdir" ] && [ -f "$srcdir/configure" ] || die "cannot find the source tree of $build"
[ -f "$srcdir/config.status" ] && die "$srcdir is configured in-tree: run it from an out-of-tree build"
PYTHON3=$(sed -n 's/^PYTHON3 = //p' "$build/tests/Makefile")
RSYSLOGD=$(sed -n 's/^RSYSLOGD = //p' "$build/tests/Makefile")
: "${PYTHON3:=python3}" "${RSYSLOGD:=/usr/sbin/rsyslogd}"
[ -f "$list" ] || die "no list $list"

# ---- the list ----
N=0
declare -a M_NAME M_FILE M_FROM M_TO M_WHAT M_TESTS M_NEED M_QUICK
flush() {
	[ -n "${e_name:-}" ] || return 0
	[ -n "${e_file:-}" ] && [ -n "${e_from:-}" ] && [ -n "${e_to+x}" ] && [ -n "${e_tests:-}" ] ||
		die "$list: entry $e_name lacks file, from, to or tests"
	for ((i = 0; i < N; i++)); do
		[ "${M_NAME[$i]}" = "$e_name" ] && die "$list: $e_name twice"
	done
	M_NAME[N]=$e_name M_FILE[N]=$e_file M_FROM[N]=$e_from M_TO[N]=$e_to
	M_WHAT[N]=${e_what:-} M_TESTS[N]=$e_tests M_NEED[N]=${e_need:-any} M_QUICK[N]=${e_quick:-no}
	case ${M_NEED[N]} in any|all) ;; *) die "$list: $e_name: need is any or all" ;; esac
	N=$((N + 1))
	unset e_name e_file e_from e_to e_what e_tests e_need e_quick
}
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case $line in
	'#'*) continue ;;
	*[![:space:]]*) ;;
	*) flush; continue ;;
	esac
	key=${line%%:*}
	[ "$key" != "$line" ] || die "$list:$lineno: not 'key: value'"
	val=${line#*:}
	val=${val#"${val%%[![:space:]]*}"}
	val=${val%"${val##*[![:space:]]}"}
	case $key in
	name|file|from|to|what|tests|need|quick) printf -v "e_$key" '%s' "$val" ;;
	*) die "$list:$lineno: unknown key '$key'" ;;
	esac
done < "$list"
flush

sel=()
if [ ${#names[@]} -gt 0 ]; then
	for n in "${names[@]}"; do
		found=no
		for ((i = 0; i < N; i++)); do
			[ "${M_NAME[$i]}" = "$n" ] && { sel+=("$i"); found=yes; }
		done
		[ $found = yes ] || die "no mutation named $n in $list"
	done
else
	for ((i = 0; i < N; i++)); do
		[ $quick = no ] || [ "${M_QUICK[$i]}" = yes ] && sel+=("$i")
	done
fi
[ ${#sel[@]} -gt 0 ] || die "no mutation chosen"

start=$SECONDS
scratch=${MUTATION_SCRATCH:-$(mktemp -d /tmp/omtw-mutations.XXXXXX)}
mkdir -p "$scratch" || die "cannot create $scratch"
src=$scratch/src bld=$scratch/build logs=$scratch/logs
rm -rf "$src" "$bld" "$logs"
mkdir -p "$src" "$bld" "$logs"
echo "mutations: ${#sel[@]} of $N from $list; scratch $scratch"

# ---- the scratch copy: the source tree as it is on disk ----
excl=(--exclude=./.git --exclude=./.rsyslog-src --exclude=./_build --exclude=./autom4te.cache)
case $build/ in "$srcdir"/*) rel=${build#"$srcdir"/}; excl+=("--exclude=./$rel") ;; esac
# shellcheck disable=SC2094
tar -C "$srcdir" "${excl[@]}" -cf - . | tar -C "$src" -xf - || die "cannot copy $srcdir"
# build directories someone made inside the tree are no source
find "$src" -mindepth 2 -name config.status -printf '%h\n' | while read -r d; do rm -rf "$d"; done

eval "set -- $(cd "$build" && ./config.status --config)"
echo "configure $*" > "$logs/configure.log"
(cd "$bld" && "$src/configure" "$@") >> "$logs/configure.log" 2>&1 ||
	die "configure failed in $bld; see $logs/configure.log"
make -C "$bld" -j1 > "$logs/build.log" 2>&1 || die "the unmutated build failed; see $logs/build.log"

# ---- tests ----
is_built() { case $1 in unit/*|fuzz/*) return 0 ;; esac; return 1; }

build_tests() { # TEST...: the programs among them; logs to $1's log
	local t progs=()
	for t in "$@"; do is_built "$t" && progs+=("$t"); done
	[ ${#progs[@]} -eq 0 ] || make -C "$bld/tests" -j1 "${progs[@]}"
}

# run_test TEST LOG: 0 passed, 1 failed
run_test() {
	local t=$1 log=$2 rc
	(
		cd "$bld/tests" || exit 1
		export OMTW_SRCDIR="$src" OMTW_BUILDDIR="$bld" PYTHON3="$PYTHON3" RSYSLOGD="$RSYSLOGD" \
		       OMTW_MODULE="$bld/plugins/omtwitter/.libs/omtwitter.so"
		case $t in
		unit/*|fuzz/*) exec timeout 300 "./$t" ;;
		*.sh) exec timeout 900 bash "$src/tests/$t" ;;
		*.py) exec timeout 900 "$PYTHON3" "$src/tests/$t" ;;
		*) echo "unknown kind of test: $t"; exit 99 ;;
		esac
	) > "$log" 2>&1 < /dev/null
	rc=$?
	[ $rc -eq 0 ] || return 1
	grep -q '^Bail out!' "$log" && return 1
	grep '^not ok' "$log" | grep -vq '# TODO' && return 1
	return 0
}

logname() { echo "$1" | tr '/' '_'; }

alltests=()
for i in "${sel[@]}"; do
	for t in ${M_TESTS[$i]}; do
		case " ${alltests[*]} " in *" $t "*) ;; *) alltests+=("$t") ;; esac
	done
done
build_tests "${alltests[@]}" > "$logs/build-tests.log" 2>&1 ||
	die "the unmutated tests did not build; see $logs/build-tests.log"
baseline_bad=" "
for t in "${alltests[@]}"; do
	if ! run_test "$t" "$logs/baseline.$(logname "$t").log"; then
		echo "baseline: $t fails without a mutation (see $logs/baseline.$(logname "$t").log)"
		baseline_bad="$baseline_bad$t "
	fi
done
echo "baseline: ${#alltests[@]} tests run unmutated in $((SECONDS - start)) s"

# ---- the mutations ----
caught=0 survived=0 broken=0
results=()
for i in "${sel[@]}"; do
	name=${M_NAME[$i]} file=$src/${M_FILE[$i]}
	t0=$SECONDS
	verdict="" detail=""
	for t in ${M_TESTS[$i]}; do
		case $baseline_bad in *" $t "*) verdict=broken detail="$t fails unmutated" ;; esac
	done
	if [ -z "$verdict" ]; then
		cp -p "$file" "$scratch/original" 2>/dev/null || { verdict=broken detail="no file ${M_FILE[$i]}"; }
	fi
	if [ -z "$verdict" ]; then
		detail=$("$PYTHON3" - "$file" "${M_FROM[$i]}" "${M_TO[$i]}" <<-'PY'
		import sys
		path, old, new = sys.argv[1:4]
		s = open(path, encoding="utf-8").read()
		n = s.count(old)
		if n != 1:
		    print("its text is found %d times in the file, not once" % n)
		    sys.exit(1)
		open(path, "w", encoding="utf-8").write(s.replace(old, new))
		PY
		) || verdict=broken
	fi
	if [ -z "$verdict" ]; then
		if ! { make -C "$bld" -j1 && build_tests ${M_TESTS[$i]}; } > "$logs/$name.build.log" 2>&1; then
			verdict=broken detail="it does not build (see $logs/$name.build.log)"
		fi
	fi
	if [ -z "$verdict" ]; then
		failed=() passed=()
		for t in ${M_TESTS[$i]}; do
			if run_test "$t" "$logs/$name.$(logname "$t").log"; then
				passed+=("$t")
			else
				failed+=("$t")
			fi
		done
		if [ ${#failed[@]} -gt 0 ] && { [ "${M_NEED[$i]}" = any ] || [ ${#passed[@]} -eq 0 ]; }; then
			verdict=caught
		else
			verdict=survived
		fi
		detail="failed: ${failed[*]:-none}; passed: ${passed[*]:-none}"
	fi
	[ -f "$scratch/original" ] && { cp "$scratch/original" "$file"; rm -f "$scratch/original"; touch "$file"; }
	case $verdict in
	caught) caught=$((caught + 1)) ;;
	survived) survived=$((survived + 1)) ;;
	*) broken=$((broken + 1)) ;;
	esac
	printf '%-9s %-30s %s (%s s)\n' "$verdict" "$name" "$detail" $((SECONDS - t0))
	results+=("$verdict")
done

echo "time: $((SECONDS - start)) s"
if [ $survived -gt 0 ] || [ $broken -gt 0 ] || [ $keep = yes ]; then
	echo "scratch kept: $scratch (logs in $logs)"
else
	rm -rf "$scratch"
fi
summary="$caught caught, $survived survived"
[ $broken -gt 0 ] && summary="$summary, $broken broken"
echo "$summary"
[ $survived -eq 0 ] && [ $broken -eq 0 ]
