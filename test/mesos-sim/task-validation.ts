// The master's validation of a LAUNCH: the operation-level resource check (validateAndUpgradeResources) and then,
// per task and in the master's order, ID, uniqueness, agent, kill policy, completion time, health check, resources,
// CommandInfo, ContainerInfo, limits, executor-vs-command, and containment in what is left of the offers. The error
// texts are the master's; each becomes a TASK_ERROR / REASON_TASK_INVALID with no uuid.
import { validateId } from './ids.js';
import type { HealthCheckMsg, ResourceMsg, TaskInfoMsg } from './messages.js';
import {
  describeItems,
  describeResourceMsg,
  itemsToBag,
  toItem,
  toMilli,
  validateResource,
  type ResourceBag,
  type ResourceItem,
} from './resources.js';

/** Resources::validate over every task of a LAUNCH (an error fails all tasks of the operation). */
export function validateLaunchResources(tasks: readonly TaskInfoMsg[]): string | undefined {
  for (const t of tasks) {
    const all: ResourceMsg[] = [...(t.resources ?? []), ...(t.executor?.resources ?? [])];
    for (const r of all) {
      const err = validateResource(r);
      if (err !== undefined) return `Resource '${describeResourceMsg(r)}' is invalid: ${err}`;
    }
  }
  return undefined;
}

function validateHealthCheck(h: HealthCheckMsg): string | undefined {
  if (h.type === undefined) return "HealthCheck must specify 'type'";
  switch (h.type) {
    case 'COMMAND':
      if (!h.command) return "Expecting 'command' to be set for COMMAND health check";
      if (h.command.value === undefined) {
        return `Command health check must contain ${(h.command.shell ?? true) ? "'shell command'" : "'executable path'"}`;
      }
      return undefined;
    case 'HTTP':
      if (!h.http) return "Expecting 'http' to be set for HTTP health check";
      if (h.http.scheme !== undefined && h.http.scheme !== 'http' && h.http.scheme !== 'https') {
        return `Unsupported HTTP health check scheme: '${h.http.scheme}'`;
      }
      if (h.http.path !== undefined && !h.http.path.startsWith('/')) {
        return `The path '${h.http.path}' of HTTP health check must start with '/'`;
      }
      return undefined;
    case 'TCP':
      return h.tcp ? undefined : "Expecting 'tcp' to be set for TCP health check";
    default:
      return `'${h.type}' is not a valid health check type`;
  }
}

function validateCommandInfo(task: TaskInfoMsg): string | undefined {
  for (const v of task.command?.environment?.variables ?? []) {
    const type = v.type ?? 'VALUE';
    if (type === 'SECRET') {
      if (!v.secret) return `Environment variable '${v.name}' of type 'SECRET' must have a secret set`;
      if (v.value !== undefined) return `Environment variable '${v.name}' of type 'SECRET' must not have a value set`;
    } else if (type === 'VALUE') {
      if (v.value === undefined) return `Environment variable '${v.name}' of type 'VALUE' must have a value set`;
      if (v.secret) return `Environment variable '${v.name}' of type 'VALUE' must not have a secret set`;
    } else {
      return "Environment variable of type 'UNKNOWN' is not allowed";
    }
  }
  return undefined;
}

function validateContainerInfo(task: TaskInfoMsg): string | undefined {
  const c = task.container;
  if (!c) return undefined;
  for (const v of c.volumes ?? []) {
    const count = Number(v.host_path !== undefined) + Number(v.image !== undefined) + Number(v.source !== undefined);
    if (count !== 1) return "Invalid volume: Only one of them should be set: 'host_path', 'image' and 'source'";
    const s = v.source;
    if (s) {
      switch (s.type) {
        case 'DOCKER_VOLUME':
          if (!s.docker_volume) return "Invalid volume: 'source.docker_volume' is not set for DOCKER_VOLUME volume";
          break;
        case 'HOST_PATH':
          if (!s.host_path) return "Invalid volume: 'source.host_path' is not set for HOST_PATH volume";
          break;
        case 'SANDBOX_PATH':
          if (!s.sandbox_path) return "Invalid volume: 'source.sandbox_path' is not set for SANDBOX_PATH volume";
          break;
        case 'SECRET':
          if (!s.secret) return "Invalid volume: 'source.secret' is not set for SECRET volume";
          break;
        case 'CSI_VOLUME':
          if (!s.csi_volume) return "Invalid volume: 'source.csi_volume' is not set for CSI volume";
          if (!s.csi_volume.static_provisioning) {
            return "Invalid volume: 'source.csi_volume.static_provisioning' is not set for CSI volume";
          }
          break;
        default:
          return "Invalid volume: 'source.type' is unknown";
      }
    }
  }
  if (c.type === 'DOCKER') {
    if (!c.docker) return "DockerInfo 'docker' is not set for DOCKER typed ContainerInfo";
    if ((c.docker.parameters ?? []).some((p) => p.key === 'name')) return "Parameter in DockerInfo must not be 'name'";
  }
  return undefined;
}

function validateLimits(task: TaskInfoMsg): string | undefined {
  const limits = task.limits;
  if (!limits || Object.keys(limits).length === 0) return undefined;
  const keys = Object.keys(limits);
  if (keys.some((k) => k !== 'cpus' && k !== 'mem'))
    return "Only cpus and mem may be included in a task's resource limits";
  const request = (name: string) => {
    const rs = (task.resources ?? []).filter((r) => r.name === name && r.type === 'SCALAR');
    return rs.length === 0 ? undefined : rs.reduce((s, r) => s + toMilli(r.scalar?.value ?? 0), 0);
  };
  if (limits.cpus) {
    const cpus = request('cpus');
    if (cpus === undefined) return 'When a CPU limit is specified, a CPU request must also be specified';
    if (toMilli(limits.cpus.value) < cpus) return 'The cpu limit must be greater than or equal to the cpu request';
  }
  if (limits.mem) {
    const mem = request('mem');
    if (mem === undefined) return 'When a memory limit is specified, a memory request must also be specified';
    if (Number.isFinite(limits.mem.value) && Math.floor(limits.mem.value) * 1000 < mem) {
      return 'The memory limit must be greater than or equal to the memory request';
    }
  }
  return undefined;
}

export interface TaskValidationContext {
  agentId: string;
  offerRole: string;
  /** What is left of the offered resources (earlier tasks of the same ACCEPT already took theirs). */
  offered: ResourceBag;
  isKnownTask: (taskId: string) => boolean;
  isUnreachableTask: (taskId: string) => boolean;
}

export type TaskValidation = { error: string } | { items: ResourceItem[]; bag: ResourceBag };

export function validateTask(task: TaskInfoMsg, ctx: TaskValidationContext): TaskValidation {
  const taskId = task.task_id.value;
  const idError = validateId(taskId);
  if (idError) return { error: idError };
  if (ctx.isKnownTask(taskId)) return { error: `Task has duplicate ID: ${taskId}` };
  if (ctx.isUnreachableTask(taskId)) return { error: `Task reuses the ID of an unreachable task: ${taskId}` };
  if (task.agent_id.value !== ctx.agentId) {
    return { error: `Task uses invalid agent ${task.agent_id.value} while agent ${ctx.agentId} is expected` };
  }
  if ((task.kill_policy?.grace_period?.nanoseconds ?? 0) < 0) {
    return { error: "Task's 'kill_policy.grace_period' must be non-negative" };
  }
  if ((task.max_completion_time?.nanoseconds ?? 0) < 0) {
    return { error: "Task's `max_completion_time` must be non-negative" };
  }
  if (task.health_check) {
    const e = validateHealthCheck(task.health_check);
    if (e) return { error: `Task uses invalid health check: ${e}` };
  }
  if ((task.resources ?? []).length === 0) return { error: 'Task uses no resources' };
  const gpus = (task.resources ?? [])
    .filter((r) => r.name === 'gpus')
    .reduce((s, r) => s + toMilli(r.scalar?.value ?? 0), 0);
  if (gpus % 1000 !== 0) {
    return {
      error: "Task uses invalid resources: Invalid 'gpus' resource: The 'gpus' resource must be an unsigned integer",
    };
  }
  const items = (task.resources ?? []).map((r) => toItem(r, ctx.offerRole));
  const firstRole = items[0]!.allocationRole;
  const other = items.find((i) => i.allocationRole !== firstRole);
  if (other) {
    return {
      error:
        `Invalid task resources: The resources have multiple allocation roles ('${other.allocationRole}' and ` +
        `'${firstRole}') but only one allocation role is allowed`,
    };
  }
  const cmdError = validateCommandInfo(task);
  if (cmdError) return { error: `Task's \`CommandInfo\` is invalid: ${cmdError}` };
  const containerError = validateContainerInfo(task);
  if (containerError) return { error: `Task's \`ContainerInfo\` is invalid: ${containerError}` };
  const limitsError = validateLimits(task);
  if (limitsError) return { error: limitsError };

  if ((task.executor !== undefined) === (task.command !== undefined)) {
    return { error: 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present' };
  }
  const total = [...items];
  if (task.executor) {
    const e = task.executor;
    const exIdError = validateId(e.executor_id.value);
    if (exIdError) return { error: exIdError };
    if (e.type !== undefined && e.type !== 'CUSTOM') return { error: "'ExecutorInfo.type' must be 'CUSTOM'" };
    if (!e.command) return { error: "'ExecutorInfo.command' must be set" };
    total.push(...(e.resources ?? []).map((r) => toItem(r, ctx.offerRole)));
  }
  const bag = itemsToBag(total);
  const containable = total.every((i) => i.allocationRole === ctx.offerRole && !i.reservation && !i.exotic);
  if (!containable || !ctx.offered.contains(bag)) {
    return {
      error:
        `Total resources ${describeItems(total)} required by task and its executor is more than available ` +
        ctx.offered.describe(ctx.offerRole),
    };
  }
  if (task.container?.linux_info?.share_cgroups === false) {
    return { error: "Only tasks in a task group may have 'share_cgroups' set to 'false'" };
  }
  return { items: total, bag };
}
