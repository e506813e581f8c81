#!/usr/bin/env bash
# One command on a fresh machine: deps, hugepages, build, veth bed, the echo under live
# traffic, a clean stop, teardown.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/demo.sh [--seconds N] [--rebuild] [--help]    (as root; from a user account: sudo scripts/demo.sh)

Runs the whole demo on one machine, no NIC needed:
  1. scripts/install_deps.sh            distribution packages (fast when present)
  2. scripts/setup_env.sh               512 x 2 MB hugepages, hugetlbfs mount
  3. mvn -B -q -DskipTests package      skipped when l2echo-app/target/l2echo.jar is newer
                                        than every source file (unless --rebuild)
  4. scripts/veth_bed.sh up             l2e-dut0 (DPDK side) <-> l2e-gen0 in netns l2e-gen
  5. java -jar l2echo-app/target/l2echo.jar -l 0,1 --no-pci \
       --vdev=net_af_packet0,iface=l2e-dut0 --file-prefix=l2e-demo -- --stats-interval 1000
  6. pings of three sizes from the namespace to 10.99.0.2 for N seconds: the echo's live
     stats move; ping reports 100% loss because frames come back MAC-swapped, not answered
  7. SIGINT to the echo (final stats), then the bed and DPDK's runtime files are removed

Options:
  --seconds N   how long traffic runs (default 15)
  --rebuild     build even if the jar looks up to date
  --help        this text

Exit status: the echo's (0 on a clean stop); 130/143 if the demo itself is interrupted.
Ctrl-C at any point stops the echo and tears everything down.
USAGE
}

die() { echo "demo: error: $*" >&2; exit 1; }
say() { echo "demo: $*"; }

SECONDS_RUN=15
REBUILD=0
while (( $# )); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --seconds) [[ $# -ge 2 ]] || die "--seconds needs a number (e.g. --seconds 15)"; SECONDS_RUN=$2; shift 2 ;;
    --seconds=*) SECONDS_RUN=${1#*=}; shift ;;
    --rebuild) REBUILD=1; shift ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$SECONDS_RUN" =~ ^[0-9]+$ ]] && (( 10#$SECONDS_RUN >= 1 && 10#$SECONDS_RUN <= 86400 )) || die "--seconds must be a whole number from 1 up (got '$SECONDS_RUN')"
SECONDS_RUN=$((10#$SECONDS_RUN))

(( EUID == 0 )) || die "needs root (hugepages, network namespace, raw packet I/O): run it in a root shell, or as sudo $0"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
JAR=l2echo-app/target/l2echo.jar
NS=l2e-gen DUT=l2e-dut0 PEER=l2e-gen0 PEER_IP=10.99.0.1/24 ECHO_IP=10.99.0.2
PREFIX=l2e-demo
BED=(scripts/veth_bed.sh --ns "$NS" --dut "$DUT" --peer "$PEER" --peer-ip "$PEER_IP" --echo-ip "$ECHO_IP")
# shellcheck disable=SC2054  # "-l 0,1" is one argument
ECHO_CMD=(java -jar "$JAR" -l 0,1 --no-pci "--vdev=net_af_packet0,iface=$DUT" "--file-prefix=$PREFIX" -- --stats-interval 1000)

ECHO_PID="" ECHO_RC="" BED_OURS=0 CLEANED=0
PING_PIDS=()

stop_pings() {
  local p
  for p in "${PING_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PING_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PING_PIDS=()
}

# SIGINT first (the app stops its loop and prints final stats); escalate only if it hangs.
stop_echo() {
  [[ -n "$ECHO_PID" && -z "$ECHO_RC" ]] || return 0
  local sig waited
  for sig in INT TERM KILL; do
    kill -0 "$ECHO_PID" 2>/dev/null || break
    [[ "$sig" == INT ]] && say "stopping the echo: SIGINT to PID $ECHO_PID" \
                        || say "echo still running: SIG$sig to PID $ECHO_PID"
    kill -"$sig" "$ECHO_PID" 2>/dev/null || true
    for ((waited = 0; waited < 100; waited++)); do   # up to 20 s
      kill -0 "$ECHO_PID" 2>/dev/null || break
      sleep 0.2
    done
  done
  ECHO_RC=0
  wait "$ECHO_PID" 2>/dev/null || ECHO_RC=$?
  say "echo exited with status $ECHO_RC"
}

# A clean stop leaves nothing (l2echo runs --in-memory and removes its runtime directory);
# a killed echo can. Remove only what carries this demo's --file-prefix, once the process is
# gone, and call it a bug when the echo had stopped cleanly.
remove_dpdk_leftovers() {
  [[ -n "$ECHO_PID" ]] || return 0
  ! kill -0 "$ECHO_PID" 2>/dev/null || return 0
  local mnt f n=0
  for mnt in $(awk '$3 == "hugetlbfs" {print $2}' /proc/mounts); do
    for f in "$mnt/${PREFIX}map_"*; do
      [[ -e "$f" ]] || continue
      rm -f -- "$f" && n=$((n + 1))
    done
  done
  (( n == 0 )) || say "removed $n hugepage file(s) named ${PREFIX}map_* left by DPDK"
  if [[ -d "/var/run/dpdk/$PREFIX" ]]; then
    rm -rf -- "/var/run/dpdk/$PREFIX" && say "removed DPDK runtime directory /var/run/dpdk/$PREFIX" && n=$((n + 1))
  fi
  if (( n > 0 )) && [[ "${ECHO_RC:-1}" == 0 ]]; then
    say "the echo left these behind after a clean stop: that is a bug, please report it"
  fi
}

cleanup() {
  (( CLEANED == 0 )) || return 0
  CLEANED=1
  set +e
  stop_pings
  stop_echo
  remove_dpdk_leftovers
  if (( BED_OURS )); then
    say "tearing down the test bed"
    "${BED[@]}" down
  fi
}

# shellcheck disable=SC2317  # reached through the traps below
on_signal() {
  echo >&2
  say "interrupted (SIG$1): stopping the echo and tearing down"
  cleanup
  [[ "$1" == INT ]] && exit 130 || exit 143
}
trap cleanup EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM

say "[1/6] dependencies"
scripts/install_deps.sh

say "[2/6] hugepages"
scripts/setup_env.sh

say "[3/6] build"
stale=""
if [[ -f "$JAR" ]] && (( ! REBUILD )); then
  stale=$(find . \( -name target -o -name .git -o -name build -o -name node_modules \) -prune -o -type f \
            \( -name '*.java' -o -name '*.c' -o -name '*.cc' -o -name '*.cpp' -o -name '*.h' -o -name '*.hpp' \
               -o -name pom.xml -o -name CMakeLists.txt -o -name '*.cmake' -o -path '*/src/main/resources/*' \) \
            -newer "$JAR" -print -quit)
fi
if [[ -f "$JAR" && -z "$stale" ]] && (( ! REBUILD )); then
  say "$JAR is newer than every source file: not rebuilding (--rebuild forces it)"
else
  [[ -n "$stale" ]] && say "$stale changed since the last build"
  say "mvn -B -q -DskipTests package"
  mvn -B -q -DskipTests package || die "the build failed: run 'mvn -B -DskipTests package' in $ROOT to see the full log"
  [[ -f "$JAR" ]] || die "the build finished but $JAR is missing: check l2echo-app's packaging"
fi

say "[4/6] test bed"
if "${BED[@]}" status >/dev/null 2>&1; then
  say "the bed was already up: using it and leaving it up afterwards (scripts/veth_bed.sh down removes it)"
else
  BED_OURS=1
  "${BED[@]}" up
fi

say "[5/6] starting the echo: ${ECHO_CMD[*]}"
# A background job of a non-interactive shell starts with SIGINT ignored, and a JVM keeps it
# ignored: reset INT/TERM to default so the app's handler can see the stop signal.
if env --default-signal=INT true >/dev/null 2>&1; then
  env --default-signal=INT,TERM "${ECHO_CMD[@]}" &
  ECHO_PID=$!
else
  set -m      # coreutils < 8.31: job control also leaves SIGINT at its default
  "${ECHO_CMD[@]}" &
  ECHO_PID=$!
  set +m
fi
say "echo PID $ECHO_PID; waiting for it to open $DUT"

# net_af_packet opens a packet socket on the DUT: /proc/net/packet lists it by ifindex.
ifindex=$(cat "/sys/class/net/$DUT/ifindex")
ready=0
for ((i = 0; i < 300; i++)); do   # up to 60 s (JVM start, EAL init, port start)
  if ! kill -0 "$ECHO_PID" 2>/dev/null; then
    ECHO_RC=0; wait "$ECHO_PID" || ECHO_RC=$?
    die "the echo exited during start-up with status $ECHO_RC (its message is above)"
  fi
  if awk -v ifi="$ifindex" 'NR > 1 && $5 == ifi {found = 1} END {exit !found}' /proc/net/packet; then
    ready=1; break
  fi
  sleep 0.2
done
(( ready )) || say "warning: no packet socket on $DUT after 60 s; sending traffic anyway"
sleep 1   # the port starts just after its socket opens

say "[6/6] traffic for $SECONDS_RUN s from netns $NS to $ECHO_IP (sizes 56, 512, 1472 bytes of ICMP payload)"
rx0=$(ip netns exec "$NS" cat "/sys/class/net/$PEER/statistics/rx_packets")
tx0=$(ip netns exec "$NS" cat "/sys/class/net/$PEER/statistics/tx_packets")
for size in 56 512 1472; do
  # With every probe unanswered ping slows to ~100/s; a preload of 16 keeps it near the 2 ms
  # interval. -w bounds the run; -W 1 stops it lingering for replies that never come.
  ip netns exec "$NS" ping -i 0.002 -l 16 -s "$size" -q -c $((SECONDS_RUN * 500)) -w "$SECONDS_RUN" -W 1 "$ECHO_IP" &
  PING_PIDS+=($!)
done
# Poll rather than wait, to notice an echo that stops on its own while traffic runs.
early=0
while :; do
  alive=0
  for p in "${PING_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  (( alive )) || break
  if ! kill -0 "$ECHO_PID" 2>/dev/null; then early=1; break; fi
  sleep 0.5
done
stop_pings   # reaps them; 100% loss makes ping exit 1, which is expected here
rx1=$(ip netns exec "$NS" cat "/sys/class/net/$PEER/statistics/rx_packets")
tx1=$(ip netns exec "$NS" cat "/sys/class/net/$PEER/statistics/tx_packets")

sent=$((tx1 - tx0)) back=$((rx1 - rx0))
if (( early )); then
  stop_echo
  die "the echo stopped by itself during the run (status $ECHO_RC, its message is above); $PEER sent $sent frames, got $back back"
fi
say "the 100% packet loss above is the proof of kernel bypass: no kernel IP stack answered these pings;"
say "the DPDK process took every frame off $DUT and sent it back with the MAC addresses swapped (still an echo *request*, so ping never counts it)."
say "$PEER sent $sent frames and received $back back from the echo."

stop_echo
cleanup
if [[ "$ECHO_RC" == 0 ]]; then say "done: clean stop"; else say "done: the echo exited with status $ECHO_RC"; fi
exit "$ECHO_RC"
