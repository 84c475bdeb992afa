// Where a `docker build` runs in mesos mode: on the Docker engine of one of the framework's agents, chosen by the
// scheduler as a container's agent is (constraints and affinities from the build args, the strategy's ranking), and
// never on an engine the manager does not reach through Mesos. A build is not a task — Mesos cannot launch one — so
// it is placed on what each agent's engine has (its CPUs and memory less what our containers there reserve) rather
// than on held offers, which the framework gives back when nothing waits. The image is then on that agent, and a
// container placed with `affinity:image==<tag>` follows it there. The agents' engines are connected in the
// background (placing containers needs only offers), so a build right after an agent appears waits for its engine.
const ENGINE_SETTLE_MS = 10_000;
import type { BuildTarget } from '../cluster.js';
import type { Scheduler, NodeView, PlacementRequest } from '../../scheduler/index.js';
import type { Agent } from './agents.js';
import type { Engine } from '../../engine/engine.js';
import type { AgentSnapshot } from './board.js';
import { unavailable } from '../../errors.js';

export async function buildTarget(
  agentsNow: () => readonly Agent[],
  snapshotOf: (agentId: string) => AgentSnapshot,
  scheduler: Scheduler,
  request: PlacementRequest,
): Promise<BuildTarget> {
  await connected(agentsNow().map((a) => a.engine));
  const agents = agentsNow();
  if (!agents.length) throw unavailable('No healthy node available in the cluster');
  const views = agents.map((agent) => engineView(agent, snapshotOf(agent.id)));
  const [best] = scheduler.select(views, request).top(1);
  const agent = agents.find((a) => a.id === best!.id)!;
  return { engine: agent.engine, node: best!.name };
}

/** Resolves once no engine is still making its first connection, or after ENGINE_SETTLE_MS. */
function connected(engines: readonly Engine[]): Promise<void> {
  const pending = () => engines.filter((e) => e.state === 'pending');
  if (!pending().length) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const engine of engines) engine.off('state', check);
      resolve();
    };
    const check = () => {
      if (!pending().length) done();
    };
    const timer = setTimeout(done, ENGINE_SETTLE_MS);
    for (const engine of engines) engine.on('state', check);
  });
}

function engineView(agent: Agent, snapshot: AgentSnapshot): NodeView {
  const engine = agent.engine;
  let usedCpus = 0;
  let usedMemory = 0;
  for (const container of snapshot.containers) {
    usedCpus += container.cpus;
    usedMemory += container.memory;
  }
  return {
    id: snapshot.id,
    name: snapshot.name,
    addr: snapshot.addr,
    labels: snapshot.labels,
    // A lost agent, or one whose engine the manager cannot reach, is not a place to build.
    healthIndicator: agent.active && engine.isHealthy ? engine.healthIndicator : 0,
    totalCpus: engine.cpus,
    totalMemory: engine.memory,
    usedCpus,
    usedMemory,
    containers: snapshot.containers,
    images: snapshot.images,
  };
}
