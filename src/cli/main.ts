// The `mesoswarm` command line, compatible with classic `swarm`: global flags, the `manage`, `join` and `list` commands and
// their flags (reference: classic Swarm's cli/flags.go), each long flag also with one dash as Go's flag package took
// it, `-v` as classic printed it, and `--help` everywhere.
import { Command, Option } from 'commander';
import { manage } from './manage.js';
import { limitHeapGrowth } from './heap.js';
import { buildManageConfig, type ManageFlags } from './options.js';
import { LOG_FORMATS, defaultFormat, type LogFormat } from '../util/logger.js';
import { describeClusterOptions } from '../cluster/options.js';
import { goStyleFlags } from './go-flags.js';
import { listDiscovery, type ListFlags } from './list.js';
import { buildJoinConfig, join, type JoinFlags } from './join.js';
import { buildInfo, versionLine } from '../util/build-info.js';

const pkg = buildInfo();
const collect = (value: string, previous: string[] = []) => [...previous, value];

const program = new Command('mesoswarm')
  .description('A Docker Engine API cluster manager that runs containers on Apache Mesos')
  .version(versionLine(pkg), '-v, --version')
  .option('-D, --debug', 'debug mode (log level debug)', Boolean(process.env.DEBUG))
  .option('-l, --log-level <level>', 'log level: debug, info, warn, error, fatal', 'info')
  .addOption(
    new Option('--log-format <format>', 'log lines as json or text (default: text on a terminal, else json)').choices(
      LOG_FORMATS,
    ),
  )
  .showHelpAfterError();

program
  .command('manage')
  .description('Manage a cluster: serve the Docker API over engines (swarm) or Mesos (mesos-experimental)')
  .argument('[discovery]', 'engines (zk://…, host:port,…, nodes://…, file://…) or, in mesos mode, the Mesos master')
  .option(
    '-H, --host <address>',
    'address to serve the Docker API on (tcp://h:p, unix:///path, h:p); repeatable',
    collect,
  )
  .option('--strategy <name>', 'placement strategy: spread, binpack, random', 'spread')
  .option('-f, --filter <name>', 'placement filter (replaces the default list); repeatable', collect)
  .addOption(
    new Option('-c, --cluster-driver <driver>', 'cluster driver')
      .choices(['swarm', 'mesos-experimental'])
      .default('swarm'),
  )
  .option('--cluster-opt <key=value>', 'cluster driver option; repeatable', collect)
  .option('--discovery-opt <key=value>', 'discovery option; repeatable', collect)
  .option('--heartbeat <duration>', 'period between discovery heartbeats', '60s')
  .option('--engine-refresh-min-interval <duration>', 'least time between engine refreshes', '30s')
  .option('--engine-refresh-max-interval <duration>', 'most time between engine refreshes', '60s')
  .option('--engine-failure-retry <n>', 'failures before an engine is marked unhealthy', '3')
  .option('--engine-refresh-retry <n>', 'deprecated; use --engine-failure-retry')
  .option('--tls', 'use TLS; implied by --tlsverify')
  .option('--tlsverify', 'use TLS and verify the remote (clients and engines)')
  .option('--tlscacert <path>', 'trust certificates signed by this CA')
  .option('--tlscert <path>', 'path to the TLS certificate file')
  .option('--tlskey <path>', 'path to the TLS key file')
  .option('--replication', 'run with other managers: one leads (elected in ZooKeeper), the others proxy to it')
  .option('--replication-ttl <duration>', 'ZooKeeper session timeout of the election (default 20s)')
  .option('--advertise, --addr <host:port>', 'address other managers reach this one at (needed by --replication)')
  .option('--cors, --api-enable-cors', 'add CORS headers to the API')
  .option('--metrics [bool]', 'serve Prometheus metrics at /metrics (--metrics=false turns them off)', 'true')
  .option('--dashboard [bool]', 'serve the web dashboard at /dashboard/ (--dashboard=false turns it off)', 'true')
  .option('--refresh-on-node-filter', 'refresh a node when ps filters on it (not needed here)')
  .option('--container-name-refresh-filter <name>', 'refresh all nodes on this ps name filter (not needed here)')
  .addHelpText(
    'after',
    () => `\nCluster options (--cluster-opt key=value, or the environment variable):\n${describeClusterOptions()}`,
  )
  .action(async (discovery: string | undefined, flags: ManageFlags) => {
    const globals = program.opts<{ debug: boolean; logLevel: string; logFormat?: LogFormat }>();
    let config;
    try {
      config = buildManageConfig(flags, discovery);
    } catch (err) {
      process.stderr.write(`mesoswarm manage: ${(err as Error).message}\n`);
      process.exit(1);
    }
    limitHeapGrowth();
    await manage(config, {
      level: globals.debug ? 'debug' : globals.logLevel,
      format: globals.logFormat ?? defaultFormat(),
      version: pkg.version,
    });
  });

program
  .command('list')
  .description('List the engines a discovery holds, one a line')
  .argument('[discovery]', 'engines (zk://…, host:port,…, nodes://…, file://…, ranges such as 10.0.0.[10:20]:2375)')
  .option('--timeout <duration>', 'how long to wait for the discovery to answer', '10s')
  .option('--discovery-opt <key=value>', 'discovery option; repeatable', collect)
  .action(async (discovery: string | undefined, flags: ListFlags) => {
    try {
      for (const address of await listDiscovery(discovery, flags)) process.stdout.write(`${address}\n`);
    } catch (err) {
      process.stderr.write(`mesoswarm list: ${(err as Error).message}\n`);
      process.exit(1);
    }
  });

program
  .command('join')
  .description('Register an engine in a ZooKeeper discovery (zk://host:2181/path), for managers to find')
  .argument('[discovery]', 'zk://host:2181[,host:2181…]/path')
  .option('--advertise, --addr <host:port>', 'address of the engine to register (its Docker API)')
  .option('--heartbeat <duration>', 'period between refreshes of the registration', '20s')
  .option('--ttl <duration>', 'how long the registration outlives this process', '60s')
  .action(async (discovery: string | undefined, flags: JoinFlags) => {
    let config;
    try {
      config = buildJoinConfig(discovery, flags);
      await join(config, (line) => process.stderr.write(`${line}\n`));
    } catch (err) {
      process.stderr.write(`mesoswarm join: ${(err as Error).message}\n`);
      process.exit(1);
    }
  });

program.parseAsync(goStyleFlags(program, process.argv)).catch((err: Error) => {
  process.stderr.write(`mesoswarm: ${err.message}\n`);
  process.exit(1);
});
