// The catalogue of errors the manager reports to Docker clients. Each carries the HTTP status it maps to and a
// stable code; the API layer turns any of them into Docker's `{"message": …}` body. Message texts follow dockerd
// and classic Swarm word for word where scripts grep for them.

export class ManagerError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(code: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ManagerError';
    this.code = code;
    this.status = status;
  }
}

/** 400: the request itself is wrong (bad JSON, a bad query value, an invalid option). */
export const badParameter = (message: string) => new ManagerError('BAD_PARAMETER', 400, message);

/** 408: the client did not send its request in time. */
export const requestTimeout = (message: string) => new ManagerError('REQUEST_TIMEOUT', 408, message);

/** 429: one client has as many requests in flight as it may. */
export const tooManyRequests = (message: string) => new ManagerError('TOO_MANY_REQUESTS', 429, message);

/** 404 for a container, as dockerd words it. */
export const noSuchContainer = (ref: string) => new ManagerError('NO_SUCH_CONTAINER', 404, `No such container: ${ref}`);
export const noSuchImage = (ref: string) => new ManagerError('NO_SUCH_IMAGE', 404, `No such image: ${ref}`);
export const noSuchVolume = (ref: string) => new ManagerError('NO_SUCH_VOLUME', 404, `get ${ref}: no such volume`);
export const noSuchExec = (ref: string) => new ManagerError('NO_SUCH_EXEC', 404, `No such exec instance: ${ref}`);
export const notFound = (message: string) => new ManagerError('NOT_FOUND', 404, message);

/** 404 when a short reference matches several objects (dockerd answers 404 too, with this wording). */
export const ambiguous = (kind: string, ref: string) =>
  new ManagerError('AMBIGUOUS', 404, `multiple ${kind}s found with provided prefix: ${ref}`);

/** 409: the name is taken (by a container, a container being created, or one queued in Mesos). */
export const nameConflict = (name: string, holder: string) =>
  new ManagerError(
    'NAME_CONFLICT',
    409,
    `Conflict: The name "${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`,
  );
export const conflict = (message: string) => new ManagerError('CONFLICT', 409, message);

/** 304-style outcomes that dockerd reports as "not modified". */
export const notModified = (message: string) => new ManagerError('NOT_MODIFIED', 304, message);

export const notImplemented = (message: string) => new ManagerError('NOT_IMPLEMENTED', 501, message);

/**
 * What turned every node away: a filter (`filter` names it), the strategy's resource check, no node at all, or, in
 * mesos mode, no offer held. Callers decide on this, never on the message text.
 */
export type PlacementKind = 'filter' | 'resources' | 'no-nodes' | 'no-offers';

export class PlacementError extends ManagerError {
  readonly kind: PlacementKind;
  readonly filter: string | undefined;
  constructor(message: string, kind: PlacementKind, filter?: string) {
    super('PLACEMENT_FAILED', 500, message);
    this.kind = kind;
    this.filter = filter;
  }
}

/** 500: placement found no node; the text is the scheduler's (classic Swarm's) explanation. */
export const placementFailed = (message: string, kind: PlacementKind = 'resources', filter?: string) =>
  new PlacementError(message, kind, filter);

/** 500: a container could not be started (launch failure, start timeout, removed while starting…). */
export const startFailed = (message: string) => new ManagerError('START_FAILED', 500, message);

/** An engine answered with an error of its own: its status and message go to the client as they are. */
export const engineFailed = (status: number, message: string, cause?: unknown) =>
  new ManagerError('ENGINE', status, message, cause === undefined ? undefined : { cause });

/** 499 (nginx's "client closed request"): the client went away before the answer; nobody reads the body. */
export const aborted = () => new ManagerError('ABORTED', 499, 'client went away');

/** 500: an engine or Mesos failed underneath us. */
export const serverError = (message: string, cause?: unknown) =>
  new ManagerError('SERVER_ERROR', 500, message, cause === undefined ? undefined : { cause });

/** 500: the container's node is unhealthy, so the request is not sent there (classic Swarm's words). */
export const unhealthyNode = (ref: string, node: string, notRescheduled?: string) =>
  new ManagerError(
    'UNHEALTHY_NODE',
    500,
    `Container ${ref} running on unhealthy node ${node}${notRescheduled ? ` (not rescheduled: ${notRescheduled})` : ''}`,
  );

/** 500: an engine did not answer (the Docker client's words, which classic Swarm passed on). */
export const cannotConnect = (address: string, cause?: unknown) =>
  new ManagerError(
    'CANNOT_CONNECT',
    500,
    `Cannot connect to the Docker daemon at ${address}. Is the docker daemon running?`,
    cause === undefined ? undefined : { cause },
  );

/** 503: nothing can serve the request right now (no healthy engine, no leader). */
export const unavailable = (message: string) => new ManagerError('UNAVAILABLE', 503, message);

/**
 * 503: this manager was the leader and is no longer: the shared state in ZooKeeper refused its write (its election
 * znode is gone, its session ended, or another manager took the state over). Nothing of the refused write landed.
 */
export const notLeading = (reason: string, cause?: unknown) =>
  new ManagerError(
    'NOT_LEADING',
    503,
    `This manager no longer leads the cluster: the shared state refused its write (${reason})`,
    cause === undefined ? undefined : { cause },
  );

/**
 * 503: the manager stopped acting (it no longer leads, or it is shutting down) while the request waited on the
 * cluster, e.g. for a start to run. A start still waiting for an offer was not launched: the next leader shows the
 * container created, and the client may start it again.
 */
export const stoppedActing = () =>
  new ManagerError(
    'STOPPED_ACTING',
    503,
    'This manager stopped acting (leadership moved or it is shutting down) before the request completed: inspect the container on the manager that leads now (a start still waiting for an offer was not launched)',
  );

/** 503 on a replica while no manager leads (classic Swarm's words, which scripts grep for). */
export const noPrimary = () => new ManagerError('NO_PRIMARY', 503, 'No elected primary cluster manager');

/** 503 on a replica whose leader did not answer (classic Swarm's words). */
export const primaryUnreachable = (address: string, cause?: unknown) =>
  new ManagerError(
    'PRIMARY_UNREACHABLE',
    503,
    `Unable to reach primary cluster manager (${address})`,
    cause === undefined ? undefined : { cause },
  );

export function isManagerError(err: unknown): err is ManagerError {
  return err instanceof ManagerError;
}
