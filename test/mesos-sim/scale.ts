// Scale check for `sim` mode: starts the standalone simulator in a child process with N agents, drives it with a
// minimal framework (subscribe, fill every offer with tasks, acknowledge every update) until T tasks are RUNNING, and
// reports the simulator's RSS, heap and CPU time (from its /__sim/metrics) at each phase.
// Run: node --import tsx test/mesos-sim/scale.ts [--agents 5000] [--tasks 100000] [--retry <ms>] [--profile <dir>]
// (--retry sets the first status-update retry, 10 s by default as in Mesos; --profile writes a CPU profile there.)
import { spawn } from 'node:child_process';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { RecordIOReader, type Ev } from './helpers.js';

const { values } = parseArgs({
  options: {
    agents: { type: 'string' },
    tasks: { type: 'string' },
    profile: { type: 'string' },
    retry: { type: 'string' },
  },
});
const AGENTS = Number(values.agents ?? 5000);
const TASKS = Number(values.tasks ?? 100_000);
const PER_AGENT = Math.ceil(TASKS / AGENTS);

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json', ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function getJson(url: string): Promise<Ev> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let s = '';
        res.on('data', (c: Buffer) => (s += c.toString()));
        res.on('end', () => resolve(JSON.parse(s)));
      })
      .on('error', reject);
  });
}

async function main(): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      ...(values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : []),
      '--import',
      'tsx',
      'test/mesos-sim/main.ts',
      '--port',
      '0',
      '--agents',
      String(AGENTS),
      '--cpus',
      String(PER_AGENT * 0.1 + 0.05),
      '--mem',
      String(PER_AGENT * 64 + 32),
      '--no-record-argv',
      ...(values.retry ? ['--retry', values.retry] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // Never leave the simulator behind, even when this script dies.
  process.on('exit', () => child.kill('SIGKILL'));
  const url = await new Promise<string>((resolve) =>
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  const api = `${url}/api/v1/scheduler`;
  const metrics = async (phase: string) => {
    const m = await getJson(`${url}/__sim/metrics?gc=1`);
    console.log(
      `${phase.padEnd(28)} rss ${(m.rssBytes / 2 ** 20).toFixed(0).padStart(5)} MiB  heap ${(m.heapUsedBytes / 2 ** 20).toFixed(0).padStart(5)} MiB ` +
        `(of ${(m.heapTotalBytes / 2 ** 20).toFixed(0)} MiB, external ${(m.externalBytes / 2 ** 20).toFixed(0)} MiB)  ` +
        `cpu ${((m.cpuUserMs + m.cpuSystemMs) / 1000).toFixed(1).padStart(6)} s  tasks ${m.tasks}  offers ${m.offers}`,
    );
    return m;
  };
  const idle = await metrics(`started, ${AGENTS} agents`);

  let frameworkId = '';
  let streamId = '';
  let launched = 0;
  let running = 0;
  let acks = 0;
  const acking = new Set<string>();
  let updates = 0;
  const t0 = Date.now();
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const call = (type: string, fields: Record<string, unknown>) =>
    post(api, { framework_id: { value: frameworkId }, type, ...fields }, { 'Mesos-Stream-Id': streamId });

  const onUpdate = (text: string) => {
    const uuid = /"uuid":"([^"]+)"/.exec(text)?.[1];
    if (!uuid) return;
    updates++;
    const taskId = /"task_id":\{"value":"([^"]+)"\}/.exec(text)![1];
    const agentId = /"agent_id":\{"value":"([^"]+)"\}/.exec(text)![1];
    const state = /"state":"([A-Z_]+)"/.exec(text)![1];
    // A retry of an update whose ACK is still on its way needs no second ACK.
    if (acking.has(uuid)) return;
    acking.add(uuid);
    void call('ACKNOWLEDGE', {
      acknowledge: { agent_id: { value: agentId }, task_id: { value: taskId }, uuid },
    }).then(() => {
      acking.delete(uuid);
      acks++;
    });
    if (state === 'TASK_RUNNING' && ++running === TASKS) done();
  };

  const onEvent = (e: Ev) => {
    if (e.type === 'SUBSCRIBED') frameworkId = e.subscribed.framework_id.value;
    if (e.type === 'OFFERS') {
      for (const o of e.offers.offers as Ev[]) {
        const tasks: Ev[] = [];
        while (tasks.length < PER_AGENT && launched < TASKS) {
          const id = `t${launched++}`;
          tasks.push({
            name: id,
            task_id: { value: id },
            agent_id: o.agent_id,
            resources: [
              { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
              { name: 'mem', type: 'SCALAR', scalar: { value: 64 } },
            ],
            command: { shell: false, value: 'sleep', arguments: ['3600'] },
            container: { type: 'DOCKER', docker: { image: 'busybox:latest', network: 'HOST' } },
          });
        }
        const accept =
          tasks.length > 0
            ? {
                offer_ids: [o.id],
                operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
                filters: { refuse_seconds: 3600 },
              }
            : { offer_ids: [o.id], operations: [], filters: { refuse_seconds: 3600 } };
        void call('ACCEPT', { accept });
      }
    }
  };

  const req = http.request(
    api,
    { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' } },
    (res) => {
      streamId = String(res.headers['mesos-stream-id']);
      const reader = new RecordIOReader();
      res.on('data', (c: Buffer) => {
        for (const r of reader.push(c)) {
          const text = r.toString('utf8');
          // UPDATEs are most of the traffic: pick the four fields out instead of parsing kilobytes of inspect data.
          if (text.startsWith('{"type":"UPDATE"')) onUpdate(text);
          else onEvent(JSON.parse(text));
        }
      });
    },
  );
  req.end(
    JSON.stringify({
      type: 'SUBSCRIBE',
      subscribe: {
        framework_info: { user: 'root', name: 'scale', roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' }] },
      },
    }),
  );

  const progress = setInterval(
    () =>
      console.log(`  … ${launched} launched, ${running} running, ${updates} updates received, ${acks} acks answered`),
    5000,
  );
  await finished;
  clearInterval(progress);
  const seconds = (Date.now() - t0) / 1000;
  const loaded = await metrics(`${TASKS} tasks RUNNING`);
  console.log(
    `launch of ${TASKS} tasks on ${AGENTS} agents: ${seconds.toFixed(1)} s wall, ${(loaded.cpuUserMs + loaded.cpuSystemMs - idle.cpuUserMs - idle.cpuSystemMs) / 1000} s simulator CPU`,
  );
  // Let the framework catch up with its acknowledgements, then watch the idle cost.
  for (;;) {
    const m = await getJson(`${url}/__sim/metrics`);
    if (m.unacknowledged === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const settled = await metrics('all updates acknowledged');
  await new Promise((r) => setTimeout(r, 30_000));
  const later = await metrics('after 30 s idle');
  const idleCpu = later.cpuUserMs + later.cpuSystemMs - settled.cpuUserMs - settled.cpuSystemMs;
  console.log(
    `idle: ${((idleCpu / 30_000) * 100).toFixed(1)} % of one core (allocation cycle every 1 s over ${AGENTS} agents, heartbeats)`,
  );
  req.destroy();
  agent.destroy();
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
