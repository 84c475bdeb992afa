// Container config → TaskInfo: what the Docker containerizer will run for each Docker client option, and the
// options refused because Mesos cannot honour them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTaskTemplate, taskInfo, type TaskLaunch } from '../../src/cluster/mesos/task-info.js';
import { portNeeds } from '../../src/cluster/mesos/allocation.js';
import type { CreateBody } from '../../src/cluster/cluster.js';

/** Compiled at create, instantiated at launch: the refusals come from either step. */
function build(config: CreateBody, extra: Partial<TaskLaunch> = {}) {
  return taskInfo(compileTaskTemplate(config, portNeeds(config).length), {
    taskId: 'web.0123456789ab',
    agentId: 'M-S0',
    managerId: 'f'.repeat(64),
    name: 'web',
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }],
    hostPorts: new Map(),
    dockerNames: new Map(),
    ...extra,
  });
}

const params = (task: ReturnType<typeof build>) =>
  (task.container?.docker?.parameters ?? []).map((p) => `${p.key}=${p.value}`);

test('image, command without shell, labels with the manager identity, classic task label', () => {
  const task = build({ Image: 'busybox', Cmd: ['sleep', '30'], Labels: { app: 'web' } });
  assert.equal(task.container?.type, 'DOCKER');
  assert.equal(task.container?.docker?.image, 'busybox');
  assert.equal(task.container?.docker?.network, 'BRIDGE');
  assert.deepEqual(task.command, { shell: false, value: 'sleep', arguments: ['30'] });
  assert.deepEqual(params(task), [
    'label=app=web',
    `label=com.docker.swarm.id=${'f'.repeat(64)}`,
    'label=com.docker.swarm.mesos.name=web',
    'label=com.docker.swarm.mesos.task=web.0123456789ab',
    // The check, if any, is Mesos' (health_check): dockerd runs none, not even the image's.
    'no-healthcheck=true',
  ]);
  assert.equal(task.health_check, undefined);
  assert.deepEqual(task.labels, { labels: [{ key: 'SWARM_CONTAINER_NAME', value: 'web' }] });
  assert.deepEqual(task.kill_policy, { grace_period: { nanoseconds: 10e9 } });
});

test('no command keeps the image default (shell false, no value: the containerizer then runs CMD)', () => {
  const task = build({ Image: 'busybox' });
  assert.deepEqual(task.command, { shell: false });
});

test('an entrypoint list becomes --entrypoint with the rest prepended to the command', () => {
  const task = build({ Image: 'busybox', Entrypoint: ['sh', '-c'], Cmd: ['echo hi'] });
  assert.ok(params(task).includes('entrypoint=sh'));
  assert.deepEqual(task.command, { shell: false, value: '-c', arguments: ['echo hi'] });
});

test('env goes to CommandInfo.environment; a bare name passes through as a docker flag', () => {
  const task = build({ Image: 'busybox', Env: ['A=1', 'B=x=y', 'FROM_CLIENT'] });
  assert.deepEqual(task.command?.environment?.variables, [
    { name: 'A', value: '1' },
    { name: 'B', value: 'x=y' },
  ]);
  assert.ok(params(task).includes('env=FROM_CLIENT'));
});

test('network modes: host, none, a user network, a container network by its Docker name', () => {
  assert.equal(build({ Image: 'b', HostConfig: { NetworkMode: 'host' } }).container?.docker?.network, 'HOST');
  assert.equal(build({ Image: 'b', HostConfig: { NetworkMode: 'none' } }).container?.docker?.network, 'NONE');
  const user = build({ Image: 'b', HostConfig: { NetworkMode: 'backend' } });
  assert.equal(user.container?.docker?.network, 'BRIDGE');
  assert.ok(params(user).includes('network=backend'));
  const shared = build(
    { Image: 'b', HostConfig: { NetworkMode: 'container:db' } },
    { dockerNames: new Map([['db', 'mesos-1234']]) },
  );
  assert.ok(params(shared).includes('net=container:mesos-1234'));
  assert.throws(
    () => build({ Image: 'b', HostConfig: { NetworkMode: 'container:db' } }),
    /not running on the chosen node/,
  );
});

test('published ports become port mappings on the allocated host ports', () => {
  const task = build(
    { Image: 'b', HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '' }] } } },
    { hostPorts: new Map([['80/tcp', 31005]]) },
  );
  assert.deepEqual(task.container?.docker?.port_mappings, [{ host_port: 31005, container_port: 80, protocol: 'tcp' }]);
  assert.throws(
    () =>
      build(
        { Image: 'b', HostConfig: { NetworkMode: 'host', PortBindings: { '80/tcp': [{ HostPort: '80' }] } } },
        { hostPorts: new Map([['80/tcp', 80]]) },
      ),
    /published ports need bridge/,
  );
  assert.throws(
    () => build({ Image: 'b', HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '10.1.2.3', HostPort: '80' }] } } }),
    /specific host IP/,
  );
});

test('host options become docker run flags; privileged is DockerInfo.privileged', () => {
  const task = build(
    {
      Image: 'b',
      Hostname: 'web1',
      Domainname: 'example.com',
      User: 'nobody',
      WorkingDir: '/srv',
      Tty: true,
      StopTimeout: 3,
      HostConfig: {
        Binds: ['/data:/data:ro'],
        Privileged: true,
        CapAdd: ['NET_ADMIN'],
        CapDrop: ['MKNOD'],
        Devices: [{ PathOnHost: '/dev/fuse', PathInContainer: '', CgroupPermissions: '' }],
        Dns: ['1.1.1.1'],
        ExtraHosts: ['db:10.0.0.2'],
        Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
        LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
        Links: ['/db:database'],
        VolumesFrom: ['data:ro'],
        ShmSize: 67108864,
        ReadonlyRootfs: true,
      },
    },
    {
      dockerNames: new Map([
        ['db', 'mesos-db'],
        ['data', 'mesos-data'],
      ]),
    },
  );
  assert.equal(task.container?.hostname, 'web1');
  assert.equal(task.container?.docker?.privileged, true);
  for (const flag of [
    'domainname=example.com',
    'user=nobody',
    'workdir=/srv',
    'tty=true',
    'volume=/data:/data:ro',
    'cap-add=NET_ADMIN',
    'cap-drop=MKNOD',
    'device=/dev/fuse:/dev/fuse:rwm',
    'dns=1.1.1.1',
    'add-host=db:10.0.0.2',
    'ulimit=nofile=1024:2048',
    'log-driver=json-file',
    'log-opt=max-size=1m',
    'link=mesos-db:database',
    'volumes-from=mesos-data:ro',
    'shm-size=67108864',
    'read-only=true',
  ]) {
    assert.ok(params(task).includes(flag), `has ${flag}`);
  }
  assert.deepEqual(task.kill_policy, { grace_period: { nanoseconds: 3e9 } });
});

test('what Mesos cannot do is refused, naming it', () => {
  assert.throws(() => build({ Image: 'b', OpenStdin: true }), /interactive containers .* not supported/);
  // The manager keeps restart policies itself: the agent's Docker is never given one (it would restart behind Mesos).
  const restarting = build({ Image: 'b', HostConfig: { RestartPolicy: { Name: 'always' } } });
  assert.ok(!params(restarting).some((p) => p.startsWith('restart=')), params(restarting).join(' '));
  assert.throws(
    () => build({ Image: 'b', Hostname: 'x', HostConfig: { NetworkMode: 'host' } }),
    /hostname and the network mode/,
  );
  assert.throws(
    () => build({ Image: 'b', HostConfig: { DeviceRequests: [{ Driver: 'nvidia' }] } }),
    /DeviceRequests is not supported/,
  );
  // A default restart policy ("no") and empty lists are not requests for anything.
  assert.doesNotThrow(() => build({ Image: 'b', HostConfig: { RestartPolicy: { Name: 'no' }, DeviceRequests: [] } }));
});

test("a Docker HEALTHCHECK becomes Mesos' COMMAND health check, never a docker run flag", () => {
  const s = 1e9;
  const shell = build({
    Image: 'busybox',
    Healthcheck: {
      Test: ['CMD-SHELL', 'test -f /ok'],
      Interval: 2 * s,
      Timeout: 3 * s,
      StartPeriod: 5 * s,
      Retries: 4,
    },
  });
  assert.deepEqual(shell.health_check, {
    type: 'COMMAND',
    command: { shell: true, value: 'test -f /ok' },
    delay_seconds: 0,
    interval_seconds: 2,
    timeout_seconds: 3,
    grace_period_seconds: 5,
    consecutive_failures: 2 ** 32 - 1, // no restart policy: Docker keeps an unhealthy container running
  });
  assert.ok(!params(shell).some((p) => p.startsWith('health-')));
  // The argv form: `docker exec <container> <value> <arguments…>`; dockerd's defaults where none is set.
  const argv = build({
    Image: 'busybox',
    Healthcheck: { Test: ['CMD', 'wget', '-q', 'http://localhost/'] },
    HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } },
  });
  assert.deepEqual(argv.health_check?.command, { shell: false, value: 'wget', arguments: ['-q', 'http://localhost/'] });
  assert.equal(argv.health_check?.interval_seconds, 30);
  assert.equal(argv.health_check?.timeout_seconds, 30);
  assert.equal(argv.health_check?.grace_period_seconds, 0);
  assert.equal(argv.health_check?.consecutive_failures, 3, "a policy restarts it: Mesos kills at Docker's retries");
  assert.equal(build({ Image: 'busybox', Healthcheck: { Test: ['NONE'] } }).health_check, undefined);
});
