#!/usr/bin/env bash
# Cross-compiles the JNI shim for arm64 Linux on an x86-64 Debian host, against Debian's arm64 DPDK.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/cross_build_arm64.sh [--work-dir DIR] [--output DIR] [--help]

Builds libdpdkj.so for aarch64 (warnings as errors, as the native build) and checks it:
  1. downloads Debian's arm64 libdpdk-dev, the librte-* libraries and every library they need
     (apt-get download; dependencies resolved with apt-cache depends), into DIR/debs
  2. unpacks them with dpkg-deb -x into DIR/root: nothing is installed into the system
  3. configures dpdk-jni-native with cmake/aarch64-linux-gnu.cmake and builds everything
     (the shim, its CTest programs, the benchmark helpers) in DIR/cmake
  4. checks the shim: an AArch64 ELF, NEEDs the arm64 librte_* libraries, no run path, exports
     only JNI_OnLoad;
     runs the CTest programs under qemu-aarch64 when it is installed (Debian's qemu-user)
  5. copies it to OUT/linux-aarch64/libdpdkj.so, when --output OUT is given
     (Maven: mvn package -Dnative.crossArm64 puts it in the native jar beside linux-x86_64)

  --work-dir DIR   default: dpdk-jni-native/target/aarch64 (downloads kept there between runs)

Needs: the cross compiler (g++-aarch64-linux-gnu), qemu-user to run the tests, cmake, pkg-config, a JDK (JAVA_HOME, or
javac on PATH), and dpkg's arm64 architecture with apt lists for it. As root,
scripts/install_deps.sh --cross-arm64 sets up all of that (dpkg --add-architecture arm64 and
apt-get update; no arm64 package is installed). Ends with the time it took.
USAGE
}

die() { echo "cross_build_arm64: error: $*" >&2; exit 1; }
say() { echo "cross_build_arm64: $*"; }
took() { printf '%dm%02ds' $((SECONDS / 60)) $((SECONDS % 60)); }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK="$ROOT/dpdk-jni-native/target/aarch64"
OUT=""
while (( $# )); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --work-dir) [[ $# -ge 2 ]] || die "--work-dir needs a folder"; WORK=$2; shift 2 ;;
    --output) [[ $# -ge 2 ]] || die "--output needs a folder"; OUT=$2; shift 2 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

for c in aarch64-linux-gnu-g++ cmake pkg-config apt-get apt-cache dpkg-deb readelf nm; do
  command -v "$c" >/dev/null 2>&1 \
    || die "'$c' not found: as root, scripts/install_deps.sh --cross-arm64 installs what this needs"
done
dpkg --print-foreign-architectures | grep -qx arm64 \
  || die "dpkg has no arm64 architecture, so apt cannot fetch arm64 packages: as root, scripts/install_deps.sh --cross-arm64 (dpkg --add-architecture arm64 && apt-get update)"
if [[ -z "${JAVA_HOME:-}" ]]; then
  command -v javac >/dev/null 2>&1 || die "no JAVA_HOME and no javac on PATH: the shim needs a JDK's jni.h"
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
fi
[[ -f "$JAVA_HOME/include/jni.h" ]] || die "JAVA_HOME=$JAVA_HOME has no include/jni.h: point it at a JDK"

# What apt would install with libdpdk-dev:arm64, minus what the cross toolchain already brings
# (libc, libgcc, libstdc++) and anything that is not a library (tools, daemons, perl). Breadth
# first, one apt-cache call per level.
KEEP='^(lib|zlib1g|ibverbs-providers)'
SKIP='^(libc6|libc6-dev|libc-dev-bin|libgcc-s1|libstdc\+\+6|libcrypt1|libcrypt-dev|libnsl2|libnsl-dev|libtirpc3|libtirpc-dev|librte-meta-.*|libperl.*|libpam.*|libsemanage.*|libdebian-installer.*)$'
resolve_packages() {
  local -A seen=()
  local want=(libdpdk-dev) deps d p
  while (( ${#want[@]} )); do
    for p in "${want[@]}"; do seen[$p]=1; done
    mapfile -t deps < <(apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks \
        --no-replaces --no-enhances "${want[@]/%/:arm64}" \
      | sed -n -E 's/^ *\|?(Pre)?Depends: ([^ <>]+):arm64$/\2/p' | sort -u)
    want=()
    for d in "${deps[@]}"; do
      [[ $d =~ $KEEP && ! $d =~ $SKIP && -z ${seen[$d]:-} ]] && want+=("$d")
    done
  done
  printf '%s\n' "${!seen[@]}" | sort
}

say "[1/5] resolving libdpdk-dev:arm64's dependencies"
apt-cache show libdpdk-dev:arm64 >/dev/null 2>&1 \
  || die "apt knows no libdpdk-dev:arm64: run apt-get update after dpkg --add-architecture arm64"
mapfile -t PKGS < <(resolve_packages)
(( ${#PKGS[@]} > 10 )) || die "resolved only ${#PKGS[@]} packages (${PKGS[*]}): apt's arm64 lists look incomplete"
DPDK_VERSION=$(apt-cache policy libdpdk-dev:arm64 | awk '/Candidate:/{print $2}')
say "libdpdk-dev:arm64 $DPDK_VERSION and ${#PKGS[@]} packages in all"

say "[2/5] downloading them to $WORK/debs"
mkdir -p "$WORK/debs"
# One apt-cache call for every candidate version; apt-get download writes an epoch's ':' as %3a.
declare -A DEB=()
while read -r p v; do
  DEB[$p]="$WORK/debs/${p}_${v//:/%3a}_arm64.deb"
done < <(apt-cache policy "${PKGS[@]/%/:arm64}" \
           | awk '/^[^ ].*:arm64:$/{sub(/:arm64:$/, ""); p=$0} /^  Candidate:/{print p, $2}')
missing=()
for p in "${PKGS[@]}"; do
  [[ -n "${DEB[$p]:-}" && "${DEB[$p]}" != *"(none)"* ]] || die "no candidate for $p:arm64"
  [[ -f "${DEB[$p]}" ]] || missing+=("$p:arm64")
done
if (( ${#missing[@]} )); then
  # _apt cannot write to a folder root owns: download as root, without apt's warning about it.
  (cd "$WORK/debs" && apt-get download -q -o APT::Sandbox::User=root "${missing[@]}" >/dev/null) \
    || die "apt-get download failed for some of: ${missing[*]}"
fi
say "$(( ${#PKGS[@]} - ${#missing[@]} )) already there, ${#missing[@]} downloaded ($(du -sh "$WORK/debs" | cut -f1))"

say "[3/5] unpacking into $WORK/root (dpkg-deb -x; the system is not touched)"
rm -rf "$WORK/root"
mkdir -p "$WORK/root"
for p in "${PKGS[@]}"; do
  [[ -f "${DEB[$p]}" ]] || die "${DEB[$p]} is missing after the download"
  dpkg-deb -x "${DEB[$p]}" "$WORK/root"
done
# Absolute symlinks (libfoo.so -> /lib/aarch64-linux-gnu/libfoo.so.1) would point into the host:
# point them into the root instead.
while IFS= read -r -d '' link; do
  ln -sfn "$WORK/root$(readlink "$link")" "$link"
done < <(find "$WORK/root" -type l -lname '/*' -print0)
# Linker scripts (libbsd.so: GROUP(/usr/lib/aarch64-linux-gnu/libbsd.so.0.11.7 ...)) likewise.
while IFS= read -r -d '' so; do
  if [[ "$(head -c 64 "$so" | tr -d '\0')" == "/* GNU ld script"* ]]; then
    sed -i -E "s#([ (])(/(usr/)?lib/)#\1$WORK/root\2#g" "$so"
  fi
done < <(find "$WORK/root" -type f -name '*.so' -size -4k -print0)
[[ -f "$WORK/root/usr/lib/aarch64-linux-gnu/pkgconfig/libdpdk.pc" ]] \
  || die "libdpdk.pc is not in the unpacked packages"

say "[4/5] building with $(aarch64-linux-gnu-g++ --version | head -n1)"
rm -rf "$WORK/cmake"
cmake -S "$ROOT/dpdk-jni-native" -B "$WORK/cmake" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$ROOT/dpdk-jni-native/cmake/aarch64-linux-gnu.cmake" \
  -DDPDKJ_ARM64_ROOT="$WORK/root" -DJAVA_HOME="$JAVA_HOME" -DDPDKJ_OUTPUT_DIR="$WORK/native" >/dev/null \
  || die "cmake could not configure the cross build (run it again without >/dev/null in this script to see why)"
cmake --build "$WORK/cmake" --parallel || die "the cross build failed: see the compiler's message above"
SO="$WORK/native/linux-aarch64/libdpdkj.so"
[[ -f "$SO" ]] || die "the build made no $SO"

say "[5/5] checking $SO"
machine=$(readelf -h "$SO" | awk -F: '/Machine:/{gsub(/^ +/, "", $2); print $2}')
[[ "$machine" == "AArch64" ]] || die "the shim is built for '$machine', not AArch64"
needed=$(readelf -d "$SO" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
[[ "$needed" == *librte_eal.so* ]] || die "the shim does not need librte_eal: NEEDED is $needed"
! readelf -d "$SO" | grep -q -E '\((RPATH|RUNPATH)\)' \
  || die "the shim carries a run path into this machine's folders: $(readelf -d "$SO" | grep -E 'RPATH|RUNPATH')"
exported=$(nm -D --defined-only "$SO" | awk '{print $3}' | tr '\n' ' ')
[[ "$exported" == "JNI_OnLoad " ]] || die "the shim exports '$exported', not JNI_OnLoad alone"
say "machine $machine; NEEDED $needed; exports $exported"
# The CTest programs (swap kernels, counter layout) on arm64, under qemu-user, when it is there.
if command -v qemu-aarch64 >/dev/null 2>&1; then
  ctest --test-dir "$WORK/cmake" --output-on-failure || die "the arm64 CTest programs failed under qemu-aarch64 (see above)"
else
  say "the arm64 CTest programs were built, not run: no qemu-aarch64 (Debian's qemu-user)"
fi
if [[ -n "$OUT" ]]; then
  mkdir -p "$OUT/linux-aarch64"
  cp "$SO" "$OUT/linux-aarch64/libdpdkj.so"
  say "copied to $OUT/linux-aarch64/libdpdkj.so"
fi
say "done in $(took)"
