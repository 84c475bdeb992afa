// The scheduler's vocabulary: the immutable node snapshots it places onto and the placement request it places.
// Both cluster drivers build these views (the swarm driver from its engines, the Mesos driver from the agents that
// hold offers); the scheduler never sees an engine, an offer or a socket.

/** Docker's port map: `"80/tcp"` → host bindings (HostConfig.PortBindings and NetworkSettings.Ports share it). */
export type PortMap = Readonly<Record<string, readonly PortBinding[] | null | undefined>>;
export interface PortBinding {
  readonly HostIp?: string;
  readonly HostPort?: string;
}

/** A container as the filters see it on a node: running, stopped, or pending (being placed, not yet created). */
export interface ContainerOnNode {
  readonly id: string;
  /** Docker names, each with its leading `/` (e.g. `/web`). */
  readonly names: readonly string[];
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Docker state (`running`, `exited`, `created`, `paused`, …) or `pending` for a reservation being placed. */
  readonly state: string;
  /** Reserved CPUs, in Swarm's meaning (a number of CPUs). */
  readonly cpus: number;
  /** Reserved memory in bytes. */
  readonly memory: number;
  /** HostConfig.NetworkMode (`bridge`, `host`, `none`, `container:<id>`, a network name, or empty). */
  readonly networkMode: string;
  /** HostConfig.PortBindings: the bindings the container asked for. */
  readonly portBindings: PortMap;
  /** NetworkSettings.Ports: the bindings the engine made (covers dynamically assigned host ports). */
  readonly publishedPorts: PortMap;
  /** Config.ExposedPorts keys (`80/tcp`), for the host-network port check. */
  readonly exposedPorts: readonly string[];
}

export interface ImageOnNode {
  readonly id: string;
  readonly repoTags: readonly string[];
}

/** One node, frozen at the moment of a placement decision. */
export interface NodeView {
  /** Engine ID (swarm driver) or Mesos agent ID (Mesos driver). Matched by `constraint:node==`. */
  readonly id: string;
  /** Engine name (the daemon's hostname). Matched by `constraint:node==` and whitelists. */
  readonly name: string;
  /** `host:port` of the node's Docker engine. */
  readonly addr: string;
  /** Engine labels plus the built-ins (storagedriver, kernelversion, operatingsystem, ostype) and, in mesos mode,
   * the agent's attributes. */
  readonly labels: Readonly<Record<string, string>>;
  /** 0..100: 100 healthy with no recent failures, lower per failure, 0 when unhealthy or pending. */
  readonly healthIndicator: number;
  readonly totalCpus: number;
  /** Bytes. */
  readonly totalMemory: number;
  readonly usedCpus: number;
  /** Bytes. */
  readonly usedMemory: number;
  readonly containers: readonly ContainerOnNode[];
  readonly images: readonly ImageOnNode[];
}

/** What placement needs to know about the container being placed (derived from a Docker create body). */
export interface PlacementRequest {
  readonly image: string;
  /** CPUs requested (Swarm's meaning of CpuShares, or NanoCpus / 1e9). 0 = no request. */
  readonly cpus: number;
  /** Bytes requested. 0 = no request. */
  readonly memory: number;
  /** Container labels, after the env form (`-e constraint:…`) has been merged in: the canonical home of the
   * constraints, affinities, whitelists and reschedule policies (`com.docker.swarm.*`). */
  readonly labels: Readonly<Record<string, string>>;
  readonly networkMode: string;
  readonly portBindings: PortMap;
  readonly exposedPorts: readonly string[];
  /** `--link` values (`name:alias` or `name`). */
  readonly links: readonly string[];
  /** `--volumes-from` values (`name:mode` or `name`). */
  readonly volumesFrom: readonly string[];
}
