// The native driver on the cases both drivers share (helpers/container-cases.ts): the Docker SDK for Python's
// no-stream and websocket attaches, `docker rm --link` (also with the parent named `node/name`), and `docker update`
// warnings for what the engine does not apply.
import { test, before, after } from 'node:test';
import { needEngines, ENGINES } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';
import { engineNames } from '../helpers/nodes.js';
import { needDockerSdk } from '../helpers/python-sdk.js';
import {
  attachNoStream,
  attachWebsocket,
  removeLink,
  updateWarnings,
  type Target,
} from '../helpers/container-cases.js';

const P = uniquePrefix('sdk');
let m: TestManager | undefined;
let target: Target | undefined;
let nodes: string[] = [];

before(async () => {
  if (!(await needEngines())) return;
  m = await startTestManager();
  nodes = await engineNames();
  target = { host: m.host, docker: m.docker, resources: [], sdkResources: '' };
});
after(async () => {
  await m?.close();
  await removeContainersNamed(P);
});

test('attach(stream=False, logs=True) on an ended container returns its output, every time', async (t) => {
  if (!target || !needDockerSdk(t)) return;
  await attachNoStream(target, `${P}attach`);
});

test('the websocket attach carries the upgrade through to the engine', async (t) => {
  if (!target || !needDockerSdk(t)) return;
  await attachWebsocket(target, `${P}ws`);
});

test('docker rm --link parent/alias removes the link, with the parent as name or node/name', async (t) => {
  if (!target) return t.skip('no engines');
  await removeLink(target, `${P}l1`);
  // The parent by its node-qualified name: the reference splits at its last slash.
  const placed = { ...target, resources: ['-e', `constraint:node==${nodes[1]}`] };
  await removeLink(placed, `${P}l2`, (web) => `${nodes[1]}/${web}`);
});

test('docker update names what the engine does not apply, and passes the engine’s own warnings', async (t) => {
  if (!target) return t.skip('no engines');
  const placed = { ...target, resources: ['-e', `constraint:node==${nodes[0]}`] };
  await updateWarnings(placed, `${P}upd`, ENGINES[0]!);
});
