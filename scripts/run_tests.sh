#!/usr/bin/env bash
# The test command: dependencies, hugepages, then the full Maven build with every test.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/run_tests.sh [mvn arguments...]    (as root; from a user account: sudo scripts/run_tests.sh)

  1. scripts/install_deps.sh   distribution packages (fast when present); on a Debian x86-64
                               host also --arm64-lab: the aarch64 cross compiler, apt's arm64
                               lists (no arm64 package is installed), qemu-system-arm and
                               mmdebstrap for the arm64 guest lab
  2. scripts/setup_env.sh      512 x 2 MB hugepages and a hugetlbfs mount
  3. mvn -B verify [mvn arguments...] in the repository root; on a Debian x86-64 host with
     -Dnative.crossArm64: the shim cross-compiled for aarch64 too, packed beside the x86-64
     one (about 2 minutes more; docs/real-nic.md, arm64), and NicLabIT runs the guest lab on
     arm64 too (about 7 minutes more). Elsewhere those steps are skipped, and the run says so.

Extra arguments go to mvn, e.g.:
  scripts/run_tests.sh -DexcludedGroups=dpdk     leave out tests that need root/hugepages/DPDK
  scripts/run_tests.sh -pl dpdk-java-api -am     one module and what it needs
Ends with the time the whole run took. Exit status: mvn's (non-zero when a step before it fails).
USAGE
}

case "${1:-}" in -h|--help) usage; exit 0 ;; esac

say() { echo "run_tests: $*"; }
took() { printf '%dm%02ds' $((SECONDS / 60)) $((SECONDS % 60)); }
trap 'say "the whole run took $(took)"' EXIT
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

(( EUID == 0 )) || say "warning: not root: installing packages, reserving hugepages and the DPDK tests need root (a root shell, or sudo $0)"

# The aarch64 shim and the arm64 lab, in every run where Debian's arm64 packages can be fetched: amd64 Debian.
cross=()
if [[ "$(dpkg --print-architecture 2>/dev/null)" == amd64 ]] && grep -qx 'ID=debian' /etc/os-release 2>/dev/null; then
  cross=(-Dnative.crossArm64)
  say "[1/3] scripts/install_deps.sh --arm64-lab"
  scripts/install_deps.sh --arm64-lab
else
  say "[1/3] scripts/install_deps.sh"
  scripts/install_deps.sh
  say "the aarch64 cross build and the arm64 lab need a Debian x86-64 host (Debian's arm64 packages): skipped here"
fi
say "[2/3] scripts/setup_env.sh"
scripts/setup_env.sh
say "[3/3] mvn -B verify ${cross[*]} $*"
rc=0
mvn -B verify "${cross[@]}" "$@" || rc=$?
if (( rc == 0 )); then say "all tests passed"; else say "mvn -B verify failed (status $rc): the first error above names the module and test"; fi
exit "$rc"
