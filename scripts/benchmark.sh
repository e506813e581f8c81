#!/usr/bin/env bash
# The benchmark command: our echo beside dpdk-testpmd's macswap and beside itself under an
# allocation storm, one generator, one run, written to docs/BENCHMARKS.md with plots.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: sudo scripts/benchmark.sh [--quick] [--rebuild] [l2bench options]
       sudo scripts/benchmark.sh --soak [--minutes M | --seconds S] [--trial-seconds S] [--rate PPS]
                                 [--output FILE]

  --quick            tiny trials (well under a minute) into target/benchmark-quick/: proves the
                     harness works, as CI runs it; the numbers mean little
  --rebuild          rebuild the jars even when they look current
  l2bench options    --output FILE, --repeats N, --rates PPS,PPS, --size BYTES
  --soak             instead of the comparison: l2echo at a steady rate (20,000 pps) for 10
                     minutes in 10 s trials, into docs/SOAK.md: no loss, every mbuf back, no
                     heap or native memory growth (CI runs a 20 s one)

Runs scripts/install_deps.sh and scripts/setup_env.sh first, builds if needed, then
java -jar l2bench/target/l2bench.jar from the repository root. Measure on a quiet machine:
every system polls two CPUs flat out for the whole run.
USAGE
}

say() { echo "benchmark: $*"; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

rebuild=0
args=()
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    --rebuild) rebuild=1 ;;
    *) args+=("$arg") ;;
  esac
done

(( EUID == 0 )) || { echo "benchmark: needs root (hugepages, vhost-user sockets, DPDK): run sudo $0" >&2; exit 1; }

say "[1/3] dependencies and hugepages"
scripts/install_deps.sh >/dev/null
scripts/setup_env.sh >/dev/null

jars=(l2echo-app/target/l2echo.jar l2gen-app/target/l2gen.jar l2bench/target/l2bench.jar)
stale=$rebuild
for jar in "${jars[@]}"; do
  if [[ ! -f "$jar" ]] || [[ -n "$(find . -path ./target -prune -o -name '*.java' -newer "$jar" -print -quit)" ]] \
      || [[ -n "$(find dpdk-jni-native/src -newer "$jar" -print -quit)" ]]; then
    stale=1
  fi
done
if (( stale )); then
  say "[2/3] building (mvn -B -q -DskipTests package)"
  mvn -B -q -DskipTests package
else
  say "[2/3] jars are current"
fi

say "[3/3] java -jar l2bench/target/l2bench.jar ${args[*]:-}"
exec env --default-signal=INT,TERM java -jar l2bench/target/l2bench.jar "${args[@]}"
