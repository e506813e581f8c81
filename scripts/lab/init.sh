#!/bin/busybox sh
# /init of the nic-lab guest's initramfs (busybox only): mount the host's root, shared read-only
# over 9p, with writable tmpfs where programs write, and hand over to the lab agent.
# The kernel command line names the agent and the lab directory: nic_lab.agent=PATH nic_lab.dir=TAG.
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

agent=; for word in $(cat /proc/cmdline); do
  case "$word" in nic_lab.agent=*) agent=${word#*=} ;; esac
done
[ -n "$agent" ] || fail "no nic_lab.agent= on the kernel command line"

mkdir -p /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 rootfs /newroot || fail "cannot mount the host's root (9p tag rootfs)"
for dir in proc sys dev; do mount --move "/$dir" "/newroot/$dir" || fail "cannot move /$dir"; done
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
mount -t tmpfs -o mode=755 tmpfs /newroot/run
mkdir -p /newroot/run/nic-lab
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 lab /newroot/run/nic-lab || fail "cannot mount the lab directory (9p tag lab)"
exec switch_root /newroot /bin/sh "$agent" /run/nic-lab
