// The container request bodies: `POST /containers/create` (ContainerConfigWrapper: Config with HostConfig and
// NetworkingConfig), `POST /containers/{id}/update` (UpdateConfig) and the Config of `POST /commit`, field for field
// as Docker 20.10's Go structs declare them (api/types/container/{config,host_config}.go, mount, network,
// blkiodev, go-units' Ulimit, go-connections' nat). Ranges are the Go types' unless dockerd (or reason) narrows them.
import { Type, type Static } from '@sinclair/typebox';
import {
  GoBool,
  GoString,
  Int,
  Int64,
  MapOf,
  Slice,
  StrSlice,
  StringMap,
  StringSet,
  Strings,
  Struct,
  Uint,
  Uint16,
  Uint32,
  Uint64,
} from './go-types.js';

const HealthConfig = Struct(
  {
    Test: Strings(),
    Interval: Int64({ minimum: 0 }),
    Timeout: Int64({ minimum: 0 }),
    StartPeriod: Int64({ minimum: 0 }),
    Retries: Int({ minimum: 0 }),
  },
  'a health check object',
);

/** container.Config: the top level of a create body, and the body of a commit. */
export const containerConfigFields = {
  Hostname: GoString(),
  Domainname: GoString(),
  User: GoString(),
  AttachStdin: GoBool(),
  AttachStdout: GoBool(),
  AttachStderr: GoBool(),
  ExposedPorts: StringSet(),
  Tty: GoBool(),
  OpenStdin: GoBool(),
  StdinOnce: GoBool(),
  Env: Strings(),
  Cmd: StrSlice(),
  Healthcheck: HealthConfig,
  ArgsEscaped: GoBool(),
  Image: GoString(),
  Volumes: StringSet(),
  WorkingDir: GoString(),
  Entrypoint: StrSlice(),
  NetworkDisabled: GoBool(),
  MacAddress: GoString(),
  OnBuild: Strings(),
  Labels: StringMap(),
  StopSignal: GoString(),
  StopTimeout: Int(),
  Shell: StrSlice(),
};

const WeightDevice = Struct({ Path: GoString(), Weight: Uint16() }, 'a weight device object');
const ThrottleDevice = Struct({ Path: GoString(), Rate: Uint64() }, 'a throttle device object');
const Ulimit = Struct({ Name: GoString(), Hard: Int64(), Soft: Int64() }, 'a ulimit object');
const DeviceMapping = Struct(
  { PathOnHost: GoString(), PathInContainer: GoString(), CgroupPermissions: GoString() },
  'a device mapping object',
);
const DeviceRequest = Struct(
  {
    Driver: GoString(),
    Count: Int({ minimum: -1 }),
    DeviceIDs: Strings(),
    Capabilities: Slice(Strings(), 'arrays of strings'),
    Options: StringMap(),
  },
  'a device request object',
);

/** container.Resources, embedded in HostConfig and in UpdateConfig. */
const resourcesFields = {
  CpuShares: Int64({ minimum: 0 }),
  Memory: Int64({ minimum: 0 }),
  NanoCpus: Int64({ minimum: 0 }),
  CgroupParent: GoString(),
  BlkioWeight: Uint16({ maximum: 1000 }),
  BlkioWeightDevice: Slice(WeightDevice, 'weight device objects'),
  BlkioDeviceReadBps: Slice(ThrottleDevice, 'throttle device objects'),
  BlkioDeviceWriteBps: Slice(ThrottleDevice, 'throttle device objects'),
  BlkioDeviceReadIOps: Slice(ThrottleDevice, 'throttle device objects'),
  BlkioDeviceWriteIOps: Slice(ThrottleDevice, 'throttle device objects'),
  CpuPeriod: Int64({ minimum: 0 }),
  CpuQuota: Int64({ minimum: -1 }),
  CpuRealtimePeriod: Int64({ minimum: 0 }),
  CpuRealtimeRuntime: Int64({ minimum: -1 }),
  CpusetCpus: GoString(),
  CpusetMems: GoString(),
  Devices: Slice(DeviceMapping, 'device mapping objects'),
  DeviceCgroupRules: Strings(),
  DeviceRequests: Slice(DeviceRequest, 'device request objects'),
  KernelMemory: Int64({ minimum: -1 }),
  KernelMemoryTCP: Int64({ minimum: -1 }),
  MemoryReservation: Int64({ minimum: 0 }),
  MemorySwap: Int64({ minimum: -1 }),
  MemorySwappiness: Int64({ minimum: -1, maximum: 100 }),
  OomKillDisable: GoBool(),
  PidsLimit: Int64({ minimum: -1 }),
  Ulimits: Slice(Ulimit, 'ulimit objects'),
  CpuCount: Int64({ minimum: 0 }),
  CpuPercent: Int64({ minimum: 0, maximum: 100 }),
  IOMaximumIOps: Uint64(),
  IOMaximumBandwidth: Uint64(),
};

const RestartPolicy = Struct({ Name: GoString(), MaximumRetryCount: Int({ minimum: 0 }) }, 'a restart policy object');
const LogConfig = Struct({ Type: GoString(), Config: StringMap() }, 'a log config object');
const PortBinding = Struct({ HostIp: GoString(), HostPort: GoString() }, 'a port binding object');

const Mount = Struct(
  {
    Type: GoString(),
    Source: GoString(),
    Target: GoString(),
    ReadOnly: GoBool(),
    Consistency: GoString(),
    BindOptions: Struct({ Propagation: GoString(), NonRecursive: GoBool() }, 'a bind options object'),
    VolumeOptions: Struct(
      {
        NoCopy: GoBool(),
        Labels: StringMap(),
        DriverConfig: Struct({ Name: GoString(), Options: StringMap() }, 'a driver object'),
      },
      'a volume options object',
    ),
    TmpfsOptions: Struct({ SizeBytes: Int64({ minimum: 0 }), Mode: Uint32() }, 'a tmpfs options object'),
  },
  'a mount object',
);

export const HostConfig = Struct(
  {
    Binds: Strings(),
    ContainerIDFile: GoString(),
    LogConfig,
    NetworkMode: GoString(),
    PortBindings: MapOf(Type.Union([Slice(PortBinding, 'port binding objects'), Type.Null()]), 'port bindings'),
    RestartPolicy,
    AutoRemove: GoBool(),
    VolumeDriver: GoString(),
    VolumesFrom: Strings(),
    CapAdd: StrSlice(),
    CapDrop: StrSlice(),
    CgroupnsMode: GoString(),
    Dns: Strings(),
    DnsOptions: Strings(),
    DnsSearch: Strings(),
    ExtraHosts: Strings(),
    GroupAdd: Strings(),
    IpcMode: GoString(),
    Cgroup: GoString(),
    Links: Strings(),
    OomScoreAdj: Int({ minimum: -1000, maximum: 1000 }),
    PidMode: GoString(),
    Privileged: GoBool(),
    PublishAllPorts: GoBool(),
    ReadonlyRootfs: GoBool(),
    SecurityOpt: Strings(),
    StorageOpt: StringMap(),
    Tmpfs: StringMap(),
    UTSMode: GoString(),
    UsernsMode: GoString(),
    ShmSize: Int64({ minimum: 0 }),
    Sysctls: StringMap(),
    Runtime: GoString(),
    ConsoleSize: Type.Array(Uint(), { maxItems: 2, expected: 'an array of two integers (height, width)' }),
    Isolation: GoString(),
    ...resourcesFields,
    Mounts: Slice(Mount, 'mount objects'),
    MaskedPaths: Strings(),
    ReadonlyPaths: Strings(),
    Init: GoBool(),
  },
  'an object',
);

const EndpointSettings = Struct(
  {
    IPAMConfig: Struct(
      { IPv4Address: GoString(), IPv6Address: GoString(), LinkLocalIPs: Strings() },
      'an endpoint IPAM config object',
    ),
    Links: Strings(),
    Aliases: Strings(),
    NetworkID: GoString(),
    EndpointID: GoString(),
    Gateway: GoString(),
    IPAddress: GoString(),
    IPPrefixLen: Int({ minimum: 0, maximum: 128 }),
    IPv6Gateway: GoString(),
    GlobalIPv6Address: GoString(),
    GlobalIPv6PrefixLen: Int({ minimum: 0, maximum: 128 }),
    MacAddress: GoString(),
    DriverOpts: StringMap(),
  },
  'an endpoint settings object',
);
export { EndpointSettings };

export const ContainerCreate = Struct(
  {
    ...containerConfigFields,
    HostConfig,
    NetworkingConfig: Struct(
      { EndpointsConfig: MapOf(EndpointSettings, 'an object of endpoint settings') },
      'a networking config object',
    ),
  },
  'an object',
);
export type ContainerCreateBody = Static<typeof ContainerCreate>;

export const ContainerUpdate = Struct({ ...resourcesFields, RestartPolicy }, 'an object');
export type ContainerUpdateBody = Static<typeof ContainerUpdate>;

export const ContainerConfig = Struct(containerConfigFields, 'an object');
export type ContainerConfigBody = Static<typeof ContainerConfig>;
