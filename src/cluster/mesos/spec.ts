// A container's create body compiled once, at create: what it needs from an agent, what placement is asked, which
// containers it depends on, and its TaskInfo template. Kept on the container; nothing downstream (start, the
// placement pass, `docker info`) reads the create body again. A body Mesos cannot run is refused here, with a 400.
import type { CreateBody } from '../cluster.js';
import type { PlacementRequest } from '../../scheduler/index.js';
import { readSchedulingExpressions } from '../../scheduler/index.js';
import { placementRequest } from '../placement-request.js';
import { resourceNeed, type NeedDefaults, type ResourceNeed } from './allocation.js';
import { compileTaskTemplate, type TaskTemplate } from './task-info.js';
import type { ManagerError } from '../../errors.js';
import { hasReschedulePolicy } from '../../scheduler/scheduling-labels.js';
import { restartPolicyOf, type RestartPolicy } from './restart-policy.js';

export interface ContainerSpec {
  readonly need: ResourceNeed;
  readonly request: PlacementRequest;
  /** References (names, IDs) of the containers it links to, takes volumes from, or shares a network with. */
  readonly dependencies: readonly string[];
  readonly template: TaskTemplate;
  /**
   * Containers whose placement asks nothing but resources share one ranking in a pass (see board.ts); those with
   * the same key are interchangeable there. Undefined: placed on its own.
   */
  readonly placementGroup: string | undefined;
  /** Docker's restart policy, kept by the manager (the agent's Docker never sees it). */
  readonly restartPolicy: RestartPolicy;
  /** Classic Swarm's `reschedule:on-node-failure`: relaunched elsewhere when its agent is lost. */
  readonly reschedule: boolean;
}

export function compileSpec(config: CreateBody, defaults: NeedDefaults): ContainerSpec {
  const need = resourceNeed(config, defaults);
  const request = placementRequest(config, defaults.cpuShares);
  return {
    need,
    request,
    dependencies: dependencyRefs(config),
    template: compileTaskTemplate(config, need.ports.length),
    placementGroup: placementGroup(need, request),
    restartPolicy: restartPolicyOf(config),
    reschedule: hasReschedulePolicy(request.labels, 'on-node-failure'),
  };
}

/**
 * A container restored from the journal or adopted from its Docker labels was created under other settings (or by
 * another manager): what no longer compiles is reported when it is started, and it reserves nothing meanwhile.
 */
export function restoredSpec(config: CreateBody, defaults: NeedDefaults): ContainerSpec | ManagerError {
  try {
    return compileSpec(config, defaults);
  } catch (err) {
    return err as ManagerError;
  }
}

function dependencyRefs(config: CreateBody): string[] {
  const host = config.HostConfig ?? {};
  const mode = String(host.NetworkMode ?? '');
  return [
    ...(host.Links ?? []).map((l) => l.split(':')[0]!.replace(/^\//, '')),
    ...(host.VolumesFrom ?? []).map((v) => v.split(':')[0]!),
    ...(mode.startsWith('container:') ? [mode.slice('container:'.length)] : []),
  ];
}

function placementGroup(need: ResourceNeed, r: PlacementRequest): string | undefined {
  const expressions = readSchedulingExpressions(r.labels);
  if (expressions.constraints.length || expressions.affinities.length || expressions.whitelists.length)
    return undefined;
  if (need.ports.length || r.links.length || r.volumesFrom.length) return undefined;
  if (r.networkMode.startsWith('container:') || Object.keys(r.portBindings).length) return undefined;
  return `${need.cpus}|${need.memMb}|${r.networkMode}`;
}
