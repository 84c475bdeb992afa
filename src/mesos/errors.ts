// The errors the Mesos client raises. Each says which layer failed (HTTP answer, connection, protocol, stream
// framing, leader detection) so the owner can decide between retrying, giving up, or reporting.

/** Base class, so `err instanceof MesosError` catches everything this folder throws. */
export class MesosError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Broad classes of HTTP answers, following mesos-go's mapping of the master's status codes. */
export type MesosHttpErrorKind =
  | 'bad-request' // 400: malformed call, failed validation, unknown framework, stream ID mismatch
  | 'unauthorized' // 401: missing or wrong Basic credentials
  | 'forbidden' // 403: framework known but not subscribed, or not authorised
  | 'not-acceptable' // 406
  | 'conflict' // 409 (UPDATE_FRAMEWORK raced a removal)
  | 'unsupported-media-type' // 415: Content-Type not exactly application/json
  | 'unavailable' // 503: no leader elected, or the leader is still recovering
  | 'other';

export function httpErrorKind(status: number): MesosHttpErrorKind {
  switch (status) {
    case 400:
      return 'bad-request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 406:
      return 'not-acceptable';
    case 409:
      return 'conflict';
    case 415:
      return 'unsupported-media-type';
    case 503:
      return 'unavailable';
    default:
      return 'other';
  }
}

/** The master answered with a status we do not treat as success; `body` is its (text/plain) explanation. */
export class MesosHttpError extends MesosError {
  readonly status: number;
  readonly kind: MesosHttpErrorKind;
  readonly body: string;
  /** The call type (`ACCEPT`, `SUBSCRIBE`, …) that was answered. */
  readonly callType: string;
  readonly url: string;
  constructor(status: number, body: string, callType: string, url: string) {
    const text = body.trim();
    super(`Mesos ${callType} to ${url} failed with ${status}${text ? `: ${text}` : ''}`);
    this.status = status;
    this.kind = httpErrorKind(status);
    this.body = body;
    this.callType = callType;
    this.url = url;
  }
}

/** The request never got an HTTP answer: connection refused or reset, DNS failure, timeout. */
export class MesosConnectionError extends MesosError {
  readonly callType: string;
  readonly url: string;
  constructor(callType: string, url: string, cause: unknown) {
    super(`Mesos ${callType} to ${url} failed: ${describe(cause)}`, { cause });
    this.callType = callType;
    this.url = url;
  }
}

/** Followed more 307 redirects than allowed (masters pointing at each other during an election). */
export class MesosRedirectError extends MesosError {
  constructor(callType: string, url: string, hops: number) {
    super(`Mesos ${callType}: gave up after ${hops} redirects (last: ${url})`);
  }
}

/** A call was made while there is no subscribed stream (before SUBSCRIBED, during a reconnect, or after stop). */
export class MesosNotSubscribedError extends MesosError {
  constructor(callType: string) {
    super(`Mesos ${callType}: the scheduler is not subscribed`);
  }
}

/** The subscribe stream is not well-formed RecordIO. */
export class RecordIOError extends MesosError {}

/**
 * Something retrying cannot fix: "Framework has been removed", credentials refused, an invalid FrameworkInfo. The
 * client stops after emitting it; `reason` is the master's text.
 */
export class MesosFatalError extends MesosError {
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Mesos scheduler stopped: ${reason}`, options);
    this.reason = reason;
  }
}

/** A master address or ZooKeeper URL that cannot be understood. */
export class MasterAddressError extends MesosError {}

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
