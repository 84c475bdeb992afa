// `docker` mode against the machine's real Docker engines: containers named mesos-<ContainerID> appear with the
// executor's `docker run` mapping (env, binds incl. the sandbox, network, ports, cpu shares, memory, parameters),
// TASK_RUNNING carries their `docker inspect`, exits and KILLs map to the right states and texts, containers stay in
// `docker ps -a`, pull failures and bad options never create one, and an agent on the second engine uses that engine.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import Docker from 'dockerode';
import { startMesosSim, type MesosSim } from './index.js';
import { FRAMEWORK, Scheduler, dockerAvailable, dockerTask, eventually, gate, type Ev } from './helpers.js';

const ENGINE1 = 'unix:///var/run/docker.sock';
const ENGINE2 = 'unix:///var/run/docker-node2.sock';
const skip1 = gate(await dockerAvailable('/var/run/docker.sock'));
const skip2 = skip1 || gate(await dockerAvailable('/var/run/docker-node2.sock'));
const docker1 = new Docker({ socketPath: '/var/run/docker.sock' });
const docker2 = new Docker({ socketPath: '/var/run/docker-node2.sock' });
const GRACE_1S = { kill_policy: { grace_period: { nanoseconds: 1_000_000_000 } } };

/** A port of the agent's range that nothing on this host listens on (other suites share the engine). */
async function freePortInRange(from: number, to: number): Promise<number> {
  for (;;) {
    const port = from + Math.floor(Math.random() * (to - from));
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

async function acked(s: Scheduler, taskId: string, state: string, timeoutMs = 20_000): Promise<Ev> {
  const st = await s.update(taskId, state, timeoutMs);
  await s.ack(st);
  return st;
}

describe('docker executor on the real engine', { skip: skip1 }, () => {
  let sim: MesosSim;
  let s: Scheduler;
  let agentId: string;
  let nextOffer: () => Promise<Ev>;
  before(async () => {
    sim = await startMesosSim({
      agents: [{ dockerHost: ENGINE1, dockerPort: 2375, cpus: 4, mem: 4096 }],
      executor: 'docker',
      allocationIntervalMs: 20,
    });
    s = await Scheduler.subscribe(sim.url, {
      ...FRAMEWORK,
      capabilities: [{ type: 'MULTI_ROLE' }, { type: 'TASK_KILLING_STATE' }],
    });
    // A fresh offer with everything free on the agent: the outstanding ones are rescinded first.
    nextOffer = async () => {
      sim.rescindOffers({ frameworkId: s.frameworkId });
      s.drain((e) => e.type === 'OFFERS');
      return (await s.offers(10_000))[0];
    };
    const first = await nextOffer();
    agentId = first.agent_id.value;
    assert.deepEqual(
      first.attributes.find((a: Ev) => a.name === 'docker_port'),
      { name: 'docker_port', type: 'SCALAR', scalar: { value: 2375 } },
    );
    await s.call('DECLINE', { decline: { offer_ids: [first.id], filters: { refuse_seconds: 0 } } });
  });
  after(async () => {
    const ids = [...sim.master.containers.keys()];
    await s.call('TEARDOWN');
    await sim.close();
    for (const id of ids) {
      await assert.rejects(docker1.getContainer(id).inspect(), 'close() removed the containers it created');
    }
  });

  test('bridge network, port mapping, env, volumes, parameters: the container matches the docker run mapping', async () => {
    const offer = await nextOffer();
    const hostPort = await freePortInRange(31000, 32000);
    await s.launch(
      offer,
      [
        dockerTask('web', agentId, {
          resources: [
            { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
            { name: 'mem', type: 'SCALAR', scalar: { value: 16 } },
            { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: hostPort, end: hostPort }] } },
          ],
          command: {
            shell: true,
            value: 'mkdir -p /www && echo "hello $GREETING" > /www/index.html && exec httpd -f -p 8080 -h /www',
            environment: { variables: [{ name: 'GREETING', value: 'from-mesos' }] },
          },
          container: {
            type: 'DOCKER',
            volumes: [{ container_path: '/hostetc', host_path: '/etc', mode: 'RO' }],
            docker: {
              image: 'busybox',
              network: 'BRIDGE',
              port_mappings: [{ host_port: hostPort, container_port: 8080, protocol: 'tcp' }],
              parameters: [{ key: 'label', value: 'mesos-sim-test=web' }],
            },
          },
          ...GRACE_1S,
        }),
      ],
      { refuse_seconds: 0 },
    );
    const starting = await acked(s, 'web', 'TASK_STARTING');
    const cid = starting.container_status.container_id.value;
    const running = await acked(s, 'web', 'TASK_RUNNING');
    const data = JSON.parse(Buffer.from(running.data, 'base64').toString('utf8'));
    const info = await docker1.getContainer(`mesos-${cid}`).inspect();
    assert.equal(data[0].Id, info.Id);
    assert.equal(info.Name, `/mesos-${cid}`);
    assert.equal(info.HostConfig.NetworkMode, 'bridge');
    assert.equal(info.HostConfig.CpuShares, 102);
    assert.equal(info.HostConfig.Memory, 32 * 1024 * 1024, 'memory is at least 32 MB');
    const sandbox = `${sim.workDir}/slaves/${agentId}/frameworks/${s.frameworkId}/executors/web/runs/${cid}`;
    assert.deepEqual(info.HostConfig.Binds, ['/etc:/hostetc:ro', `${sandbox}:/mnt/mesos/sandbox`]);
    assert.deepEqual(info.HostConfig.PortBindings, { '8080/tcp': [{ HostIp: '', HostPort: String(hostPort) }] });
    assert.deepEqual(info.Config.Entrypoint, ['/bin/sh']);
    assert.equal(info.Config.Cmd?.[0], '-c');
    assert.equal(info.Config.Labels['mesos-sim-test'], 'web');
    const env = info.Config.Env.filter((e: string) => e.startsWith('MESOS_') || e.startsWith('GREETING'));
    assert.deepEqual(env, [
      'GREETING=from-mesos',
      'MESOS_ALLOCATION_ROLE=*',
      `MESOS_CONTAINER_NAME=mesos-${cid}`,
      'MESOS_SANDBOX=/mnt/mesos/sandbox',
    ]);
    const ip = info.NetworkSettings.Networks.bridge!.IPAddress;
    assert.deepEqual(running.container_status.network_infos, [
      { ip_addresses: [{ protocol: 'IPv4', ip_address: ip }] },
    ]);
    assert.deepEqual(sim.dockerArgv('web')?.slice(0, 4), ['docker', '-H', ENGINE1, 'run']);
    const body = await eventually(() => get(`http://127.0.0.1:${hostPort}/`).catch(() => ''), 5000, 'httpd');
    assert.equal(body.trim(), 'hello from-mesos');

    await s.call('KILL', { kill: { task_id: { value: 'web' } } });
    await acked(s, 'web', 'TASK_KILLING');
    const killed = await acked(s, 'web', 'TASK_KILLED');
    assert.match(killed.message, /^Container exited with status (143|137)$/);
    // The agent's own address for updates without a container IP.
    assert.deepEqual(killed.container_status.network_infos, [
      { ip_addresses: [{ protocol: 'IPv4', ip_address: '127.0.0.1' }] },
    ]);
    const after = await docker1.getContainer(`mesos-${cid}`).inspect();
    assert.equal(after.State.Running, false, 'the killed container stays, stopped, in docker ps -a');
  });

  test('exit 0 → TASK_FINISHED, exit 3 → TASK_FAILED, with HOST networking and the agent IP', async () => {
    const offer = await nextOffer();
    await s.launch(
      offer,
      [
        dockerTask('zero', agentId, { command: { shell: true, value: 'exit 0' } }),
        dockerTask('three', agentId, { command: { shell: false, value: 'sh', arguments: ['-c', 'exit 3'] } }),
      ],
      { refuse_seconds: 0 },
    );
    for (const id of ['zero', 'three']) await acked(s, id, 'TASK_STARTING');
    const running = await acked(s, 'zero', 'TASK_RUNNING').catch(() => undefined);
    if (running)
      assert.deepEqual(running.container_status.network_infos, [
        { ip_addresses: [{ protocol: 'IPv4', ip_address: '127.0.0.1' }] },
      ]);
    const fin = await s.update('zero', 'TASK_FINISHED', 20_000);
    assert.equal(fin.message, 'Container exited with status 0');
    await s.ack(fin);
    await s
      .update('three', 'TASK_RUNNING', 20_000)
      .then((r) => s.ack(r))
      .catch(() => undefined);
    const failed = await s.update('three', 'TASK_FAILED', 20_000);
    assert.equal(failed.message, 'Container exited with status 3');
    await s.ack(failed);
    const cid = failed.container_status.container_id.value;
    const info = await docker1.getContainer(`mesos-${cid}`).inspect();
    assert.equal(info.State.ExitCode, 3);
    assert.deepEqual(info.Config.Cmd, ['sh', '-c', 'exit 3']);
    assert.equal(info.Path, 'sh');
  });

  test("KILL honours the grace period (the KILL's, then the TaskInfo's): SIGTERM handled → 143, ignored → 137", async () => {
    const offer = await nextOffer();
    await s.launch(
      offer,
      [
        dockerTask('term', agentId, {
          command: { shell: true, value: "trap 'exit 143' TERM; while true; do sleep 0.1; done" },
          ...GRACE_1S,
        }),
        // The KILL's own kill_policy (1 s) wins over the TaskInfo's (30 s).
        dockerTask('stubborn', agentId, { kill_policy: { grace_period: { nanoseconds: 30_000_000_000 } } }),
      ],
      { refuse_seconds: 0 },
    );
    for (const id of ['term', 'stubborn']) {
      await acked(s, id, 'TASK_STARTING');
      await acked(s, id, 'TASK_RUNNING');
    }
    const t0 = Date.now();
    await s.call('KILL', { kill: { task_id: { value: 'term' } } });
    await s.call('KILL', { kill: { task_id: { value: 'stubborn' }, kill_policy: GRACE_1S.kill_policy } });
    for (const id of ['term', 'stubborn']) await acked(s, id, 'TASK_KILLING');
    const term = await acked(s, 'term', 'TASK_KILLED');
    assert.equal(term.message, 'Container exited with status 143');
    const stubborn = await acked(s, 'stubborn', 'TASK_KILLED');
    assert.equal(stubborn.message, 'Container exited with status 137');
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 10_000, `docker stop waited for the 1 s grace period (${took} ms)`);
  });

  test('a missing image: TASK_FAILED from the agent with the daemon message, no TASK_STARTING, no container', async () => {
    const offer = await nextOffer();
    const before = sim.master.containers.size;
    await s.launch(
      offer,
      [dockerTask('nopull', agentId, { container: { type: 'DOCKER', docker: { image: 'nosuch/img' } } })],
      {
        refuse_seconds: 0,
      },
    );
    const failed = await s.update('nopull', undefined, 20_000);
    assert.equal(failed.state, 'TASK_FAILED');
    assert.equal(failed.source, 'SOURCE_AGENT');
    assert.equal(failed.reason, 'REASON_CONTAINER_LAUNCH_FAILED');
    assert.match(
      failed.message,
      /^Failed to launch container: Failed to run 'docker -H unix:\/\/\/var\/run\/docker\.sock pull nosuch\/img:latest': exited with status 1; stderr='Error response from daemon: .+\n'$/s,
    );
    await s.ack(failed);
    assert.equal(sim.master.containers.size, before);
  });

  test('bad run options and unknown docker flags never leave a running container', async () => {
    const offer = await nextOffer();
    await s.launch(
      offer,
      [
        dockerTask('noval', agentId, { command: { shell: true } }),
        dockerTask('badflag', agentId, {
          container: {
            type: 'DOCKER',
            docker: { image: 'busybox', parameters: [{ key: 'no-such-flag', value: 'x' }] },
          },
        }),
      ],
      { refuse_seconds: 0 },
    );
    await acked(s, 'noval', 'TASK_STARTING');
    assert.equal(
      (await acked(s, 'noval', 'TASK_FAILED')).message,
      'Failed to create docker run options: Shell specified but no command value provided',
    );
    await acked(s, 'badflag', 'TASK_STARTING');
    assert.equal((await acked(s, 'badflag', 'TASK_FAILED')).message, 'Container exited with status 125');
  });

  test('a framework user unknown on the agent: the task is dropped, nothing started', async () => {
    const other = await Scheduler.subscribe(sim.url, { ...FRAMEWORK, user: 'test_wrong_user' });
    try {
      const before = sim.master.containers.size;
      await s.call('SUPPRESS', {});
      sim.rescindOffers({ frameworkId: s.frameworkId });
      const [offer] = await other.offers(10_000);
      await other.launch(offer, [dockerTask('wrong-user', offer.agent_id.value)]);
      const failed = await other.update('wrong-user', undefined, 10_000);
      assert.equal(failed.state, 'TASK_LOST', 'TASK_DROPPED to a partition-aware framework');
      assert.match(failed.message, /Failed to chown directory to 'test_wrong_user': No such user 'test_wrong_user'/);
      assert.equal(sim.master.containers.size, before);
    } finally {
      await other.call('TEARDOWN');
      await s.call('REVIVE', {});
    }
  });
});

describe('agents on the second engine', { skip: skip2 }, () => {
  test('each agent runs its containers on its own engine; teardown stops them', async () => {
    const sim = await startMesosSim({
      agents: [
        { dockerHost: ENGINE1, dockerPort: 2375 },
        { dockerHost: ENGINE2, dockerPort: 2385 },
      ],
      executor: 'docker',
      allocationIntervalMs: 20,
      defaultKillGraceSeconds: 1,
    });
    try {
      const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
      const offers = await s.offers(10_000);
      const on2 = offers.find((o) =>
        o.attributes.some((a: Ev) => a.name === 'docker_port' && a.scalar.value === 2385),
      )!;
      await s.launch(on2, [dockerTask('n2', on2.agent_id.value)]);
      const starting = await acked(s, 'n2', 'TASK_STARTING');
      await acked(s, 'n2', 'TASK_RUNNING');
      const name = `mesos-${starting.container_status.container_id.value}`;
      const info = await docker2.getContainer(name).inspect();
      assert.ok(
        info.HostConfig.Binds?.some((b: string) => b.includes(`/slaves/${on2.agent_id.value}/`)),
        'sandbox path names the agent',
      );
      await assert.rejects(docker1.getContainer(name).inspect(), 'not on the first engine');
      assert.equal(sim.dockerArgv('n2')?.[2], ENGINE2);
      // failover_timeout 0: the scheduler going away removes the framework and stops its containers.
      s.close();
      await eventually(
        async () => !(await docker2.getContainer(name).inspect()).State.Running,
        15_000,
        'container stopped',
      );
    } finally {
      await sim.close();
    }
  });
});
