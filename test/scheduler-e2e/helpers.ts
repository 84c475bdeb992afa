// What the scheduler end-to-end suites share: the two engines as they describe themselves (name, ID, labels), where
// the manager put a container, how many containers each node holds in the manager's view, and the daemon's message
// out of the docker CLI's error output. The engines are shared with other suites and other people's runs, so
// nothing here caches a count: each call reads the current state.
import assert from 'node:assert/strict';
import { dockerCli, type CliResult } from '../helpers/docker-cli.js';
import { ENGINES } from '../helpers/services.js';
import type { TestManager } from '../helpers/manager.js';

export interface EngineIdentity {
  readonly address: string;
  readonly name: string;
  readonly id: string;
  readonly labels: readonly string[];
  /** MemTotal, bytes */
  readonly memory: number;
}

/** node-1 and node-2, read from each daemon's own `docker info` (node-1's name is the machine's hostname). */
export async function engineIdentities(): Promise<[EngineIdentity, EngineIdentity]> {
  const out = await Promise.all(
    ENGINES.slice(0, 2).map(async (address) => {
      const info = JSON.parse(await dockerCli(address).ok(['info', '--format', '{{json .}}'])) as {
        Name: string;
        ID: string;
        Labels: string[] | null;
        MemTotal: number;
      };
      return { address, name: info.Name, id: info.ID, labels: info.Labels ?? [], memory: info.MemTotal };
    }),
  );
  assert.equal(out.length, 2, 'two engines are needed');
  assert.notEqual(out[0]!.name, out[1]!.name, 'the two engines must have different names');
  return [out[0]!, out[1]!];
}

/** The permanent labels `.ci/services.sh` gives the engines; the label tests rely on them. */
export const NODE1_LABELS = ['region=east', 'disk=ssd'];
export const NODE2_LABELS = ['region=west'];

export function assertCiLabels([node1, node2]: readonly [EngineIdentity, EngineIdentity]): void {
  const hint = 'the engines lack the labels .ci/services.sh gives them (run: sudo bash .ci/services.sh)';
  for (const label of NODE1_LABELS) assert.ok(node1.labels.includes(label), `${node1.name}: ${label}: ${hint}`);
  for (const label of NODE2_LABELS) assert.ok(node2.labels.includes(label), `${node2.name}: ${label}: ${hint}`);
}

/** The name of the node the manager says the container is on (`Node.Name` in its inspect). */
export async function nodeOf(m: TestManager, ref: string): Promise<string> {
  return m.docker.ok(['inspect', '--format', '{{.Node.Name}}', ref]);
}

/** Containers per node (all states), as the manager's `docker info` shows them: what the scheduler counts. */
export async function nodeCounts(m: TestManager): Promise<Map<string, number>> {
  const info = await m.docker.ok(['info', '--format', '{{json .SystemStatus}}']);
  const out = new Map<string, number>();
  let node = '';
  for (const [key, value] of JSON.parse(info) as [string, string][]) {
    if (/^ \S/.test(key)) node = key.trim();
    if (key.trim() === '└ Containers') out.set(node, Number(value.split(' ')[0]));
  }
  return out;
}

/** One `└ key` line of a node in the manager's `docker info`. */
export async function nodeStatus(m: TestManager, node: string, key: string): Promise<string | undefined> {
  const info = await m.docker.ok(['info', '--format', '{{json .SystemStatus}}']);
  let current = '';
  for (const [k, value] of JSON.parse(info) as [string, string][]) {
    if (/^ \S/.test(k)) current = k.trim();
    else if (current === node && k.trim() === `└ ${key}`) return value;
  }
  return undefined;
}

/**
 * Of two nodes, the one the default spread strategy would *not* pick for a container asking for nothing (the one
 * holding more containers; node-2 on a tie, since ties go to the first node listed). A test that expects a
 * container there shows a filter at work rather than the strategy's luck. Read right before use: other runs
 * change the counts.
 */
export async function spreadAvoids(m: TestManager, node1: string, node2: string): Promise<string> {
  const counts = await nodeCounts(m);
  return (counts.get(node1) ?? 0) > (counts.get(node2) ?? 0) ? node1 : node2;
}

export function otherNode(node: string, node1: string, node2: string): string {
  return node === node1 ? node2 : node1;
}

/**
 * The daemon's message in a failed docker CLI command's output (`docker: Error response from daemon: …` for run,
 * without the `docker: ` for create, then the CLI's hint), checking the command failed.
 */
export function daemonError(result: CliResult): string {
  assert.notEqual(result.code, 0, `expected the command to fail; stdout: ${result.stdout}`);
  const found =
    /Error response from daemon: ([\s\S]*?)\n(?:\nRun 'docker [a-z]+ --help' for more information\n)?$/.exec(
      result.stderr,
    );
  assert.ok(found, `no daemon error in: ${JSON.stringify(result.stderr)}`);
  return found[1]!;
}

/** Classic Swarm's text when a filter leaves no node: one `[…]` line per filter up to the failing one. */
export function unsatisfied(...lines: string[]): string {
  return `Unable to find a node that satisfies the following conditions ${lines.map((l) => `\n[${l}]`).join('')}`;
}

/** True when no engine holds a container of exactly this name (a refused create left nothing behind). */
export async function existsNowhere(name: string): Promise<boolean> {
  for (const address of ENGINES) {
    const ids = await dockerCli(address).ok(['ps', '-aq', '--filter', `name=^/${name}$`]);
    if (ids !== '') return false;
  }
  return true;
}
