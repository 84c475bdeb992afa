// Realistic state entries for the state backends' tests and bench: containers created, started and running through
// the mesos driver's own store (src/cluster/mesos/store.ts), with the create body the docker CLI (28.x) sends for
// `docker run -d busybox sleep N` (taken from a journal the CLI wrote: ~2.3 KB a container), so the entries have
// the sizes and the repetitiveness the manager's really have.
import { randomUUID, randomBytes } from 'node:crypto';
import { ContainerStore } from '../../src/cluster/mesos/store.js';
import { MesosContainer } from '../../src/cluster/mesos/container.js';
import type { StateBackend, StateEntry } from '../../src/cluster/mesos/persistence.js';
import type { CreateBody } from '../../src/cluster/cluster.js';
import { EventLog } from '../../src/cluster/events.js';

/** The docker CLI's create body (HostConfig and NetworkingConfig as it fills them), with `Cmd` to vary. */
export function cliCreateBody(cmd: string[]): CreateBody {
  return {
    Hostname: '',
    Domainname: '',
    User: '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: null,
    Cmd: cmd,
    Image: 'busybox',
    Volumes: {},
    WorkingDir: '',
    Entrypoint: null,
    OnBuild: null,
    Labels: {},
    HostConfig: {
      Binds: null,
      ContainerIDFile: '',
      LogConfig: { Type: '', Config: {} },
      NetworkMode: 'default',
      PortBindings: {},
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      AutoRemove: false,
      VolumeDriver: '',
      VolumesFrom: null,
      ConsoleSize: [0, 0],
      CapAdd: null,
      CapDrop: null,
      CgroupnsMode: '',
      Dns: [],
      DnsOptions: [],
      DnsSearch: [],
      ExtraHosts: null,
      GroupAdd: null,
      IpcMode: '',
      Cgroup: '',
      Links: null,
      OomScoreAdj: 0,
      PidMode: '',
      Privileged: false,
      PublishAllPorts: false,
      ReadonlyRootfs: false,
      SecurityOpt: null,
      UTSMode: '',
      UsernsMode: '',
      ShmSize: 0,
      Isolation: '',
      CpuShares: 0,
      Memory: 20971520,
      NanoCpus: 0,
      CgroupParent: '',
      BlkioWeight: 0,
      BlkioWeightDevice: [],
      BlkioDeviceReadBps: [],
      BlkioDeviceWriteBps: [],
      BlkioDeviceReadIOps: [],
      BlkioDeviceWriteIOps: [],
      CpuPeriod: 0,
      CpuQuota: 0,
      CpuRealtimePeriod: 0,
      CpuRealtimeRuntime: 0,
      CpusetCpus: '',
      CpusetMems: '',
      Devices: [],
      DeviceCgroupRules: null,
      DeviceRequests: null,
      MemoryReservation: 0,
      MemorySwap: 0,
      MemorySwappiness: -1,
      OomKillDisable: false,
      PidsLimit: 0,
      Ulimits: [],
      CpuCount: 0,
      CpuPercent: 0,
      IOMaximumIOps: 0,
      IOMaximumBandwidth: 0,
      MaskedPaths: null,
      ReadonlyPaths: null,
    },
    NetworkingConfig: {
      EndpointsConfig: {
        default: {
          IPAMConfig: null,
          Links: null,
          Aliases: null,
          MacAddress: '',
          DriverOpts: null,
          GwPriority: 0,
          NetworkID: '',
          EndpointID: '',
          Gateway: '',
          IPAddress: '',
          IPPrefixLen: 0,
          IPv6Gateway: '',
          GlobalIPv6Address: '',
          GlobalIPv6PrefixLen: 0,
          DNSNames: null,
        },
      },
    },
  } as unknown as CreateBody;
}

/** A StateBackend that hands every entry to `sink` (and keeps nothing). */
function recording(sink: (entry: StateEntry) => void): StateBackend {
  return {
    open: async () => ({
      append: async (entry) => sink(entry),
      compact: async (entries) => {
        for (const entry of entries) sink(entry);
      },
      size: 0,
      close: async () => undefined,
    }),
  };
}

export interface StoreFill {
  /** Every entry the store appended while creating, starting and running the containers (its log). */
  readonly log: StateEntry[];
  /** The store's compact form afterwards (one `put` per container, its running task in it: its snapshot). */
  readonly snapshot: () => Iterable<StateEntry>;
  readonly store: ContainerStore;
}

/** Creates `count` containers through the store, each started and running on one of 100 agents. */
export async function fillStore(count: number): Promise<StoreFill> {
  const log: StateEntry[] = [];
  const store = new ContainerStore(new EventLog(), () => ({ Name: '', Id: '', Addr: '', Ip: '' }));
  await store.open(recording((entry) => log.push(entry)));
  await store.setFrameworkId('0b42aa31-6cba-4637-92ab-1926598529b5-0000');
  for (let i = 0; i < count; i++) {
    const name = `bench-${i}`;
    const container = new MesosContainer({
      id: randomBytes(32).toString('hex'),
      name,
      config: cliCreateBody(['sleep', String(3600 + i)]),
      created: new Date().toISOString(),
      restartCount: 0,
    });
    await store.create(container);
    await store.beginTask(container, { taskId: `${name}.${randomBytes(6).toString('hex')}`, phase: 'launching' }, true);
    const agent = i % 100;
    await store.advance(container, 'running', {
      agentId: `0b42aa31-6cba-4637-92ab-1926598529b5-S${agent}`,
      engineAddress: `tcp://10.0.${agent}.1:2375`,
      nodeName: `agent-${agent}`,
      dockerId: randomBytes(32).toString('hex'),
      dockerName: `mesos-${randomUUID()}`,
      ports: {},
    });
  }
  const snapshot = function* (): Iterable<StateEntry> {
    yield { t: 'framework', id: store.frameworkId! };
    for (const c of store.values()) yield { t: 'put', c: c.durable() };
  };
  return { log, snapshot, store };
}
