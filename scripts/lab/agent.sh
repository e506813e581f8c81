#!/bin/sh
# The nic-lab guest's agent, run as PID 1 after switch_root: it runs the commands the host drops
# into the shared lab directory, one at a time, and powers the guest off when told to.
#   DIR/cmd/NAME.sh   a command to run (sh); the agent renames it NAME.run while it runs
#   DIR/cmd/NAME.out  its output, then DIR/cmd/NAME.rc its exit status (written last)
#   DIR/poweroff      stop the guest
# Commands start in the background what must outlive them (the echo apps) and keep their PIDs.
set -u
DIR=$1
cd "$DIR" || exit 1
echo "guest up: $(uname -r), $(nproc) CPUs" > "$DIR/ready.tmp" && mv "$DIR/ready.tmp" "$DIR/ready"
while [ ! -e "$DIR/poweroff" ]; do
  for command in "$DIR"/cmd/*.sh; do
    [ -e "$command" ] || continue
    name=${command%.sh}
    mv "$command" "$name.run"
    sh "$name.run" > "$name.out" 2>&1 < /dev/null
    echo $? > "$name.rc.tmp"
    mv "$name.rc.tmp" "$name.rc"
  done
  sleep 0.2
done
sync
echo o > /proc/sysrq-trigger
sleep 60
