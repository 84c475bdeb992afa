// The Cluster interface: everything the API layer asks of a driver. Both drivers (swarm: Docker engines from
// discovery; mesos-experimental: containers launched as Mesos tasks) implement it, so the API never knows which
// one it is talking to. Shapes are Docker Engine API shapes; references are whatever a client typed (ID, short ID,
// name, `node/name`, unique prefix).
import type { Engine } from '../engine/engine.js';
import type { ContainerCreateBody } from '../api/schema/container.js';
import type { EventLog } from './events.js';
import type { ExecRegistry } from './execs.js';
import type { ClusterDriverName } from './options.js';
import type { ClusterOverview, OverviewOptions } from './overview.js';
import type { GaugeSources } from '../metrics/index.js';
import type { Filters, OwnerLabel } from './prune.js';

/**
 * The body of `POST /containers/create` (Docker's ContainerConfig plus HostConfig and NetworkingConfig), as the
 * API checked it against its schema (src/api/schema): every field the type names has the type it says.
 */
export type CreateBody = ContainerCreateBody;

/** Where a container lives, for the API to proxy streams (logs, attach, exec, archive, …) to its engine. */
export interface ContainerLocation {
  /** The ID clients see. */
  readonly id: string;
  /** The container's ID on its engine (equal to `id` in the swarm driver). */
  readonly engineContainerId: string;
  readonly engine: Engine;
}

export interface NodeSummary {
  readonly ID: string;
  readonly IP: string;
  readonly Addr: string;
  readonly Name: string;
  readonly Cpus: number;
  readonly Memory: number;
  readonly Labels: Record<string, string>;
}

export type StreamPurpose = 'attach' | 'logs' | 'follow';
export type StreamTarget =
  | { readonly now: ContainerLocation; readonly ended?: Promise<void> }
  | {
      readonly later: Promise<{ location: ContainerLocation; exited: boolean } | undefined>;
      readonly replay: boolean;
      readonly ended?: Promise<void>;
    }
  | { readonly none: true };

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';
export interface WaitResult {
  StatusCode: number;
  Error?: { Message: string } | null;
}

export interface ListContainersQuery {
  readonly all: boolean;
  readonly limit: number;
  readonly size: boolean;
  readonly filters: ReadonlyMap<string, readonly string[]>;
}

/** Figures for `GET /info`; the API adds the manager's own fields. */
export interface ClusterInfo {
  readonly containers: number;
  readonly running: number;
  readonly paused: number;
  readonly stopped: number;
  readonly images: number;
  readonly cpus: number;
  readonly memory: number;
  /** `[key, value]` pairs the docker CLI prints under "Server" as `key: value` lines. */
  readonly systemStatus: readonly (readonly [string, string])[];
  /** `systemStatus` already serialized, when the driver keeps it (a large cluster's list is big to re-encode). */
  readonly systemStatusJson?: string;
}

/** Where a `docker build` runs: an engine placement chose, and the node name to tell the client. */
export interface BuildTarget {
  readonly engine: Engine;
  readonly node: string;
}

export interface Cluster {
  readonly driver: ClusterDriverName;
  /** Every Docker event of the cluster, decorated with its node, with the recent history for `since`. */
  readonly eventLog: EventLog;
  /** Which container each exec instance belongs to (an exec is started, resized and inspected by its own ID). */
  readonly execs: ExecRegistry;
  start(): Promise<void>;
  stop(): Promise<void>;
  info(): ClusterInfo;
  /** The operator's picture (nodes, resources, queue with reasons, containers), for the dashboard. Read-only. */
  overview(options: OverviewOptions): ClusterOverview;
  /** What Prometheus reads of this driver at scrape time. */
  gauges(): GaugeSources;
  /** The engines the manager talks to (swarm: discovered engines; mesos: the agents' daemons). */
  engines(): readonly Engine[];

  createContainer(body: CreateBody, name: string | undefined, registryAuth: string | undefined): Promise<string>;
  startContainer(ref: string): Promise<void>;
  stopContainer(ref: string, timeoutSeconds: number | undefined, signal: string | undefined): Promise<void>;
  killContainer(ref: string, signal: string | undefined): Promise<void>;
  restartContainer(ref: string, timeoutSeconds: number | undefined, signal: string | undefined): Promise<void>;
  removeContainer(ref: string, options: { force: boolean; volumes: boolean; link: boolean }): Promise<void>;
  renameContainer(ref: string, newName: string): Promise<void>;
  /** `docker update --restart`, for a driver that keeps restart policies itself (mesos mode); absent otherwise. */
  updateRestartPolicy?(ref: string, policy: { Name?: string; MaximumRetryCount?: number }): Promise<void>;
  /** Resolves when the condition is met; `abort` ends the wait early (the client went away). */
  waitContainer(ref: string, condition: WaitCondition, abort: AbortSignal): Promise<WaitResult>;
  /**
   * `docker ps`: the list as UTF-8 JSON, newest first, in pieces to be sent in order. Bytes rather than objects
   * because a list of 30,000 is mostly unchanged between calls: mesos mode answers it from each container's cached
   * entry, without building the whole answer in one buffer.
   */
  listContainers(query: ListContainersQuery): Promise<readonly Buffer[]>;
  inspectContainer(ref: string, size: boolean): Promise<Record<string, unknown>>;
  /** The client-visible ID of a container; throws the 404 when there is none. */
  containerId(ref: string): string;
  /** The engine and Docker container behind `ref`; a 409 when it has none (never started, in mesos mode). */
  locateContainer(ref: string): Promise<ContainerLocation>;
  /**
   * The Docker container to stream from, for attach and logs: `now` when it is there (the engine answers the
   * stream itself); `later` when it is not started yet (mesos mode: created, or its task still launching), resolving
   * once it is, or undefined when no start is coming (launch failed, removed, `until` aborted). With `replay` the
   * caller asks the engine for the output so far, so a client that attached before the start misses nothing.
   * `none`: no Docker container and none is awaited (logs of a container that never ran). `ended` resolves when
   * the container stops (mesos mode), so a stream the engine keeps open past the end can be closed. Throws the 404.
   */
  streamTarget(ref: string, purpose: StreamPurpose, until: AbortSignal): StreamTarget;
  /** Called after a proxied request changed a container (pause, update, …) so caches follow. */
  containerChanged(location: ContainerLocation): Promise<void>;
  /**
   * The engine a `docker build` runs on, chosen by placement as a container's would be, from a placement-only create
   * body (see build-request.ts). Throws the scheduler's error when no node fits.
   */
  buildTarget(placement: CreateBody): Promise<BuildTarget>;
  /**
   * The label the manager puts on what it makes (images it builds, networks and volumes it creates) when it shares
   * its engines with others (mesos mode: the agents' daemons), so prunes touch only that; undefined when the engines
   * are the cluster's own (the native driver).
   */
  readonly ownerLabel: OwnerLabel | undefined;
  /** `POST /containers/prune`: the cluster's stopped containers matching `filters`, removed. */
  pruneContainers(filters: Filters): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }>;
  /** `GET /system/df` for the cluster. */
  diskUsage(): Promise<Record<string, unknown>>;
}
