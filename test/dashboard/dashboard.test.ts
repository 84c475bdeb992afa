// The dashboard in a real headless Chromium, against a manager in mesos mode over the Mesos test double (docker
// executor on the two real engines) and over real Mesos (MESOSWARM_TEST_MESOS): the page shows the agents, a `docker run` from the real CLI appears without a
// reload, a container that cannot be placed shows why, and the page loads nothing from anywhere but the manager.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import {
  needBackend,
  oncePerRun,
  startMesosTestCluster,
  startUnplaceable,
  type MesosTestCluster,
} from '../helpers/mesos.js';
import { uniquePrefix, eventually, startTestManager } from '../helpers/manager.js';
import { makeCertificates } from '../helpers/tls.js';
import { within } from '../helpers/deadline.js';
import { artifact, needChromium, startBrowser, type Browser } from '../helpers/browser.js';

describe('dashboard (mesos mode, headless Chromium)', () => {
  let cluster: MesosTestCluster | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let origin = '';
  const outside: string[] = [];
  const prefix = uniquePrefix('dash');

  before(async (t) => {
    if (!needChromium(t as never) || !(await needBackend(t as never))) return;
    // A long task timeout: the unplaceable container must still be queued while the page is looked at.
    cluster = await startMesosTestCluster({ clusterOpts: ['mesos.tasktimeout=2m'] });
    origin = cluster.m.host.replace('tcp://', 'http://');
    browser = await startBrowser();
    context = await browser.context({ viewport: { width: 1400, height: 1000 } });
    context.on('request', (request) => {
      if (!request.url().startsWith(origin)) outside.push(request.url());
    });
    page = await context.newPage();
  });

  after(async () => {
    if (cluster) {
      const ids = (await cluster.m.docker(['ps', '-aq', '--filter', `name=${prefix}`])).stdout.split('\n');
      for (const id of ids.filter(Boolean)) await cluster.m.docker(['rm', '-f', id]);
    }
    await browser?.close();
    await cluster?.close();
  });

  it('loads from the manager alone and shows every agent with its resources', async (t) => {
    if (!cluster) return t.skip('needs Chromium and the engines');
    const response = await page.goto(`${origin}/dashboard/`);
    assert.equal(response?.status(), 200);
    const agents = await cluster.agents();
    // Page-side code as text: the suites are typed for Node, not the DOM.
    await page.waitForFunction(
      `document.querySelectorAll('#nodes-body tr[data-node-id]').length === ${agents.length}`,
      null,
      {
        timeout: within(10_000),
      },
    );
    for (const agent of agents) {
      const row = page.locator(`#nodes-body tr[data-node-id="${agent.id}"]`);
      assert.equal(await row.locator('td').nth(1).textContent(), 'active');
      // Resource bars: what the agent offers the framework now (the double offers each agent whole when idle).
      assert.match((await row.locator('td').nth(4).textContent()) ?? '', /offered/);
    }
    assert.match((await page.locator('#card-mesos').textContent()) ?? '', /subscribed/);
    await page.screenshot({ path: await artifact('dashboard-agents.png'), fullPage: true });
    assert.deepEqual(outside, [], 'the page asked for something outside the manager');
  });

  it('shows a container started by the real docker CLI within 2 s, without reloading', async (t) => {
    if (!cluster) return t.skip('needs Chromium and the engines');
    await page.evaluate('window.marker = 42');
    const name = `${prefix}web`;
    await cluster.m.docker.ok(['run', '-d', '-m', '32m', '--name', name, '-l', 'tier=web', 'busybox', 'sleep', '300']);
    const row = page.locator(`#containers-body tr[data-container="${name}"]`);
    await row.waitFor({ timeout: within(2000) });
    assert.equal(await page.evaluate('window.marker'), 42, 'the page reloaded');
    await eventually(async () => (await row.locator('td').nth(2).textContent()) === 'running', 5000);
    // The live event list got it too, and the filters find it by label and hide it by another.
    await page
      .locator('#event-list li[data-action="start"]')
      .first()
      .waitFor({ timeout: within(2000) });
    await page.fill('#filter-label', 'tier=web');
    assert.equal(await row.count(), 1);
    await page.fill('#filter-label', 'tier=db');
    assert.equal(await row.count(), 0);
    await page.fill('#filter-label', '');
    // Details: configuration, task history and the logs tail, read through the Docker API.
    await row.click();
    await page.locator('#details-config dd', { hasText: 'sleep 300' }).waitFor({ timeout: within(5000) });
    await page
      .locator('#details-history li', { hasText: 'start' })
      .first()
      .waitFor({ timeout: within(5000) });
    assert.match((await page.locator('#details-config').textContent()) ?? '', /Mesos task/);
  });

  it('shows why a container that cannot be placed waits, per agent', async (t) => {
    if (!cluster) return t.skip('needs Chromium and the engines');
    const name = `${prefix}huge`;
    const starting = await startUnplaceable(cluster.m.docker, name);
    try {
      const queued = page.locator(`#queue-list [data-queued="${name}"]`);
      await queued.waitFor({ timeout: within(5000) });
      await eventually(async () => /no resources/i.test((await queued.locator('.why').textContent()) ?? ''), 5000);
      // One reason per agent, each the strategy's resource check naming what the container asks.
      const nodes = await page
        .locator('#nodes-body tr[data-node]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-node')));
      const rejected = queued.locator('tr[data-rejected]');
      await eventually(async () => (await rejected.count()) === nodes.length, 5000);
      const named = await rejected.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-rejected')));
      assert.deepEqual([...named].sort(), [...nodes].sort());
      for (const text of await rejected.allTextContents())
        assert.match(text, /^.+resourcesrequests 68719476736 bytes of memory/);
      await page.locator('#queue').screenshot({ path: await artifact('dashboard-queue.png') });
      await page.screenshot({ path: await artifact('dashboard.png'), fullPage: true });
    } finally {
      await cluster.m.docker(['rm', '-f', name]);
      await starting.stop();
    }
  });
});

describe('dashboard behind --tlsverify', () => {
  it('refuses a browser without a client certificate and serves one with it', async (t) => {
    if (oncePerRun(t) || !needChromium(t)) return;
    const certs = await makeCertificates();
    const m = await startTestManager(
      { tlsverify: true, tlscacert: certs.ca, tlscert: certs.serverCert, tlskey: certs.serverKey },
      'tcp://127.0.0.1:1', // no engine needed: the page is what is tested
    );
    const browser = await startBrowser();
    try {
      const origin = m.host.replace('tcp://', 'https://');
      const anonymous = await browser.context({ ignoreHTTPSErrors: true });
      const refused = await anonymous
        .newPage()
        .then((p) => p.goto(`${origin}/dashboard/`, { timeout: within(10_000) }))
        .then(
          () => undefined,
          (err: Error) => err.message,
        );
      assert.match(refused ?? 'the page loaded', /net::ERR_/);
      const operator = await browser.context({
        ignoreHTTPSErrors: true,
        clientCertificates: [{ origin, certPath: certs.clientCert, keyPath: certs.clientKey }],
      });
      const page = await operator.newPage();
      const response = await page.goto(`${origin}/dashboard/`, { timeout: within(10_000) });
      assert.equal(response?.status(), 200);
      await page.locator('#card-driver').waitFor({ timeout: within(5000) });
    } finally {
      await browser.close();
      await m.close();
      await certs.remove();
    }
  });
});
