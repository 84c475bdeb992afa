// The public surface of the Mesos v1 scheduler client. Everything the cluster driver needs is re-exported here;
// nothing in this folder imports code from outside it.

export * from './types.js';
export * from './errors.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export { Backoff, backoffDelay, type BackoffOptions } from './backoff.js';
export { RecordIODecoder, encodeRecord, DEFAULT_MAX_RECORD_BYTES } from './recordio.js';
export * from './resources.js';
export {
  MesosHttp,
  IDEMPOTENT_CALLS,
  basicAuthorization,
  schedulerUrl,
  resolveRedirect,
  SCHEDULER_PATH,
  CONTENT_TYPE_JSON,
  STREAM_ID_HEADER,
  type CallResult,
  type HttpOptions,
  type TlsOptions,
} from './http.js';
export { Subscription, type SubscriptionEnd, type SubscriptionOptions } from './subscription.js';
export {
  createDetector,
  parseMasterAddress,
  redactMasterAddress,
  resolveMasterAddress,
  masterInfoUrl,
  parseMasterInfo,
  StaticDetector,
  ZooKeeperDetector,
  DEFAULT_MASTER_PORT,
  type DetectedMaster,
  type LeaderListener,
  type MasterAddress,
  type MasterDetector,
  type ZooKeeperDetectorOptions,
  type DetectorOptions,
} from './detector.js';
export { MesosSchedulerClient, isFatalMasterError, type Credentials, type SchedulerClientOptions } from './client.js';
export { SchedulerCalls, type DisconnectedInfo, type SchedulerClientEvents, type SubscribedInfo } from './calls.js';
export { Reconciler, type ReconcilerOptions, type ReconcilerEventSource, type RoundSummary } from './reconciler.js';
