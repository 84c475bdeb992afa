// The shape check of a create body: what the docker CLI, docker-compose and dockerode send passes; a field the manager
// reads, sent with the wrong JSON type, is a 400 naming the field instead of being misread.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkCreateBody } from '../../src/api/create-body.js';
import type { CreateBody } from '../../src/cluster/cluster.js';
import { isManagerError } from '../../src/errors.js';

/** Close to what `docker run -d -p 80 -e A=1 -l x=y --name web busybox sleep 1` sends (docker CLI 28, API 1.41). */
const cliBody: CreateBody = {
  Hostname: '',
  Env: ['A=1'],
  Cmd: ['sleep', '1'],
  Image: 'busybox',
  Entrypoint: null,
  Labels: { x: 'y' },
  ExposedPorts: { '80/tcp': {} },
  HostConfig: {
    Binds: null,
    NetworkMode: 'default',
    PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '' }] },
    AutoRemove: false,
    Links: null,
    VolumesFrom: null,
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    ConsoleSize: [0, 0],
  },
  NetworkingConfig: { EndpointsConfig: {} },
};

describe('checkCreateBody', () => {
  it('accepts what clients send, nulls and absent fields included', () => {
    checkCreateBody(cliBody);
    checkCreateBody({ Image: 'busybox' });
    checkCreateBody({
      Image: 'busybox',
      Cmd: 'echo hi',
      Entrypoint: '/bin/sh',
      HostConfig: null as never,
      Env: null,
      Labels: null,
    });
    checkCreateBody({ Image: 'busybox', HostConfig: { PortBindings: { '80/tcp': null } } });
    checkCreateBody({});
  });

  it('refuses a wrong type, naming the field', () => {
    const cases: [CreateBody, string][] = [
      [{ Image: 5 as never }, 'invalid Image: expected a string'],
      [{ Env: 'A=1' as never }, 'invalid Env: expected an array of strings'],
      [{ Env: ['A=1', 2] as never }, 'invalid Env: expected an array of strings'],
      [{ Labels: 'x=y' as never }, 'invalid Labels: expected an object of strings'],
      [{ Labels: ['x=y'] as never }, 'invalid Labels: expected an object of strings'],
      [{ Labels: { n: 1 } as never }, 'invalid Labels: expected an object of strings'],
      [{ Cmd: 5 as never }, 'invalid Cmd: expected a string or an array of strings'],
      [{ ExposedPorts: ['80/tcp'] }, 'invalid ExposedPorts: expected an object'],
      [{ CpuShares: '2' }, 'invalid CpuShares: expected a number'],
      [{ HostConfig: 'bridge' as never }, 'invalid HostConfig: expected an object'],
      [{ HostConfig: { Memory: '1g' as never } }, 'invalid HostConfig.Memory: expected a number'],
      [{ HostConfig: { NanoCpus: Infinity } }, 'invalid HostConfig.NanoCpus: expected a number'],
      [{ HostConfig: { NetworkMode: 1 as never } }, 'invalid HostConfig.NetworkMode: expected a string'],
      [
        { HostConfig: { PortBindings: { '80/tcp': 'x' } as never } },
        'invalid HostConfig.PortBindings: expected an object of binding lists',
      ],
      [{ HostConfig: { Links: 'db' as never } }, 'invalid HostConfig.Links: expected an array of strings'],
      [{ HostConfig: { AutoRemove: 'yes' as never } }, 'invalid HostConfig.AutoRemove: expected a boolean'],
    ];
    for (const [body, message] of cases) {
      assert.throws(
        () => checkCreateBody({ Image: 'busybox', ...body }),
        (err) => isManagerError(err) && err.status === 400 && err.message === message,
        message,
      );
    }
  });
});
