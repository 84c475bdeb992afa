#!/usr/bin/env bash
# Starts the real services the tests use, idempotently: two Docker engines (node-1 on the default socket and
# tcp://127.0.0.1:2375; node-2 in its own mount and UTS namespace on /var/run/docker-node2.sock and
# tcp://127.0.0.1:2385), ZooKeeper on 127.0.0.1:2181, busybox:latest built from Debian's busybox-static, and real
# Apache Mesos (.ci/mesos.sh): a master on 127.0.0.1:5050 published at zk://127.0.0.1:2181/mesos, and one agent per
# engine (5051 on node-1, 5052 on node-2). The engines carry labels for the constraint tests (node-1: region=east,
# disk=ssd; node-2: region=west). Writes the addresses to .ci/services.env for the test setup to read. Without Mesos
# to be found, the rest still starts; the real-Mesos suites then skip (or fail under CI=true).
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

# --- engine labels --------------------------------------------------------------------------------------------
# In each daemon's daemon.json rather than --label flags, so a test can change them on a live daemon (dockerd
# re-reads its labels on SIGHUP). node-2's /etc/docker is /etc/docker-node2 (bind-mounted in its namespace).
NODE1_LABELS=(region=east disk=ssd)
NODE2_LABELS=(region=west)
# A test adds containerslots=N to node-2 for a few seconds; one left behind by a killed test would cap every other
# suite, so a containerslots label in a file untouched for this long is dropped.
STALE_TEMPORARY_LABEL_MIN=5

ensure_labels() { # ensure_labels <daemon.json> <key=value...>: sets these keys, keeps every other setting and label
  node -e '
    const fs = require("fs");
    const [file, staleMinutes, ...wanted] = process.argv.slice(1);
    let config = {};
    let age = Infinity;
    try {
      config = JSON.parse(fs.readFileSync(file, "utf8"));
      age = (Date.now() - fs.statSync(file).mtimeMs) / 60000;
    } catch (err) {
      if (err.code !== "ENOENT") throw err;
    }
    const keyOf = (label) => label.slice(0, label.indexOf("="));
    const keys = new Set(wanted.map(keyOf));
    const old = Array.isArray(config.labels) ? config.labels : [];
    const kept = old.filter((l) => !keys.has(keyOf(l)) && !(keyOf(l) === "containerslots" && age > Number(staleMinutes)));
    const labels = [...wanted, ...kept];
    if (JSON.stringify(labels.slice().sort()) !== JSON.stringify(old.slice().sort())) {
      config.labels = labels;
      fs.writeFileSync(file + ".tmp", JSON.stringify(config, null, 2) + "\n");
      fs.renameSync(file + ".tmp", file);
    }
  ' "$1" "$STALE_TEMPORARY_LABEL_MIN" "${@:2}"
}

labels_match() { # labels_match <socket> <daemon.json>: the running daemon shows exactly the file's labels
  local shown wanted
  shown=$(docker -H "$1" info --format '{{json .Labels}}' | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.stringify((JSON.parse(s)||[]).sort())))')
  wanted=$(node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(JSON.stringify((c.labels||[]).slice().sort()))' "$2")
  [ "$shown" = "$wanted" ]
}

reload_labels() { # reload_labels <socket> <pidfile> <daemon.json>: a running daemon that shows other labels reloads
  docker -H "$1" version >/dev/null 2>&1 || return 0
  labels_match "$1" "$3" && return 0
  kill -HUP "$(cat "$2")"
  wait_for 10 labels_match "$1" "$3"
}

mkdir -p /etc/docker /etc/docker-node2
ensure_labels /etc/docker/daemon.json "${NODE1_LABELS[@]}"
ensure_labels /etc/docker-node2/daemon.json "${NODE2_LABELS[@]}"
reload_labels unix:///var/run/docker.sock /var/run/docker.pid /etc/docker/daemon.json
reload_labels unix:///var/run/docker-node2.sock /var/run/docker-node2.pid /etc/docker-node2/daemon.json

# start_engine <name> <socket> <pidfile> <command...>: starts a Docker engine and waits until it answers. A fresh
# machine's first dockerd once did not answer within 60 s and left no trace in CI's output: an engine whose process
# ends is started again (up to 3 times, its stale pidfile removed), one still starting gets 180 s, and a failure
# prints the end of the engine's log.
start_engine() {
  local name=$1 socket=$2 pidfile=$3; shift 3
  local attempt pid n
  for attempt in 1 2 3; do
    if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then rm -f "$pidfile"; fi
    nohup "$@" >>"$log/dockerd-$name.log" 2>&1 &
    pid=$!
    n=1800
    while kill -0 "$pid" 2>/dev/null && [ "$n" -gt 0 ]; do
      docker -H "$socket" version >/dev/null 2>&1 && return 0
      n=$((n - 1)); sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && break
    echo "engine $name exited during start (attempt $attempt); the end of its log:" >&2
    tail -n 15 "$log/dockerd-$name.log" >&2
  done
  echo "engine $name did not answer on $socket; the end of its log:" >&2
  tail -n 40 "$log/dockerd-$name.log" >&2
  ps -eo pid,etime,args | grep -E '[d]ockerd|[c]ontainerd' >&2 || true
  return 1
}

# --- node-1: the machine's engine --------------------------------------------------------------------------
if ! docker -H unix:///var/run/docker.sock version >/dev/null 2>&1; then
  start_engine 1 unix:///var/run/docker.sock /var/run/docker.pid \
    dockerd --storage-driver=vfs -H unix:///var/run/docker.sock -H tcp://127.0.0.1:2375
fi

# --- node-2: a second engine with its own identity (key.json, hostname), bridge, data and exec roots --------
if ! docker -H unix:///var/run/docker-node2.sock version >/dev/null 2>&1; then
  mkdir -p /var/lib/docker-node2 /var/run/docker-node2 /etc/docker-node2
  ip link show docker-n2 >/dev/null 2>&1 || {
    ip link add docker-n2 type bridge
    ip addr add 172.29.0.1/16 dev docker-n2
    ip link set docker-n2 up
  }
  start_engine 2 unix:///var/run/docker-node2.sock /var/run/docker-node2.pid unshare --mount --uts bash -c '
    mount --bind /etc/docker-node2 /etc/docker
    hostname node-2
    exec dockerd --storage-driver=vfs --data-root=/var/lib/docker-node2 --exec-root=/var/run/docker-node2 \
      --pidfile=/var/run/docker-node2.pid -H unix:///var/run/docker-node2.sock -H tcp://127.0.0.1:2385 \
      --bridge=docker-n2'
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

# --- Apache Mesos: a master in ZooKeeper and an agent on each engine -------------------------------------------
MESOS_ZK=zk://127.0.0.1:2181/mesos
mesos_dir=$log/mesos
http_ok() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"; }
agents_registered() { # agents_registered <port>=<ports resource>...: the master lists each agent active, as set up
  node -e '
    fetch("http://127.0.0.1:5050/state").then((r) => r.json()).then((s) => {
      const seen = new Set(s.slaves.filter((a) => a.active).map((a) => `${/:(\d+)$/.exec(a.pid)[1]}=${a.resources.ports}`));
      process.exit(process.argv.slice(1).every((p) => seen.has(p)) ? 0 : 1);
    }, () => process.exit(1))' "$@"
}
start_mesos() { # start_mesos <name> <health url> <mesos.sh args...>
  local name=$1 url=$2; shift 2
  http_ok "$url" && return 0
  nohup setsid env MESOS_BIN="$mesos_bin" bash "$here/mesos.sh" "$@" >"$log/mesos-$name.log" 2>&1 &
  echo $! >"$log/mesos-$name.pid"
}
start_agent() { # start_agent <n> <port> <docker socket> <docker_port> <rack> <ports>
  local n=$1 port=$2 ports=$6
  # An agent of ours set up with other resources cannot recover its work dir with these: replace it.
  if http_ok "http://127.0.0.1:$port/health" && ! agents_registered "$port=$ports" && [ -f "$log/mesos-agent$n.pid" ]; then
    kill "$(cat "$log/mesos-agent$n.pid")" 2>/dev/null || true
    wait_for 30 bash -c "! exec 3<>/dev/tcp/127.0.0.1/$port"
    rm -rf "$mesos_dir/agent$n"
  fi
  start_mesos "agent$n" "http://127.0.0.1:$port/health" agent "$port" "$MESOS_ZK" "$mesos_dir/agent$n" "$3" "$4" "$5" "$ports"
}
AGENT1=(1 5051 /var/run/docker.sock 2375 r1 '[30000-30499]')
AGENT2=(2 5052 /var/run/docker-node2.sock 2385 r2 '[30500-30999]')
mesos_env="MESOSWARM_TEST_MESOS_MISSING=Apache Mesos not found (MESOS_HOME, PATH, /work/shared/mesos, ../shared/mesos)"
if mesos_bin=$(bash "$here/mesos.sh" find); then
  wanted=("${AGENT1[1]}=${AGENT1[5]}" "${AGENT2[1]}=${AGENT2[5]}")
  if ! agents_registered "${wanted[@]}"; then # up already when the master lists both agents as set up here
    start_mesos master http://127.0.0.1:5050/health master 5050 "$MESOS_ZK" "$mesos_dir/master"
    wait_for 60 http_ok http://127.0.0.1:5050/health
    start_agent "${AGENT1[@]}"
    start_agent "${AGENT2[@]}"
    wait_for 120 agents_registered "${wanted[@]}"
  fi
  mesos_env="MESOSWARM_TEST_MESOS_BIN=$mesos_bin
MESOSWARM_TEST_MESOS_MASTER=$MESOS_ZK
MESOSWARM_TEST_MESOS_HTTP=http://127.0.0.1:5050"
fi

cat >"$here/services.env" <<ENV
MESOSWARM_TEST_ENGINES=tcp://127.0.0.1:2375,tcp://127.0.0.1:2385
MESOSWARM_TEST_ZK=127.0.0.1:2181
$mesos_env
ENV
echo "services up: engines tcp://127.0.0.1:2375 (node-1) and tcp://127.0.0.1:2385 (node-2), zookeeper 127.0.0.1:2181"
if [ -n "${mesos_bin:-}" ]; then
  echo "  mesos master http://127.0.0.1:5050 ($MESOS_ZK), agents 127.0.0.1:5051 (node-1), 127.0.0.1:5052 (node-2)"
else
  echo "  no Apache Mesos: the real-Mesos suites skip (fail under CI=true)"
fi
