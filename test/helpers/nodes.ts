// The engines' names as the manager shows them (`<node>/<name>`, `{{.Node.Name}}`): read from the engines themselves,
// never assumed, since node-1 is named after the machine's hostname.
import { dockerCli, type DockerCli } from './docker-cli.js';
import { ENGINES } from './services.js';

let names: Promise<string[]> | undefined;

/** The name of each engine in ENGINES, in the same order. */
export function engineNames(): Promise<string[]> {
  names ??= Promise.all(ENGINES.map((engine) => dockerCli(engine).ok(['info', '--format', '{{.Name}}'])));
  return names;
}

/** `docker info`'s SystemStatus through a manager, as [key, value] pairs. */
export async function systemStatus(docker: DockerCli): Promise<[string, string][]> {
  return JSON.parse(await docker.ok(['info', '--format', '{{json .SystemStatus}}'])) as [string, string][];
}

/** The ` └ key: value` lines under one node of `docker info`. */
export async function nodeStatus(docker: DockerCli, name: string): Promise<Map<string, string>> {
  const status = await systemStatus(docker);
  const start = status.findIndex(([k]) => k === ` ${name}`);
  if (start < 0) throw new Error(`no node ${name} in docker info`);
  const out = new Map<string, string>();
  for (const [k, v] of status.slice(start + 1)) {
    if (!k.includes('└')) break;
    out.set(k.replace(/^\s*└\s*/, ''), v);
  }
  return out;
}
