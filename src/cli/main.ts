// The `mesoswarm` command line, compatible with classic `swarm manage`: global flags, the `manage` command and
// its flags (reference: classic Swarm's cli/flags.go), `--version`, and `--help` everywhere.
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { manage } from './manage.js';
import { limitHeapGrowth } from './heap.js';
import { buildManageConfig, type ManageFlags } from './options.js';
import { LOG_FORMATS, defaultFormat, type LogFormat } from '../util/logger.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const collect = (value: string, previous: string[] = []) => [...previous, value];

const program = new Command('mesoswarm')
  .description('A Docker Engine API cluster manager that runs containers on Apache Mesos')
  .version(pkg.version, '-v, --version')
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
  .argument('[discovery]', 'engines (host:port,…, nodes://…, file://…) or, in mesos mode, the Mesos master')
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
  .option('--replication', 'enable leader election among several managers')
  .option('--replication-ttl <duration>', 'leader lock time to live')
  .option('--advertise, --addr <host:port>', 'address of this manager for replication')
  .option('--cors, --api-enable-cors', 'add CORS headers to the API')
  .option('--metrics [bool]', 'serve Prometheus metrics at /metrics (--metrics=false turns them off)', 'true')
  .option('--dashboard [bool]', 'serve the web dashboard at /dashboard/ (--dashboard=false turns it off)', 'true')
  .option('--refresh-on-node-filter', 'refresh a node when ps filters on it (not needed here)')
  .option('--container-name-refresh-filter <name>', 'refresh all nodes on this ps name filter (not needed here)')
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

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`mesoswarm: ${err.message}\n`);
  process.exit(1);
});
