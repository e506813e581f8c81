#!/usr/bin/env bash
# Virtual test bed: one veth end for DPDK's net_af_packet (root namespace), the other end in a
# network namespace where the kernel pings and sends frames towards the DPDK side.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/veth_bed.sh up|down|status [options]

  up       create the veth pair and namespace (idempotent: an existing bed of ours is kept)
  down     remove the namespace and the DUT interface (no-op when absent)
  status   print both ends (state, MAC, queues, addresses); exit 0 when the bed is up, 1 if not

Options (use the same ones for up, down and status):
  --ns NAME        network namespace for the kernel side       (default l2e-gen)
  --dut IF         veth end that DPDK's net_af_packet opens, root namespace (default l2e-dut0)
  --peer IF        veth end moved into the namespace          (default l2e-gen0)
  --queues N       numtxqueues/numrxqueues on both ends        (default 1)
  --peer-ip CIDR   address on the peer                         (default 10.99.0.1/24)
  --echo-ip IP     address "of the DPDK side": a permanent neighbour entry in the namespace maps
                   it to the DUT's MAC, so 'ip netns exec NS ping IP' sends frames to DPDK
                   (default 10.99.0.2)
  --no-neighbour   up: no permanent neighbour entry for the echo IP (one left by an earlier up is
                   removed): the namespace learns the DUT's MAC by ARP, from a DPDK app that
                   answers it (responder-example)
  --help           this text

After 'up', run DPDK on the DUT end, e.g.:
  dpdk-testpmd -l 0-1 --no-pci --vdev=net_af_packet0,iface=l2e-dut0 --in-memory -- --forward-mode=macswap
and send from the namespace: ip netns exec l2e-gen ping 10.99.0.2  (100% loss = frames echoed, not answered).
With --queues N, add qpairs=N to the vdev: the kernel's fanout hash spreads flows over the queues.
Needs root. Refuses to touch an interface that is not a veth, carries a default route or has an IPv4 address.
USAGE
}

die() { echo "veth_bed: error: $*" >&2; exit 1; }
say() { echo "veth_bed: $*"; }

CMD=""
NS=l2e-gen DUT=l2e-dut0 PEER=l2e-gen0 QUEUES=1 PEER_IP=10.99.0.1/24 ECHO_IP=10.99.0.2 NEIGHBOUR=1
while (( $# )); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --no-neighbour) NEIGHBOUR=0; shift ;;
    up|down|status) [[ -z "$CMD" ]] || die "give one command (up, down or status), not '$CMD' and '$1'"; CMD=$1; shift ;;
    --ns|--dut|--peer|--queues|--peer-ip|--echo-ip)
      [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value (see --help)"
      case "$1" in
        --ns) NS=$2 ;; --dut) DUT=$2 ;; --peer) PEER=$2 ;; --queues) QUEUES=$2 ;;
        --peer-ip) PEER_IP=$2 ;; --echo-ip) ECHO_IP=$2 ;;
      esac
      shift 2 ;;
    --*=*) opt=${1%%=*}; val=${1#*=}; shift; set -- "$opt" "$val" "$@" ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ -n "$CMD" ]] || die "missing command: up, down or status (see --help)"

# Kernel limit IFNAMSIZ-1 = 15; a restricted charset also keeps names safe in /proc/sys paths.
valid_ifname() {
  [[ "$2" =~ ^[A-Za-z0-9_.-]{1,15}$ && "$2" != "." && "$2" != ".." ]] \
    || die "$1 '$2' is not a valid interface name (1-15 characters of A-Z a-z 0-9 _ . -)"
}
valid_ifname --dut "$DUT"
valid_ifname --peer "$PEER"
[[ "$NS" =~ ^[A-Za-z0-9_.-]{1,64}$ && "$NS" != "." && "$NS" != ".." ]] || die "--ns '$NS' is not a valid namespace name (1-64 characters of A-Z a-z 0-9 _ . -)"
[[ "$DUT" != "$PEER" ]] || die "--dut and --peer must differ (both are '$DUT')"
[[ "$QUEUES" =~ ^[0-9]+$ ]] && (( 10#$QUEUES >= 1 && 10#$QUEUES <= 64 )) || die "--queues must be 1..64 (got '$QUEUES')"
QUEUES=$((10#$QUEUES))

ip2int() {
  local a b c d
  [[ "$1" =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || return 1
  a=${BASH_REMATCH[1]} b=${BASH_REMATCH[2]} c=${BASH_REMATCH[3]} d=${BASH_REMATCH[4]}
  (( 10#$a < 256 && 10#$b < 256 && 10#$c < 256 && 10#$d < 256 )) || return 1
  echo $(( (10#$a << 24) | (10#$b << 16) | (10#$c << 8) | 10#$d ))
}
[[ "$PEER_IP" == */* ]] || die "--peer-ip needs a prefix length, e.g. 10.99.0.1/24 (got '$PEER_IP')"
PEER_ADDR=${PEER_IP%/*} PREFIX=${PEER_IP#*/}
peer_int=$(ip2int "$PEER_ADDR") || die "--peer-ip '$PEER_IP' is not an IPv4 CIDR like 10.99.0.1/24"
[[ "$PREFIX" =~ ^[0-9]+$ ]] && (( 10#$PREFIX >= 8 && 10#$PREFIX <= 30 )) || die "--peer-ip prefix must be 8..30 (got '/$PREFIX')"
PREFIX=$((10#$PREFIX))
echo_int=$(ip2int "$ECHO_IP") || die "--echo-ip '$ECHO_IP' is not an IPv4 address like 10.99.0.2"
mask=$(( (0xffffffff << (32 - PREFIX)) & 0xffffffff ))
# Without a connected route to it, ping would say "Network is unreachable" instead of sending.
(( (peer_int & mask) == (echo_int & mask) )) || die "--echo-ip $ECHO_IP is outside --peer-ip $PEER_IP: pick one in the same subnet"
(( peer_int != echo_int )) || die "--echo-ip must differ from the peer's own address ($PEER_ADDR)"
PEER_IP="$PEER_ADDR/$PREFIX"

(( EUID == 0 )) || die "needs root (network namespaces, links): run sudo $0 $CMD"
command -v ip >/dev/null 2>&1 || die "'ip' not found: install iproute2 (scripts/install_deps.sh)"

nsx() { ip netns exec "$NS" "$@"; }
ns_exists() { [[ -e "/run/netns/$NS" ]]; }
dut_exists() { [[ -e "/sys/class/net/$DUT" ]]; }
peer_exists() { ns_exists && nsx test -e "/sys/class/net/$PEER"; }
link_kind() { ip -d -o link show dev "$1" 2>/dev/null | grep -qw veth && echo veth || echo other; }
dut_ipv4() { ip -4 -o addr show dev "$DUT" 2>/dev/null | awk '{print $4}' | paste -sd' ' -; }
dut_default_route() { { ip -4 route show default; ip -6 route show default; } 2>/dev/null | grep -qw "dev $DUT"; }

# Ours = DUT is a veth whose other end is PEER inside NS (matched by ifindex both ways).
is_ours() {
  dut_exists && [[ "$(link_kind "$DUT")" == veth ]] && peer_exists || return 1
  local d_if d_link p_if p_link
  d_if=$(cat "/sys/class/net/$DUT/ifindex") d_link=$(cat "/sys/class/net/$DUT/iflink")
  p_if=$(nsx cat "/sys/class/net/$PEER/ifindex") p_link=$(nsx cat "/sys/class/net/$PEER/iflink")
  [[ "$d_link" == "$p_if" && "$p_link" == "$d_if" ]]
}

queues_of() { # $1 = "root" or "ns", $2 = ifname -> "rx/tx"
  local line
  if [[ "$1" == ns ]]; then line=$(nsx ip -d -o link show dev "$2"); else line=$(ip -d -o link show dev "$2"); fi
  echo "$(grep -o 'numrxqueues [0-9]*' <<<"$line" | awk '{print $2}')/$(grep -o 'numtxqueues [0-9]*' <<<"$line" | awk '{print $2}')"
}

set_sysctl() { # $1 = "root" or "ns", $2 = /proc/sys path, $3 = value, $4 = label
  local cur
  if [[ "$1" == ns ]]; then cur=$(nsx cat "$2" 2>/dev/null || echo missing); else cur=$(cat "$2" 2>/dev/null || echo missing); fi
  if [[ "$cur" == missing ]]; then say "skipped: $4 ($2 absent: kernel without it)"; return 0; fi
  if [[ "$cur" == "$3" ]]; then say "already: $4"; return 0; fi
  if [[ "$1" == ns ]]; then nsx sh -c "echo $3 > '$2'"; else echo "$3" > "$2"; fi
  say "set: $4"
}

link_up() { # $1 = "root" or "ns", $2 = ifname
  local flags
  if [[ "$1" == ns ]]; then flags=$(nsx ip -o link show dev "$2"); else flags=$(ip -o link show dev "$2"); fi
  if [[ "$flags" =~ \<([^>]*)\> && ",${BASH_REMATCH[1]}," == *,UP,* ]]; then say "already up: $2"; return 0; fi
  if [[ "$1" == ns ]]; then nsx ip link set dev "$2" up; else ip link set dev "$2" up; fi
  say "link up: $2${3:+ $3}"
}

cmd_up() {
  if dut_exists; then
    [[ "$(link_kind "$DUT")" == veth ]] || die "'$DUT' exists and is not a veth: refusing to touch it; pick another --dut"
    ! dut_default_route || die "'$DUT' carries a default route: refusing to touch it; pick another --dut"
    [[ -z "$(dut_ipv4)" ]] || die "'$DUT' has IPv4 address(es) $(dut_ipv4): refusing to touch it; pick another --dut"
    is_ours || die "'$DUT' exists but its peer is not '$PEER' in netns '$NS': not this bed; pick another --dut, or remove it yourself (ip link del $DUT)"
    local q; q=$(queues_of root "$DUT")
    [[ "$q" == "$QUEUES/$QUEUES" ]] || die "the bed exists with $q rx/tx queues, not $QUEUES: run '$0 down' first, then up --queues $QUEUES"
    say "already exists: $DUT <-> $NS/$PEER ($QUEUES queue(s)); checking its settings"
  else
    if ns_exists; then say "netns already exists: $NS"; else ip netns add "$NS"; say "created netns: $NS"; fi
    ! peer_exists || die "netns '$NS' already has an interface '$PEER' that is not paired with '$DUT': pick another --peer or --ns"
    # Creating the peer directly inside the namespace leaves no half-moved state on failure.
    ip link add "$DUT" numtxqueues "$QUEUES" numrxqueues "$QUEUES" type veth \
       peer name "$PEER" numtxqueues "$QUEUES" numrxqueues "$QUEUES" netns "$NS" \
      || die "ip link add $DUT (veth, peer $PEER in $NS) failed: see the message above"
    say "created veth: $DUT (root namespace) <-> $PEER (netns $NS), $QUEUES rx/tx queue(s) each"
  fi

  # IPv6 off before link up: no router solicitations, DAD or MLD frames get into the echo.
  set_sysctl root "/proc/sys/net/ipv6/conf/$DUT/disable_ipv6" 1 "IPv6 disabled on $DUT"
  set_sysctl ns "/proc/sys/net/ipv6/conf/$PEER/disable_ipv6" 1 "IPv6 disabled on $NS/$PEER"
  # Echoed frames come back addressed to the echo IP; a forwarding namespace would route them
  # straight back to DPDK, looping each ping 64 times (TTL). Keep forwarding off.
  set_sysctl ns /proc/sys/net/ipv4/ip_forward 0 "IPv4 forwarding off in $NS"
  # Frames the namespace sends to the echo IP must never be forwarded by this kernel out of the host's own interfaces.
  set_sysctl root "/proc/sys/net/ipv4/conf/$DUT/forwarding" 0 "IPv4 forwarding off on $DUT"

  link_up root "$DUT"
  link_up ns "$PEER"

  if nsx ip -4 -o addr show dev "$PEER" | awk '{print $4}' | grep -qxF "$PEER_IP"; then
    say "already: $PEER_IP on $NS/$PEER"
  else
    nsx ip -4 addr flush dev "$PEER"
    nsx ip addr add "$PEER_IP" dev "$PEER"
    say "address: $PEER_IP on $NS/$PEER"
  fi

  local mac; mac=$(cat "/sys/class/net/$DUT/address")
  if (( ! NEIGHBOUR )); then
    if nsx ip neigh show "$ECHO_IP" dev "$PEER" | grep -q PERMANENT; then
      nsx ip neigh del "$ECHO_IP" dev "$PEER"
      say "neighbour: permanent entry for $ECHO_IP removed from $NS"
    fi
    say "no neighbour entry: $NS resolves $ECHO_IP by ARP, answered by the DPDK side or by no one"
  elif nsx ip neigh show "$ECHO_IP" dev "$PEER" | grep -q "lladdr $mac PERMANENT"; then
    say "already: neighbour $ECHO_IP -> $mac (permanent) in $NS"
  else
    nsx ip neigh replace "$ECHO_IP" lladdr "$mac" dev "$PEER" nud permanent
    say "neighbour: $ECHO_IP -> $mac ($DUT) permanent in $NS: pings to it go to the DPDK side"
  fi

  local vdev="net_af_packet0,iface=$DUT"; (( QUEUES > 1 )) && vdev+=",qpairs=$QUEUES"
  say "ready: DPDK side --no-pci --vdev=$vdev ; traffic: ip netns exec $NS ping $ECHO_IP"
}

cmd_down() {
  local did=0 foreign=0
  if dut_exists; then
    if is_ours; then
      ip link del dev "$DUT"
      say "deleted veth: $DUT (and $NS/$PEER with it)"
      did=1
    else
      say "left alone: '$DUT' exists but is not this bed's (not a veth paired with $NS/$PEER)"
      foreign=1
    fi
  fi
  if ns_exists; then
    local pids; pids=$(ip netns pids "$NS" 2>/dev/null | paste -sd' ' - || true)
    [[ -z "$pids" ]] || say "warning: processes still in netns $NS (not killed; the namespace lives until they exit): $pids"
    ip netns del "$NS"
    say "deleted netns: $NS"
    did=1
  fi
  (( did || foreign )) || say "nothing to do: no netns $NS, no $DUT"
  (( foreign == 0 )) || die "'$DUT' was not removed (not ours): remove it yourself if it should go (ip link del $DUT)"
}

show_end() { # $1 = "root"/"ns", $2 = ifname, $3 = label
  local line state mac q ip4 v6 run=()
  [[ "$1" == ns ]] && run=(ip netns exec "$NS")
  line=$("${run[@]}" ip -o link show dev "$2")
  state=$(awk '{for (i = 1; i < NF; i++) if ($i == "state") print $(i + 1)}' <<<"$line")
  mac=$("${run[@]}" cat "/sys/class/net/$2/address")
  q=$(queues_of "$1" "$2")
  ip4=$("${run[@]}" ip -4 -o addr show dev "$2" | awk '{print $4}' | paste -sd' ' -)
  v6=$("${run[@]}" cat "/proc/sys/net/ipv6/conf/$2/disable_ipv6" 2>/dev/null || echo n/a)
  case "$v6" in 1) v6=off ;; 0) v6=on ;; esac
  printf 'veth_bed: %-5s %-15s %-22s state %-7s mac %s  rx/tx queues %s  ipv4 %s  ipv6 %s\n' \
    "$3" "$2" "($([[ $1 == ns ]] && echo "netns $NS" || echo 'root ns'))" "$state" "$mac" "$q" "${ip4:-none}" "$v6"
}

cmd_status() {
  if ! dut_exists && ! ns_exists; then say "down: no netns $NS, no $DUT"; return 1; fi
  if dut_exists; then
    if [[ "$(link_kind "$DUT")" == veth ]]; then show_end root "$DUT" dut; else say "'$DUT' exists but is not a veth (not this bed)"; fi
  else
    say "dut   $DUT: absent"
  fi
  if peer_exists; then show_end ns "$PEER" peer; elif ns_exists; then say "peer  $PEER: absent from netns $NS"; else say "netns $NS: absent"; fi
  if is_ours; then
    local neigh; neigh=$(nsx ip neigh show "$ECHO_IP" dev "$PEER" | head -n1)
    say "neighbour in $NS: ${neigh:-none for $ECHO_IP (run up)}"
    local q=${QUEUES} vdev="net_af_packet0,iface=$DUT"
    q=$(queues_of root "$DUT"); q=${q%/*}; (( q > 1 )) && vdev+=",qpairs=$q"
    say "up: DPDK side --no-pci --vdev=$vdev"
    return 0
  fi
  say "not up as a bed (partial or foreign state): '$0 down' then '$0 up'"
  return 1
}

case "$CMD" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
esac
