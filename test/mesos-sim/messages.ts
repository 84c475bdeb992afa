// TypeScript views of the parsed scheduler calls (snake_case, as the JSON arrives), plus the task state names and
// which of them are terminal. Only what the simulator reads is typed; call-parser.ts guarantees that required fields
// are present and that enum fields hold a known name (or are absent).

export interface IdMsg {
  value: string;
}
export interface LabelsMsg {
  labels?: { key: string; value?: string }[];
}
export interface DurationMsg {
  nanoseconds: number;
}
export interface RangeMsg {
  begin: number;
  end: number;
}
export interface ResourceMsg {
  provider_id?: IdMsg;
  name: string;
  type: 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
  scalar?: { value: number };
  ranges?: { range?: RangeMsg[] };
  set?: { item?: string[] };
  role?: string;
  allocation_info?: { role?: string };
  reservation?: { principal?: string };
  reservations?: { type?: string; role?: string; principal?: string }[];
  disk?: Record<string, unknown>;
  revocable?: Record<string, unknown>;
  shared?: Record<string, unknown>;
}
export interface FrameworkInfoMsg {
  user: string;
  name: string;
  id?: IdMsg;
  failover_timeout?: number;
  checkpoint?: boolean;
  role?: string;
  roles?: string[];
  hostname?: string;
  principal?: string;
  webui_url?: string;
  capabilities?: { type?: string }[];
  labels?: LabelsMsg;
  offer_filters?: Record<string, unknown>;
}
export interface EnvVarMsg {
  name: string;
  type?: 'UNKNOWN' | 'VALUE' | 'SECRET';
  value?: string;
  secret?: Record<string, unknown>;
}
export interface CommandInfoMsg {
  uris?: { value: string }[];
  environment?: { variables?: EnvVarMsg[] };
  shell?: boolean;
  value?: string;
  arguments?: string[];
  user?: string;
}
export interface VolumeMsg {
  mode: 'RW' | 'RO';
  container_path: string;
  host_path?: string;
  image?: Record<string, unknown>;
  source?: {
    type?: string;
    docker_volume?: { driver?: string; name: string };
    host_path?: { path: string };
    sandbox_path?: { path: string };
    secret?: Record<string, unknown>;
    csi_volume?: { static_provisioning?: unknown };
  };
}
export interface PortMappingMsg {
  host_port: number;
  container_port: number;
  protocol?: string;
}
export interface DockerInfoMsg {
  image: string;
  network?: 'HOST' | 'BRIDGE' | 'NONE' | 'USER';
  port_mappings?: PortMappingMsg[];
  privileged?: boolean;
  parameters?: { key: string; value: string }[];
  force_pull_image?: boolean;
  volume_driver?: string;
}
export interface NetworkInfoMsg {
  ip_addresses?: { protocol?: string; ip_address?: string }[];
  name?: string;
  groups?: string[];
  labels?: LabelsMsg;
  port_mappings?: PortMappingMsg[];
}
export interface ContainerInfoMsg {
  type: 'DOCKER' | 'MESOS';
  volumes?: VolumeMsg[];
  hostname?: string;
  docker?: DockerInfoMsg;
  network_infos?: NetworkInfoMsg[];
  linux_info?: { share_cgroups?: boolean };
}
export interface HealthCheckMsg {
  type?: 'UNKNOWN' | 'COMMAND' | 'HTTP' | 'TCP';
  command?: CommandInfoMsg;
  http?: { port: number; scheme?: string; path?: string };
  tcp?: { port: number };
  delay_seconds?: number;
  interval_seconds?: number;
  timeout_seconds?: number;
  consecutive_failures?: number;
  grace_period_seconds?: number;
}
export interface ExecutorInfoMsg {
  type?: string;
  executor_id: IdMsg;
  command?: CommandInfoMsg;
  resources?: ResourceMsg[];
}
export interface TaskInfoMsg {
  name: string;
  task_id: IdMsg;
  agent_id: IdMsg;
  resources?: ResourceMsg[];
  executor?: ExecutorInfoMsg;
  command?: CommandInfoMsg;
  container?: ContainerInfoMsg;
  health_check?: HealthCheckMsg;
  check?: Record<string, unknown>;
  kill_policy?: { grace_period?: DurationMsg };
  data?: Buffer;
  labels?: LabelsMsg;
  discovery?: Record<string, unknown>;
  max_completion_time?: DurationMsg;
  limits?: Record<string, { value: number }>;
}
/**
 * What the master and agent keep of a TaskInfo once the task is launched: identity and what /state, kills and
 * reconciliation need. The rest (command, resources, data) is dropped so 100,000 tasks stay affordable.
 */
export type TaskSummary = Pick<
  TaskInfoMsg,
  'name' | 'task_id' | 'labels' | 'discovery' | 'container' | 'health_check' | 'kill_policy'
> & {
  executor?: { executor_id: IdMsg };
};

export function summarizeTask(t: TaskInfoMsg): TaskSummary {
  const s: TaskSummary = { name: t.name, task_id: t.task_id };
  if (t.labels) s.labels = t.labels;
  if (t.discovery) s.discovery = t.discovery;
  if (t.container) s.container = t.container;
  if (t.health_check) s.health_check = t.health_check;
  if (t.kill_policy) s.kill_policy = t.kill_policy;
  if (t.executor) s.executor = { executor_id: t.executor.executor_id };
  return s;
}

export interface OperationMsg {
  type?: string;
  id?: IdMsg;
  launch?: { task_infos?: TaskInfoMsg[] };
  launch_group?: { executor: ExecutorInfoMsg; task_group: { tasks?: TaskInfoMsg[] } };
}
export interface FiltersMsg {
  refuse_seconds?: number;
}
export interface CallMsg {
  framework_id?: IdMsg;
  type?: string;
  subscribe?: {
    framework_info: FrameworkInfoMsg;
    suppressed_roles?: string[];
    offer_constraints?: Record<string, unknown>;
  };
  accept?: { offer_ids?: IdMsg[]; operations?: OperationMsg[]; filters?: FiltersMsg };
  decline?: { offer_ids?: IdMsg[]; filters?: FiltersMsg };
  accept_inverse_offers?: Record<string, unknown>;
  decline_inverse_offers?: Record<string, unknown>;
  revive?: { roles?: string[] };
  kill?: { task_id: IdMsg; agent_id?: IdMsg; kill_policy?: { grace_period?: DurationMsg } };
  shutdown?: { executor_id: IdMsg; agent_id: IdMsg };
  acknowledge?: { agent_id: IdMsg; task_id: IdMsg; uuid: Buffer };
  acknowledge_operation_status?: { agent_id?: IdMsg; uuid: Buffer; operation_id: IdMsg };
  reconcile?: { tasks?: { task_id: IdMsg; agent_id?: IdMsg }[] };
  reconcile_operations?: Record<string, unknown>;
  message?: { agent_id: IdMsg; executor_id: IdMsg; data: Buffer };
  request?: Record<string, unknown>;
  suppress?: { roles?: string[] };
  update_framework?: { framework_info: FrameworkInfoMsg; suppressed_roles?: string[] };
}

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

const TERMINAL = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

/** protobuf::isTerminalState: TASK_LOST counts as terminal for bookkeeping even though a task may come back. */
export const isTerminal = (state: TaskState): boolean => TERMINAL.has(state);

export const hasCapability = (info: FrameworkInfoMsg, cap: string): boolean =>
  (info.capabilities ?? []).some((c) => c.type === cap);

/** The roles a framework subscribes with: `roles` for MULTI_ROLE frameworks, else the (default "*") `role`. */
export const frameworkRoles = (info: FrameworkInfoMsg): string[] =>
  hasCapability(info, 'MULTI_ROLE') ? [...(info.roles ?? [])] : [info.role ?? '*'];
