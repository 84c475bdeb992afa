// Mesos mode, over the Mesos test double and real Mesos on the two real engines, on the cases both drivers share
// (helpers/container-cases.ts): the Docker SDK for Python's no-stream and websocket attaches (the websocket one
// opened before the start, when the manager must answer the handshake itself), `docker rm --link` (from the
// running container and from its recorded config), and `docker update` warnings.
import { test, before, after } from 'node:test';
import { ENGINES } from '../helpers/services.js';
import { removeContainersNamed, uniquePrefix } from '../helpers/manager.js';
import { engineNames } from '../helpers/nodes.js';
import { needBackend, startMesosTestCluster, type MesosTestCluster } from '../helpers/mesos.js';
import { needDockerSdk } from '../helpers/python-sdk.js';
import {
  attachNoStream,
  attachWebsocket,
  removeLink,
  updateWarnings,
  type Target,
} from '../helpers/container-cases.js';

const P = uniquePrefix('msdk');
let c: MesosTestCluster | undefined;
let target: Target | undefined;
let nodes: string[] = [];

before(async () => {
  if (!(await needBackend())) return;
  nodes = await engineNames();
  c = await startMesosTestCluster();
  target = { host: c.m.host, docker: c.m.docker, resources: ['-m', '20m'], sdkResources: "mem_limit='20m'" };
});
after(async () => {
  await c?.close();
  await removeContainersNamed(P);
});

test('mesos - attach(stream=False, logs=True) on an ended container returns its output, every time', async (t) => {
  if (!target || !needDockerSdk(t)) return;
  await attachNoStream(target, `${P}attach`);
});

test('mesos - the websocket attach, opened before the start, receives the output', async (t) => {
  if (!target || !needDockerSdk(t)) return;
  await attachWebsocket(target, `${P}ws`);
});

test('mesos - docker rm --link parent/alias removes the link from the running container and its config', async (t) => {
  if (!target || !c) return t.skip('no engines');
  // Linked containers share an agent (the dependency filter), here node-1's.
  const placed = { ...target, resources: [...target.resources, '-e', `constraint:node==${nodes[0]}`] };
  await removeLink(placed, `${P}l1`);
});

test('mesos - docker update names what the engine does not apply, and passes the engine’s own warnings', async (t) => {
  if (!target) return t.skip('no engines');
  const placed = { ...target, resources: [...target.resources, '-e', `constraint:node==${nodes[0]}`] };
  await updateWarnings(placed, `${P}upd`, ENGINES[0]!);
});
