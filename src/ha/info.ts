// `docker info` with several managers: which role this manager plays, who leads, and every manager of the
// ensemble, as SystemStatus pairs above the driver's own (classic Swarm's `Role: primary`, or `Role: replica` with
// `Primary: <addr>`). A replica answers with the leader's figures (the cluster is the leader's), its own role
// lines in place of the leader's; without a reachable leader, with no figures and its role lines alone.
import type { ClusterInfo } from '../cluster/cluster.js';
import type { Replication } from './replication.js';
import type { ReplicaGate } from './gate.js';

type Pair = readonly [string, string];

/** How long a replica's `docker info` waits for the leader's figures before answering without them. */
const LEADER_INFO_MS = 3000;

export function roleStatus(replication: Replication): Pair[] {
  const role = replication.serving ? 'primary' : 'replica';
  const pairs: Pair[] = [['Role', role]];
  if (role === 'replica') pairs.push(['Primary', replication.primary ?? '(none elected)']);
  const members = replication.members;
  pairs.push(['Managers', String(members.length)]);
  members.forEach((m, i) => pairs.push([` └ ${m.address}`, i === 0 ? 'primary' : 'replica']));
  return pairs;
}

/** The figures with these role lines in place of the driver's own `Role: primary` (it knows no election). */
export function withRoleStatus(figures: ClusterInfo, replication: Replication): ClusterInfo {
  const role = roleStatus(replication);
  const own = figures.systemStatus[0]?.[0] === 'Role' ? figures.systemStatus.slice(1) : figures.systemStatus;
  const systemStatus = [...role, ...own];
  if (figures.systemStatusJson === undefined) return { ...figures, systemStatus };
  const driverRole = JSON.stringify(figures.systemStatus[0] ?? null);
  let rest = figures.systemStatusJson.slice(1, -1);
  if (own !== figures.systemStatus && rest.startsWith(driverRole))
    rest = rest.slice(driverRole.length).replace(/^,/, '');
  return {
    ...figures,
    systemStatus,
    systemStatusJson: `[${JSON.stringify(role).slice(1, -1)}${rest ? `,${rest}` : ''}]`,
  };
}

const NO_FIGURES: ClusterInfo = {
  containers: 0,
  running: 0,
  paused: 0,
  stopped: 0,
  images: 0,
  cpus: 0,
  memory: 0,
  systemStatus: [],
};

/** What a replica's `docker info` is made of: the leader's answer when it gives one in time, else no figures. */
export async function replicaFigures(gate: ReplicaGate): Promise<ClusterInfo> {
  const replication = gate.replication;
  const answer = await gate.fetchJson('/info', LEADER_INFO_MS).catch(() => undefined);
  if (!answer) return withRoleStatus(NO_FIGURES, replication);
  const status = Array.isArray(answer.SystemStatus) ? (answer.SystemStatus as Pair[]) : [];
  return withRoleStatus(
    {
      containers: Number(answer.Containers ?? 0),
      running: Number(answer.ContainersRunning ?? 0),
      paused: Number(answer.ContainersPaused ?? 0),
      stopped: Number(answer.ContainersStopped ?? 0),
      images: Number(answer.Images ?? 0),
      cpus: Number(answer.NCPU ?? 0),
      memory: Number(answer.MemTotal ?? 0),
      systemStatus: withoutRoleLines(status),
    },
    replication,
  );
}

/** The leader's status without the role lines it put first (Role, Primary, Managers and the managers' lines). */
function withoutRoleLines(status: readonly Pair[]): Pair[] {
  let i = 0;
  while (i < status.length && ['Role', 'Primary', 'Managers'].includes(status[i]![0])) {
    i += status[i]![0] === 'Managers' ? 1 + Number(status[i]![1]) : 1;
  }
  return status.slice(i);
}
