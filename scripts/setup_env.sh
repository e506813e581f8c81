#!/usr/bin/env bash
# Reserves 2 MB hugepages and makes sure a hugetlbfs mount exists, as DPDK's EAL needs both.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/setup_env.sh [--pages N] [--check] [--help]

Makes hugepages usable for DPDK (as root):
  - raises the number of 2 MB hugepages to N if fewer are reserved (never lowers it);
  - mounts hugetlbfs at /dev/hugepages if no 2 MB hugetlbfs mount exists;
  - prints each action and the resulting state (total/free pages, page size, mounts).
Running it again changes nothing and says "already ...".

Options:
  --pages N   2 MB pages wanted (default 512 = 1 GiB)
  --check     only report; exit 1 if hugepages are not usable (fewer than N reserved,
              none free, or no hugetlbfs mount)
  --help      this text

Files left in the mount by DPDK processes (named <file-prefix>map_*) are reported, never removed.
USAGE
}

die() { echo "setup_env: error: $*" >&2; exit 1; }
say() { echo "setup_env: $*"; }

PAGES=512
CHECK=0
while (( $# )); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --pages) [[ $# -ge 2 ]] || die "--pages needs a number (e.g. --pages 512)"; PAGES=$2; shift 2 ;;
    --pages=*) PAGES=${1#*=}; shift ;;
    --check) CHECK=1; shift ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$PAGES" =~ ^[0-9]+$ ]] && (( PAGES >= 1 && PAGES <= 1048576 )) || die "--pages must be a whole number of 2 MB pages from 1 up (got '$PAGES')"
PAGES=$((10#$PAGES))

# Work on the 2 MB pool explicitly: /proc/sys/vm/nr_hugepages is the *default* size, which a
# kernel booted with default_hugepagesz=1G would make 1 GB.
SYS2M=/sys/kernel/mm/hugepages/hugepages-2048kB
[[ -d "$SYS2M" ]] || die "this kernel has no 2 MB hugepages ($SYS2M missing): it needs CONFIG_HUGETLBFS on x86_64"
NR_FILE="$SYS2M/nr_hugepages"
[[ "$(awk '/^Hugepagesize:/{print $2}' /proc/meminfo)" == 2048 ]] && NR_FILE=/proc/sys/vm/nr_hugepages

total() { cat "$SYS2M/nr_hugepages"; }
free_pages() { cat "$SYS2M/free_hugepages"; }

# hugetlbfs mount points serving 2 MB pages (an entry without pagesize= uses the default size).
mounts_2m() {
  local def; def=$(awk '/^Hugepagesize:/{print $2}' /proc/meminfo)
  awk -v def="$def" '$3 == "hugetlbfs" {
      ps = ""; n = split($4, o, ",");
      for (i = 1; i <= n; i++) if (o[i] ~ /^pagesize=/) ps = substr(o[i], 10);
      if (ps == "2M" || (ps == "" && def == 2048)) print $2 }' /proc/mounts
}

report() {
  local t f m files
  t=$(total); f=$(free_pages)
  say "state: 2 MB pages total=$t free=$f (in use $((t - f))), $((t * 2)) MiB reserved; default page size $(awk '/^Hugepagesize:/{print $2, $3}' /proc/meminfo)"
  m=$(mounts_2m | paste -sd' ' -)
  say "state: hugetlbfs (2 MB) mounted at: ${m:-none}"
  local other; other=$(awk '$3 == "hugetlbfs" {print $2 " (" $4 ")"}' /proc/mounts | paste -sd';' -)
  [[ -n "$other" ]] && say "state: all hugetlbfs mounts: $other"
  for d in $(mounts_2m); do
    files=$(find "$d" -maxdepth 1 -type f 2>/dev/null | wc -l)
    if (( files > 0 )); then
      say "note: $d holds $files file(s) from DPDK processes (${d}/<file-prefix>map_*): pages stay taken until they are removed;" \
          "if no DPDK process with that prefix runs, 'rm ${d}/<prefix>map_*' frees them (DPDK's --in-memory avoids them)"
    fi
  done
}

usable() {
  [[ -n "$(mounts_2m)" ]] && (( $(total) >= PAGES && $(free_pages) > 0 ))
}

if (( CHECK )); then
  report
  if usable; then
    say "ok: hugepages usable ($(total) reserved >= $PAGES wanted, $(free_pages) free)"
    exit 0
  fi
  [[ -n "$(mounts_2m)" ]] || echo "setup_env: not usable: no 2 MB hugetlbfs mount (run: sudo scripts/setup_env.sh)" >&2
  (( $(total) >= PAGES )) || echo "setup_env: not usable: $(total) pages reserved, $PAGES wanted (run: sudo scripts/setup_env.sh --pages $PAGES)" >&2
  (( $(free_pages) > 0 )) || echo "setup_env: not usable: no free pages (DPDK processes or leftover files hold them all; see the mount's *map_* files)" >&2
  exit 1
fi

need_root() { (( EUID == 0 )) || die "$1 needs root: run sudo $0 ${ORIG_ARGS:-}"; }
ORIG_ARGS="--pages $PAGES"

# --- pages ---
have=$(total)
if (( have >= PAGES )); then
  say "already $have x 2 MB pages reserved (>= $PAGES wanted): left as is"
else
  need_root "reserving hugepages"
  say "raising 2 MB hugepages from $have to $PAGES ($NR_FILE)"
  echo "$PAGES" > "$NR_FILE" 2>/dev/null \
    || die "cannot write $NR_FILE (read-only /proc/sys or /sys: in a container, reserve hugepages on the host)"
  got=$(total)
  if (( got < PAGES )) && [[ -w /proc/sys/vm/compact_memory ]]; then
    # Free memory is usually there but fragmented; compaction builds contiguous 2 MB blocks.
    say "kernel gave $got of $PAGES: compacting memory and retrying once"
    echo 1 > /proc/sys/vm/compact_memory || true
    echo "$PAGES" > "$NR_FILE" || true
    got=$(total)
  fi
  if (( got < PAGES )); then
    report
    cat >&2 <<MSG
setup_env: error: the kernel reserved only $got of $PAGES 2 MB pages: not enough contiguous free memory (fragmentation) or not enough RAM.
  What to do: free memory and retry ('sync; echo 3 > /proc/sys/vm/drop_caches; echo 1 > /proc/sys/vm/compact_memory', then rerun),
  or accept fewer pages ('$0 --pages $got', and size DPDK's pools to fit),
  or reserve them at boot (kernel command line 'hugepages=$PAGES', then reboot).
MSG
    exit 1
  fi
  say "reserved $got x 2 MB pages"
fi

# --- mount ---
if [[ -n "$(mounts_2m)" ]]; then
  say "already mounted: hugetlbfs (2 MB) at $(mounts_2m | paste -sd' ' -)"
else
  need_root "mounting hugetlbfs"
  if mountpoint -q /dev/hugepages 2>/dev/null; then
    die "/dev/hugepages is already a mount point but not a 2 MB hugetlbfs ($(awk '$2=="/dev/hugepages"{print $3, $4}' /proc/mounts)): unmount it or mount one yourself: mount -t hugetlbfs -o pagesize=2M nodev <dir>"
  fi
  say "mounting hugetlbfs (pagesize=2M) at /dev/hugepages"
  mkdir -p /dev/hugepages
  mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages \
    || die "mount -t hugetlbfs failed (a container without CAP_SYS_ADMIN cannot mount: mount it on the host and share it)"
fi

report
if (( $(free_pages) == 0 )); then
  die "all $(total) pages are in use (DPDK processes or leftover files above): stop them or rerun with a larger --pages"
fi
say "ok: hugepages ready"
