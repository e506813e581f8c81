#!/usr/bin/env bash
# The lifecycle stress tests against a shim built with AddressSanitizer, in JVMs that preload libasan.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/asan_stress.sh [--keep] [mvn arguments...]    (as root, with hugepages: scripts/setup_env.sh)

  1. builds libdpdkj.so with AddressSanitizer   mvn -Ddpdkj.sanitize=address
  2. runs, in test JVMs started through a launcher that preloads the libasan the shim links:
       LifecycleStressDpdkTest   dpdk-java-api: stats, link, xstats, pools, JMX, meters read
                                 on three threads while pools are freed and the echo closes
       OwnershipDpdkTest         dpdk-java-api: ports and queues closed under running loops,
                                 launches racing port closes
       TelemetryStressDpdkTest   dpdk-stats-cli: /l2echo/lcores and /ethdev/stats,0 read over
                                 telemetry while the echo stops and the EAL closes, a JVM per
                                 iteration (they inherit the preload)
  3. builds the normal shim again; --keep leaves the ASan one in dpdk-jni-native/target

ASan instruments the shim's own code and sees what libc allocates; DPDK's libraries and its heap
(rte_malloc, hugepages) are not instrumented, so a freed rte_malloc block read by the shim goes
unseen (the stress tests' own checks look for that). An error ends the process that hit it with
status 1 and writes its report to target/asan/asan.PID; the script prints every report and exits 1
if there is one, else mvn's status. Extra arguments go to mvn, e.g.
  scripts/asan_stress.sh -Dl2echo.telemetryStress.iterations=20
USAGE
}

keep=false
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  --keep) keep=true; shift ;;
esac

say() { echo "asan_stress: $*"; }
die() { say "$*" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=$ROOT/target/asan
SHIM=$ROOT/dpdk-jni-native/target/classes/META-INF/native/linux-$(uname -m)/libdpdkj.so

(( EUID == 0 )) || say "warning: not root: the stress tests need root and hugepages (sudo $0)"

restore() {
  say "building the normal shim again (mvn -Ddpdkj.sanitize=)"
  mvn -B -q -pl dpdk-jni-native -am verify -DskipTests -Ddpdkj.sanitize= >/dev/null \
    || say "the normal shim did not build: run mvn -B -pl dpdk-jni-native -am verify to see why"
}
$keep || trap restore EXIT

say "[1/2] building the shim with AddressSanitizer"
mvn -B -q -pl dpdk-jni-native -am verify -DskipTests -Ddpdkj.sanitize=address
# The libasan the shim was linked against: the one to preload (it must be the process's first library).
libasan=$(ldd "$SHIM" | awk '/libasan/ { print $3 }')
[[ -n "$libasan" && -f "$libasan" ]] || die "$SHIM does not link libasan: was it built with -Ddpdkj.sanitize=address?"

# Surefire takes another java through -Djvm, a path that must end in bin/java.
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
mkdir -p "$OUT/jdk/bin"
rm -f "$OUT"/asan.*
# detect_leaks=0: LeakSanitizer's check at exit dies in a JVM ("Tracer caught signal 11") and
#   would list the JVM's own allocations anyway.
# handle_segv=0, handle_sigbus=0, handle_sigfpe=0, allow_user_segv_handler=1: those signals are
#   the JVM's (implicit null checks, stack banging, division by zero in compiled code); a crash in
#   native code is then the JVM's hs_err report, not ASan's.
# log_path: a report per process, kept apart from the test output.
# -Ddpdkj.library (through JAVA_TOOL_OPTIONS, so the JVMs the tests start get it too): the shim is
#   loaded where it was built, not from a temp copy deleted once loaded, so the reports name its
#   functions and lines.
cat > "$OUT/jdk/bin/java" <<LAUNCHER
#!/bin/sh
# Written by scripts/asan_stress.sh: the JVM with libasan preloaded.
LD_PRELOAD="$libasan\${LD_PRELOAD:+:\$LD_PRELOAD}" \\
ASAN_OPTIONS="detect_leaks=0:handle_segv=0:handle_sigbus=0:handle_sigfpe=0:allow_user_segv_handler=1:log_path=$OUT/asan\${ASAN_OPTIONS:+:\$ASAN_OPTIONS}" \\
JAVA_TOOL_OPTIONS="-Ddpdkj.library=$SHIM\${JAVA_TOOL_OPTIONS:+ \$JAVA_TOOL_OPTIONS}" \\
exec "$java_home/bin/java" "\$@"
LAUNCHER
chmod +x "$OUT/jdk/bin/java"

say "[2/2] LifecycleStressDpdkTest, OwnershipDpdkTest and TelemetryStressDpdkTest with $libasan preloaded"
rc=0
mvn -B -q -pl dpdk-java-api,dpdk-stats-cli -am verify -Ddpdkj.sanitize=address -Djvm="$OUT/jdk/bin/java" \
  -Dtest=LifecycleStressDpdkTest,OwnershipDpdkTest,TelemetryStressDpdkTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=none -Dfailsafe.failIfNoSpecifiedTests=false "$@" || rc=$?

shopt -s nullglob
reports=("$OUT"/asan.*)
if (( ${#reports[@]} > 0 )); then
  for report in "${reports[@]}"; do
    say "AddressSanitizer report $report:"
    cat "$report"
  done
  say "FAILED: ${#reports[@]} AddressSanitizer report(s), above"
  exit 1
fi
if (( rc == 0 )); then
  say "passed: no AddressSanitizer report"
else
  say "mvn failed (status $rc) without an AddressSanitizer report: the first error above says where"
fi
exit "$rc"
