// docker build in mesos mode, over the Mesos test double and real Mesos on the two real engines: the build runs on one agent's
// engine, chosen by the scheduler as a container's agent is (constraints from build args), and never elsewhere; the
// image is then on that agent only, and a container placed with `affinity:image==<tag>` goes there and runs it.
// Context from a directory and from stdin; docker-compose 1.29's `build` and `up --build`. The image carries the
// manager's owner label, which mesos-mode prunes go by.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { ENGINES } from '../helpers/services.js';
import { removeContainersNamed, uniquePrefix } from '../helpers/manager.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { engineNames } from '../helpers/nodes.js';
import { needBackend, startMesosTestCluster, type MesosTestCluster } from '../helpers/mesos.js';
import { buildContext, composeBuildAndUp, holders, removeImagesLabelled, tarOf } from '../helpers/build-context.js';

const P = uniquePrefix('mbuild');
const SUITE = `mst.suite=${P}`;
let c: MesosTestCluster | undefined;
let nodes: string[] = [];
let context = '';

before(async () => {
  if (!(await needBackend())) return;
  nodes = await engineNames();
  context = await buildContext({
    Dockerfile:
      'FROM busybox\nARG greeting=unset\nRUN echo "built with $greeting" > /greeting\nCOPY hello.txt /hello.txt\n',
    'hello.txt': 'hello from the context\n',
  });
  c = await startMesosTestCluster();
});
after(async () => {
  await c?.close();
  await removeContainersNamed(P);
  await removeImagesLabelled(SUITE);
  if (context) await rm(context, { recursive: true, force: true });
});

const direct = (i: number) => dockerCli(ENGINES[i]!);

async function build(args: string[], input?: Buffer) {
  const result = await c!.m.docker(['build', '--label', SUITE, ...args], { timeoutMs: 120_000, input });
  assert.equal(result.code, 0, `docker build ${args.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result.stdout;
}

test('mesos - docker build runs on the agent a constraint names; affinity:image places a container there', async (t) => {
  if (!c) return t.skip('no engines');
  const docker = c.m.docker;
  const [n1, n2] = nodes as [string, string];
  const tag = `${P}img`;
  const out = await build([
    '-t',
    tag,
    '--build-arg',
    `constraint:node==${n2}`,
    '--build-arg',
    'greeting=mesos',
    context,
  ]);
  assert.match(out, new RegExp(`^Building on ${n2} \\(127\\.0\\.0\\.1:2385\\)$`, 'm'));
  assert.match(out, /Successfully tagged/);
  assert.doesNotMatch(out, /not consumed/);
  assert.deepEqual(await holders(tag), [false, true], 'the image is on the chosen agent only');
  // What the manager made on an agent's shared daemon carries its owner label.
  assert.equal(
    await direct(1).ok([
      'image',
      'inspect',
      '--format',
      '{{index .Config.Labels "com.docker.swarm.mesos.framework"}}',
      tag,
    ]),
    c.name,
  );
  assert.ok((await docker.ok(['images', '--filter', `node=${n2}`, '-q', tag])).length > 0, 'listed on its node');
  assert.equal(await docker.ok(['images', '--filter', `node=${n1}`, '-q', tag]), '');

  // Placement follows the image: the container runs on that agent, as a Mesos task, and shows what was built.
  const name = `${P}run`;
  const ran = await docker([
    'run',
    '-m',
    '20m',
    '--name',
    name,
    '-e',
    `affinity:image==${tag}`,
    tag,
    'cat',
    '/greeting',
    '/hello.txt',
  ]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(ran.stdout, 'built with mesos\nhello from the context\n');
  assert.equal(await docker.ok(['inspect', '--format', '{{.Node.Name}}', name]), n2);
  const { live, completed } = await c.tasks();
  assert.equal([...live, ...completed].filter((task) => task.id.startsWith(`${name}.`)).length, 1, 'one Mesos task');

  // A constraint no agent meets: refused, nothing built anywhere.
  const nowhere = await docker([
    'build',
    '--label',
    SUITE,
    '-t',
    `${P}nowhere`,
    '--build-arg',
    'constraint:node==nope',
    context,
  ]);
  assert.notEqual(nowhere.code, 0);
  assert.match(nowhere.stderr, /Unable to find a node that satisfies the following conditions/);
  assert.deepEqual(await holders(`${P}nowhere`), [false, false]);
});

test('mesos - docker build - reads the context from stdin', async (t) => {
  if (!c) return t.skip('no engines');
  const [n1] = nodes as [string, string];
  const tag = `${P}stdin`;
  const out = await build(['-t', tag, '--build-arg', `constraint:node==${n1}`, '-'], tarOf(context));
  assert.match(out, new RegExp(`^Building on ${n1} `, 'm'));
  assert.deepEqual(await holders(tag), [true, false]);
});

test('mesos - docker-compose build and up --build: built on the agent named, run there', async (t) => {
  if (!c) return t.skip('no engines');
  const tag = `${P}composed`;
  // Mesos mode asks for resources, and the container follows its image by affinity.
  const service = `    mem_limit: 20m\n    environment:\n      - affinity:image==${tag}\n`;
  await composeBuildAndUp(t, c.m, context, { project: `${P}compose`, tag, label: P, node: nodes[1]! }, service);
});
