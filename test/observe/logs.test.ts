// Log lines: the text format (time, level, message, key=value), JSON lines, the redactor on every line, and the
// request ID an API request gets, returned in X-Request-Id and stamped on the lines written while it is handled.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../src/util/logger.js';
import { formatLine } from '../../src/util/log-text.js';
import { Redactor } from '../../src/util/secrets.js';
import { inRequest } from '../../src/util/request-scope.js';
import { buildManageConfig } from '../../src/cli/options.js';
import { startManager } from '../../src/cli/manage.js';
import { MANAGE_DEFAULTS, eventually } from '../helpers/manager.js';
import { freePort } from '../helpers/manager-process.js';
import { ENGINES, needEngines } from '../helpers/services.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function capture(level = 'debug', format: 'json' | 'text' = 'json', redactor?: Redactor) {
  const lines: string[] = [];
  const logger = createLogger(level, { format, redactor, write: (line) => lines.push(line) });
  return { logger, lines, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('log formats', () => {
  it('text: one line of time, level, message, then key=value fields quoted where needed', () => {
    const line = formatLine(
      JSON.stringify({
        level: 40,
        time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
        msg: 'engine call failed',
        err: 'connect ECONNREFUSED 1.2.3.4:2375',
        failures: 2,
        listen: ['tcp://h:1'],
        ok: true,
        empty: '',
      }),
      false,
    );
    assert.equal(
      line,
      '2026-01-02T03:04:05.006Z WARN  engine call failed err="connect ECONNREFUSED 1.2.3.4:2375" failures=2 listen=["tcp://h:1"] ok=true empty=""\n',
    );
    assert.ok(formatLine(JSON.stringify({ level: 50, time: 0, msg: 'x' }), true).includes('\x1b[31mERROR'));
    assert.ok(formatLine(JSON.stringify({ level: 30, time: 0, msg: 'x', a: 'b' }), true).includes('\x1b[36mINFO '));
  });

  it('json: one object per line with level, time and msg; text from the same logger call', () => {
    const json = capture('info', 'json');
    json.logger.child({ component: 'framework' }).info({ task: 't1' }, 'subscribed to Mesos');
    const [entry] = json.json();
    assert.equal(entry!.msg, 'subscribed to Mesos');
    assert.equal(entry!.level, 30);
    assert.equal(entry!.component, 'framework');
    assert.equal(entry!.task, 't1');
    const text = capture('info', 'text');
    text.logger.child({ component: 'framework' }).info({ task: 't1' }, 'subscribed to Mesos');
    assert.match(
      text.lines[0]!,
      /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}subscribed to Mesos component=framework task=t1\n$/,
    );
  });

  it('blanks registered secrets in every form they take in a line', () => {
    const redactor = new Redactor().addBasic('ops', 'pa ss"word').add('zk-secret');
    const { logger, lines } = capture('info', 'json', redactor);
    const basic = Buffer.from('ops:pa ss"word').toString('base64');
    logger.info({ master: 'zk://ops:zk-secret@zk:2181/mesos', header: `Basic ${basic}` }, 'secret pa ss"word here');
    logger.info({ url: `zk://u:${encodeURIComponent('pa ss"word')}@h/p` }, 'encoded');
    const all = lines.join('');
    for (const leak of ['zk-secret', 'pa ss', basic, 'pa%20ss'])
      assert.ok(!all.includes(leak), `${leak} leaked: ${all}`);
    assert.equal(all.split('***').length - 1, 4);
  });

  it('stamps the current request ID on lines from any logger, across awaits', async () => {
    const { logger, json } = capture();
    const child = logger.child({ component: 'framework' });
    await inRequest('req-1', async () => {
      await new Promise((r) => setTimeout(r, 5));
      child.warn('inside');
    });
    child.info('outside');
    assert.deepEqual(
      json().map((e) => [e.msg, e.req]),
      [
        ['inside', 'req-1'],
        ['outside', undefined],
      ],
    );
  });
});

describe('request IDs and the debug request line', () => {
  it('returns X-Request-Id and carries it through the lines the request caused', async (t) => {
    if (!(await needEngines(t))) return;
    const { logger, json } = capture('debug');
    const config = buildManageConfig({ ...MANAGE_DEFAULTS }, ENGINES.join(','));
    const manager = await startManager(config, logger, 'test', true);
    try {
      const origin = manager.api.addresses()[0]!.replace('tcp://', 'http://');
      const mine = await fetch(`${origin}/containers/no-such-container/json`, {
        headers: { 'X-Request-Id': 'trace-42' },
      });
      assert.equal(mine.status, 404);
      assert.equal(mine.headers.get('x-request-id'), 'trace-42');
      const ours = await fetch(`${origin}/_ping`);
      const id = ours.headers.get('x-request-id') ?? '';
      assert.match(id, /^[0-9a-f]{16}$/);
      // A client's ID that is not a plain token is replaced, not echoed.
      const odd = await fetch(`${origin}/_ping`, { headers: { 'X-Request-Id': 'a b\tc' } });
      assert.match(odd.headers.get('x-request-id') ?? '', /^[0-9a-f]{16}$/);

      const traced = json().filter((e) => e.req === 'trace-42');
      assert.deepEqual(
        traced.map((e) => e.msg),
        ['request refused', 'request'],
      );
      const request = traced[1]!;
      assert.equal(request.route, '/containers/*name/json');
      assert.equal(request.status, 404);
      assert.equal(typeof request.ms, 'number');
      const ping = json().find((e) => e.req === id && e.msg === 'request')!;
      assert.equal(ping.route, '/_ping');
      assert.equal(ping.status, 200);
    } finally {
      await manager.close();
    }
  });
});

describe('the command line', () => {
  /** Runs `mesoswarm <globals> manage` until it answers /_ping (or exits), then stops it; returns its stderr. */
  async function firstLines(globals: string[]): Promise<{ stderr: string; code: number | null }> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [`${root}/bin/mesoswarm`, ...globals, 'manage', '-H', `tcp://127.0.0.1:${port}`, ENGINES[0]!],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let code: number | null | undefined;
    const exited = new Promise<number | null>((resolve) =>
      child.once('close', (c) => {
        code = c;
        resolve(c);
      }),
    );
    await eventually(async () => {
      if (code !== undefined) return true;
      return (await fetch(`http://127.0.0.1:${port}/_ping`)).status === 200;
    }, 15_000);
    if (code === undefined) child.kill('SIGTERM');
    const exitCode = await exited; // before reading stderr: the last lines arrive up to the close
    return { stderr, code: exitCode };
  }

  it('--log-format text, JSON when piped by default, classic --log-level and --debug', async (t) => {
    if (!(await needEngines(t))) return;
    const text = await firstLines(['--log-format', 'text']);
    assert.match(text.stderr, /^\S+Z INFO {2}manager ready driver=swarm listen=\["tcp:\/\/127\.0\.0\.1:\d+"\]/m);
    const json = await firstLines([]);
    const ready = json.stderr
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(ready.some((e) => e.msg === 'manager ready' && e.level === 30));
    const quiet = await firstLines(['--log-level', 'warn']);
    assert.ok(!/manager ready/.test(quiet.stderr), 'info lines at --log-level warn');
    const debug = await firstLines(['--debug', '--log-format=text']);
    assert.match(debug.stderr, / DEBUG /);
    const bad = await firstLines(['--log-format', 'xml']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--log-format.*xml|xml.*--log-format|Allowed choices are json, text/);
  });
});
