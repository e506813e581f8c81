#!/usr/bin/env bash
# The arm64 guest's root for nic-lab.sh --arch arm64: Debian's own arm64 packages, unpacked on the
# x86-64 host. Nothing arm64 runs here (no binfmt_misc, no qemu-user): mmdebstrap only extracts, and
# the little that the packages' maintainer scripts would have done is done below from the host.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: sudo scripts/lab/arm64_root.sh DIR [--help]

Makes DIR (new or empty) an arm64 Debian 12 root that nic-lab.sh shares with its arm64 guest over
9p, read-only: the arm64 kernel and its modules, a static busybox for the initramfs, OpenJDK 17,
DPDK 22.11 (its libraries, plugins and dpdk-devbind.py, with python3 and pciutils), and what
bind_nic.sh and setup_env.sh use (bash, coreutils, iproute2, kmod, procps, util-linux, gawk).
About 1 GB unpacked; a minute or two, most of it downloading. The apt sources are the host's
(/etc/apt/sources.list.d/debian.sources, else deb.debian.org). Remove DIR to get rid of it.

Needs root and mmdebstrap (scripts/install_deps.sh --arm64-lab installs it).
USAGE
}

die() { echo "arm64_root: error: $*" >&2; exit 1; }
say() { echo "arm64_root: $*"; }

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") die "which folder? (see --help)" ;;
esac
DIR=$1
(( $# == 1 )) || die "one folder only (see --help)"
(( EUID == 0 )) || die "needs root (the unpacked files keep their owners and modes): sudo $0 $DIR"
command -v mmdebstrap >/dev/null || die "mmdebstrap not found: sudo scripts/install_deps.sh --arm64-lab"
if [[ -e "$DIR" ]]; then
  [[ -d "$DIR" && -z "$(ls -A "$DIR")" ]] || die "$DIR exists and is not an empty folder"
fi

PACKAGES=(
  base-files base-passwd bash dash coreutils debianutils util-linux mount findutils grep sed gawk procps kmod
  iproute2 pciutils python3 busybox-static linux-image-arm64 openjdk-17-jre-headless dpdk
  # What the shim is linked against (readelf -d libdpdkj.so): librte_pdump is no recommend of dpdk's.
  librte-eal23 librte-ethdev23 librte-mbuf23 librte-mempool23 librte-telemetry23 librte-pdump23
)
SOURCES=(http://deb.debian.org/debian)
[[ -f /etc/apt/sources.list.d/debian.sources ]] && SOURCES=(/etc/apt/sources.list.d/debian.sources)

SECONDS=0
say "unpacking ${#PACKAGES[@]} packages and their dependencies (arm64, bookworm) into $DIR"
# With recommends: dpdk only recommends its libraries and drivers (librte-*), as on the host.
mmdebstrap --quiet --variant=extract --architectures=arm64 --aptopt='APT::Install-Recommends "true"' \
  --include="$(IFS=,; echo "${PACKAGES[*]}")" bookworm "$DIR" "${SOURCES[@]}"

# What maintainer scripts and update-alternatives would have made.
mkdir -p "$DIR"/{proc,sys,dev,tmp,run}
# bookworm's packages still put /bin, /sbin and /lib in the root (no merged /usr), dash's /bin/sh among them.
[[ -L "$DIR/bin/sh" ]] || die "no /bin/sh in $DIR (dash)"
[[ -e "$DIR/etc/passwd" ]] || cp "$DIR/usr/share/base-passwd/passwd.master" "$DIR/etc/passwd"
[[ -e "$DIR/etc/group" ]] || cp "$DIR/usr/share/base-passwd/group.master" "$DIR/etc/group"
java=$(ls -d "$DIR"/usr/lib/jvm/java-17-openjdk-arm64/bin/java 2>/dev/null) || die "no arm64 java in $DIR"
ln -sfn "${java#"$DIR"}" "$DIR/usr/bin/java"
[[ -e "$DIR/usr/bin/awk" ]] || ln -s gawk "$DIR/usr/bin/awk"
# dpdk-devbind.py looks for lspci with which(1), an alternative since bookworm.
[[ -e "$DIR/usr/bin/which" ]] || ln -s which.debianutils "$DIR/usr/bin/which"
kernel=$(ls -1v "$DIR"/boot/vmlinuz-* 2>/dev/null | tail -n 1)
[[ -n "$kernel" ]] || die "no kernel in $DIR/boot"
kver=${kernel##*/vmlinuz-}
depmod -b "$DIR" "$kver" || die "depmod for $kver failed"
say "done in ${SECONDS} s: kernel $kver, $(du -sh "$DIR" | cut -f1)"
