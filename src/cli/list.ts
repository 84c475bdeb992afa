// `mesoswarm list <discovery>`: classic `swarm list`, the engines a discovery holds, one `host:port` a line (unix
// sockets as `unix:///path`). Reads the discovery once, as `manage` would at start-up, and gives up after
// `--timeout` if it never answers.
import { createDiscovery } from '../discovery/discovery.js';
import { parseDuration } from '../util/duration.js';

export interface ListFlags {
  timeout: string;
  discoveryOpt?: string[];
}

/** The addresses, or an Error whose message says why not (the caller prints it and exits 1). */
export async function listDiscovery(
  discovery: string | undefined,
  flags: ListFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  const uri = discovery ?? (env.SWARM_DISCOVERY || undefined);
  if (!uri) throw new Error("discovery required to list a cluster. See 'mesoswarm list --help'.");
  let timeoutMs: number;
  try {
    timeoutMs = parseDuration(flags.timeout);
  } catch {
    throw new Error(`invalid --timeout "${flags.timeout}": expected a duration such as 10s`);
  }
  if (timeoutMs <= 0) throw new Error('--timeout should be a positive number');
  if (flags.discoveryOpt?.length) {
    throw new Error(
      "--discovery-opt is not supported: zk:// discovery keeps classic Swarm's layout (<path>/docker/swarm/nodes) and needs no options",
    );
  }
  const source = createDiscovery(uri, timeoutMs, env);
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (outcome: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // The first report may come from inside \`watch\`, before its stop is returned: stop once it has been.
      queueMicrotask(() => stop());
      outcome();
    };
    const timer = setTimeout(() => finish(() => reject(new Error('Timed out'))), timeoutMs);
    const stop = source.watch(
      (addresses) => finish(() => resolve(addresses.map((a) => a.replace(/^tcp:\/\//, '')))),
      (err) => finish(() => reject(err)),
    );
  });
}
