// The standalone simulator: `npm run mesos-sim -- --agents 3 --executor docker …`. Parses flags with node:util,
// starts the simulator, prints the master URL (and the ZooKeeper node when used) and runs until interrupted.
import { parseArgs } from 'node:util';
import { startMesosSim, type AgentSpec, type MesosSimOptions } from './index.js';

const USAGE = `Usage: npm run mesos-sim -- [options]
  --host <addr>                 listen address (default 127.0.0.1)
  --port <n>                    port (default 5050; 0 = any)
  --hostname <name>             MasterInfo hostname (default: --host)
  --agents <n>                  number of agents (default 1)
  --agent <json>                one agent spec, repeatable, e.g. '{"dockerHost":"unix:///var/run/docker-node2.sock","dockerPort":2385}'
  --cpus <n> --mem <mb> --disk <mb> --ports <ranges>   default agent resources (ports like "[31000-32000]")
  --attributes <k:v;k:v>        default agent attributes (Mesos --attributes syntax)
  --executor docker|sim         run real containers or simulate them (default sim)
  --docker-host <url>           engine for agents that name none (default unix:///var/run/docker.sock)
  --docker-port <n>             add a docker_port attribute to default agents
  --heartbeat <s>               heartbeat interval (default 15)
  --allocation-interval <ms>    allocation interval (default 1000; 0 = on every change)
  --offer-timeout <ms>          rescind offers after this long (default: never)
  --retry <ms>                  first status update retry (default 10000)
  --fuzz [--seed <n>]           split RecordIO records at random byte offsets
  --credentials <p:s,p:s>       require HTTP Basic authentication
  --zk <host:port/path>         publish in ZooKeeper (leader or standby)
  --no-record-argv              do not keep docker argv per task (for scale runs)
  --keep-containers             leave containers in place on exit
  --help`;

function parseAttributes(spec: string): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const part of spec.split(';')) {
    const i = part.indexOf(':');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      hostname: { type: 'string' },
      agents: { type: 'string' },
      agent: { type: 'string', multiple: true },
      cpus: { type: 'string' },
      mem: { type: 'string' },
      disk: { type: 'string' },
      ports: { type: 'string' },
      attributes: { type: 'string' },
      executor: { type: 'string' },
      'docker-host': { type: 'string' },
      'docker-port': { type: 'string' },
      heartbeat: { type: 'string' },
      'allocation-interval': { type: 'string' },
      'offer-timeout': { type: 'string' },
      retry: { type: 'string' },
      fuzz: { type: 'boolean' },
      seed: { type: 'string' },
      credentials: { type: 'string' },
      zk: { type: 'string' },
      'no-record-argv': { type: 'boolean' },
      'keep-containers': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const defaults: AgentSpec = {
    cpus: num(values.cpus),
    mem: num(values.mem),
    disk: num(values.disk),
    ports: values.ports,
    attributes: values.attributes ? parseAttributes(values.attributes) : undefined,
    dockerPort: num(values['docker-port']),
  };
  for (const k of Object.keys(defaults) as Array<keyof AgentSpec>) if (defaults[k] === undefined) delete defaults[k];
  const specs = (values.agent ?? []).map((s) => JSON.parse(s) as AgentSpec);
  const executor = values.executor ?? 'sim';
  if (executor !== 'docker' && executor !== 'sim') throw new Error(`--executor must be docker or sim, not ${executor}`);

  let zookeeper: MesosSimOptions['zookeeper'];
  if (values.zk) {
    const s = values.zk.replace(/^zk:\/\//, '');
    const slash = s.indexOf('/');
    zookeeper = { connect: slash < 0 ? s : s.slice(0, slash), path: slash < 0 ? '/mesos' : s.slice(slash) };
  }
  const sim = await startMesosSim({
    host: values.host,
    port: num(values.port) ?? 5050,
    hostname: values.hostname,
    agents: specs.length > 0 ? specs : (num(values.agents) ?? 1),
    agentDefaults: defaults,
    executor,
    dockerHost: values['docker-host'],
    heartbeatIntervalSeconds: num(values.heartbeat),
    allocationIntervalMs: num(values['allocation-interval']),
    offerTimeoutMs: num(values['offer-timeout']),
    statusUpdateRetryMs: num(values.retry),
    fuzz: values.fuzz ? { seed: num(values.seed) } : false,
    credentials: values.credentials
      ? Object.fromEntries(
          values.credentials.split(',').map((p) => [p.slice(0, p.indexOf(':')), p.slice(p.indexOf(':') + 1)]),
        )
      : undefined,
    zookeeper,
    recordArgv: !values['no-record-argv'],
    cleanupContainers: !values['keep-containers'],
  });
  console.log(sim.url);
  console.error(
    `mesos-sim: master ${sim.masterId} at ${sim.url} (${executor} executor, ${sim.agents().length} agents` +
      `${zookeeper ? `, zk node ${sim.zkNode() ?? '?'}` : ''}); control API under ${sim.url}/__sim/`,
  );
  const stop = () => {
    // Let the event loop drain (so --cpu-prof and friends can write their files); force the exit if it does not.
    void sim.close().then(() => setTimeout(() => process.exit(0), 2000).unref());
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
