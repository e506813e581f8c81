#!/usr/bin/env bash
# Reserves 2 MB hugepages (and 1 GB ones on request) and makes sure a hugetlbfs mount exists, as
# DPDK's EAL needs both; reports what a PCI NIC needs beyond them (IOMMU, vfio, uio).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/setup_env.sh [--pages N] [--pages-1g N] [--nic] [--check] [--help]

Makes hugepages usable for DPDK (as root):
  - raises the number of 2 MB hugepages to N if fewer are reserved (never lowers it);
  - mounts hugetlbfs at /dev/hugepages if no 2 MB hugetlbfs mount exists;
  - prints each action and the resulting state (total/free pages, page size, mounts).
  - with --pages-1g N, the same for 1 GB pages, mounted at /dev/hugepages-1G;
  - reports what a PCI NIC needs: 1 GB page support, the IOMMU (for vfio-pci), the vfio-pci
    and uio_pci_generic modules, and for whatever is missing the kernel command line that fixes it.
Running it again changes nothing and says "already ...".

Options:
  --pages N      2 MB pages wanted (default 512 = 1 GiB)
  --pages-1g N   1 GB pages wanted (default 0). At run time the kernel rarely finds free 1 GB
                 blocks; reserve them at boot instead (the error says how)
  --nic          also fail (exit 1) when no driver can take a PCI NIC: neither vfio-pci with an
                 IOMMU nor uio_pci_generic
  --check        only report; exit 1 if hugepages are not usable (fewer than N reserved,
                 none free, or no hugetlbfs mount), or with --nic no NIC driver is usable
  --help         this text

Files left in the mount by DPDK processes (named <file-prefix>map_*) are reported, never removed.
USAGE
}

die() { echo "setup_env: error: $*" >&2; exit 1; }
say() { echo "setup_env: $*"; }

PAGES=512
PAGES_1G=0
NIC=0
CHECK=0
while (( $# )); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --pages) [[ $# -ge 2 ]] || die "--pages needs a number (e.g. --pages 512)"; PAGES=$2; shift 2 ;;
    --pages=*) PAGES=${1#*=}; shift ;;
    --pages-1g) [[ $# -ge 2 ]] || die "--pages-1g needs a number (e.g. --pages-1g 4)"; PAGES_1G=$2; shift 2 ;;
    --pages-1g=*) PAGES_1G=${1#*=}; shift ;;
    --nic) NIC=1; shift ;;
    --check) CHECK=1; shift ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$PAGES" =~ ^[0-9]+$ ]] && (( PAGES >= 1 && PAGES <= 1048576 )) || die "--pages must be a whole number of 2 MB pages from 1 up (got '$PAGES')"
PAGES=$((10#$PAGES))
[[ "$PAGES_1G" =~ ^[0-9]+$ ]] && (( PAGES_1G <= 4096 )) || die "--pages-1g must be a whole number of 1 GB pages, 0 to 4096 (got '$PAGES_1G')"
PAGES_1G=$((10#$PAGES_1G))

# Work on the 2 MB pool explicitly: /proc/sys/vm/nr_hugepages is the *default* size, which a
# kernel booted with default_hugepagesz=1G would make 1 GB.
SYS2M=/sys/kernel/mm/hugepages/hugepages-2048kB
[[ -d "$SYS2M" ]] || die "this kernel has no 2 MB hugepages ($SYS2M missing): it needs CONFIG_HUGETLBFS (every arm64 page size offers 2 MB pages too)"
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

# --- 1 GB pages ---
SYS1G=/sys/kernel/mm/hugepages/hugepages-1048576kB
MOUNT_1G=/dev/hugepages-1G

mounts_1g() {
  awk '$3 == "hugetlbfs" && $4 ~ /(^|,)pagesize=1024M(,|$)/ { print $2 }' /proc/mounts
}

boot_line_1g() {
  echo "default_hugepagesz=1G hugepagesz=1G hugepages=$1"
}

# x86 CPUs say whether they map 1 GB pages (pdpe1gb); on arm64 the kernel's page size decides
# (4 KB pages: 1 GB blocks; 16 and 64 KB pages: none of that size) and sysfs lists what it offers.
cpu_maps_1g() { [[ "$(uname -m)" != x86_64 ]] || grep -qw pdpe1gb /proc/cpuinfo; }

report_1g() {
  if ! cpu_maps_1g; then
    say "1 GB pages: this CPU lacks them (no pdpe1gb flag; in a VM, give the guest a CPU model with pdpe1gb, e.g. QEMU -cpu host or max): 2 MB pages only"
  elif [[ ! -d "$SYS1G" ]]; then
    say "1 GB pages: this kernel offers none ($SYS1G missing): boot with 'hugepagesz=1G' (an arm64 kernel with 16 or 64 KB pages has none)"
  else
    say "1 GB pages: total=$(cat "$SYS1G/nr_hugepages") free=$(cat "$SYS1G/free_hugepages"), mounted at: $(mounts_1g | paste -sd' ' - | sed 's/^$/none/')" \
        "(fewer TLB misses for large pools; reserve at boot: $(boot_line_1g N))"
  fi
}

setup_1g() {
  (( PAGES_1G > 0 )) || return 0
  cpu_maps_1g && [[ -d "$SYS1G" ]] || { report_1g; die "--pages-1g: no 1 GB pages on this machine (see above)"; }
  local have; have=$(cat "$SYS1G/nr_hugepages")
  if (( have >= PAGES_1G )); then
    say "already $have x 1 GB pages reserved (>= $PAGES_1G wanted): left as is"
  else
    need_root "reserving 1 GB pages"
    say "raising 1 GB pages from $have to $PAGES_1G"
    echo "$PAGES_1G" > "$SYS1G/nr_hugepages" 2>/dev/null || true
    have=$(cat "$SYS1G/nr_hugepages")
    (( have >= PAGES_1G )) || die "the kernel reserved only $have of $PAGES_1G 1 GB pages: free 1 GB blocks are rare once the machine runs. Reserve them at boot: add '$(boot_line_1g "$PAGES_1G")' to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub and reboot)"
  fi
  if [[ -n "$(mounts_1g)" ]]; then
    say "already mounted: hugetlbfs (1 GB) at $(mounts_1g | paste -sd' ' -)"
  else
    need_root "mounting hugetlbfs (1 GB)"
    say "mounting hugetlbfs (pagesize=1G) at $MOUNT_1G"
    mkdir -p "$MOUNT_1G"
    mount -t hugetlbfs -o pagesize=1G nodev "$MOUNT_1G" || die "mount -t hugetlbfs -o pagesize=1G failed"
  fi
}

# --- what a PCI NIC needs: an IOMMU for vfio-pci, or uio_pci_generic ---
module_state() {
  if [[ -d "/sys/module/${1//-/_}" ]]; then echo loaded
  elif modinfo "$1" >/dev/null 2>&1; then echo available
  else echo missing; fi
}

# How to get an IOMMU, for this machine's architecture.
iommu_fix() {
  if [[ "$(uname -m)" == aarch64 ]]; then
    echo "the SMMU is described by the firmware (ACPI IORT or the device tree) and needs nothing on the kernel command line:" \
         "check 'dmesg | grep -i smmu' and that the firmware enables it; in a QEMU guest '-machine virt,iommu=smmuv3' and the NIC's 'iommu_platform=on'"
    return
  fi
  local line="intel_iommu=on iommu=pt"
  grep -q AuthenticAMD /proc/cpuinfo && line="amd_iommu=on iommu=pt"
  echo "enable VT-d (Intel) or AMD-Vi in the firmware and add '$line' to the kernel command line" \
       "(GRUB_CMDLINE_LINUX in /etc/default/grub, update-grub, reboot); in a QEMU guest also '-device intel-iommu,intremap=on' and the NIC's 'iommu_platform=on'"
}

# Prints the report; returns 0 when some driver can take a PCI NIC.
report_nic() {
  local groups vfio uio usable=1
  groups=$(find /sys/kernel/iommu_groups -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  vfio=$(module_state vfio-pci)
  uio=$(module_state uio_pci_generic)
  if (( groups > 0 )); then
    say "IOMMU: $groups groups: vfio-pci can isolate a NIC's DMA (vfio-pci module: $vfio)"
    [[ "$vfio" != missing ]] || { say "missing: the vfio-pci module: install the kernel's extra modules (Ubuntu: linux-modules-extra-\$(uname -r))"; usable=0; }
  else
    say "IOMMU: none (no groups in /sys/kernel/iommu_groups): vfio-pci cannot isolate DMA, so bind_nic.sh picks uio_pci_generic"
    say "missing: IOMMU. Fix: $(iommu_fix)"
    if [[ -e /sys/module/vfio/parameters/enable_unsafe_noiommu_mode ]] || modinfo vfio 2>/dev/null | grep -q enable_unsafe_noiommu_mode; then
      say "vfio-pci no-IOMMU mode: this kernel has it (unsafe: the NIC can DMA anywhere, like uio)"
    else
      say "vfio-pci no-IOMMU mode: not in this kernel (CONFIG_VFIO_NOIOMMU)"
    fi
    usable=0
  fi
  say "uio_pci_generic module: $uio"
  [[ "$uio" == missing ]] && say "missing: uio_pci_generic: install the kernel's extra modules (Ubuntu: linux-modules-extra-\$(uname -r))"
  [[ "$uio" != missing ]] && usable=1
  return $(( ! usable ))
}

nic_verdict() {
  (( NIC )) || return 0
  if report_nic; then
    say "ok: a PCI NIC can be bound ($( (( $(find /sys/kernel/iommu_groups -mindepth 1 -maxdepth 1 2>/dev/null | wc -l) > 0 )) && echo vfio-pci || echo uio_pci_generic))"
    return 0
  fi
  echo "setup_env: not usable: no driver can take a PCI NIC (see 'missing:' above)" >&2
  return 1
}

if (( CHECK )); then
  report
  report_1g
  nic_ok=1; nic_verdict || nic_ok=0
  if usable; then
    say "ok: hugepages usable ($(total) reserved >= $PAGES wanted, $(free_pages) free)"
    exit $(( ! nic_ok ))
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

setup_1g
report
report_1g
if (( $(free_pages) == 0 )); then
  die "all $(total) pages are in use (DPDK processes or leftover files above): stop them or rerun with a larger --pages"
fi
say "ok: hugepages ready"
nic_verdict || exit 1
