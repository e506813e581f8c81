#!/usr/bin/env bash
# The test command: dependencies, hugepages, then the full Maven build with every test.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/run_tests.sh [mvn arguments...]    (as root; from a user account: sudo scripts/run_tests.sh)

  1. scripts/install_deps.sh   distribution packages (fast when present)
  2. scripts/setup_env.sh      512 x 2 MB hugepages and a hugetlbfs mount
  3. mvn -B verify [mvn arguments...] in the repository root

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

say "[1/3] scripts/install_deps.sh"
scripts/install_deps.sh
say "[2/3] scripts/setup_env.sh"
scripts/setup_env.sh
say "[3/3] mvn -B verify $*"
rc=0
mvn -B verify "$@" || rc=$?
if (( rc == 0 )); then say "all tests passed"; else say "mvn -B verify failed (status $rc): the first error above names the module and test"; fi
exit "$rc"
