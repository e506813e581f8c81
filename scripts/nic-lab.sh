#!/usr/bin/env bash
# The real NIC path, proven where binding a NIC cuts nobody off: a QEMU guest with emulated PCI
# NICs, each wired to a tap device in a network namespace of ours. In the guest our scripts reserve
# hugepages and bind the NICs, and our echo apps drive them; from the namespace l2gen checks every
# echo byte for byte and ping shows the kernel no longer sees the frames, until the NIC is given back.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: sudo scripts/nic-lab.sh [--scenario uio|vfio|uio,vfio] [--frames N] [--accel auto|kvm|tcg]
                               [--cpu MODEL] [--kernel VMLINUZ] [--logs DIR] [--help]
       sudo scripts/nic-lab.sh --arch arm64 [--guest-root DIR] [--scenario uio|vfio|uio,vfio] ...
       sudo scripts/nic-lab.sh --scenario latency --results FILE [--rates PPS,...] [--frames N]
                               [--histograms DIR]

Boots one guest per scenario (2 vCPUs, 2 GB, the host's root shared read-only over 9p) and runs,
one line per step:
  uio   no IOMMU in the guest, so bind_nic.sh picks uio_pci_generic. Three NICs:
          virtio-net-pci mq=on,rss=on (2 queue pairs): l2echo, then l2multi with one queue per lcore
          virtio-net-pci with one queue pair: l2multi asking for two fails with the device's limit
          e1000e: l2echo
  vfio  an IOMMU in the guest (x86_64: QEMU's intel-iommu, intel_iommu=on; arm64: the virt
        machine's SMMUv3), so bind_nic.sh picks vfio-pci:
          virtio-net-pci mq=on,rss=on,iommu_platform=on: l2multi with two queues
  latency  (for scripts/benchmark.sh) one virtio-net NIC, echoed in turn by the guest kernel
        (kernel_echo: recv/send on an AF_PACKET socket), by testpmd macswap and by l2echo, the last
        two on uio_pci_generic; l2gen measures each at every --rates rate (default 1000,5000) and
        FILE gets one line per trial: SYSTEM, a tab, l2gen's JSON result
For each NIC: the kernel driver answers ping; bind_nic.sh refuses it while it has an address, then
binds it; the echo runs on the PCI device; l2gen sends --frames frames from the namespace and every
one must come back exactly once, MACs swapped, payload intact; ping gets 100% loss and the echo counts
those frames too; bind_nic.sh refuses to unbind the device while the echo holds it; the echo stops
cleanly with every mbuf back; the NIC goes back to its kernel driver and ping is answered again.

With --arch arm64 the same uio and vfio scenarios run in an arm64 guest: QEMU's virt machine under
TCG (an x86-64 host emulates every instruction: tens of minutes, see docs/real-nic.md), booting
Debian's arm64 kernel from an arm64 Debian root that scripts/lab/arm64_root.sh unpacks, with its
own OpenJDK and DPDK; the apps' jars must carry the aarch64 shim (mvn install -Dnative.crossArm64).

Options:
  --arch ARCH      the guest's architecture: x86_64 (default) or arm64
  --guest-root DIR (arm64) an arm64 root made by scripts/lab/arm64_root.sh DIR, kept between runs;
                   without it the lab unpacks one into its work directory and removes it after
  --scenario LIST  scenarios to run, comma-separated (default uio,vfio)
  --frames N       frames l2gen sends per echo run (default 2000)
  --accel MODE     kvm, tcg, or auto (default): KVM only where the CPU shows vmx/svm and /dev/kvm
                   opens; otherwise TCG (software emulation: slower, works everywhere)
  --cpu MODEL      the guest's QEMU CPU model (default: host under KVM, Nehalem under TCG, where
                   "max" made guest JVMs crash: docs/real-nic.md; arm64: cortex-a72)
  --kernel PATH    the guest kernel (default: the newest /boot/vmlinuz-* whose modules are installed,
                   in the guest's root: the host's for x86_64)
  --logs DIR       keep the guest's console, the apps' and l2gen's output and each step's in DIR
  --results FILE   the latency scenario's results
  --rates LIST     the latency scenario's offered rates in frames per second (default 1000,5000)
  --histograms DIR the latency scenario's round-trip histograms, one HdrHistogram log per system
                   (DIR/guest-SYSTEM.hlog, l2gen --histogram-log)
  --help           this text

Needs root, qemu-system-x86_64, a Debian/Ubuntu kernel image with its modules, busybox (static)
and the built apps (mvn -B install -DskipTests): scripts/install_deps.sh installs the packages.
arm64 needs qemu-system-aarch64 and mmdebstrap instead: scripts/install_deps.sh --arm64-lab.
Ends with "N passed, M failed"; exit status 0 only when every step passed, 1 when one failed,
2 when the lab cannot run (the message says what is missing). The guest, the taps and the namespace
are removed whatever happens, Ctrl-C included.
USAGE
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { echo "nic-lab: $*"; }
cannot_run() { echo "nic-lab: cannot run: $*" >&2; exit 2; }
usage_error() { echo "nic-lab: $*" >&2; echo "run with --help for the usage" >&2; exit 2; }

SCENARIOS=uio,vfio FRAMES=2000 ACCEL=auto CPU="" KERNEL="" LOGS="" RESULTS="" RATES=1000,5000 HISTOGRAMS=""
ARCH=x86_64 GUEST_ROOT=""
while (( $# )); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --arch) [[ $# -ge 2 ]] || usage_error "--arch needs x86_64 or arm64"; ARCH=$2; shift ;;
    --guest-root) [[ $# -ge 2 ]] || usage_error "--guest-root needs a folder made by scripts/lab/arm64_root.sh"; GUEST_ROOT=$2; shift ;;
    --scenario) [[ $# -ge 2 ]] || usage_error "--scenario needs uio, vfio or uio,vfio"; SCENARIOS=$2; shift ;;
    --frames) [[ $# -ge 2 ]] || usage_error "--frames needs a number"; FRAMES=$2; shift ;;
    --accel) [[ $# -ge 2 ]] || usage_error "--accel needs kvm, tcg or auto"; ACCEL=$2; shift ;;
    --cpu) [[ $# -ge 2 ]] || usage_error "--cpu needs a QEMU CPU model (qemu-system-x86_64 -cpu help)"; CPU=$2; shift ;;
    --kernel) [[ $# -ge 2 ]] || usage_error "--kernel needs a vmlinuz path"; KERNEL=$2; shift ;;
    --logs) [[ $# -ge 2 ]] || usage_error "--logs needs a directory"; LOGS=$2; shift ;;
    --results) [[ $# -ge 2 ]] || usage_error "--results needs a file"; RESULTS=$2; shift ;;
    --rates) [[ $# -ge 2 ]] || usage_error "--rates needs rates such as 1000,5000"; RATES=$2; shift ;;
    --histograms) [[ $# -ge 2 ]] || usage_error "--histograms needs a directory"; HISTOGRAMS=$2; shift ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
  shift
done
for scenario in ${SCENARIOS//,/ }; do
  [[ "$scenario" =~ ^(uio|vfio|latency)$ ]] || usage_error "unknown scenario '$scenario' (uio, vfio, latency)"
done
if [[ ",$SCENARIOS," == *,latency,* ]]; then
  [[ -n "$RESULTS" ]] || usage_error "the latency scenario writes its results to --results FILE"
  [[ "$RATES" =~ ^[0-9]+(,[0-9]+)*$ ]] || usage_error "--rates must be rates in frames per second, comma-separated (got '$RATES')"
  [[ -z "$HISTOGRAMS" || -d "$HISTOGRAMS" ]] || usage_error "--histograms: '$HISTOGRAMS' is not a directory; create it first"
fi
[[ "$FRAMES" =~ ^[0-9]+$ ]] && (( FRAMES >= 100 && FRAMES <= 1000000 )) || usage_error "--frames must be 100 to 1000000 (got '$FRAMES')"
[[ "$ACCEL" =~ ^(auto|kvm|tcg)$ ]] || usage_error "--accel must be auto, kvm or tcg (got '$ACCEL')"
[[ "$ARCH" =~ ^(x86_64|arm64)$ ]] || usage_error "--arch must be x86_64 or arm64 (got '$ARCH')"
if [[ "$ARCH" == arm64 ]]; then
  [[ ",$SCENARIOS," != *,latency,* ]] || usage_error "the latency scenario runs on x86_64 only (it is the benchmark's guest NIC)"
  [[ "$ACCEL" != kvm ]] || usage_error "--arch arm64 runs under TCG here: KVM needs an arm64 host"
  ACCEL=tcg
  [[ -z "$GUEST_ROOT" || -d "$GUEST_ROOT/boot" ]] || usage_error "--guest-root: '$GUEST_ROOT' is not a root made by scripts/lab/arm64_root.sh"
else
  [[ -z "$GUEST_ROOT" ]] || usage_error "--guest-root is for --arch arm64 (an x86_64 guest shares the host's root)"
fi

# --- what the lab needs ---
(( EUID == 0 )) || cannot_run "it needs root (network namespaces, taps, hugepages): sudo $0"
[[ "$ROOT" != *[[:space:]]* ]] || cannot_run "the repository's path ($ROOT) has a space: the guest gets it on its kernel command line; clone it elsewhere"
[[ -c /dev/net/tun ]] || cannot_run "/dev/net/tun is missing: QEMU needs it for its tap devices (modprobe tun)"
command -v cpio >/dev/null || cannot_run "cpio not found: apt-get install cpio"
APPS=(l2echo-app/target/l2echo.jar l2multi-app/target/l2multi.jar l2gen-app/target/l2gen.jar)
for app in "${APPS[@]}"; do
  [[ -f "$ROOT/$app" ]] || cannot_run "$app is not built: mvn -B install -DskipTests"
done
if [[ "$ARCH" == x86_64 ]]; then
  QEMU=qemu-system-x86_64
  command -v "$QEMU" >/dev/null || cannot_run "$QEMU not found: sudo scripts/install_deps.sh (or apt-get install qemu-system-x86)"
  BUSYBOX=$(command -v busybox || true)
  [[ -n "$BUSYBOX" ]] && ! ldd "$BUSYBOX" >/dev/null 2>&1 || cannot_run "a static busybox is needed for the guest's initramfs: apt-get install busybox-static"
  GUEST_ROOT=/
  CONSOLE=ttyS0
  # TCG of the host's own architecture is what the timeouts below were sized on.
  TIME_SCALE=1
  if [[ "$ACCEL" == auto ]]; then
    # A /dev/kvm without vmx/svm (nested or paravirtual) may open yet not boot a stock kernel.
    if grep -qwE 'vmx|svm' /proc/cpuinfo && [[ -w /dev/kvm ]]; then ACCEL=kvm; else ACCEL=tcg; fi
  fi
  if [[ -z "$CPU" ]]; then
    # Under TCG a named model, never "max": max offers everything the emulator can do (5-level
    # paging, protection keys, FSGSBASE, AVX2, BMI, ...), its least exercised paths, and guest JVMs
    # crashed there (docs/real-nic.md). Nehalem has what DPDK's generic x86 build needs (SSE4.2,
    # POPCNT) and nothing newer.
    CPU=Nehalem
    [[ "$ACCEL" == kvm ]] && CPU=host
  fi
  QEMU_MACHINE="q35,accel=$ACCEL"
else
  QEMU=qemu-system-aarch64
  command -v "$QEMU" >/dev/null || cannot_run "$QEMU not found: sudo scripts/install_deps.sh --arm64-lab"
  [[ -n "$GUEST_ROOT" ]] || command -v mmdebstrap >/dev/null \
    || cannot_run "no --guest-root, and no mmdebstrap to unpack one: sudo scripts/install_deps.sh --arm64-lab"
  for app in "${APPS[@]:0:2}"; do
    jar tf "$ROOT/$app" | grep -qx 'META-INF/native/linux-aarch64/libdpdkj.so' \
      || cannot_run "$app has no aarch64 shim: mvn -B install -DskipTests -Dnative.crossArm64 (after sudo scripts/install_deps.sh --arm64-lab)"
  done
  CONSOLE=ttyAMA0
  # Every arm64 instruction emulated on x86-64: each step takes several times as long.
  TIME_SCALE=5
  # Cortex-A72: ARMv8.0 with CRC32, what Debian's arm64 DPDK is built for, and nothing newer
  # (no SVE or pointer authentication for the guest JVM to pick up under emulation).
  [[ -n "$CPU" ]] || CPU=cortex-a72
  QEMU_MACHINE="virt,gic-version=3,accel=tcg"
fi

# find_kernel: KERNEL (the newest in the guest's root unless --kernel), KVER and MODULES.
find_kernel() {
  local candidate
  if [[ -z "$KERNEL" ]]; then
    for candidate in $(ls -1v "${GUEST_ROOT%/}"/boot/vmlinuz-* 2>/dev/null | tac); do
      [[ -f "${GUEST_ROOT%/}/lib/modules/${candidate##*/vmlinuz-}/modules.dep" ]] && { KERNEL=$candidate; break; }
    done
    local fix="apt-get install linux-image-amd64"
    [[ "$ARCH" == arm64 ]] && fix="make the root again: scripts/lab/arm64_root.sh DIR"
    [[ -n "$KERNEL" ]] || cannot_run "no guest kernel: no ${GUEST_ROOT%/}/boot/vmlinuz-* with its modules in ${GUEST_ROOT%/}/lib/modules ($fix)"
  fi
  [[ -r "$KERNEL" ]] || cannot_run "cannot read the guest kernel $KERNEL"
  KVER=${KERNEL##*/vmlinuz-}
  MODULES=${GUEST_ROOT%/}/lib/modules/$KVER
  [[ -f "$MODULES/modules.dep" ]] || cannot_run "$KERNEL has no modules in $MODULES: the guest loads 9p, NIC and uio/vfio modules from there"
}
[[ "$ARCH" == arm64 && -z "$GUEST_ROOT" ]] || find_kernel

# --- run state, all of it removed by cleanup ---
WORK=$(mktemp -d /tmp/nic-lab.XXXXXX)
NS=nic-lab-$$
GUEST_DIR=/run/nic-lab   # where the guest mounts WORK
# A JVM that crashes, in the guest or on the host, leaves its report in WORK, where every step
# looks for it (--logs keeps it).
GUEST_JAVA="java -XX:ErrorFile=$GUEST_DIR/hs_err_guest_pid%p.log"
HOST_JAVA="java -XX:ErrorFile=$WORK/hs_err_host_pid%p.log"
QEMU_PID="" HOST_PID="" PASSED=0 FAILED=0 CRASHED=0 SENT_TO_ECHO=0 TAPS=() MACHINE_OPTIONS=""
declare -A CRASH_REPORTED=()

stop_guest() {
  [[ -n "$QEMU_PID" ]] || return 0
  touch "$WORK/poweroff" 2>/dev/null || true
  local waited
  for waited in $(seq 1 50); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.1; done
  kill -TERM "$QEMU_PID" 2>/dev/null || true
  wait "$QEMU_PID" 2>/dev/null || true
  QEMU_PID=""
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [[ -n "$HOST_PID" ]] && { kill -TERM "$HOST_PID" 2>/dev/null || true; wait "$HOST_PID" 2>/dev/null || true; }
  stop_guest
  if [[ -n "$LOGS" ]]; then
    mkdir -p "$LOGS" && cp "$WORK"/*.log "$WORK"/*.out "$LOGS"/ 2>/dev/null || true
  fi
  local tap
  for tap in "${TAPS[@]}"; do ip netns exec "$NS" ip link del "$tap" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
  # The signal may land in a step's subshell, which exits 130 and ends us through set -e.
  # Fd 3 is our own stderr: a trap runs inside whatever redirection the step had.
  (( status == 130 || status == 143 )) && echo "nic-lab: interrupted: guest, taps and namespace removed" >&3
  exit "$status"
}
exec 3>&2
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- steps ---
pass() { PASSED=$((PASSED + 1)); printf 'nic-lab: [%s] PASS %s (%d s)\n' "$SCENE" "$1" $((SECONDS - STEP_START)); }
fail() {
  FAILED=$((FAILED + 1))
  printf 'nic-lab: [%s] FAIL %s (%d s)\n' "$SCENE" "$1" $((SECONDS - STEP_START))
  [[ -n "${2:-}" ]] && printf '%s\n' "$2" | tail -n 25 | sed 's/^/    | /'
  return 1
}
# step DESCRIPTION FUNCTION ARGS...: the function prints what went wrong and returns non-zero.
# Not in a subshell: steps keep state (the guest's PID, the frames sent so far).
step() {
  local what=$1; shift
  STEP_START=$SECONDS
  local out; out=$WORK/step-$(printf '%03d' $((PASSED + FAILED + 1))).out
  echo "# [$SCENE] $what" > "$out"
  local ok=0
  "$@" >> "$out" 2>&1 || ok=$?
  # A JVM that died on a signal fails the step whatever the step's own check said: a crash
  # is never "refused as expected" or "frames lost".
  if jvm_crashed "$what"; then
    [[ $ok == 0 ]] || sed 1d "$out" | tail -n 10 | sed 's/^/    | /'
    return 1
  fi
  if [[ $ok == 0 ]]; then pass "$what"; else fail "$what" "$(sed 1d "$out")"; fi
}

# jvm_crashed WHAT: for each JVM error report not yet told, one line: which JVM, the signal,
# the problematic frame, where the report is. Status 0 when there was one.
jvm_crashed() {
  local report found=1 where signal siginfo frame ours kept
  for report in "$WORK"/hs_err_*.log; do
    [[ -e "$report" && -z "${CRASH_REPORTED[$report]:-}" ]] || continue
    CRASH_REPORTED[$report]=1
    grep -q '^# Problematic frame' "$report" || sleep 2   # a JVM may still be writing it
    found=0
    CRASHED=$((CRASHED + 1)) FAILED=$((FAILED + 1))
    where=guest; [[ "$report" == */hs_err_host_* ]] && where=host
    signal=$(sed -n 's/^#  \(SIG[A-Z]*\) .* at pc=\([0-9a-fx]*\), pid=\([0-9]*\).*/\1 at pc=\2, pid \3/p' "$report" | head -n 1)
    siginfo=$(sed -n 's/^siginfo: .*si_code: [0-9]* (\([A-Z_]*\)), si_addr: \(0x[0-9a-f]*\).*/\1 at \2/p' "$report" | head -n 1)
    frame=$(sed -n '/^# Problematic frame:/{n;s/^# //p;q}' "$report")
    [[ -n "$signal" ]] || signal=$(sed -n 's/^#  \(.*\)/\1/p' "$report" | sed -n 2p)
    kept="$LOGS/${report##*/}"
    [[ -n "$LOGS" ]] || kept="${report##*/}, gone with the work directory (run with --logs DIR to keep it)"
    ours=""
    [[ "$frame" == *libdpdkj.so* || "$frame" == *librte_* ]] && ours=" IN OUR NATIVE CODE (the shim or DPDK)"
    printf 'nic-lab: [%s] CRASH %s: a %s JVM died%s: %s%s; problematic frame: %s; report: %s (%d s)\n' \
      "$SCENE" "$1" "$where" "$ours" "${signal:-unknown signal}" "${siginfo:+ ($siginfo)}" "${frame:-unknown}" \
      "$kept" $((SECONDS - STEP_START))
  done
  return "$found"
}

# --- the guest ---
initramfs() {
  local dir=$WORK/initramfs rel
  mkdir -p "$dir"/{bin,proc,sys,dev,newroot,modules}
  cp "$BUSYBOX" "$dir/bin/busybox"
  cp "$ROOT/scripts/lab/init.sh" "$dir/init"
  chmod 755 "$dir/init"
  # 9p over virtio and what it depends on, each module after its dependencies.
  declare -A seen=()
  local order=()
  visit() {
    [[ -n "${seen[$1]:-}" ]] && return 0
    seen[$1]=1
    local dep
    for dep in $(awk -v m="$1:" '$1 == m { $1 = ""; print }' "$MODULES/modules.dep"); do visit "$dep"; done
    order+=("$1")
  }
  local module
  local modules=(virtio_pci 9pnet_virtio 9p)
  # The SMMU before any PCI driver: a device behind it waits for its driver to probe.
  [[ "$ARCH" == arm64 ]] && modules=(arm_smmu_v3 "${modules[@]}")
  for module in "${modules[@]}"; do
    rel=$(awk -F: -v m="/$module.ko" '{ k = $1; sub(/\.(xz|zst|gz)$/, "", k) } substr(k, length(k) - length(m) + 1) == m { print $1 }' "$MODULES/modules.dep")
    [[ -n "$rel" ]] || { grep -q "/$module.ko" "$MODULES/modules.builtin" 2>/dev/null && continue; echo "$KERNEL has no $module module"; return 1; }
    visit "$rel"
  done
  local name
  for rel in "${order[@]}"; do
    name=$(basename "$rel"); name=${name%.xz}; name=${name%.zst}; name=${name%.gz}
    # busybox's insmod takes plain .ko files: Ubuntu compresses its modules.
    case "$rel" in
      *.xz) xz -dc "$MODULES/$rel" ;;
      *.zst) zstd -qdc "$MODULES/$rel" ;;
      *.gz) gzip -dc "$MODULES/$rel" ;;
      *) cat "$MODULES/$rel" ;;
    esac > "$dir/modules/$name" || { echo "cannot unpack $rel"; return 1; }
    echo "$name" >> "$dir/modules/order"
  done
  (cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) > "$WORK/initrd.gz"
}

# boot_guest CMDLINE_EXTRA QEMU_DEVICE_ARGS...
boot_guest() {
  local append="console=$CONSOLE quiet panic=-1 nic_lab.repo=$ROOT nic_lab.agent=$ROOT/scripts/lab/agent.sh $1"; shift
  rm -rf "$WORK/cmd" "$WORK/ready" "$WORK/poweroff"
  mkdir -p "$WORK/cmd"
  ip netns exec "$NS" "$QEMU" -machine "$QEMU_MACHINE$MACHINE_OPTIONS" -cpu "$CPU" -m 2G -smp 2 -nographic -no-reboot \
    -kernel "$KERNEL" -initrd "$WORK/initrd.gz" -append "$append" \
    -fsdev local,id=fsroot,path="$GUEST_ROOT",security_model=none,readonly=on,multidevs=remap \
    -device virtio-9p-pci,fsdev=fsroot,mount_tag=rootfs \
    -fsdev local,id=fslab,path="$WORK",security_model=none,multidevs=remap \
    -device virtio-9p-pci,fsdev=fslab,mount_tag=lab \
    -fsdev local,id=fsrepo,path="$ROOT",security_model=none,readonly=on,multidevs=remap \
    -device virtio-9p-pci,fsdev=fsrepo,mount_tag=repo \
    "$@" > "$WORK/console-$SCENE.log" 2>&1 &
  QEMU_PID=$!
  local waited
  for waited in $(seq 1 $((180 * TIME_SCALE))); do
    [[ -e "$WORK/ready" ]] && { cat "$WORK/ready"; return 0; }
    kill -0 "$QEMU_PID" 2>/dev/null || { echo "QEMU exited:"; tail -n 20 "$WORK/console-$SCENE.log"; QEMU_PID=""; return 1; }
    sleep 1
  done
  echo "the guest did not come up in $((180 * TIME_SCALE)) s; its console:"; tail -n 20 "$WORK/console-$SCENE.log"
  return 1
}

# gx TIMEOUT_S SCRIPT: runs SCRIPT in the guest (sh, from the repository root) and prints its output.
# TIMEOUT_S is for a guest of the host's architecture, and scaled for an emulated one.
gx() {
  local timeout=$(($1 * TIME_SCALE)) script=$2 name waited
  name=$(date +%s%N)-$BASHPID   # unique even when called from a subshell
  printf 'cd %q || exit 1\n%s\n' "$ROOT" "$script" > "$WORK/cmd/$name.tmp"
  mv "$WORK/cmd/$name.tmp" "$WORK/cmd/$name.sh"
  for waited in $(seq 1 $((timeout * 5))); do
    if [[ -e "$WORK/cmd/$name.rc" ]]; then
      cat "$WORK/cmd/$name.out"
      return "$(cat "$WORK/cmd/$name.rc")"
    fi
    kill -0 "$QEMU_PID" 2>/dev/null || { echo "the guest is gone:"; tail -n 20 "$WORK/console-$SCENE.log"; return 1; }
    sleep 0.2
  done
  echo "no answer from the guest in $timeout s to: $script"
  return 124
}

# gx_capture TIMEOUT_S SCRIPT: gx with the output in GX_OUT and the status in GX_RC. Never call
# gx inside $(...): bash runs our INT/TERM trap only once such a subshell has ended.
gx_capture() {
  GX_RC=0
  gx "$@" > "$WORK/gx.out" 2>&1 || GX_RC=$?
  GX_OUT=$(cat "$WORK/gx.out")
}

# app_start NAME COMMAND [READY]: starts an echo in the guest (COMMAND: shell whose last word is
# exec ECHO ...), waits for the line matching READY
# (grep -E; default: our apps' "APP: echoing;").
app_start() {
  local name=$1 command=$2 ready=${3:-'^[a-z0-9]+: echoing;'} waited
  # COMMAND ends in exec, so the PID kept is the echo's own, the one SIGTERM must reach.
  gx 30 "( { $command; } > $GUEST_DIR/$name.log 2>&1 & echo \$! > $GUEST_DIR/$name.pid; wait \$!; echo \$? > $GUEST_DIR/$name.rc ) &" || return 1
  for waited in $(seq 1 $((240 * TIME_SCALE))); do
    grep -qE "$ready" "$WORK/$name.log" 2>/dev/null && return 0
    [[ -e "$WORK/$name.rc" ]] && { echo "$name exited with status $(cat "$WORK/$name.rc") before echoing:"; cat "$WORK/$name.log"; return 1; }
    sleep 0.5
  done
  echo "$name did not start echoing in $((120 * TIME_SCALE)) s:"; cat "$WORK/$name.log"
  return 1
}

# app_stop NAME [any]: SIGTERM, then the exit status must be 0 and, for our apps (unless "any"),
# every mbuf back in the pool.
app_stop() {
  local name=$1 ours=${2:-ours} waited
  [[ -e "$WORK/$name.rc" ]] || gx 30 "kill -TERM \$(cat $GUEST_DIR/$name.pid)" || return 1
  for waited in $(seq 1 $((120 * TIME_SCALE))); do
    [[ -e "$WORK/$name.rc" ]] && break
    sleep 0.5
  done
  [[ -e "$WORK/$name.rc" ]] || { echo "$name did not stop within $((60 * TIME_SCALE)) s of SIGTERM:"; tail -n 20 "$WORK/$name.log"; return 1; }
  [[ "$(cat "$WORK/$name.rc")" == 0 ]] || { echo "$name exited with status $(cat "$WORK/$name.rc"):"; tail -n 20 "$WORK/$name.log"; return 1; }
  [[ "$ours" == any ]] && { tail -n 5 "$WORK/$name.log"; return 0; }
  grep -q 'freed with all [0-9]* mbufs back' "$WORK/$name.log" || { echo "$name's pool did not get every mbuf back:"; tail -n 10 "$WORK/$name.log"; return 1; }
  grep -A3 '^final:' "$WORK/$name.log"
}

final_rx() { sed -n 's/^final: rx \([0-9,]*\) .*/\1/p' "$WORK/$1.log" | tr -d ,; }

# --- the host side ---
# nic_wire INDEX [QUEUES]: a tap in our namespace for NIC INDEX, host address 10.99.INDEX.1.
nic_wire() {
  local tap=labtap$1 queues=${2:-1}
  if (( queues > 1 )); then
    ip netns exec "$NS" ip tuntap add dev "$tap" mode tap multi_queue
  else
    ip netns exec "$NS" ip tuntap add dev "$tap" mode tap
  fi
  TAPS+=("$tap")
  ip netns exec "$NS" ip link set "$tap" up
  ip netns exec "$NS" ip addr add "10.99.$1.1/24" dev "$tap"
}
nic_mac() { printf '52:54:00:99:00:%02x' "$1"; }
nic_pci() { printf '0000:00:%02x.0' $((0x10 + $1)); }
# nic_netdev INDEX QUEUES DEVICE_OPTIONS: QEMU arguments for a NIC on its tap.
nic_netdev() {
  local queues=$2 opts=""
  (( queues > 1 )) && opts=",queues=$queues"
  echo "-netdev tap,id=n$1,ifname=labtap$1,script=no,downscript=no,vhost=off$opts"
  echo "-device $3,netdev=n$1,mac=$(nic_mac "$1"),addr=$(printf '0x%02x' $((0x10 + $1))),romfile="
}

# run_l2gen INDEX LOG OPTIONS...: l2gen on NIC INDEX's tap, its JSON results in LOG. In the
# background, so that a signal reaches our trap while it runs.
run_l2gen() {
  local index=$1 log=$2 rc=0
  shift 2
  ip netns exec "$NS" $HOST_JAVA -jar "$ROOT/l2gen-app/target/l2gen.jar" --lcores=0@0,1@1 --no-pci \
    --vdev="net_af_packet0,iface=labtap$index" --file-prefix="nic-lab-gen-$$" -- "$@" --json > "$log" 2>&1 &
  HOST_PID=$!
  wait "$HOST_PID" || rc=$?
  HOST_PID=""
  (( rc == 0 )) || { echo "l2gen failed (status $rc):"; tail -n 15 "$log"; }
  return "$rc"
}

# send_frames INDEX FLOWS: l2gen in the namespace sends FRAMES frames and checks each echo.
send_frames() {
  local log="$WORK/l2gen-$1-$(date +%s%N).log" sent json
  run_l2gen "$1" "$log" --count "$FRAMES" --rate 2000 --flows "$2" --drain-ms 3000 || return 1
  json=$(grep '^{"phase":"latency"' "$log" || true)
  [[ -n "$json" ]] || { echo "l2gen printed no result:"; tail -n 15 "$log"; return 1; }
  field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$json"; }
  echo "sent $(field sent), echoed $(field echoed), lost $(field lost), duplicated $(field duplicated), corrupted $(field corrupted), foreign $(field foreign)"
  [[ "$(field sent)" == "$FRAMES" && "$(field echoed)" == "$FRAMES" && "$(field lost)" == 0 \
     && "$(field duplicated)" == 0 && "$(field corrupted)" == 0 ]] || return 1
  # What the echo must have counted: this trial and l2gen's link probe before it.
  for sent in $(sed -n 's/^{.*"sent":\([0-9]*\).*/\1/p' "$log"); do SENT_TO_ECHO=$((SENT_TO_ECHO + sent)); done
}

# ping_from_host INDEX EXPECT: EXPECT is "answered" or "lost". The guest's MAC is fixed, so no
# ARP: every frame the host sends is one the echo must count.
ping_from_host() {
  local out received transmitted
  # Again before each ping: the kernel drops even a permanent entry whenever the tap loses its
  # carrier (QEMU detaches the tap's queues while the guest resets the NIC), and ping would then
  # send ARP requests instead of the frames we count.
  ip netns exec "$NS" ip neigh replace "10.99.$1.2" lladdr "$(nic_mac "$1")" dev "labtap$1" nud permanent
  out=$(ip netns exec "$NS" ping -c 5 -i 0.2 -W 2 "10.99.$1.2" 2>&1 || true)
  transmitted=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$out")
  received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
  echo "$out"
  if [[ "$2" == lost ]]; then
    SENT_TO_ECHO=$((SENT_TO_ECHO + ${transmitted:-0}))
    [[ "$received" == 0 ]]
  else
    [[ "${received:-0}" -ge 3 ]]
  fi
}

guest_if() { echo "IF=\$(for n in /sys/bus/pci/devices/$(nic_pci "$1")/net/* /sys/bus/pci/devices/$(nic_pci "$1")/virtio*/net/*; do [ -e \"\$n\" ] && basename \"\$n\"; done | head -n 1); [ -n \"\$IF\" ] || { echo 'no interface for $(nic_pci "$1")'; exit 1; }"; }

kernel_answers() {
  gx 60 "$(guest_if "$1"); ip addr flush dev \$IF; ip addr add 10.99.$1.2/24 dev \$IF; ip link set \$IF up; echo \"\$IF up with 10.99.$1.2\"" || return 1
  local tries
  for tries in 1 2 3 4 5; do ping_from_host "$1" answered && return 0; sleep 2; done
  return 1
}

bind_refused_with_address() {
  gx_capture 60 "scripts/bind_nic.sh bind $(nic_pci "$1")"
  echo "$GX_OUT"
  [[ $GX_RC == 1 ]] && grep -q 'has addresses' <<<"$GX_OUT"
}

bind_nic() {
  local expect=$2
  gx_capture 120 "$(guest_if "$1"); ip addr flush dev \$IF && scripts/bind_nic.sh bind $(nic_pci "$1") && scripts/bind_nic.sh --list"
  echo "$GX_OUT"
  [[ $GX_RC == 0 ]] && grep -q -- "-> $expect (" <<<"$GX_OUT" && grep -q "^$(nic_pci "$1") .*drv=$expect" <<<"$GX_OUT"
}

unbind_refused_in_use() {
  gx_capture 60 "scripts/bind_nic.sh unbind $(nic_pci "$1")"
  echo "$GX_OUT"
  [[ $GX_RC == 1 ]] && grep -q 'is in use by [0-9]* (java)' <<<"$GX_OUT"
}

# refused_in_guest APP EAL_ARGS TEXT...: APP started in the guest must exit 1 saying every TEXT.
refused_in_guest() {
  local app=$1 eal=$2 text
  shift 2
  gx_capture 120 "$GUEST_JAVA -jar $app-app/target/$app.jar $eal --file-prefix=lab-refused -- --stats-interval 0; echo \"exit status \$?\""
  echo "$GX_OUT" | tail -n 5
  grep -q 'exit status 1' <<<"$GX_OUT" || { echo "all it printed:"; echo "$GX_OUT"; return 1; }
  for text in "$@"; do
    grep -qF -- "$text" <<<"$GX_OUT" || { echo "missing: $text"; return 1; }
  done
}

# Two processes driving one NIC would corrupt each other's rings: the second must be refused
# before it touches the device (uio_pci_generic would let it).
second_refused() {
  local pci; pci=$(nic_pci "$1")
  refused_in_guest "$2" "--lcores=0@0,1@1 -a $pci" "$pci is in use by" "(java)"
}

unbind_nic() {
  gx 120 "scripts/bind_nic.sh unbind $(nic_pci "$1")"
}

echo_counted_everything() {
  local rx; rx=$(final_rx "$1")
  echo "the echo received $rx frames; the host sent $SENT_TO_ECHO (l2gen's probe and trials, and the pings)"
  [[ "$rx" == "$SENT_TO_ECHO" ]]
}

queues_spread() {
  local lines sum=0 n=0 rx port
  lines=$(grep -E '^  lcore [0-9]+ port [0-9]+ queue [0-9]+: rx' "$WORK/$1.log")
  echo "$lines"
  while read -r rx; do
    n=$((n + 1)); sum=$((sum + rx))
    (( rx > 0 )) || { echo "a queue received nothing: RSS did not spread the flows"; return 1; }
  done < <(sed -n 's/.*queue [0-9]*: rx \([0-9,]*\) .*/\1/p' <<<"$lines" | tr -d ,)
  port=$(sed -n 's/^  port [0-9]*: rx \([0-9,]*\) .*/\1/p' "$WORK/$1.log" | tail -n 1 | tr -d ,)
  (( n == $2 )) || { echo "$n queues reported, $2 expected"; return 1; }
  (( sum == port )) || { echo "the queues add up to $sum, the port counted $port"; return 1; }
}

multi_refused_single_queue() {
  refused_in_guest l2multi "--lcores=0@0,1@0,2@1 -a $(nic_pci "$1")" \
    "offers at most 1 Rx / 1 Tx queues, 2 / 2 asked for" "mq=on"
}

# --- one NIC, end to end: kernel -> DPDK (APP) -> kernel ---
# nic_roundtrip INDEX LABEL DRIVER APP [QUEUES]
nic_roundtrip() {
  local index=$1 label=$2 driver=$3 app=$4 queues=${5:-1} pci name lcores flows=1
  pci=$(nic_pci "$index")
  name="$app-$index"
  SENT_TO_ECHO=0
  step "$label: kernel driver answers ping" kernel_answers "$index" || return 1
  step "$label: bind_nic.sh refuses $pci while it has an address" bind_refused_with_address "$index" || return 1
  step "$label: bind_nic.sh binds $pci to $driver" bind_nic "$index" "$driver" || { unbind_nic "$index" >/dev/null; return 1; }
  if [[ "$app" == l2multi ]]; then
    lcores="--lcores=0@0,1@0,2@1" flows=64
  else
    lcores="--lcores=0@0,1@1"
  fi
  step "$label: $app runs on $pci" app_start "$name" \
    "exec $GUEST_JAVA -jar $app-app/target/$app.jar $lcores -a $pci --file-prefix=lab-$name -- --stats-interval 0" || { unbind_nic "$index" >/dev/null; return 1; }
  step "$label: a second $app on $pci is refused, naming the first" second_refused "$index" "$app"
  step "$label: $FRAMES frames over $flows flow(s) echoed exactly once, MACs swapped, payload intact" send_frames "$index" "$flows"
  step "$label: ping gets 100% loss (the kernel never sees the frames)" ping_from_host "$index" lost
  step "$label: bind_nic.sh refuses to unbind $pci while $app holds it" unbind_refused_in_use "$index"
  step "$label: $app stops on SIGTERM, status 0, every mbuf back" app_stop "$name" || { unbind_nic "$index" >/dev/null; return 1; }
  step "$label: $app received exactly the frames the host sent" echo_counted_everything "$name"
  if (( queues > 1 )); then
    step "$label: RSS spread the flows over all $queues queues" queues_spread "$name" "$queues"
  fi
  step "$label: bind_nic.sh gives $pci back to its kernel driver" unbind_nic "$index" || return 1
  step "$label: kernel driver answers ping again" kernel_answers "$index"
}

# --- scenarios ---
guest_setup() {
  step "guest boots ($ACCEL, CPU $CPU, 2 vCPUs, kernel $KVER)" boot_guest "$@" || return 1
  step "setup_env.sh reserves hugepages and reports the NIC drivers" gx 120 "modprobe -a virtio_net e1000e && scripts/setup_env.sh --pages 256 --nic"
}

scenario_uio() {
  SCENE=uio
  nic_wire 0 2; nic_wire 1; nic_wire 2
  local devices
  mapfile -t devices < <(nic_netdev 0 2 virtio-net-pci,mq=on,rss=on,vectors=6; nic_netdev 1 1 virtio-net-pci; nic_netdev 2 1 e1000e)
  # shellcheck disable=SC2068 # each line is an option and its value
  guest_setup "" ${devices[@]} || return 0
  nic_roundtrip 0 "virtio-net mq=on" uio_pci_generic l2echo || true
  nic_roundtrip 0 "virtio-net mq=on" uio_pci_generic l2multi 2 || true
  STEP_START=$SECONDS
  if gx 120 "$(guest_if 1); scripts/bind_nic.sh bind $(nic_pci 1)" >/dev/null; then
    step "virtio-net single queue: l2multi asking for 2 queues names the limit and mq=on" multi_refused_single_queue 1 || true
    step "virtio-net single queue: bind_nic.sh gives $(nic_pci 1) back" unbind_nic 1 || true
  else
    fail "virtio-net single queue: bind_nic.sh binds $(nic_pci 1)" || true
  fi
  nic_roundtrip 2 "e1000e" uio_pci_generic l2echo || true
  stop_guest
}

scenario_vfio() {
  SCENE=vfio
  nic_wire 3 2
  local devices
  mapfile -t devices < <(nic_netdev 3 2 virtio-net-pci,mq=on,rss=on,vectors=6,disable-legacy=on,iommu_platform=on)
  if [[ "$ARCH" == arm64 ]]; then
    MACHINE_OPTIONS=",iommu=smmuv3"
    # shellcheck disable=SC2068
    guest_setup "" ${devices[@]} || { MACHINE_OPTIONS=""; return 0; }
    nic_roundtrip 3 "virtio-net mq=on behind the SMMUv3" vfio-pci l2multi 2 || true
    MACHINE_OPTIONS=""
  else
    # intel-iommu must come before the devices it translates.
    # shellcheck disable=SC2068
    guest_setup "intel_iommu=on" -device intel-iommu,intremap=on ${devices[@]} || return 0
    nic_roundtrip 3 "virtio-net mq=on behind intel-iommu" vfio-pci l2multi 2 || true
  fi
  stop_guest
}

# measure INDEX SYSTEM: l2gen at each of RATES, its trials appended to RESULTS as "SYSTEM<TAB>JSON".
measure() {
  local index=$1 system=$2 log="$WORK/l2gen-${2// /-}.log" histograms=()
  [[ -z "$HISTOGRAMS" ]] || histograms=(--histogram-log "$HISTOGRAMS/guest-${system// /-}.hlog")
  # The NIC's own MAC: the guest kernel's socket sees only frames addressed to it.
  run_l2gen "$index" "$log" --dst-mac "$(nic_mac "$index")" --count "$FRAMES" --rates "$RATES" --drain-ms 3000 \
    "${histograms[@]}" || return 1
  grep '^{"phase":"latency"' "$log" | sed "s/^/$system\t/" | tee -a "$RESULTS" | cut -c1-200
  [[ $(grep -c '^{"phase":"latency"' "$log") == $(tr , '\n' <<<"$RATES" | wc -l) ]]
}

scenario_latency() {
  SCENE=latency
  : > "$RESULTS"
  nic_wire 4
  local devices pci; pci=$(nic_pci 4)
  mapfile -t devices < <(nic_netdev 4 1 virtio-net-pci)
  # shellcheck disable=SC2068
  guest_setup "" ${devices[@]} || return 0
  step "kernel_echo on the virtio-net NIC's kernel driver" app_start kernel-echo \
    "$(guest_if 4); ip link set \$IF up; exec $ROOT/dpdk-jni-native/target/cmake/kernel_echo \$IF" '^kernel_echo: echoing on' || return 0
  step "kernel socket echo measured at $RATES pps" measure 4 "kernel socket echo"
  step "kernel_echo stops" app_stop kernel-echo any
  step "bind_nic.sh binds $pci to uio_pci_generic" bind_nic 4 uio_pci_generic || return 0
  step "testpmd macswap runs on $pci" app_start testpmd \
    "exec dpdk-testpmd --lcores=0@0,1@1 -a $pci --in-memory --file-prefix=lab-testpmd -- --forward-mode=macswap --auto-start --stats-period 60 --nb-cores=1" \
    'Start automatic packet forwarding|Checking link statuses' && {
    step "testpmd macswap measured at $RATES pps" measure 4 "testpmd macswap"
    step "testpmd stops" app_stop testpmd any
  }
  step "l2echo runs on $pci" app_start l2echo-4 \
    "exec $GUEST_JAVA -jar l2echo-app/target/l2echo.jar --lcores=0@0,1@1 -a $pci --file-prefix=lab-l2echo -- --stats-interval 0" && {
    step "l2echo measured at $RATES pps" measure 4 "l2echo"
    step "l2echo stops, every mbuf back" app_stop l2echo-4
  }
  step "bind_nic.sh gives $pci back" unbind_nic 4
  stop_guest
}

ip netns add "$NS"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec "$NS" ip link set lo up
"$ROOT/scripts/setup_env.sh" >/dev/null || cannot_run "no hugepages on the host for l2gen: sudo scripts/setup_env.sh says why"
SCENE=host
STEP_START=$SECONDS
if [[ "$ARCH" == arm64 ]]; then
  if [[ -z "$GUEST_ROOT" ]]; then
    say "unpacking an arm64 Debian root into $WORK/root (--guest-root DIR keeps one between runs)"
    "$ROOT/scripts/lab/arm64_root.sh" "$WORK/root" > "$WORK/arm64-root.log" 2>&1 \
      || cannot_run "scripts/lab/arm64_root.sh failed: $(tail -n 5 "$WORK/arm64-root.log")"
    tail -n 1 "$WORK/arm64-root.log"
    GUEST_ROOT=$WORK/root
  fi
  find_kernel
  BUSYBOX=$GUEST_ROOT/bin/busybox
  [[ -x "$BUSYBOX" ]] || cannot_run "$GUEST_ROOT has no busybox (busybox-static): make it again with scripts/lab/arm64_root.sh"
  # The guest's init mounts the repository over the read-only root at the same path.
  mkdir -p "$GUEST_ROOT$ROOT"
fi
initramfs > "$WORK/initramfs.log" 2>&1 || cannot_run "cannot build the guest's initramfs: $(cat "$WORK/initramfs.log")"
say "$ARCH guest, kernel $KERNEL, $ACCEL, CPU model $CPU, work directory $WORK, namespace $NS"
for scenario in ${SCENARIOS//,/ }; do
  "scenario_$scenario"
done
jvm_crashed "after the last step" || true
(( CRASHED == 0 )) || say "$CRASHED JVM crash(es): see the CRASH lines above"
say "$PASSED passed, $FAILED failed"
(( FAILED == 0 && PASSED > 0 ))
