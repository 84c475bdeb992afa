// The shape of `mesos.v1.scheduler.Call` and the mesos.v1 messages it carries, as far as the master's JSON parser
// cares: field names, numbers, labels (required/optional/repeated), scalar kinds and enum value names. It lets
// call-parser.ts reproduce stout's protobuf-from-JSON behaviour (type errors, unknown enums, "Missing required
// fields: a.b.c" in the protobuf order). Messages a scheduler rarely sends in detail (secrets, CSI volumes, Linux
// info, offer constraints, checks) are `opaque`: any JSON object is taken as is, without validation.

export type Scalar = 'string' | 'bytes' | 'double' | 'float' | 'bool' | 'int32' | 'uint32' | 'int64' | 'uint64';

export interface FieldDesc {
  readonly number: number;
  readonly name: string;
  readonly label: 'optional' | 'required' | 'repeated';
  readonly type: Scalar | { enum: readonly string[] } | { message: () => MessageDesc } | { map: FieldDesc };
}

export interface MessageDesc {
  readonly name: string;
  readonly fields: readonly FieldDesc[];
  /** Accept any JSON object as this message, unparsed. */
  readonly opaque?: boolean;
}

type T = FieldDesc['type'];
const opt = (number: number, name: string, type: T): FieldDesc => ({ number, name, label: 'optional', type });
const req = (number: number, name: string, type: T): FieldDesc => ({ number, name, label: 'required', type });
const rep = (number: number, name: string, type: T): FieldDesc => ({ number, name, label: 'repeated', type });
const msg = (m: () => MessageDesc): T => ({ message: m });
const en = (...values: string[]): T => ({ enum: values });
const map = (value: T): FieldDesc => ({ number: 2, name: 'value', label: 'optional', type: value });
const M = (name: string, fields: FieldDesc[]): MessageDesc => ({ name, fields });
const opaque = (name: string): MessageDesc => ({ name, fields: [], opaque: true });

const idMessage = (name: string) => M(name, [req(1, 'value', 'string')]);
export const FrameworkID = idMessage('FrameworkID');
export const OfferID = idMessage('OfferID');
export const AgentID = idMessage('AgentID');
export const TaskID = idMessage('TaskID');
export const ExecutorID = idMessage('ExecutorID');
export const OperationID = idMessage('OperationID');
export const ResourceProviderID = idMessage('ResourceProviderID');
const DurationInfo = M('DurationInfo', [req(1, 'nanoseconds', 'int64')]);
const Label = M('Label', [req(1, 'key', 'string'), opt(2, 'value', 'string')]);
const Labels = M('Labels', [
  rep(
    1,
    'labels',
    msg(() => Label),
  ),
]);
const Parameter = M('Parameter', [req(1, 'key', 'string'), req(2, 'value', 'string')]);
const Parameters = M('Parameters', [
  rep(
    1,
    'parameter',
    msg(() => Parameter),
  ),
]);
const Secret = opaque('Secret');
const Image = opaque('Image');

const ValueScalar = M('Value.Scalar', [req(1, 'value', 'double')]);
const ValueRange = M('Value.Range', [req(1, 'begin', 'uint64'), req(2, 'end', 'uint64')]);
const ValueRanges = M('Value.Ranges', [
  rep(
    1,
    'range',
    msg(() => ValueRange),
  ),
]);
const ValueSet = M('Value.Set', [rep(1, 'item', 'string')]);
const ValueType = en('SCALAR', 'RANGES', 'SET', 'TEXT');

const AllocationInfo = M('Resource.AllocationInfo', [opt(1, 'role', 'string')]);
const ReservationInfo = M('Resource.ReservationInfo', [
  opt(4, 'type', en('UNKNOWN', 'STATIC', 'DYNAMIC')),
  opt(3, 'role', 'string'),
  opt(1, 'principal', 'string'),
  opt(
    2,
    'labels',
    msg(() => Labels),
  ),
]);
const DiskInfo = opaque('Resource.DiskInfo');
export const Resource = M('Resource', [
  opt(
    12,
    'provider_id',
    msg(() => ResourceProviderID),
  ),
  req(1, 'name', 'string'),
  req(2, 'type', ValueType),
  opt(
    3,
    'scalar',
    msg(() => ValueScalar),
  ),
  opt(
    4,
    'ranges',
    msg(() => ValueRanges),
  ),
  opt(
    5,
    'set',
    msg(() => ValueSet),
  ),
  opt(6, 'role', 'string'),
  opt(
    11,
    'allocation_info',
    msg(() => AllocationInfo),
  ),
  opt(
    8,
    'reservation',
    msg(() => ReservationInfo),
  ),
  rep(
    13,
    'reservations',
    msg(() => ReservationInfo),
  ),
  opt(
    7,
    'disk',
    msg(() => DiskInfo),
  ),
  opt(
    9,
    'revocable',
    msg(() => opaque('Resource.RevocableInfo')),
  ),
  opt(
    10,
    'shared',
    msg(() => opaque('Resource.SharedInfo')),
  ),
]);

const Capability = M('FrameworkInfo.Capability', [
  opt(
    1,
    'type',
    en(
      'UNKNOWN',
      'REVOCABLE_RESOURCES',
      'TASK_KILLING_STATE',
      'GPU_RESOURCES',
      'SHARED_RESOURCES',
      'PARTITION_AWARE',
      'MULTI_ROLE',
      'RESERVATION_REFINEMENT',
      'REGION_AWARE',
    ),
  ),
]);
export const FrameworkInfo = M('FrameworkInfo', [
  req(1, 'user', 'string'),
  req(2, 'name', 'string'),
  opt(
    3,
    'id',
    msg(() => FrameworkID),
  ),
  opt(4, 'failover_timeout', 'double'),
  opt(5, 'checkpoint', 'bool'),
  opt(6, 'role', 'string'),
  rep(12, 'roles', 'string'),
  opt(7, 'hostname', 'string'),
  opt(8, 'principal', 'string'),
  opt(9, 'webui_url', 'string'),
  rep(
    10,
    'capabilities',
    msg(() => Capability),
  ),
  opt(
    11,
    'labels',
    msg(() => Labels),
  ),
  rep(13, 'offer_filters', { map: map(msg(() => opaque('OfferFilters'))) }),
]);

const EnvVariable = M('Environment.Variable', [
  req(1, 'name', 'string'),
  opt(3, 'type', en('UNKNOWN', 'VALUE', 'SECRET')),
  opt(2, 'value', 'string'),
  opt(
    4,
    'secret',
    msg(() => Secret),
  ),
]);
const Environment = M('Environment', [
  rep(
    1,
    'variables',
    msg(() => EnvVariable),
  ),
]);
const URI = M('CommandInfo.URI', [
  req(1, 'value', 'string'),
  opt(2, 'executable', 'bool'),
  opt(3, 'extract', 'bool'),
  opt(4, 'cache', 'bool'),
  opt(5, 'output_file', 'string'),
]);
const CommandInfo: MessageDesc = M('CommandInfo', [
  rep(
    1,
    'uris',
    msg(() => URI),
  ),
  opt(
    2,
    'environment',
    msg(() => Environment),
  ),
  opt(6, 'shell', 'bool'),
  opt(3, 'value', 'string'),
  rep(7, 'arguments', 'string'),
  opt(5, 'user', 'string'),
]);

const Protocol = en('IPv4', 'IPv6');
const IPAddress = M('NetworkInfo.IPAddress', [opt(1, 'protocol', Protocol), opt(2, 'ip_address', 'string')]);
const NetPortMapping = M('NetworkInfo.PortMapping', [
  req(1, 'host_port', 'uint32'),
  req(2, 'container_port', 'uint32'),
  opt(3, 'protocol', 'string'),
]);
const NetworkInfo = M('NetworkInfo', [
  rep(
    5,
    'ip_addresses',
    msg(() => IPAddress),
  ),
  opt(6, 'name', 'string'),
  rep(3, 'groups', 'string'),
  opt(
    4,
    'labels',
    msg(() => Labels),
  ),
  rep(
    7,
    'port_mappings',
    msg(() => NetPortMapping),
  ),
]);
const DockerPortMapping = M('ContainerInfo.DockerInfo.PortMapping', [
  req(1, 'host_port', 'uint32'),
  req(2, 'container_port', 'uint32'),
  opt(3, 'protocol', 'string'),
]);
const DockerInfo = M('ContainerInfo.DockerInfo', [
  req(1, 'image', 'string'),
  opt(2, 'network', en('HOST', 'BRIDGE', 'NONE', 'USER')),
  rep(
    3,
    'port_mappings',
    msg(() => DockerPortMapping),
  ),
  opt(4, 'privileged', 'bool'),
  rep(
    5,
    'parameters',
    msg(() => Parameter),
  ),
  opt(6, 'force_pull_image', 'bool'),
  opt(7, 'volume_driver', 'string'),
]);
const DockerVolume = M('Volume.Source.DockerVolume', [
  opt(1, 'driver', 'string'),
  req(2, 'name', 'string'),
  opt(
    3,
    'driver_options',
    msg(() => Parameters),
  ),
]);
const HostPathSource = M('Volume.Source.HostPath', [
  req(1, 'path', 'string'),
  opt(
    2,
    'mount_propagation',
    msg(() => opaque('MountPropagation')),
  ),
]);
const SandboxPath = M('Volume.Source.SandboxPath', [
  opt(1, 'type', en('UNKNOWN', 'SELF', 'PARENT')),
  req(2, 'path', 'string'),
]);
const VolumeSource = M('Volume.Source', [
  opt(1, 'type', en('UNKNOWN', 'DOCKER_VOLUME', 'HOST_PATH', 'SANDBOX_PATH', 'SECRET', 'CSI_VOLUME')),
  opt(
    2,
    'docker_volume',
    msg(() => DockerVolume),
  ),
  opt(
    5,
    'host_path',
    msg(() => HostPathSource),
  ),
  opt(
    3,
    'sandbox_path',
    msg(() => SandboxPath),
  ),
  opt(
    4,
    'secret',
    msg(() => Secret),
  ),
  opt(
    6,
    'csi_volume',
    msg(() => opaque('Volume.Source.CSIVolume')),
  ),
]);
const Volume = M('Volume', [
  req(3, 'mode', en('RW', 'RO')),
  req(1, 'container_path', 'string'),
  opt(2, 'host_path', 'string'),
  opt(
    4,
    'image',
    msg(() => Image),
  ),
  opt(
    5,
    'source',
    msg(() => VolumeSource),
  ),
]);
const ContainerInfo = M('ContainerInfo', [
  req(1, 'type', en('DOCKER', 'MESOS')),
  rep(
    2,
    'volumes',
    msg(() => Volume),
  ),
  opt(4, 'hostname', 'string'),
  opt(
    3,
    'docker',
    msg(() => DockerInfo),
  ),
  opt(
    5,
    'mesos',
    msg(() => opaque('ContainerInfo.MesosInfo')),
  ),
  rep(
    7,
    'network_infos',
    msg(() => NetworkInfo),
  ),
  opt(
    8,
    'linux_info',
    msg(() => opaque('LinuxInfo')),
  ),
  opt(
    9,
    'rlimit_info',
    msg(() => opaque('RLimitInfo')),
  ),
  opt(
    10,
    'tty_info',
    msg(() => opaque('TTYInfo')),
  ),
]);

const HttpCheck = M('HealthCheck.HTTPCheckInfo', [
  opt(5, 'protocol', Protocol),
  opt(3, 'scheme', 'string'),
  req(1, 'port', 'uint32'),
  opt(2, 'path', 'string'),
  rep(4, 'statuses', 'uint32'),
]);
const TcpCheck = M('HealthCheck.TCPCheckInfo', [opt(2, 'protocol', Protocol), req(1, 'port', 'uint32')]);
const HealthCheck = M('HealthCheck', [
  opt(2, 'delay_seconds', 'double'),
  opt(3, 'interval_seconds', 'double'),
  opt(4, 'timeout_seconds', 'double'),
  opt(5, 'consecutive_failures', 'uint32'),
  opt(6, 'grace_period_seconds', 'double'),
  opt(8, 'type', en('UNKNOWN', 'COMMAND', 'HTTP', 'TCP')),
  opt(
    7,
    'command',
    msg(() => CommandInfo),
  ),
  opt(
    1,
    'http',
    msg(() => HttpCheck),
  ),
  opt(
    9,
    'tcp',
    msg(() => TcpCheck),
  ),
]);
const KillPolicy = M('KillPolicy', [
  opt(
    1,
    'grace_period',
    msg(() => DurationInfo),
  ),
]);
const Port = M('Port', [
  req(1, 'number', 'uint32'),
  opt(2, 'name', 'string'),
  opt(3, 'protocol', 'string'),
  opt(4, 'visibility', en('FRAMEWORK', 'CLUSTER', 'EXTERNAL')),
  opt(
    5,
    'labels',
    msg(() => Labels),
  ),
]);
const DiscoveryInfo = M('DiscoveryInfo', [
  req(1, 'visibility', en('FRAMEWORK', 'CLUSTER', 'EXTERNAL')),
  opt(2, 'name', 'string'),
  opt(3, 'environment', 'string'),
  opt(4, 'location', 'string'),
  opt(5, 'version', 'string'),
  opt(
    6,
    'ports',
    msg(() =>
      M('Ports', [
        rep(
          1,
          'ports',
          msg(() => Port),
        ),
      ]),
    ),
  ),
  opt(
    7,
    'labels',
    msg(() => Labels),
  ),
]);
const ExecutorInfo = M('ExecutorInfo', [
  opt(15, 'type', en('UNKNOWN', 'DEFAULT', 'CUSTOM')),
  req(
    1,
    'executor_id',
    msg(() => ExecutorID),
  ),
  opt(
    8,
    'framework_id',
    msg(() => FrameworkID),
  ),
  opt(
    7,
    'command',
    msg(() => CommandInfo),
  ),
  opt(
    11,
    'container',
    msg(() => ContainerInfo),
  ),
  rep(
    5,
    'resources',
    msg(() => Resource),
  ),
  opt(9, 'name', 'string'),
  opt(10, 'source', 'string'),
  opt(4, 'data', 'bytes'),
  opt(
    12,
    'discovery',
    msg(() => DiscoveryInfo),
  ),
  opt(
    13,
    'shutdown_grace_period',
    msg(() => DurationInfo),
  ),
  opt(
    14,
    'labels',
    msg(() => Labels),
  ),
]);
export const TaskInfo: MessageDesc = M('TaskInfo', [
  req(1, 'name', 'string'),
  req(
    2,
    'task_id',
    msg(() => TaskID),
  ),
  req(
    3,
    'agent_id',
    msg(() => AgentID),
  ),
  rep(
    4,
    'resources',
    msg(() => Resource),
  ),
  opt(
    5,
    'executor',
    msg(() => ExecutorInfo),
  ),
  opt(
    7,
    'command',
    msg(() => CommandInfo),
  ),
  opt(
    9,
    'container',
    msg(() => ContainerInfo),
  ),
  opt(
    8,
    'health_check',
    msg(() => HealthCheck),
  ),
  opt(
    13,
    'check',
    msg(() => opaque('CheckInfo')),
  ),
  opt(
    12,
    'kill_policy',
    msg(() => KillPolicy),
  ),
  opt(6, 'data', 'bytes'),
  opt(
    10,
    'labels',
    msg(() => Labels),
  ),
  opt(
    11,
    'discovery',
    msg(() => DiscoveryInfo),
  ),
  opt(
    14,
    'max_completion_time',
    msg(() => DurationInfo),
  ),
  rep(15, 'limits', { map: map(msg(() => ValueScalar)) }),
]);

const Filters = M('Filters', [opt(1, 'refuse_seconds', 'double')]);
const resourcesOnly = (name: string, field: string) =>
  M(name, [
    rep(
      1,
      field,
      msg(() => Resource),
    ),
  ]);
const Operation = M('Offer.Operation', [
  opt(
    1,
    'type',
    en(
      'UNKNOWN',
      'LAUNCH',
      'LAUNCH_GROUP',
      'RESERVE',
      'UNRESERVE',
      'CREATE',
      'DESTROY',
      'GROW_VOLUME',
      'SHRINK_VOLUME',
      'CREATE_DISK',
      'DESTROY_DISK',
    ),
  ),
  opt(
    12,
    'id',
    msg(() => OperationID),
  ),
  opt(
    2,
    'launch',
    msg(() =>
      M('Offer.Operation.Launch', [
        rep(
          1,
          'task_infos',
          msg(() => TaskInfo),
        ),
      ]),
    ),
  ),
  opt(
    7,
    'launch_group',
    msg(() =>
      M('Offer.Operation.LaunchGroup', [
        req(
          1,
          'executor',
          msg(() => ExecutorInfo),
        ),
        req(
          2,
          'task_group',
          msg(() =>
            M('TaskGroupInfo', [
              rep(
                1,
                'tasks',
                msg(() => TaskInfo),
              ),
            ]),
          ),
        ),
      ]),
    ),
  ),
  opt(
    3,
    'reserve',
    msg(() =>
      M('Offer.Operation.Reserve', [
        rep(
          2,
          'source',
          msg(() => Resource),
        ),
        rep(
          1,
          'resources',
          msg(() => Resource),
        ),
      ]),
    ),
  ),
  opt(
    4,
    'unreserve',
    msg(() => resourcesOnly('Offer.Operation.Unreserve', 'resources')),
  ),
  opt(
    5,
    'create',
    msg(() => resourcesOnly('Offer.Operation.Create', 'volumes')),
  ),
  opt(
    6,
    'destroy',
    msg(() => resourcesOnly('Offer.Operation.Destroy', 'volumes')),
  ),
  opt(
    13,
    'grow_volume',
    msg(() => opaque('Offer.Operation.GrowVolume')),
  ),
  opt(
    14,
    'shrink_volume',
    msg(() => opaque('Offer.Operation.ShrinkVolume')),
  ),
  opt(
    15,
    'create_disk',
    msg(() => opaque('Offer.Operation.CreateDisk')),
  ),
  opt(
    16,
    'destroy_disk',
    msg(() => opaque('Offer.Operation.DestroyDisk')),
  ),
]);

const OfferConstraints = opaque('OfferConstraints');
const ReconcileTask = M('Call.Reconcile.Task', [
  req(
    1,
    'task_id',
    msg(() => TaskID),
  ),
  opt(
    2,
    'agent_id',
    msg(() => AgentID),
  ),
]);
const ReconcileOperation = M('Call.ReconcileOperations.Operation', [
  req(
    1,
    'operation_id',
    msg(() => OperationID),
  ),
  opt(
    2,
    'agent_id',
    msg(() => AgentID),
  ),
  opt(
    3,
    'resource_provider_id',
    msg(() => ResourceProviderID),
  ),
]);
const Request = M('Request', [
  opt(
    1,
    'agent_id',
    msg(() => AgentID),
  ),
  rep(
    2,
    'resources',
    msg(() => Resource),
  ),
]);

export const CALL_TYPES = [
  'UNKNOWN',
  'SUBSCRIBE',
  'TEARDOWN',
  'ACCEPT',
  'DECLINE',
  'ACCEPT_INVERSE_OFFERS',
  'DECLINE_INVERSE_OFFERS',
  'REVIVE',
  'KILL',
  'SHUTDOWN',
  'ACKNOWLEDGE',
  'ACKNOWLEDGE_OPERATION_STATUS',
  'RECONCILE',
  'RECONCILE_OPERATIONS',
  'MESSAGE',
  'REQUEST',
  'SUPPRESS',
  'UPDATE_FRAMEWORK',
] as const;

export const Call: MessageDesc = M('Call', [
  opt(
    1,
    'framework_id',
    msg(() => FrameworkID),
  ),
  opt(2, 'type', en(...CALL_TYPES)),
  opt(
    3,
    'subscribe',
    msg(() =>
      M('Call.Subscribe', [
        req(
          1,
          'framework_info',
          msg(() => FrameworkInfo),
        ),
        rep(2, 'suppressed_roles', 'string'),
        opt(
          3,
          'offer_constraints',
          msg(() => OfferConstraints),
        ),
      ]),
    ),
  ),
  opt(
    4,
    'accept',
    msg(() =>
      M('Call.Accept', [
        rep(
          1,
          'offer_ids',
          msg(() => OfferID),
        ),
        rep(
          2,
          'operations',
          msg(() => Operation),
        ),
        opt(
          3,
          'filters',
          msg(() => Filters),
        ),
      ]),
    ),
  ),
  opt(
    5,
    'decline',
    msg(() =>
      M('Call.Decline', [
        rep(
          1,
          'offer_ids',
          msg(() => OfferID),
        ),
        opt(
          2,
          'filters',
          msg(() => Filters),
        ),
      ]),
    ),
  ),
  opt(
    13,
    'accept_inverse_offers',
    msg(() =>
      M('Call.AcceptInverseOffers', [
        rep(
          1,
          'inverse_offer_ids',
          msg(() => OfferID),
        ),
        opt(
          2,
          'filters',
          msg(() => Filters),
        ),
      ]),
    ),
  ),
  opt(
    14,
    'decline_inverse_offers',
    msg(() =>
      M('Call.DeclineInverseOffers', [
        rep(
          1,
          'inverse_offer_ids',
          msg(() => OfferID),
        ),
        opt(
          2,
          'filters',
          msg(() => Filters),
        ),
      ]),
    ),
  ),
  opt(
    15,
    'revive',
    msg(() => M('Call.Revive', [rep(1, 'roles', 'string')])),
  ),
  opt(
    6,
    'kill',
    msg(() =>
      M('Call.Kill', [
        req(
          1,
          'task_id',
          msg(() => TaskID),
        ),
        opt(
          2,
          'agent_id',
          msg(() => AgentID),
        ),
        opt(
          3,
          'kill_policy',
          msg(() => KillPolicy),
        ),
      ]),
    ),
  ),
  opt(
    7,
    'shutdown',
    msg(() =>
      M('Call.Shutdown', [
        req(
          1,
          'executor_id',
          msg(() => ExecutorID),
        ),
        req(
          2,
          'agent_id',
          msg(() => AgentID),
        ),
      ]),
    ),
  ),
  opt(
    8,
    'acknowledge',
    msg(() =>
      M('Call.Acknowledge', [
        req(
          1,
          'agent_id',
          msg(() => AgentID),
        ),
        req(
          2,
          'task_id',
          msg(() => TaskID),
        ),
        req(3, 'uuid', 'bytes'),
      ]),
    ),
  ),
  opt(
    17,
    'acknowledge_operation_status',
    msg(() =>
      M('Call.AcknowledgeOperationStatus', [
        opt(
          1,
          'agent_id',
          msg(() => AgentID),
        ),
        opt(
          2,
          'resource_provider_id',
          msg(() => ResourceProviderID),
        ),
        req(3, 'uuid', 'bytes'),
        req(
          4,
          'operation_id',
          msg(() => OperationID),
        ),
      ]),
    ),
  ),
  opt(
    9,
    'reconcile',
    msg(() =>
      M('Call.Reconcile', [
        rep(
          1,
          'tasks',
          msg(() => ReconcileTask),
        ),
      ]),
    ),
  ),
  opt(
    18,
    'reconcile_operations',
    msg(() =>
      M('Call.ReconcileOperations', [
        rep(
          1,
          'operations',
          msg(() => ReconcileOperation),
        ),
      ]),
    ),
  ),
  opt(
    10,
    'message',
    msg(() =>
      M('Call.Message', [
        req(
          1,
          'agent_id',
          msg(() => AgentID),
        ),
        req(
          2,
          'executor_id',
          msg(() => ExecutorID),
        ),
        req(3, 'data', 'bytes'),
      ]),
    ),
  ),
  opt(
    11,
    'request',
    msg(() =>
      M('Call.Request', [
        rep(
          1,
          'requests',
          msg(() => Request),
        ),
      ]),
    ),
  ),
  opt(
    16,
    'suppress',
    msg(() => M('Call.Suppress', [rep(1, 'roles', 'string')])),
  ),
  opt(
    19,
    'update_framework',
    msg(() =>
      M('Call.UpdateFramework', [
        req(
          1,
          'framework_info',
          msg(() => FrameworkInfo),
        ),
        rep(2, 'suppressed_roles', 'string'),
        opt(
          3,
          'offer_constraints',
          msg(() => OfferConstraints),
        ),
      ]),
    ),
  ),
]);
