// The master's read-only operator endpoints as JSON: `/state` (frameworks with tasks, unreachable and completed
// tasks and offers; slaves; completed frameworks; v0 names such as `slaves` and `slave_id`; flat resources like
// {"cpus":0.5,"mem":256.0,"ports":"[31005-31005]"}), `/tasks` with its query parameters, and `/version`.
import type { AttributeValue } from './agent.js';
import { masterInfo } from './events.js';
import type { AgentRecord, FrameworkRec, Master, TaskRec } from './master.js';
import { formatRanges, ResourceBag } from './resources.js';
import { dbl } from './wire-json.js';

export const BUILD = { date: '2024-08-14 12:00:00', time: 1723636800, user: 'mesos-sim', gitSha: 'c1b42f79d' };

function attributesFlat(attrs: readonly AttributeValue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of attrs) {
    if (a.type === 'TEXT') out[a.name] = a.text;
    else if (a.type === 'SCALAR') out[a.name] = dbl(a.scalar);
    else if (a.type === 'RANGES') out[a.name] = formatRanges(a.ranges);
    else out[a.name] = `{${a.set.join(',')}}`;
  }
  return out;
}

export function taskJson(master: Master, t: TaskRec): Record<string, unknown> {
  return {
    id: t.taskId,
    name: t.name,
    framework_id: t.frameworkId,
    executor_id: t.info.executor?.executor_id.value ?? '',
    slave_id: t.agentId,
    state: t.state,
    resources: t.resources.toFlat(),
    role: t.role,
    statuses: master.statusForState(t),
    labels: t.info.labels?.labels,
    discovery: t.info.discovery,
    container: t.info.container,
    health_check: t.info.health_check,
  };
}

function frameworkJson(master: Master, fw: FrameworkRec): Record<string, unknown> {
  const usedBag = new ResourceBag();
  for (const t of fw.tasks.values()) if (!t.resourcesRecovered) usedBag.add(t.resources);
  const offered = [...fw.offers].map((id) => master.offers.get(id)).filter((o) => o !== undefined);
  const offeredBag = new ResourceBag();
  for (const o of offered) offeredBag.add(o.resources);
  const multiRole = (fw.info.capabilities ?? []).some((c) => c.type === 'MULTI_ROLE');
  return {
    id: fw.id,
    name: fw.info.name,
    used_resources: usedBag.toFlat(),
    offered_resources: offeredBag.toFlat(),
    capabilities: (fw.info.capabilities ?? []).map((c) => c.type).filter(Boolean),
    hostname: fw.info.hostname ?? '',
    webui_url: fw.info.webui_url ?? '',
    active: fw.active,
    connected: fw.connected,
    recovered: fw.recovered,
    user: fw.info.user,
    failover_timeout: dbl(fw.info.failover_timeout ?? 0),
    checkpoint: fw.info.checkpoint ?? false,
    registered_time: dbl(fw.registeredTime),
    unregistered_time: dbl(fw.unregisteredTime ?? 0),
    reregistered_time: fw.reregisteredTime === undefined ? undefined : dbl(fw.reregisteredTime),
    principal: fw.info.principal,
    resources: usedBag.toFlat(),
    role: multiRole ? undefined : (fw.info.role ?? '*'),
    roles: multiRole ? fw.roles : undefined,
    tasks: [...fw.tasks.values()].map((t) => taskJson(master, t)),
    unreachable_tasks: [...fw.unreachableTasks.values()].map((t) => taskJson(master, t)),
    completed_tasks: fw.completedTasks.map((t) => taskJson(master, t)),
    offers: offered.map((o) => ({
      id: o.id,
      framework_id: o.frameworkId,
      slave_id: o.agentId,
      resources: o.resources.toFlat(),
      allocation_info: { role: o.role },
    })),
    executors: [],
    labels: fw.info.labels?.labels,
  };
}

function slaveJson(master: Master, rec: AgentRecord): Record<string, unknown> {
  const c = rec.agent.config;
  return {
    id: c.id,
    pid: `slave(1)@${c.ip}:${c.port}`,
    hostname: c.hostname,
    port: c.port,
    registered_time: dbl(rec.registeredTime ?? 0),
    reregistered_time: rec.reregisteredTime === undefined ? undefined : dbl(rec.reregisteredTime),
    resources: c.resources.toFlat(),
    used_resources: rec.used.toFlat(),
    offered_resources: rec.offered.toFlat(),
    reserved_resources: {},
    unreserved_resources: c.resources.toFlat(),
    attributes: attributesFlat(c.attributes),
    active: rec.state === 'registered',
    deactivated: false,
    version: master.identity.version,
    capabilities: [
      'MULTI_ROLE',
      'HIERARCHICAL_ROLE',
      'RESERVATION_REFINEMENT',
      'RESOURCE_PROVIDER',
      'RESIZE_VOLUME',
      'AGENT_OPERATION_FEEDBACK',
      'AGENT_DRAINING',
      'TASK_RESOURCE_LIMITS',
    ],
  };
}

export function stateJson(master: Master, leader: { hostname: string; port: number } | null): Record<string, unknown> {
  const id = master.identity;
  const agents = [...master.agents.values()];
  const count = (s: AgentRecord['state']) => agents.filter((a) => a.state === s).length;
  const info = masterInfo(id);
  return {
    version: id.version,
    git_sha: BUILD.gitSha,
    build_date: BUILD.date,
    build_time: dbl(BUILD.time),
    build_user: BUILD.user,
    start_time: dbl(master.startTime),
    elected_time: master.electedTime === undefined ? undefined : dbl(master.electedTime),
    id: id.id,
    pid: `master@${id.ip}:${id.port}`,
    hostname: id.hostname,
    capabilities: ['AGENT_UPDATE', 'AGENT_DRAINING', 'QUOTA_V2'],
    activated_slaves: dbl(count('registered')),
    deactivated_slaves: dbl(0),
    unreachable_slaves: dbl(count('unreachable')),
    leader: master.leading
      ? `master@${id.ip}:${id.port}`
      : leader
        ? `master@${leader.hostname}:${leader.port}`
        : undefined,
    leader_info: master.leading ? info : undefined,
    flags: {
      allocation_interval: `${master.config.allocationIntervalMs}ms`,
      authenticate_http_frameworks: 'false',
      offer_timeout: master.config.offerTimeoutMs === undefined ? undefined : `${master.config.offerTimeoutMs}ms`,
      root_submissions: String(master.config.rootSubmissions),
      agent_reregister_timeout: `${master.config.agentReregisterTimeoutMs}ms`,
      max_completed_tasks_per_framework: String(master.config.maxCompletedTasksPerFramework),
    },
    slaves: agents
      .filter((a) => a.state === 'registered' || a.state === 'disconnected')
      .map((a) => slaveJson(master, a)),
    recovered_slaves: agents.filter((a) => a.state === 'recovering').map((a) => slaveJson(master, a)),
    frameworks: [...master.frameworks.values()].map((fw) => frameworkJson(master, fw)),
    completed_frameworks: master.completedFrameworks.map((fw) => frameworkJson(master, fw)),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}

/** `/tasks?framework_id=&task_id=&limit=100&offset=0&order=asc`. */
export function tasksJson(master: Master, query: URLSearchParams): Record<string, unknown> {
  const fwFilter = query.get('framework_id');
  const taskFilter = query.get('task_id');
  const limit = Number(query.get('limit') ?? 100);
  const offset = Number(query.get('offset') ?? 0);
  const all: TaskRec[] = [];
  for (const fw of [...master.frameworks.values(), ...master.completedFrameworks]) {
    if (fwFilter && fw.id !== fwFilter) continue;
    all.push(...fw.tasks.values(), ...fw.unreachableTasks.values(), ...fw.completedTasks);
  }
  let tasks = all.filter((t) => !taskFilter || t.taskId === taskFilter);
  tasks.sort((a, b) => (a.statuses[0]?.timestamp ?? 0) - (b.statuses[0]?.timestamp ?? 0));
  if (query.get('order') === 'desc') tasks.reverse();
  tasks = tasks.slice(offset, offset + limit);
  return { tasks: tasks.map((t) => taskJson(master, t)) };
}

export function versionJson(master: Master): Record<string, unknown> {
  return {
    build_date: BUILD.date,
    build_time: dbl(BUILD.time),
    build_user: BUILD.user,
    git_sha: BUILD.gitSha,
    version: master.identity.version,
  };
}
