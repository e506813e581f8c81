#!/usr/bin/env bash
# Hands a NIC to a DPDK-capable driver (vfio-pci or uio_pci_generic) and gives it back, with
# DPDK's own dpdk-devbind.py, refusing the interface that carries this machine's connection.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/bind_nic.sh [--list]
       sudo scripts/bind_nic.sh bind IF|PCI [--driver vfio-pci|uio_pci_generic] [--dry-run] [--force]
       sudo scripts/bind_nic.sh unbind PCI [--driver KERNEL_DRIVER] [--dry-run] [--force]

  --list     (the default) every network device: interface, PCI address, driver, link state,
             whether it carries the default route, its addresses; then the devices DPDK's
             drivers hold
  bind       hands the device to a DPDK-capable driver. Without --driver: vfio-pci when the
             kernel has IOMMU groups, uio_pci_generic otherwise (vfio-pci's no-IOMMU mode only
             when asked for with --driver vfio-pci, and only where the kernel has it). Loads the
             module first. Remembers the kernel driver under /run/l2echo/bind for 'unbind'.
  unbind     gives the device back to the kernel driver it had (or --driver); refuses, unless
             forced, while a process (a DPDK app) has the device open
  --dry-run  prints what it would do, changes nothing
  --force    binds even an interface with an address or the default route: it cuts off every
             connection that uses it; unbinds even a device a process holds: that process's
             driver then crashes on its next access

Refuses, unless forced, an interface that carries the default route or has an address on it:
binding it takes it from the kernel, and the machine's connection with it.
USAGE
}

die() { echo "bind_nic: error: $*" >&2; exit 1; }
usage_error() { echo "bind_nic: $*" >&2; echo "run with --help for the usage" >&2; exit 2; }
say() { echo "bind_nic: $*"; }

STATE_DIR=/run/l2echo/bind
PCI_RE='^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$'

# The PCI address behind a network interface (virtio NICs sit one level below theirs), or nothing.
pci_of_interface() {
  local dev
  dev=$(readlink -f "/sys/class/net/$1/device" 2>/dev/null) || return 0
  while [[ -n "$dev" && "$dev" != / ]]; do
    if [[ "$(basename "$dev")" =~ $PCI_RE ]]; then
      basename "$dev"
      return 0
    fi
    dev=$(dirname "$dev")
  done
}

interface_of_pci() {
  local net
  for net in /sys/bus/pci/devices/"$1"/net/* /sys/bus/pci/devices/"$1"/virtio*/net/*; do
    [[ -e "$net" ]] && basename "$net" && return 0
  done
  return 0
}

driver_of_pci() {
  local drv
  drv=$(readlink -f "/sys/bus/pci/devices/$1/driver" 2>/dev/null) || return 0
  [[ -n "$drv" ]] && basename "$drv"
}

default_route_interfaces() {
  { ip -o route show default; ip -o -6 route show default; } 2>/dev/null \
    | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1) }' | sort -u
}

addresses_of() {
  ip -o addr show dev "$1" 2>/dev/null | awk '$4 !~ /^fe80:/ { print $4 }' | paste -sd, -
}

list() {
  local defaults
  defaults=$(default_route_interfaces)
  printf '%-16s %-13s %-16s %-8s %-14s %s\n' INTERFACE PCI DRIVER STATE DEFAULT-ROUTE ADDRESSES
  local path ifname pci drv state
  for path in /sys/class/net/*; do
    ifname=$(basename "$path")
    pci=$(pci_of_interface "$ifname")
    drv=$([[ -n "$pci" ]] && driver_of_pci "$pci" || echo "(virtual)")
    state=$(cat "$path/operstate" 2>/dev/null || echo "?")
    printf '%-16s %-13s %-16s %-8s %-14s %s\n' "$ifname" "${pci:--}" "${drv:--}" "$state" \
      "$(grep -qx "$ifname" <<<"$defaults" && echo yes || echo no)" "$(addresses_of "$ifname")"
  done
  echo
  say "devices DPDK's drivers hold (dpdk-devbind.py --status-dev net):"
  local held=0 line holders
  while read -r line; do
    [[ -n "$line" ]] || continue
    held=1
    holders=$(holders_of "${line%% *}")
    echo "$line${holders:+  in use by $holders}"
  done < <(dpdk-devbind.py --status-dev net 2>/dev/null | sed -n '/DPDK-compatible driver/,/^$/p' | sed 1,2d)
  (( held )) || echo "  none"
}

# "PID (name)" of each process holding the device's uio or vfio file: the DPDK apps using it.
holders_of() {
  local pci=$1 files=() f group
  for f in "/sys/bus/pci/devices/$pci"/uio/uio*; do
    [[ -e "$f" ]] && files+=(-o -lname "/dev/$(basename "$f")")
  done
  group=$(readlink "/sys/bus/pci/devices/$pci/iommu_group" 2>/dev/null) && files+=(-o -lname "/dev/vfio/$(basename "$group")")
  (( ${#files[@]} )) || return 0
  # find fails when a process exits while it looks (its fd directory vanishes): not an error here.
  { find /proc/[0-9]*/fd -maxdepth 1 \( -false "${files[@]}" \) 2>/dev/null || true; } | cut -d/ -f3 | sort -un \
    | while read -r pid; do echo "$pid ($(cat "/proc/$pid/comm" 2>/dev/null))"; done | paste -sd, -
}

has_iommu() { [[ -n "$(ls -A /sys/kernel/iommu_groups 2>/dev/null)" ]]; }

noiommu_possible() { [[ -e /sys/module/vfio/parameters/enable_unsafe_noiommu_mode ]] || modinfo vfio 2>/dev/null | grep -q enable_unsafe_noiommu_mode; }

run() {
  if (( dry_run )); then
    echo "would run: $*"
  else
    echo "+ $*"
    "$@"
  fi
}

bind() {
  local target=$1 pci ifname current defaults
  if [[ "$target" =~ $PCI_RE ]]; then
    pci=$target
    [[ -e "/sys/bus/pci/devices/$pci" ]] || die "no PCI device $pci (see scripts/bind_nic.sh --list)"
    ifname=$(interface_of_pci "$pci")
  else
    ifname=$target
    [[ -e "/sys/class/net/$ifname" ]] || die "no interface $ifname (see scripts/bind_nic.sh --list)"
    pci=$(pci_of_interface "$ifname")
    [[ -n "$pci" ]] || die "$ifname is not a PCI device (a veth, tap or bridge): DPDK reaches it with --vdev=net_af_packet0,iface=$ifname, no binding"
  fi
  current=$(driver_of_pci "$pci")
  if [[ -n "$ifname" ]]; then
    defaults=$(default_route_interfaces)
    if grep -qx "$ifname" <<<"$defaults" && (( ! force )); then
      die "$ifname ($pci) carries the default route: binding it would cut this machine off. Pick another NIC (--list), or --force if you are on its console"
    fi
    if [[ -n "$(addresses_of "$ifname")" ]] && (( ! force )); then
      die "$ifname ($pci) has addresses ($(addresses_of "$ifname")): something uses it. Remove them (ip addr flush dev $ifname) or --force"
    fi
  fi

  local why
  if [[ -z "$driver" ]]; then
    if has_iommu; then
      driver=vfio-pci why="the kernel has IOMMU groups: vfio-pci isolates the device's DMA"
    else
      driver=uio_pci_generic why="no IOMMU groups (for vfio-pci: VT-d/AMD-Vi with intel_iommu=on or amd_iommu=on; on arm64 the firmware's SMMU): uio_pci_generic, without DMA isolation"
    fi
  else
    why="asked for with --driver"
  fi
  case "$driver" in
    vfio-pci|uio_pci_generic) ;;
    *) usage_error "--driver must be vfio-pci or uio_pci_generic, not '$driver'" ;;
  esac
  [[ "$current" == "$driver" ]] && { say "$pci is already bound to $driver"; return 0; }
  say "$pci${ifname:+ ($ifname)}: $current -> $driver ($why)"

  if [[ "$driver" == vfio-pci ]] && ! has_iommu; then
    noiommu_possible || die "vfio-pci without an IOMMU needs the kernel's no-IOMMU mode, which this kernel lacks (CONFIG_VFIO_NOIOMMU): use --driver uio_pci_generic, or enable the IOMMU"
    say "WARNING: vfio-pci in no-IOMMU mode: the device can DMA anywhere in memory, as with uio"
    run modprobe vfio enable_unsafe_noiommu_mode=1
  fi
  run modprobe "$driver"
  if (( ! dry_run )); then
    mkdir -p "$STATE_DIR"
    echo "$current" >"$STATE_DIR/$pci"
  fi
  # dpdk-devbind refuses an interface the routing table uses unless forced; we checked above.
  if [[ -n "$ifname" ]]; then
    run ip link set dev "$ifname" down
  fi
  run dpdk-devbind.py $( (( force )) && echo --force ) -b "$driver" "$pci"
  (( dry_run )) || say "bound; run DPDK with -a $pci, and give it back with: scripts/bind_nic.sh unbind $pci"
}

unbind() {
  local pci=$1 back current
  [[ "$pci" =~ $PCI_RE ]] || usage_error "unbind takes a PCI address such as 0000:03:00.0, not '$pci'"
  [[ -e "/sys/bus/pci/devices/$pci" ]] || die "no PCI device $pci"
  current=$(driver_of_pci "$pci")
  back=${driver:-$(cat "$STATE_DIR/$pci" 2>/dev/null || true)}
  [[ -n "$back" ]] || die "no record of $pci's kernel driver (it was not bound by this script): give it with --driver, e.g. --driver virtio-pci"
  [[ "$current" == "$back" ]] && { say "$pci is already on $back"; return 0; }
  local holders; holders=$(holders_of "$pci")
  if [[ -n "$holders" ]] && (( ! force )); then
    die "$pci is in use by $holders: stop it first (taking the device from under a DPDK app crashes it), or --force"
  fi
  say "$pci: ${current:-no driver} -> $back"
  run dpdk-devbind.py -b "$back" "$pci"
  (( dry_run )) || rm -f "$STATE_DIR/$pci"
}

command=list target="" driver="" dry_run=0 force=0
while (( $# )); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --list) command=list ;;
    bind|unbind)
      command=$1
      [[ $# -ge 2 && "$2" != -* ]] || usage_error "$1 needs an interface or PCI address"
      target=$2; shift ;;
    --driver)
      [[ $# -ge 2 ]] || usage_error "--driver needs a driver name"
      driver=$2; shift ;;
    --dry-run) dry_run=1 ;;
    --force) force=1 ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
  shift
done

case "$command" in
  list) list ;;
  bind|unbind)
    (( EUID == 0 || dry_run )) || die "binding needs root: run sudo $0 $command $target"
    command -v dpdk-devbind.py >/dev/null || die "dpdk-devbind.py not found: install DPDK's tools (sudo scripts/install_deps.sh)"
    "$command" "$target" ;;
esac
