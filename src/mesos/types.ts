// The JSON shapes of the Mesos v1 scheduler API that this client sends and receives. Field names are the proto
// field names in snake_case, exactly as the master writes and reads them (stout's protobuf↔JSON, not proto3 JSON).
// Where the official docs and the master disagree (reference §0), these types follow the master: OFFERS nest
// `offers.offers`, ERROR nests `error.message`, REVIVE takes `roles`, UPDATE carries `data`, operation uuids are
// `{value}` objects in events. Only the fields a framework plausibly uses are spelled out; everything else the master
// may add is allowed through untyped by the index signatures on the larger messages.
//
// Notes on values: `bytes` fields (`uuid`, `data`) are standard base64 strings; 64-bit integers (`nanoseconds`,
// range ends) are JSON numbers and lose precision above 2^53 (`unreachable_time` can), which no caller here relies on.

// ---------------------------------------------------------------------------------------------------------------
// Identifiers and small shared messages

export interface ID {
  value: string;
}
export type FrameworkID = ID;
export type AgentID = ID;
export type OfferID = ID;
export type TaskID = ID;
export type ExecutorID = ID;
export type ContainerID = ID;
export type OperationID = ID;
export type ResourceProviderID = ID;

export interface Label {
  key: string;
  value?: string;
}
export interface Labels {
  labels?: Label[];
}

export interface DurationInfo {
  nanoseconds: number;
}
export interface TimeInfo {
  nanoseconds: number;
}

export interface Address {
  hostname?: string;
  ip?: string;
  port: number;
}

export interface URLInfo {
  scheme: string;
  address: Address;
  path?: string;
  query?: Array<{ key: string; value?: string }>;
  fragment?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Values: resources and attributes

export interface Scalar {
  value: number;
}
export interface Range {
  begin: number;
  end: number;
}
export interface Ranges {
  range?: Range[];
}
export interface ValueSet {
  item?: string[];
}
export interface Text {
  value: string;
}

export type ResourceType = 'SCALAR' | 'RANGES' | 'SET';
export type AttributeType = 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';

export interface AllocationInfo {
  role?: string;
}

export interface ReservationInfo {
  type?: 'STATIC' | 'DYNAMIC';
  role?: string;
  principal?: string;
  labels?: Labels;
}

export interface Resource {
  name: string;
  type: ResourceType;
  scalar?: Scalar;
  ranges?: Ranges;
  set?: ValueSet;
  /** Deprecated pre-refinement role; the master writes `"*"` for unreserved resources. */
  role?: string;
  allocation_info?: AllocationInfo;
  reservation?: ReservationInfo;
  reservations?: ReservationInfo[];
  disk?: Record<string, unknown>;
  revocable?: Record<string, never>;
  shared?: Record<string, never>;
  provider_id?: ResourceProviderID;
}

export interface Attribute {
  name: string;
  type: AttributeType;
  scalar?: Scalar;
  ranges?: Ranges;
  set?: ValueSet;
  text?: Text;
}

// ---------------------------------------------------------------------------------------------------------------
// FrameworkInfo and MasterInfo

export type FrameworkCapabilityType =
  | 'REVOCABLE_RESOURCES'
  | 'TASK_KILLING_STATE'
  | 'GPU_RESOURCES'
  | 'SHARED_RESOURCES'
  | 'PARTITION_AWARE'
  | 'MULTI_ROLE'
  | 'RESERVATION_REFINEMENT'
  | 'REGION_AWARE';

export interface FrameworkInfo {
  user: string;
  name: string;
  /** Set by the client on re-subscribe; leave it out of the options. */
  id?: FrameworkID;
  failover_timeout?: number;
  checkpoint?: boolean;
  /** Only without MULTI_ROLE. */
  role?: string;
  /** Only with MULTI_ROLE. */
  roles?: string[];
  hostname?: string;
  principal?: string;
  webui_url?: string;
  capabilities?: Array<{ type: FrameworkCapabilityType }>;
  labels?: Labels;
  offer_filters?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface MasterInfo {
  id: string;
  /** Deprecated packed IPv4 (little-endian uint32); use `address.ip`. */
  ip?: number;
  port?: number;
  pid?: string;
  hostname?: string;
  version?: string;
  address?: Address;
  capabilities?: Array<{ type: string }>;
  domain?: Record<string, unknown>;
  [extra: string]: unknown;
}

// ---------------------------------------------------------------------------------------------------------------
// Offers

export interface Unavailability {
  start: TimeInfo;
  duration?: DurationInfo;
}

export interface Offer {
  id: OfferID;
  framework_id: FrameworkID;
  agent_id: AgentID;
  hostname: string;
  url?: URLInfo;
  resources?: Resource[];
  attributes?: Attribute[];
  executor_ids?: ExecutorID[];
  allocation_info?: AllocationInfo;
  unavailability?: Unavailability;
  domain?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface InverseOffer {
  id: OfferID;
  framework_id: FrameworkID;
  agent_id?: AgentID;
  url?: URLInfo;
  unavailability: Unavailability;
  resources?: Resource[];
  [extra: string]: unknown;
}

export interface Filters {
  /** Seconds the declined/unused resources are not offered again; the master's default is 5. */
  refuse_seconds?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// TaskInfo and friends

export interface EnvironmentVariable {
  name: string;
  type?: 'VALUE' | 'SECRET';
  value?: string;
  secret?: Record<string, unknown>;
}

export interface CommandURI {
  value: string;
  executable?: boolean;
  extract?: boolean;
  cache?: boolean;
  output_file?: string;
}

export interface CommandInfo {
  /** Defaults to true in Mesos; a Docker task running the image's own command needs `shell: false` and no value. */
  shell?: boolean;
  value?: string;
  arguments?: string[];
  environment?: { variables?: EnvironmentVariable[] };
  uris?: CommandURI[];
  user?: string;
}

export interface Parameter {
  key: string;
  value: string;
}

export interface PortMapping {
  host_port: number;
  container_port: number;
  /** `tcp` or `udp`. */
  protocol?: string;
}

export interface DockerInfo {
  image: string;
  network?: 'HOST' | 'BRIDGE' | 'NONE' | 'USER';
  port_mappings?: PortMapping[];
  privileged?: boolean;
  /** Extra `docker run` flags: `{key:'label', value:'a=b'}` → `--label=a=b`. A `name` key is refused by the master. */
  parameters?: Parameter[];
  force_pull_image?: boolean;
  volume_driver?: string;
}

export interface Volume {
  container_path: string;
  host_path?: string;
  mode?: 'RW' | 'RO';
  image?: Record<string, unknown>;
  source?: {
    type?: 'DOCKER_VOLUME' | 'SANDBOX_PATH' | 'SECRET' | 'HOST_PATH' | 'CSI_VOLUME' | 'UNKNOWN';
    docker_volume?: { driver?: string; name: string; driver_options?: { parameter?: Parameter[] } };
    [extra: string]: unknown;
  };
}

export interface IPAddress {
  protocol?: 'IPv4' | 'IPv6';
  ip_address?: string;
}

export interface NetworkInfo {
  ip_addresses?: IPAddress[];
  name?: string;
  groups?: string[];
  labels?: Labels;
  port_mappings?: PortMapping[];
}

export interface ContainerInfo {
  type: 'DOCKER' | 'MESOS';
  docker?: DockerInfo;
  volumes?: Volume[];
  hostname?: string;
  network_infos?: NetworkInfo[];
  mesos?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface KillPolicy {
  grace_period?: DurationInfo;
}

export interface HealthCheck {
  type?: 'COMMAND' | 'HTTP' | 'TCP';
  command?: CommandInfo;
  http?: { port: number; path?: string; scheme?: string; statuses?: number[] };
  tcp?: { port: number };
  delay_seconds?: number;
  interval_seconds?: number;
  timeout_seconds?: number;
  consecutive_failures?: number;
  grace_period_seconds?: number;
}

export interface DiscoveryInfo {
  visibility: 'FRAMEWORK' | 'CLUSTER' | 'EXTERNAL';
  name?: string;
  ports?: { ports?: Array<{ number: number; name?: string; protocol?: string }> };
  [extra: string]: unknown;
}

export interface ExecutorInfo {
  executor_id?: ExecutorID;
  type?: 'DEFAULT' | 'CUSTOM';
  command?: CommandInfo;
  container?: ContainerInfo;
  resources?: Resource[];
  name?: string;
  [extra: string]: unknown;
}

export interface TaskInfo {
  name: string;
  task_id: TaskID;
  agent_id: AgentID;
  resources: Resource[];
  command?: CommandInfo;
  executor?: ExecutorInfo;
  container?: ContainerInfo;
  labels?: Labels;
  health_check?: HealthCheck;
  kill_policy?: KillPolicy;
  discovery?: DiscoveryInfo;
  /** base64 */
  data?: string;
  max_completion_time?: DurationInfo;
  [extra: string]: unknown;
}

// ---------------------------------------------------------------------------------------------------------------
// Operations (ACCEPT)

export type OperationType =
  | 'LAUNCH'
  | 'LAUNCH_GROUP'
  | 'RESERVE'
  | 'UNRESERVE'
  | 'CREATE'
  | 'DESTROY'
  | 'GROW_VOLUME'
  | 'SHRINK_VOLUME'
  | 'CREATE_DISK'
  | 'DESTROY_DISK';

export interface Operation {
  type: OperationType;
  /** Asks for UPDATE_OPERATION_STATUS feedback; the master refuses it on LAUNCH. */
  id?: OperationID;
  launch?: { task_infos: TaskInfo[] };
  launch_group?: { executor: ExecutorInfo; task_group: { tasks: TaskInfo[] } };
  reserve?: { resources: Resource[]; source?: Resource[] };
  unreserve?: { resources: Resource[] };
  create?: { volumes: Resource[] };
  destroy?: { volumes: Resource[] };
  [extra: string]: unknown;
}

// ---------------------------------------------------------------------------------------------------------------
// Status updates

export type TaskState =
  | 'TASK_STAGING'
  | 'TASK_STARTING'
  | 'TASK_RUNNING'
  | 'TASK_KILLING'
  | 'TASK_FINISHED'
  | 'TASK_FAILED'
  | 'TASK_KILLED'
  | 'TASK_ERROR'
  | 'TASK_LOST'
  | 'TASK_DROPPED'
  | 'TASK_UNREACHABLE'
  | 'TASK_GONE'
  | 'TASK_GONE_BY_OPERATOR'
  | 'TASK_UNKNOWN';

export type TaskStatusSource = 'SOURCE_MASTER' | 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';

export interface ContainerStatus {
  container_id?: ContainerID;
  network_infos?: NetworkInfo[];
  executor_pid?: number;
  [extra: string]: unknown;
}

export interface TaskStatus {
  task_id: TaskID;
  state: TaskState;
  message?: string;
  source?: TaskStatusSource;
  /** `REASON_…`; an open set, so typed as string. */
  reason?: string;
  /** base64; the docker executor puts `docker inspect` output here on TASK_RUNNING. */
  data?: string;
  agent_id?: AgentID;
  executor_id?: ExecutorID;
  /** Seconds since the epoch. */
  timestamp?: number;
  /** base64 of 16 bytes. Present only on updates that must be acknowledged. */
  uuid?: string;
  healthy?: boolean;
  labels?: Labels;
  container_status?: ContainerStatus;
  unreachable_time?: TimeInfo;
  check_status?: Record<string, unknown>;
  limitation?: { resources?: Resource[] };
  [extra: string]: unknown;
}

export type OperationState =
  | 'OPERATION_PENDING'
  | 'OPERATION_FINISHED'
  | 'OPERATION_FAILED'
  | 'OPERATION_ERROR'
  | 'OPERATION_DROPPED'
  | 'OPERATION_UNREACHABLE'
  | 'OPERATION_GONE_BY_OPERATOR'
  | 'OPERATION_RECOVERING'
  | 'OPERATION_UNKNOWN';

export interface OperationStatus {
  operation_id?: OperationID;
  state: OperationState;
  message?: string;
  converted_resources?: Resource[];
  /** Unlike TaskStatus.uuid this is a `{value}` object; the ACK takes the plain `value`. */
  uuid?: { value: string };
  agent_id?: AgentID;
  resource_provider_id?: ResourceProviderID;
  [extra: string]: unknown;
}

// ---------------------------------------------------------------------------------------------------------------
// Events (master → scheduler)

export interface SubscribedEvent {
  type: 'SUBSCRIBED';
  subscribed: {
    framework_id: FrameworkID;
    heartbeat_interval_seconds?: number;
    master_info?: MasterInfo;
  };
}
export interface OffersEvent {
  type: 'OFFERS';
  offers: { offers?: Offer[] };
}
export interface InverseOffersEvent {
  type: 'INVERSE_OFFERS';
  inverse_offers: { inverse_offers?: InverseOffer[] };
}
export interface RescindEvent {
  type: 'RESCIND';
  rescind: { offer_id: OfferID };
}
export interface RescindInverseOfferEvent {
  type: 'RESCIND_INVERSE_OFFER';
  rescind_inverse_offer: { inverse_offer_id: OfferID };
}
export interface UpdateEvent {
  type: 'UPDATE';
  update: { status: TaskStatus };
}
export interface UpdateOperationStatusEvent {
  type: 'UPDATE_OPERATION_STATUS';
  update_operation_status: { status: OperationStatus };
}
export interface MessageEvent {
  type: 'MESSAGE';
  message: { agent_id: AgentID; executor_id: ExecutorID; data?: string };
}
export interface FailureEvent {
  type: 'FAILURE';
  failure: { agent_id?: AgentID; executor_id?: ExecutorID; status?: number };
}
export interface ErrorEvent {
  type: 'ERROR';
  error: { message: string };
}
export interface HeartbeatEvent {
  type: 'HEARTBEAT';
}

export type Event =
  | SubscribedEvent
  | OffersEvent
  | InverseOffersEvent
  | RescindEvent
  | RescindInverseOfferEvent
  | UpdateEvent
  | UpdateOperationStatusEvent
  | MessageEvent
  | FailureEvent
  | ErrorEvent
  | HeartbeatEvent;

export type EventType = Event['type'];

// ---------------------------------------------------------------------------------------------------------------
// Calls (scheduler → master)

export interface ReconcileTask {
  task_id: TaskID;
  agent_id?: AgentID;
}

export interface CallBodies {
  SUBSCRIBE: {
    subscribe: {
      framework_info: FrameworkInfo;
      suppressed_roles?: string[];
      offer_constraints?: Record<string, unknown>;
    };
  };
  TEARDOWN: Record<never, never>;
  ACCEPT: { accept: { offer_ids: OfferID[]; operations: Operation[]; filters?: Filters } };
  DECLINE: { decline: { offer_ids: OfferID[]; filters?: Filters } };
  ACCEPT_INVERSE_OFFERS: { accept_inverse_offers: { inverse_offer_ids: OfferID[]; filters?: Filters } };
  DECLINE_INVERSE_OFFERS: { decline_inverse_offers: { inverse_offer_ids: OfferID[]; filters?: Filters } };
  REVIVE: { revive?: { roles?: string[] } };
  SUPPRESS: { suppress?: { roles?: string[] } };
  KILL: { kill: { task_id: TaskID; agent_id?: AgentID; kill_policy?: KillPolicy } };
  SHUTDOWN: { shutdown: { executor_id: ExecutorID; agent_id: AgentID } };
  ACKNOWLEDGE: { acknowledge: { agent_id: AgentID; task_id: TaskID; uuid: string } };
  ACKNOWLEDGE_OPERATION_STATUS: {
    acknowledge_operation_status: {
      agent_id?: AgentID;
      resource_provider_id?: ResourceProviderID;
      uuid: string;
      operation_id: OperationID;
    };
  };
  RECONCILE: { reconcile: { tasks: ReconcileTask[] } };
  RECONCILE_OPERATIONS: {
    reconcile_operations: {
      operations?: Array<{ operation_id: OperationID; agent_id?: AgentID; resource_provider_id?: ResourceProviderID }>;
    };
  };
  MESSAGE: { message: { agent_id: AgentID; executor_id: ExecutorID; data: string } };
  REQUEST: { request: { requests: Array<{ agent_id?: AgentID; resources?: Resource[] }> } };
  UPDATE_FRAMEWORK: {
    update_framework: {
      framework_info: FrameworkInfo;
      suppressed_roles?: string[];
      offer_constraints?: Record<string, unknown>;
    };
  };
}

export type CallType = keyof CallBodies;

/** A complete call envelope. The client fills in `framework_id` for everything but a first SUBSCRIBE. */
export type Call = {
  [T in CallType]: { type: T; framework_id?: FrameworkID } & CallBodies[T];
}[CallType];
