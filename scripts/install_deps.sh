#!/usr/bin/env bash
# Installs, from distribution packages, what building and running dpdk-l2echo needs.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/install_deps.sh [--cross-arm64] [--arm64-lab] [--help]

Installs from Debian/Ubuntu packages (as root) what building and running needs:
  dpdk dpdk-dev libdpdk-dev pkg-config cmake g++ make openjdk-17-jdk-headless
  maven iproute2 iputils-ping procps, and linux-perf where apt offers it;
  for the guest lab (scripts/nic-lab.sh), without recommends: qemu-system-x86 busybox-static
  cpio, and a guest kernel (linux-image-amd64, or Ubuntu's linux-image-generic) only when /boot
  holds no kernel with its modules (containers, CI machines)
Packages already installed are skipped; when all are present nothing touches apt.
The JDK is skipped when a javac >= 17 is already on PATH.
Prints the versions it ends up with (libdpdk, java, mvn, cmake).

--cross-arm64   also what scripts/cross_build_arm64.sh (mvn -Dnative.crossArm64) needs on a
                Debian x86-64 host: the cross compiler g++-aarch64-linux-gnu, qemu-user (runs
                the arm64 CTest programs), and dpkg's arm64 architecture with apt's lists for it
                (dpkg --add-architecture arm64; apt-get update), so apt-get download can fetch
                arm64 DPDK. No arm64 package is installed: the cross build unpacks them under
                its build folder.
--arm64-lab     --cross-arm64, and what scripts/nic-lab.sh --arch arm64 needs besides:
                qemu-system-arm (qemu-system-aarch64) and mmdebstrap, which unpacks the guest's
                arm64 root from Debian's packages (scripts/lab/arm64_root.sh)

Your own DPDK build (22.11 through 24.11) is used instead of the distribution's when
pkg-config finds it first: export PKG_CONFIG_PATH=<prefix>/lib/x86_64-linux-gnu/pkgconfig
(the directory holding libdpdk.pc) before building. The packaged DPDK may stay installed.

Tested on Debian 12; Ubuntu 22.04 ships DPDK 21.11 and 24.04 ships 23.11.
USAGE
}

die() { echo "install_deps: error: $*" >&2; exit 1; }
say() { echo "install_deps: $*"; }

cross_arm64=false arm64_lab=false
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    --cross-arm64) cross_arm64=true ;;
    --arm64-lab) cross_arm64=true arm64_lab=true ;;
    *) die "unknown option '$arg' (see --help)" ;;
  esac
done

PKGS=(dpdk dpdk-dev libdpdk-dev pkg-config cmake g++ make maven iproute2 iputils-ping procps)

# javac -version prints "javac 17.0.15" (or "javac 1.8.0_392" for old JDKs).
javac_major() {
  local v
  v=$(javac -version 2>&1 | awk '/^javac /{print $2; exit}') || return 1
  [[ -n "$v" ]] || return 1
  v=${v#1.}          # 1.8 -> 8
  echo "${v%%[.+-]*}"
}

if command -v javac >/dev/null 2>&1 && major=$(javac_major) && [[ "$major" =~ ^[0-9]+$ ]] && (( major >= 17 )); then
  say "javac $major already on PATH ($(command -v javac)): not installing openjdk-17-jdk-headless"
else
  PKGS+=(openjdk-17-jdk-headless)
fi

command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 \
  || die "apt-get/dpkg not found: this script supports Debian 12 and Ubuntu 22.04/24.04 only; install the packages listed in --help by hand"

missing=()
for p in "${PKGS[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

# perf, for the benchmark's profile of the polling lcore: Debian's linux-perf. Optional: Ubuntu
# names it linux-tools-<kernel>, left to the user, and the benchmark reports "not profiled".
if ! command -v perf >/dev/null 2>&1 && apt-cache policy linux-perf 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  missing+=(linux-perf)
fi

# The guest lab boots a stock distribution kernel: the host's own, when /boot has it.
LAB_PKGS=(qemu-system-x86 busybox-static cpio)
have_guest_kernel() {
  local k
  for k in /boot/vmlinuz-*; do
    [[ -f "$k" && -f "/lib/modules/${k#/boot/vmlinuz-}/modules.dep" ]] && return 0
  done
  return 1
}
if ! have_guest_kernel; then
  if apt-cache policy linux-image-amd64 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    LAB_PKGS+=(linux-image-amd64)
  else
    LAB_PKGS+=(linux-image-generic)
  fi
fi
$arm64_lab && LAB_PKGS+=(qemu-system-arm mmdebstrap)
lab_missing=()
for p in "${LAB_PKGS[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
    lab_missing+=("$p")
  fi
done

# The arm64 cross build: the cross compiler (an amd64 package), and apt's lists of arm64 packages.
need_update=false
cross_missing=()
if $cross_arm64; then
  [[ "$(dpkg --print-architecture)" == amd64 ]] || die "--cross-arm64 is for x86-64 (amd64) hosts; this one is $(dpkg --print-architecture)"
  grep -qx 'ID=debian' /etc/os-release 2>/dev/null \
    || echo "install_deps: warning: --cross-arm64 is tested on Debian 12 only (Ubuntu serves arm64 from another mirror, ports.ubuntu.com)" >&2
  for p in g++-aarch64-linux-gnu qemu-user; do
    if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
      cross_missing+=("$p")
    fi
  done
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    (( EUID == 0 )) || die "dpkg has no arm64 architecture and this is not root: run as root (sudo $0 --cross-arm64)"
    say "dpkg --add-architecture arm64 (lists only: no arm64 package is installed)"
    dpkg --add-architecture arm64
    need_update=true
  elif ! apt-cache show libdpdk-dev:arm64 >/dev/null 2>&1; then
    need_update=true
  fi
fi

if (( ${#missing[@]} + ${#lab_missing[@]} + ${#cross_missing[@]} == 0 )) && ! $need_update; then
  say "all packages already installed"
else
  (( EUID == 0 )) || die "missing packages (${missing[*]} ${lab_missing[*]} ${cross_missing[*]}) and not root: run as root (sudo $0 $*)"
  # No prompts from debconf, conffile questions or Ubuntu's needrestart: this runs in CI without a tty.
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a
  # A fresh cloud VM often holds the dpkg lock for minutes (unattended-upgrades): wait instead of failing.
  APT_OPTS=(-o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  say "apt-get update"
  apt-get "${APT_OPTS[@]}" update -qq || die "apt-get update failed: check the machine can reach its package mirrors (/etc/apt/sources.list*)"
  if (( ${#missing[@]} )); then
    say "apt-get install ${missing[*]}"
    # Recommends stay on: dpdk recommends its PMD libraries (net_af_packet among them).
    apt-get "${APT_OPTS[@]}" install -y -q "${missing[@]}" \
      || die "apt-get install failed for: ${missing[*]} (see apt's message above; 'apt-cache policy <pkg>' tells whether the package exists here)"
  fi
  if (( ${#lab_missing[@]} )); then
    say "apt-get install --no-install-recommends ${lab_missing[*]} (the guest lab)"
    apt-get "${APT_OPTS[@]}" install -y -q --no-install-recommends "${lab_missing[@]}" \
      || die "apt-get install failed for the guest lab's packages: ${lab_missing[*]} (see apt's message above)"
  fi
  if (( ${#cross_missing[@]} )); then
    say "apt-get install --no-install-recommends ${cross_missing[*]} (the arm64 cross build)"
    apt-get "${APT_OPTS[@]}" install -y -q --no-install-recommends "${cross_missing[@]}" \
      || die "apt-get install failed for the cross compiler: ${cross_missing[*]} (see apt's message above)"
  fi
fi

if $cross_arm64; then
  command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 || die "aarch64-linux-gnu-g++ is not on PATH after installing g++-aarch64-linux-gnu"
  apt-cache show libdpdk-dev:arm64 >/dev/null 2>&1 \
    || die "apt still knows no libdpdk-dev:arm64 after apt-get update: check that the mirror in /etc/apt/sources.list* serves arm64"
  say "cross: $(aarch64-linux-gnu-g++ --version | head -n1); libdpdk-dev:arm64 $(apt-cache policy libdpdk-dev:arm64 | awk '/Candidate:/{print $2}') available"
fi

for c in pkg-config java javac mvn cmake g++ make ip ping; do
  command -v "$c" >/dev/null 2>&1 || die "'$c' is not on PATH after installing: check PATH (packages put it in /usr/bin) or install it by hand"
done

# Versions actually picked up (PKG_CONFIG_PATH included).
dpdk_ver=$(pkg-config --modversion libdpdk 2>/dev/null) || die "pkg-config cannot find libdpdk: install libdpdk-dev or point PKG_CONFIG_PATH at your DPDK's libdpdk.pc"
say "libdpdk $dpdk_ver ($(pkg-config --variable=prefix libdpdk 2>/dev/null || echo '?'))"
case "$dpdk_ver" in
  2[2-9].*|[3-9][0-9].*) ;;
  *) echo "install_deps: warning: DPDK $dpdk_ver is older than 22.11, which this project targets; build DPDK 22.11+ and set PKG_CONFIG_PATH" >&2 ;;
esac
say "java:  $(java -version 2>&1 | head -n1)"
say "javac: $(javac -version 2>&1 | head -n1)"
say "mvn:   $(mvn -v 2>/dev/null | head -n1 | sed 's/\x1b\[[0-9;]*m//g')"
say "cmake: $(cmake --version | head -n1)"
if major=$(javac_major) && [[ "$major" =~ ^[0-9]+$ ]] && (( major < 17 )); then
  die "javac on PATH is $major, the build needs 17+: run 'update-alternatives --config javac' (and java) or set JAVA_HOME/PATH to a JDK 17+"
fi
