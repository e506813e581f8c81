#!/bin/busybox sh
# /init of the nic-lab guest's initramfs (busybox only): mount the host's root, shared read-only
# over 9p, with writable tmpfs where programs write, and hand over to the lab agent.
# The kernel command line names the agent and the repository: nic_lab.agent=PATH nic_lab.repo=PATH.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# What udev would have made: bash's process substitution needs /dev/fd.
ln -s /proc/self/fd /dev/fd
mkdir -p /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm

fail() { echo "nic-lab init: $*" >&2; echo o > /proc/sysrq-trigger; sleep 60; }

# Modules for 9p over virtio, in dependency order (listed by nic-lab.sh when it built us).
while read -r module; do
  insmod "/modules/$module" || fail "insmod $module failed"
done < /modules/order

agent=; repo=; for word in $(cat /proc/cmdline); do
  case "$word" in
    nic_lab.agent=*) agent=${word#*=} ;;
    nic_lab.repo=*) repo=${word#*=} ;;
  esac
done
[ -n "$agent" ] && [ -n "$repo" ] || fail "no nic_lab.agent= or nic_lab.repo= on the kernel command line"

mkdir -p /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 rootfs /newroot || fail "cannot mount the host's root (9p tag rootfs)"
for dir in proc sys dev; do mount --move "/$dir" "/newroot/$dir" || fail "cannot move /$dir"; done
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
mount -t tmpfs -o mode=755 tmpfs /newroot/run
mkdir -p /newroot/run/nic-lab
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 lab /newroot/run/nic-lab || fail "cannot mount the lab directory (9p tag lab)"
# The repository has a share of its own: a checkout under /tmp or /run is hidden by the tmpfs above.
mkdir -p "/newroot$repo" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 repo "/newroot$repo" || fail "cannot mount the repository at $repo (9p tag repo)"
exec switch_root /newroot /bin/sh "$agent" /run/nic-lab
