// Each task's `docker inspect` is kept deflated against a shared dictionary (the first inspect packed); it must come
// back byte for byte, whatever it holds, and be much smaller than the JSON for inspects alike.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { JsonPacker } from '../../src/cluster/mesos/inspect-packing.js';

function inspectLike(): string {
  const id = randomBytes(32).toString('hex');
  return JSON.stringify({
    Id: id,
    Created: new Date().toISOString(),
    Path: 'sleep',
    Args: ['3600'],
    State: { Status: 'running', Running: true, Paused: false, Pid: 4242, StartedAt: new Date().toISOString() },
    Name: `/mesos-${randomBytes(16).toString('hex')}`,
    Mounts: [{ Type: 'bind', Source: `/var/lib/mesos/slaves/${id}/runs/x`, Destination: '/mnt/mesos/sandbox' }],
    Config: { Hostname: id.slice(0, 12), Env: ['MESOS_SANDBOX=/mnt/mesos/sandbox'], Image: 'busybox:latest' },
    NetworkSettings: { Networks: { bridge: { EndpointID: randomBytes(32).toString('hex'), IPAddress: '172.17.0.5' } } },
  });
}

function bound(packer: JsonPacker) {
  return { pack: (s: string) => packer.pack(s), unpack: (p: ReturnType<JsonPacker['pack']>) => packer.unpack(p) };
}

describe('inspect packing', () => {
  it('gives back every text exactly, unicode included', () => {
    const { pack, unpack } = bound(new JsonPacker());
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (s) => {
        const json = JSON.stringify({ Name: s, Labels: { [s]: s } });
        assert.equal(unpack(pack(json)), json);
      }),
    );
  });
  it('packs inspects of alike containers to a fraction of their JSON', () => {
    const { pack, unpack } = bound(new JsonPacker());
    const first = inspectLike();
    const packedFirst = pack(first); // the dictionary
    const json = inspectLike();
    const packed = pack(json);
    assert.equal(unpack(packed), json);
    assert.equal(unpack(packedFirst), first);
    assert.ok(packed.length < json.length / 2, `${packed.length} bytes packed of ${json.length}`);
  });
});
