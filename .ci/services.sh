#!/usr/bin/env bash
# Starts the real services the tests use, idempotently: two Docker engines (node-1 on the default socket and
# tcp://127.0.0.1:2375; node-2 in its own mount and UTS namespace on /var/run/docker-node2.sock and
# tcp://127.0.0.1:2385), ZooKeeper on 127.0.0.1:2181, and busybox:latest built from Debian's busybox-static.
# Writes the addresses to .ci/services.env for the test setup to read.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log=/tmp/mesoswarm-ci
mkdir -p "$log"

wait_for() { # wait_for <seconds> <command...>
  local n=$(($1 * 10)); shift
  until "$@" >/dev/null 2>&1; do
    n=$((n - 1)); [ "$n" -gt 0 ] || { echo "timed out waiting for: $*" >&2; return 1; }
    sleep 0.1
  done
}

# --- node-1: the machine's engine --------------------------------------------------------------------------
if ! docker -H unix:///var/run/docker.sock version >/dev/null 2>&1; then
  nohup dockerd --storage-driver=vfs -H unix:///var/run/docker.sock -H tcp://127.0.0.1:2375 \
    >"$log/dockerd-1.log" 2>&1 &
  wait_for 60 docker -H unix:///var/run/docker.sock version
fi

# --- node-2: a second engine with its own identity (key.json, hostname), bridge, data and exec roots --------
if ! docker -H unix:///var/run/docker-node2.sock version >/dev/null 2>&1; then
  mkdir -p /var/lib/docker-node2 /var/run/docker-node2 /etc/docker-node2
  ip link show docker-n2 >/dev/null 2>&1 || {
    ip link add docker-n2 type bridge
    ip addr add 172.29.0.1/16 dev docker-n2
    ip link set docker-n2 up
  }
  nohup unshare --mount --uts bash -c '
    mount --bind /etc/docker-node2 /etc/docker
    hostname node-2
    exec dockerd --storage-driver=vfs --data-root=/var/lib/docker-node2 --exec-root=/var/run/docker-node2 \
      --pidfile=/var/run/docker-node2.pid -H unix:///var/run/docker-node2.sock -H tcp://127.0.0.1:2385 \
      --bridge=docker-n2' >"$log/dockerd-2.log" 2>&1 &
  wait_for 60 docker -H unix:///var/run/docker-node2.sock version
fi

# --- ZooKeeper -------------------------------------------------------------------------------------------------
if ! (echo ruok | timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/2181; cat >&3; cat <&3' | grep -q imok) 2>/dev/null; then
  export ZOO_LOG_DIR="$log" ZOO_LOG4J_PROP="INFO,ROLLINGFILE"
  /usr/share/zookeeper/bin/zkServer.sh start >"$log/zookeeper.log" 2>&1 || true
  wait_for 60 bash -c 'exec 3<>/dev/tcp/127.0.0.1/2181'
fi

# --- busybox:latest on both engines ----------------------------------------------------------------------------
if ! docker -H unix:///var/run/docker.sock image inspect busybox:latest >/dev/null 2>&1; then
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  tar -C "$root" -c . | docker -H unix:///var/run/docker.sock import \
    -c 'CMD ["sh"]' -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - busybox:latest >/dev/null
  rm -rf "$root"
fi
if ! docker -H unix:///var/run/docker-node2.sock image inspect busybox:latest >/dev/null 2>&1; then
  docker -H unix:///var/run/docker.sock save busybox:latest | docker -H unix:///var/run/docker-node2.sock load >/dev/null
fi

cat >"$here/services.env" <<ENV
MESOSWARM_TEST_ENGINES=tcp://127.0.0.1:2375,tcp://127.0.0.1:2385
MESOSWARM_TEST_ZK=127.0.0.1:2181
ENV
echo "services up: engines tcp://127.0.0.1:2375 (node-1) and tcp://127.0.0.1:2385 (node-2), zookeeper 127.0.0.1:2181"
