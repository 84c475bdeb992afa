// The allocator: decides which framework and role get each agent's free resources. One offer per agent per role per
// cycle with everything free on it (as the hierarchical allocator does), nothing for suppressed roles, nothing an
// active refuse filter covers (a filter holds the declined resources and hides any offer they contain; it lasts
// max(refuse_seconds, allocation interval), default 5 s, capped at 365 days, negative means the default). Runs on an
// interval and, when asked, at once (REVIVE, freed resources, or every change when the interval is 0). Frameworks
// take turns agent by agent (round robin rather than DRF, which is enough for tests and benchmarks).
import type { ResourceBag } from './resources.js';

export interface AllocationFramework {
  id: string;
  roles: readonly string[];
  suppressedRoles: ReadonlySet<string>;
  /** Without GPU_RESOURCES an agent with GPUs is never offered. */
  gpuCapable: boolean;
}

export interface AllocationAgent {
  id: string;
  hasGpus: boolean;
}

export interface AllocatorHost {
  frameworks(): AllocationFramework[];
  agents(): Iterable<AllocationAgent>;
  available(agentId: string): ResourceBag;
  offer(frameworkId: string, offers: Array<{ agentId: string; role: string; resources: ResourceBag }>): void;
}

interface Filter {
  role: string;
  resources: ResourceBag;
  expiresAt: number;
}

const DAY_MS = 86_400_000;

export class Allocator {
  private readonly host: AllocatorHost;
  readonly intervalMs: number;
  private readonly filters = new Map<string, Map<string, Filter[]>>();
  private timer?: NodeJS.Timeout;
  private soon = false;
  private turn = 0;
  private running = false;

  constructor(host: AllocatorHost, intervalMs: number) {
    this.host = host;
    this.intervalMs = intervalMs;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // With interval 0 changes trigger allocation directly; the slow tick only picks up expired filters.
    this.timer = setInterval(() => this.allocate(), this.intervalMs > 0 ? this.intervalMs : 100);
    this.timer.unref();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Allocate on the next turn of the event loop (coalesced). */
  allocateSoon(): void {
    if (!this.running || this.soon) return;
    this.soon = true;
    setImmediate(() => {
      this.soon = false;
      this.allocate();
    });
  }

  /** Something changed that the periodic allocation would pick up; with interval 0 that means now. */
  changed(): void {
    if (this.intervalMs === 0) this.allocateSoon();
  }

  /** recoverResources with a Filters message: unused or declined resources are refused for a while. */
  refuse(
    frameworkId: string,
    agentId: string,
    role: string,
    resources: ResourceBag,
    refuseSeconds: number | undefined,
  ): void {
    let seconds = refuseSeconds ?? 5;
    if (seconds > 365 * 86_400) seconds = 365 * 86_400;
    else if (seconds < 0 || Number.isNaN(seconds)) seconds = 5;
    if (seconds === 0 || resources.isEmpty()) return;
    const ms = Math.max(this.intervalMs, Math.min(seconds * 1000, 365 * DAY_MS));
    let byAgent = this.filters.get(frameworkId);
    if (!byAgent) this.filters.set(frameworkId, (byAgent = new Map()));
    const list = byAgent.get(agentId) ?? [];
    list.push({ role, resources: resources.clone(), expiresAt: Date.now() + ms });
    byAgent.set(agentId, list);
  }

  /** REVIVE: drop the framework's filters for these roles (all when undefined). */
  clearFilters(frameworkId: string, roles?: readonly string[]): void {
    const byAgent = this.filters.get(frameworkId);
    if (!byAgent) return;
    if (!roles) {
      this.filters.delete(frameworkId);
      return;
    }
    for (const [agentId, list] of byAgent) {
      const kept = list.filter((f) => !roles.includes(f.role));
      if (kept.length === 0) byAgent.delete(agentId);
      else byAgent.set(agentId, kept);
    }
  }

  removeFramework(frameworkId: string): void {
    this.filters.delete(frameworkId);
  }

  removeAgent(agentId: string): void {
    for (const byAgent of this.filters.values()) byAgent.delete(agentId);
  }

  /** Active filters, for the test hooks. */
  listFilters(): Array<{ frameworkId: string; agentId: string; role: string; resources: string; expiresInMs: number }> {
    const now = Date.now();
    const out: ReturnType<Allocator['listFilters']> = [];
    for (const [frameworkId, byAgent] of this.filters) {
      for (const [agentId, list] of byAgent) {
        for (const f of list) {
          if (f.expiresAt > now) {
            out.push({
              frameworkId,
              agentId,
              role: f.role,
              resources: f.resources.describe(),
              expiresInMs: f.expiresAt - now,
            });
          }
        }
      }
    }
    return out;
  }

  private isFiltered(frameworkId: string, agentId: string, role: string, available: ResourceBag, now: number): boolean {
    const byAgent = this.filters.get(frameworkId);
    let list = byAgent?.get(agentId);
    if (!list) return false;
    // Runs for every agent on every cycle: only rebuild the list when something expired.
    if (list.some((f) => f.expiresAt <= now)) {
      list = list.filter((f) => f.expiresAt > now);
      if (list.length === 0) byAgent!.delete(agentId);
      else byAgent!.set(agentId, list);
    }
    return list.some((f) => f.role === role && f.resources.contains(available));
  }

  allocate(): void {
    if (!this.running) return;
    const frameworks = this.host.frameworks();
    if (frameworks.length === 0) return;
    const now = Date.now();
    const batches = new Map<string, Array<{ agentId: string; role: string; resources: ResourceBag }>>();
    let i = this.turn++;
    for (const agent of this.host.agents()) {
      const available = this.host.available(agent.id);
      if (!available.allocatable()) continue;
      i++;
      for (let k = 0; k < frameworks.length; k++) {
        const fw = frameworks[(i + k) % frameworks.length]!;
        if (agent.hasGpus && !fw.gpuCapable) continue;
        const role = fw.roles.find(
          (r) => !fw.suppressedRoles.has(r) && !this.isFiltered(fw.id, agent.id, r, available, now),
        );
        if (role === undefined) continue;
        let batch = batches.get(fw.id);
        if (!batch) batches.set(fw.id, (batch = []));
        batch.push({ agentId: agent.id, role, resources: available });
        break;
      }
    }
    for (const [frameworkId, offers] of batches) this.host.offer(frameworkId, offers);
  }
}
