// The dashboard page: reads the manager's overview (api/overview), follows the cluster's events (api/events, Server-
// Sent Events) and refreshes on each, and reads one container's details straight from the Docker API. No framework,
// no build step, nothing loaded from anywhere but the manager.

const REFRESH_MS = 5000;
const EVENT_REFRESH_MS = 150;
const EVENTS_KEPT = 200;

const $ = (id) => document.getElementById(id);
let overview;
let refreshTimer;
let selected;

/** An element with attributes and children (strings become text: nothing the cluster says is parsed as HTML). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    // Through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
    else if (key === 'style') Object.assign(el.style, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function svg(tag, attrs = {}) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  return el;
}

const GIB = 1024 ** 3;
function bytes(n) {
  if (n >= GIB) return `${(n / GIB).toFixed(n >= 10 * GIB ? 0 : 1)} GiB`;
  return `${Math.round(n / 1024 ** 2)} MiB`;
}
function cpus(n) {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
function ago(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (!Number.isFinite(s)) return '';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}
function stateClass(state) {
  return `state state-${String(state).replace(/[^a-z]/g, '')}`;
}

// --- loading -----------------------------------------------------------------------------------------------------

async function refresh() {
  clearTimeout(refreshTimer);
  try {
    const res = await fetch('api/overview', { cache: 'no-store' });
    if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
    overview = await res.json();
    render();
  } catch (err) {
    $('cluster').replaceChildren(h('div', { class: 'card error' }, `cannot read the overview: ${err.message}`));
  }
  refreshTimer = setTimeout(refresh, REFRESH_MS);
}

let soon;
function refreshSoon() {
  clearTimeout(soon);
  soon = setTimeout(refresh, EVENT_REFRESH_MS);
}

function follow() {
  const source = new EventSource('api/events');
  const live = $('live');
  source.onopen = () => {
    live.textContent = 'live';
    live.className = 'tag on';
  };
  source.onerror = () => {
    live.textContent = 'reconnecting…';
    live.className = 'tag off';
  };
  source.addEventListener('docker', (message) => {
    const event = JSON.parse(message.data);
    addEvent(event);
    refreshSoon();
    if (selected && event.Actor?.ID === selected) void showDetails(selected);
  });
}

function addEvent(e) {
  const list = $('event-list');
  const time = new Date((e.timeNano ? e.timeNano / 1e6 : e.time * 1000) || Date.now()).toLocaleTimeString();
  const attributes = e.Actor?.Attributes ?? {};
  const what = attributes.name ?? (e.Actor?.ID ?? '').slice(0, 12);
  const node = e.node?.Name ? ` on ${e.node.Name}` : '';
  list.prepend(h('li', { 'data-action': e.Action }, `${time}  ${e.Type ?? 'container'} ${e.Action}  ${what}${node}`));
  while (list.children.length > EVENTS_KEPT) list.lastChild.remove();
}

// --- rendering ---------------------------------------------------------------------------------------------------

function render() {
  const o = overview;
  $('driver').textContent = o.driver === 'mesos-experimental' ? 'Mesos' : 'Docker engines';
  renderCluster(o);
  renderCharts(o.recent ?? []);
  renderNodes(o.nodes);
  renderQueue(o.queue);
  renderFilters(o);
  renderContainers(o);
}

function card(label, value, sub, id) {
  return h(
    'div',
    { class: 'card', id },
    h('div', { class: 'label' }, label),
    h('div', { class: 'value' }, value),
    sub ? h('div', { class: 'sub' }, sub) : null,
  );
}

function renderCluster(o) {
  const running = o.containers.filter((c) => c.state === 'running').length;
  const healthyNodes = o.nodes.filter((n) => n.status === 'healthy' || n.status === 'active').length;
  const cards = [
    card('Driver', o.driver, `${o.scheduler.strategy}; filters ${o.scheduler.filters.join(', ')}`, 'card-driver'),
    card('Nodes', `${healthyNodes} / ${o.nodes.length}`, 'usable / known', 'card-nodes'),
    card('Containers', `${running} / ${o.containersTotal}`, 'running / all', 'card-containers'),
    card('Queue', String(o.queue.length), 'waiting for a node', 'card-queue'),
  ];
  if (o.mesos) {
    cards.push(
      card(
        'Mesos',
        o.mesos.subscribed ? 'subscribed' : 'not subscribed',
        [o.mesos.master, o.mesos.frameworkId && `framework ${o.mesos.frameworkId}`, o.mesos.lastError]
          .filter(Boolean)
          .join(' · '),
        'card-mesos',
      ),
      card('Offers held', String(o.mesos.offersHeld), 'from Mesos, unused', 'card-offers'),
    );
  }
  cards.push(
    card('Manager', o.manager.version, `up ${Math.round(o.manager.uptimeSeconds / 60)} min; primary`, 'card-manager'),
  );
  $('cluster').replaceChildren(...cards);
}

function line(points, max, cls) {
  if (points.length < 2) return null;
  const w = 400;
  const hgt = 86;
  const step = w / (points.length - 1);
  const d = points.map((v, i) => `${(i * step).toFixed(1)},${(hgt - (v / (max || 1)) * (hgt - 6) + 2).toFixed(1)}`);
  return svg('polyline', { class: cls, points: d.join(' ') });
}

function renderCharts(samples) {
  const queue = samples.map((s) => s.queue);
  const mean = samples.map((s) => s.waitMeanMs);
  const max = samples.map((s) => s.waitMaxMs);
  const qMax = Math.max(1, ...queue);
  const lMax = Math.max(1, ...max);
  $('chart-queue').replaceChildren(...[line(queue, qMax, 'queue')].filter(Boolean));
  $('chart-latency').replaceChildren(...[line(mean, lMax, 'mean'), line(max, lMax, 'max')].filter(Boolean));
  const last = samples[samples.length - 1];
  const placed = samples.reduce((n, s) => n + s.placed, 0);
  $('chart-queue-note').textContent = `now ${last?.queue ?? 0}, peak ${Math.max(0, ...queue)}`;
  $('chart-latency-note').textContent = `${placed} placed; longest wait ${Math.max(0, ...max)} ms (scale ${lMax} ms)`;
}

function bar(resource, unit) {
  const { total, reserved, offered } = resource;
  const pct = (v) => (total > 0 ? Math.min(100, (v / total) * 100) : 0);
  const fmt = unit === 'cpu' ? cpus : bytes;
  const parts = [h('div', { class: 'reserved', style: { width: `${pct(reserved)}%` } })];
  if (offered !== undefined) parts.push(h('div', { class: 'offered', style: { width: `${pct(offered)}%` } }));
  const text =
    offered !== undefined
      ? `${fmt(reserved)} reserved, ${fmt(offered)} offered`
      : `${fmt(reserved)} reserved of ${fmt(total)}, ${fmt(Math.max(0, total - reserved))} free`;
  return h('div', {}, h('div', { class: 'bar', title: text }, parts), h('div', { class: 'bar-text' }, text));
}

function labels(map) {
  return h(
    'div',
    { class: 'labels' },
    Object.entries(map).map(([k, v]) => h('span', {}, `${k}=${v}`)),
  );
}

function renderNodes(nodes) {
  $('nodes-count').textContent = `(${nodes.length})`;
  const rows = nodes.map((n) => {
    const r = n.resources;
    const pick = (key) => ({ total: r.total[key], reserved: r.reserved[key], offered: r.offered?.[key] });
    return h(
      'tr',
      { 'data-node': n.name, 'data-node-id': n.id },
      h('td', {}, h('strong', {}, n.name), h('div', { class: 'bar-text' }, n.host !== n.name ? n.host : '')),
      h('td', { class: stateClass(n.status) }, n.status),
      h(
        'td',
        {},
        h('span', { class: stateClass(n.engine.state) }, n.engine.state),
        ` ${n.addr}`,
        n.engine.error ? h('div', { class: 'error' }, n.engine.error) : null,
        n.engine.version ? h('div', { class: 'bar-text' }, `Docker ${n.engine.version}`) : null,
      ),
      h('td', {}, String(n.containers)),
      h('td', {}, bar(pick('cpus'), 'cpu')),
      h('td', {}, bar(pick('memory'), 'mem')),
      h('td', {}, labels(n.labels)),
    );
  });
  $('nodes-body').replaceChildren(
    ...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'no nodes yet'))]),
  );
}

function renderQueue(queue) {
  $('queue-count').textContent = `(${queue.length})`;
  if (!queue.length) {
    $('queue-list').replaceChildren(h('p', { class: 'empty' }, 'nothing waits'));
    return;
  }
  $('queue-list').replaceChildren(
    ...queue.map((q) =>
      h(
        'div',
        { class: 'waiting', 'data-queued': q.name },
        h('strong', {}, q.name),
        ` ${q.image} — waiting for ${ago(q.since).replace(' ago', '')}${q.attempts ? `, attempt ${q.attempts + 1}` : ''}`,
        h('div', { class: 'why' }, q.reason),
        q.rejections.length
          ? h(
              'table',
              {},
              h('thead', {}, h('tr', {}, h('th', {}, 'Node'), h('th', {}, 'Turned away by'), h('th', {}, 'Why'))),
              h(
                'tbody',
                {},
                q.rejections.map((r) =>
                  h(
                    'tr',
                    { 'data-rejected': r.node },
                    h('td', {}, r.node),
                    h('td', {}, r.stage),
                    h('td', {}, r.reason),
                  ),
                ),
              ),
            )
          : null,
      ),
    ),
  );
}

function options(select, values, all) {
  const current = select.value;
  select.replaceChildren(h('option', { value: '' }, all), ...values.map((v) => h('option', { value: v }, v)));
  if (values.includes(current)) select.value = current;
}

function renderFilters(o) {
  options($('filter-node'), [...new Set(o.nodes.map((n) => n.name))].sort(), 'all nodes');
  options($('filter-state'), [...new Set(o.containers.map((c) => c.state))].sort(), 'all states');
}

function matches(c) {
  const name = $('filter-name').value.trim();
  const node = $('filter-node').value;
  const state = $('filter-state').value;
  const label = $('filter-label').value.trim();
  if (name && !c.name.includes(name)) return false;
  if (node && c.node !== node) return false;
  if (state && c.state !== state) return false;
  if (label) {
    const eq = label.indexOf('=');
    const key = eq < 0 ? label : label.slice(0, eq);
    if (!(key in c.labels)) return false;
    if (eq >= 0 && c.labels[key] !== label.slice(eq + 1)) return false;
  }
  return true;
}

function renderContainers(o) {
  const shown = o.containers.filter(matches);
  const more = o.containersTotal > o.containers.length ? `, newest ${o.containers.length} listed` : '';
  $('containers-count').textContent = `(${shown.length} shown of ${o.containersTotal}${more})`;
  const rows = shown.map((c) =>
    h(
      'tr',
      { class: 'clickable', 'data-container': c.name, 'data-id': c.id, onclick: () => void showDetails(c.id) },
      h(
        'td',
        {},
        h('strong', {}, c.name),
        c.error ? h('div', { class: 'error', 'data-error': 'true' }, c.error) : null,
      ),
      h('td', {}, c.image),
      h('td', { class: stateClass(c.state) }, c.state),
      h('td', {}, c.status),
      h('td', {}, c.node || '—'),
      h('td', {}, ago(c.created)),
    ),
  );
  $('containers-body').replaceChildren(
    ...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'no containers'))]),
  );
}

// --- one container -----------------------------------------------------------------------------------------------

/** Docker's multiplexed log stream (8-byte frame headers) as text; a TTY container's logs are raw. */
function demux(buffer) {
  const bytes = new Uint8Array(buffer);
  const decoder = new TextDecoder();
  if (bytes.length >= 8 && (bytes[0] === 1 || bytes[0] === 2) && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 0) {
    let out = '';
    let at = 0;
    while (at + 8 <= bytes.length) {
      const size = (bytes[at + 4] << 24) | (bytes[at + 5] << 16) | (bytes[at + 6] << 8) | bytes[at + 7];
      out += decoder.decode(bytes.subarray(at + 8, at + 8 + size));
      at += 8 + size;
    }
    return out;
  }
  return decoder.decode(bytes);
}

async function showDetails(id) {
  selected = id;
  const panel = $('details');
  panel.hidden = false;
  const inspect = await fetch(`/containers/${id}/json`).then((r) => r.json());
  if (selected !== id) return;
  $('details-name').textContent = (inspect.Name ?? id).replace(/^\//, '');
  const config = inspect.Config ?? {};
  const host = inspect.HostConfig ?? {};
  const state = inspect.State ?? {};
  const task = inspect.Mesos;
  const rows = [
    ['ID', inspect.Id],
    ['Image', config.Image],
    ['Command', [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])].join(' ')],
    ['State', `${state.Status ?? ''}${state.ExitCode ? ` (exit ${state.ExitCode})` : ''}`],
    ['Error', state.Error],
    ['Node', inspect.Node?.Name],
    ['Memory', host.Memory ? bytes(host.Memory) : 'unset'],
    ['CPUs', host.NanoCpus ? cpus(host.NanoCpus / 1e9) : host.CpuShares ? `${host.CpuShares} shares` : 'unset'],
    ['Restart policy', host.RestartPolicy?.Name || 'no'],
    [
      'Ports',
      Object.entries(host.PortBindings ?? {})
        .map(([p, b]) => `${(b ?? []).map((x) => x.HostPort).join(',')}->${p}`)
        .join(' '),
    ],
    ['Env', (config.Env ?? []).join(' ')],
    [
      'Labels',
      Object.entries(config.Labels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ],
  ];
  if (task)
    rows.push(
      ['Mesos task', `${task.TaskId} (${task.Phase}${task.Message ? `: ${task.Message}` : ''})`],
      ['Agent', task.AgentId],
    );
  $('details-config').replaceChildren(
    ...rows.filter(([, v]) => v).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );

  const created = Math.floor(Date.parse(inspect.Created) / 1000) || 0;
  const now = Date.now() / 1000;
  const filters = encodeURIComponent(JSON.stringify({ container: [id] }));
  const history = await fetch(`/events?since=${created}&until=${now.toFixed(3)}&filters=${filters}`).then((r) =>
    r.text(),
  );
  if (selected !== id) return;
  const events = history
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  $('details-history').replaceChildren(
    ...(events.length
      ? events.map((e) =>
          h(
            'li',
            {},
            `${new Date(e.timeNano / 1e6).toLocaleTimeString()}  ${e.Action}${e.node?.Name ? ` on ${e.node.Name}` : ''}${e.Actor?.Attributes?.exitCode ? ` (exit ${e.Actor.Attributes.exitCode})` : ''}`,
          ),
        )
      : [h('li', { class: 'empty' }, 'no events kept')]),
  );

  const logs = await fetch(`/containers/${id}/logs?stdout=1&stderr=1&tail=100`);
  if (selected !== id) return;
  $('details-logs').textContent = logs.ok
    ? demux(await logs.arrayBuffer()) || '(no output)'
    : `(no logs: ${(await logs.json().catch(() => ({}))).message ?? logs.status})`;
}

$('details-close').addEventListener('click', () => {
  selected = undefined;
  $('details').hidden = true;
});
for (const id of ['filter-name', 'filter-node', 'filter-state', 'filter-label']) {
  $(id).addEventListener('input', () => overview && renderContainers(overview));
}

follow();
void refresh();
