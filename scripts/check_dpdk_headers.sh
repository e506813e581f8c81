#!/usr/bin/env bash
# Compiles the JNI shim (syntax and warnings, no link) against another DPDK release's headers,
# so that sources kept for 22.11 stay correct on newer LTS releases. By default it takes
# Debian trixie's libdpdk-dev (DPDK 24.11) without installing it: its runtime libraries
# need trixie's libc, and only the headers matter here.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: scripts/check_dpdk_headers.sh [--headers DIR]

  --headers DIR   a DPDK install prefix holding include/dpdk (your own 23.11/24.03 build,
                  e.g. /usr/local); default: download Debian trixie's libdpdk-dev (24.11)
USAGE
}

headers=""
while [ $# -gt 0 ]; do
    case "$1" in
        --headers) headers="${2:?--headers needs a directory}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "check_dpdk_headers: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "$headers" ]; then
    mkdir -p "$work/lists/partial" "$work/deb"
    echo "deb http://deb.debian.org/debian trixie main" > "$work/sources.list"
    apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
              -o "Dir::State::Lists=$work/lists" -o APT::Sandbox::User=root)
    echo "check_dpdk_headers: fetching Debian trixie's libdpdk-dev (headers only, not installed)"
    apt-get "${apt_opts[@]}" update -qq
    (cd "$work/deb" && apt-get "${apt_opts[@]}" download -qq libdpdk-dev)
    dpkg -x "$work"/deb/libdpdk-dev_*.deb "$work/root"
    headers="$work/root/usr"
fi

include="$headers/include/dpdk"
arch_include=$(find "$headers/include" -maxdepth 3 -type d -path '*-linux-gnu/dpdk' | head -n 1)
[ -f "$include/rte_ethdev.h" ] || { echo "check_dpdk_headers: no DPDK headers under $include" >&2; exit 1; }
config_dir=${arch_include:-$include}
version=$(awk '/define RTE_VER_YEAR/ {y=$3} /define RTE_VER_MONTH/ {m=$3} END {printf "%d.%02d", y, m}' \
    "$config_dir/rte_build_config.h")

java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
failed=0
for source in "$repo"/dpdk-jni-native/src/main/cpp/*.cpp "$repo"/dpdk-jni-native/src/test/cpp/*.cpp; do
    # The same warnings as CMakeLists.txt, with DPDK's headers as system headers.
    if ! g++ -std=c++17 -fsyntax-only -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion -Werror \
            -march=corei7 -isystem "$include" ${arch_include:+-isystem "$arch_include"} -include rte_config.h \
            -isystem "$java_home/include" -isystem "$java_home/include/linux" \
            -I "$repo/dpdk-jni-native/src/main/cpp" "$source"; then
        echo "check_dpdk_headers: FAILED $(basename "$source") against DPDK $version" >&2
        failed=1
    fi
done
[ "$failed" -eq 0 ] && echo "check_dpdk_headers: the shim compiles cleanly against DPDK $version"
exit "$failed"
