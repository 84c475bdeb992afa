#!/usr/bin/env bash
# Real Apache Mesos for the tests: where it is, and the one command line of a master and of an agent, shared by
# .ci/services.sh (the suite's master and two agents) and by the tests that start masters and agents of their own.
#
#   mesos.sh find                      prints the bin/ of a Mesos install; installs it into /opt/mesos from a shared
#                                      folder (install.sh + tarball) if that is what is found; fails saying where it looked
#   mesos.sh master <port> <zk> <dir> [flag...]
#                                      runs (exec) a master on 127.0.0.1:<port>, publishing itself at <zk>
#   mesos.sh agent <port> <master> <dir> <docker socket> <docker_port> <rack> <ports>
#                                      runs (exec) an agent on 127.0.0.1:<port> with the Docker containerizer
#
# MESOS_BIN (a bin/ with mesos-master) skips the search for master and agent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

find_mesos() {
  local candidates=()
  [ -n "${MESOS_HOME:-}" ] && candidates+=("$MESOS_HOME")
  if command -v mesos-master >/dev/null 2>&1; then
    echo "$(dirname "$(command -v mesos-master)")"
    return 0
  fi
  candidates+=(/work/shared/mesos "$here/../../shared/mesos" /opt/mesos)
  local dir
  for dir in "${candidates[@]}"; do
    if [ -x "$dir/bin/mesos-master" ]; then
      echo "$dir/bin"
      return 0
    fi
    if [ -f "$dir/install.sh" ]; then
      bash "$dir/install.sh" /opt/mesos | tail -n 1
      return 0
    fi
  done
  echo "Apache Mesos not found (looked at \$MESOS_HOME, PATH, ${candidates[*]})" >&2
  return 1
}

bin_dir() { if [ -n "${MESOS_BIN:-}" ]; then echo "$MESOS_BIN"; else find_mesos; fi; }

case "${1:-}" in
  find) find_mesos ;;
  master)
    port=$2 zk=$3 dir=$4
    shift 4
    bin=$(bin_dir)
    mkdir -p "$dir"
    # in_memory registry: a restarted master forgets frameworks, agents re-register with their tasks and frameworks
    # re-subscribe with their IDs. Agents are declared unreachable after 3 missed 5 s pings (75 s by default), so a
    # partition test takes seconds, while a loaded machine's -O0 agents still answer well inside 5 s.
    exec "$bin/mesos-master" --ip=127.0.0.1 --port="$port" --hostname=127.0.0.1 --zk="$zk" --quorum=1 \
      --registry=in_memory --work_dir="$dir" --agent_ping_timeout=5secs --max_agent_ping_timeouts=3 "$@"
    ;;
  agent)
    port=$2 master=$3 dir=$4 socket=$5 docker_port=$6 rack=$7 ports=$8
    bin=$(bin_dir)
    mkdir -p "$dir"
    # --docker_kill_orphans=false: at every start an agent stops and removes each `mesos-<uuid>` container of its
    # engine that it did not launch itself (src/slave/containerizer/docker.cpp, recover); on these engines that is the
    # other agent's, other test runs' and the Mesos double's containers. The tests remove what they made.
    # --docker_remove_delay: finished containers stay long enough for `docker logs`/`wait` after the end, then go
    # (the default keeps them 6 hours).
    # --docker: the first docker CLI on PATH (the machine's 28.x before Debian's 20.10). The 20.10 CLI refuses `--link`
    # beside an explicit `--net bridge`, which is how the agent starts every bridge-networked container ("links are
    # only supported for user-defined networks", exit 125); CLIs from 23 on take them.
    exec "$bin/mesos-agent" --master="$master" --ip=127.0.0.1 --hostname=127.0.0.1 --port="$port" \
      --launcher_dir="$bin" --containerizers=docker,mesos --docker="$(command -v docker)" --docker_socket="$socket" \
      --isolation=posix/cpu,posix/mem --launcher=posix --systemd_enable_support=false --work_dir="$dir" \
      --attributes="rack:$rack;docker_port:$docker_port" --resources="cpus:4;mem:4096;ports:$ports" \
      --docker_kill_orphans=false --docker_remove_delay=10mins
    ;;
  *)
    echo "usage: mesos.sh find | master <port> <zk> <dir> [flag...] | agent <port> <master> <dir> <socket> <docker_port> <rack> <ports>" >&2
    exit 2
    ;;
esac
