// The test hooks and fault switches, once: as methods (used in-process through the handle of startMesosSim) and as
// HTTP routes under /__sim/ (for the standalone simulator). Hooks read: outstanding offers, refuse filters,
// unacknowledged updates, the last `docker run` argv per task, ACK and call counts, agents, metrics. Faults: add,
// remove (unreachable or gone), disconnect and restore agents; drop or stall a framework's stream; rescind offers;
// fail the master over; delay or duplicate status updates; end a sim-mode task with an exit code.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeHeapSnapshot } from 'node:v8';
import type { AgentSpec } from './agent-spec.js';
import { sendJson, sendText } from './http.js';
import type { Master } from './master.js';
import { fromMilli } from './resources.js';

export interface OfferView {
  id: string;
  frameworkId: string;
  agentId: string;
  role: string;
  resources: { cpus: number; mem: number; disk: number; ports: Array<[number, number]> };
}

export interface UnackedView {
  frameworkId: string;
  taskId: string;
  agentId: string;
  state: string;
  uuid: string;
  inFlight: boolean;
  attempts: number;
}

export interface AgentView {
  id: string;
  hostname: string;
  state: string;
  dockerHost?: string;
  tasks: number;
}

export class SimControl {
  private readonly m: () => Master;
  private readonly addAgentFn: (spec: AgentSpec) => string;

  constructor(master: () => Master, addAgent: (spec: AgentSpec) => string) {
    this.m = master;
    this.addAgentFn = addAgent;
  }

  offers(): OfferView[] {
    return [...this.m().offers.values()].map((o) => ({
      id: o.id,
      frameworkId: o.frameworkId,
      agentId: o.agentId,
      role: o.role,
      resources: {
        cpus: fromMilli(o.resources.scalar('cpus')),
        mem: fromMilli(o.resources.scalar('mem')),
        disk: fromMilli(o.resources.scalar('disk')),
        ports: (o.resources.ranges.get('ports') ?? []).map(([b, e]) => [b, e] as [number, number]),
      },
    }));
  }

  filters() {
    return this.m().allocator.listFilters();
  }

  unacknowledged(): UnackedView[] {
    const out: UnackedView[] = [];
    for (const rec of this.m().agents.values()) {
      for (const p of rec.agent.updates.pending()) {
        out.push({
          frameworkId: p.update.frameworkId,
          taskId: p.update.taskId,
          agentId: rec.agent.id,
          state: p.update.state,
          uuid: p.update.uuid.toString('base64'),
          inFlight: p.inFlight,
          attempts: p.attempts,
        });
      }
    }
    return out;
  }

  dockerArgv(taskId: string): string[] | undefined {
    return this.m().argv.get(taskId);
  }

  acks(): { received: number; matched: number; ignored: number } {
    return { ...this.m().ackStats };
  }

  callCounts(): Record<string, number> {
    return Object.fromEntries(this.m().callCounts);
  }

  agents(): AgentView[] {
    return [...this.m().agents.values()].map((r) => ({
      id: r.agent.id,
      hostname: r.agent.config.hostname,
      state: r.state,
      dockerHost: r.agent.config.mode === 'docker' ? r.agent.config.dockerHost : undefined,
      tasks: r.agent.tasks.size,
    }));
  }

  /** Process and simulator figures; `gc` first collects garbage when node runs with --expose-gc. */
  metrics(gc = false) {
    const collect = (globalThis as { gc?: () => void }).gc;
    if (gc && collect) collect();
    const m = this.m();
    let tasks = 0;
    for (const fw of m.frameworks.values()) tasks += fw.tasks.size;
    let unacknowledged = 0;
    for (const rec of m.agents.values()) unacknowledged += rec.agent.updates.pendingCount();
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    return {
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      heapTotalBytes: mem.heapTotal,
      externalBytes: mem.external,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      uptimeSeconds: process.uptime(),
      frameworks: m.frameworks.size,
      agents: m.agents.size,
      tasks,
      unacknowledged,
      offers: m.offers.size,
    };
  }

  addAgent(spec: AgentSpec = {}): string {
    return this.addAgentFn(spec);
  }

  removeAgent(agentId: string, opts: { gone?: boolean } = {}): void {
    this.m().removeAgent(agentId, opts);
  }

  disconnectAgent(agentId: string): void {
    this.m().disconnectAgent(agentId);
  }

  restoreAgent(agentId: string): void {
    this.m().restoreAgent(agentId);
  }

  /** The agent process restarts: non-checkpointed tasks end with it, the rest re-register after `delayMs`. */
  restartAgent(agentId: string, delayMs?: number): void {
    this.m().restartAgent(agentId, delayMs);
  }

  /** Cuts the framework's subscription connection (the master sees the scheduler disconnect). */
  dropStream(frameworkId: string): boolean {
    const fw = this.m().frameworks.get(frameworkId);
    if (!fw?.stream) return false;
    fw.stream.destroy();
    return true;
  }

  /** Stops (or resumes) all bytes on one framework's stream, or on every stream. */
  stallStream(stalled: boolean, frameworkId?: string): void {
    for (const fw of this.m().frameworks.values()) {
      if (frameworkId === undefined || fw.id === frameworkId) fw.stream?.stall(stalled);
    }
  }

  /** Rescinds outstanding offers now, all or those of a framework / agent / offer ID. */
  rescindOffers(filter: { frameworkId?: string; agentId?: string; offerId?: string } = {}): string[] {
    const m = this.m();
    const hit = [...m.offers.values()].filter(
      (o) =>
        (filter.frameworkId === undefined || o.frameworkId === filter.frameworkId) &&
        (filter.agentId === undefined || o.agentId === filter.agentId) &&
        (filter.offerId === undefined || o.id === filter.offerId),
    );
    for (const o of hit) m.rescindOffer(o);
    return hit.map((o) => o.id);
  }

  failoverMaster(opts: { agentReregisterDelayMs?: number; recoveryMs?: number } = {}): string {
    const m = this.m();
    m.failover(opts);
    return m.id;
  }

  setStatusUpdateFaults(f: { delayMs?: number; duplicate?: boolean }): void {
    const faults = this.m().faults;
    if (f.delayMs !== undefined) faults.updateDelayMs = f.delayMs;
    if (f.duplicate !== undefined) faults.duplicateUpdates = f.duplicate;
  }

  /** Sim mode: the task's "container" exits with `code` (0 → TASK_FINISHED, else TASK_FAILED). */
  exitTask(taskId: string, code = 0): boolean {
    for (const rec of this.m().agents.values()) {
      const at = rec.agent.findTask(taskId);
      if (at) return rec.agent.exitTask(at.frameworkId, taskId, code);
    }
    return false;
  }

  async handleHttp(req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<void> {
    const parts = url.pathname.split('/').filter(Boolean).slice(1); // drop "__sim"
    const input = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    const get = req.method === 'GET';
    const ok = (value: unknown = {}) => sendJson(res, 200, value);
    const [a, b, c] = parts;
    try {
      if (get && a === 'offers') return ok(this.offers());
      if (get && a === 'filters') return ok(this.filters());
      if (get && a === 'unacked') return ok(this.unacknowledged());
      if (get && a === 'acks') return ok(this.acks());
      if (get && a === 'calls') return ok(this.callCounts());
      if (get && a === 'metrics') return ok(this.metrics(url.searchParams.get('gc') === '1'));
      if (get && a === 'agents') return ok(this.agents());
      if (get && a === 'argv') {
        const taskId = url.searchParams.get('task_id');
        if (taskId !== null) return ok({ argv: this.dockerArgv(taskId) ?? null });
        return ok(Object.fromEntries(this.m().argv));
      }
      if (req.method !== 'POST') return sendText(res, 404, 'unknown hook');
      if (a === 'agents' && b === undefined) return ok({ id: this.addAgent(input as AgentSpec) });
      if (a === 'agents' && b !== undefined) {
        if (c === 'remove') this.removeAgent(b, { gone: input.gone === true });
        else if (c === 'disconnect') this.disconnectAgent(b);
        else if (c === 'restore') this.restoreAgent(b);
        else if (c === 'restart') this.restartAgent(b, typeof input.delayMs === 'number' ? input.delayMs : undefined);
        else return sendText(res, 404, 'unknown agent action');
        return ok();
      }
      if (a === 'frameworks' && b !== undefined && c === 'drop') return ok({ dropped: this.dropStream(b) });
      if (a === 'stall') {
        this.stallStream(input.stalled !== false, input.frameworkId as string | undefined);
        return ok();
      }
      if (a === 'rescind') return ok({ rescinded: this.rescindOffers(input) });
      if (a === 'failover') return ok({ masterId: this.failoverMaster(input) });
      if (a === 'heap-snapshot')
        return ok({ file: writeHeapSnapshot(typeof input.file === 'string' ? input.file : undefined) });
      if (a === 'status-updates') {
        this.setStatusUpdateFaults(input);
        return ok();
      }
      if (a === 'tasks' && b !== undefined && c === 'exit') {
        return ok({ exited: this.exitTask(b, typeof input.code === 'number' ? input.code : 0) });
      }
      return sendText(res, 404, 'unknown hook');
    } catch (e) {
      return sendText(res, 400, String(e));
    }
  }
}
