// The scheduler events the master sends, built in proto declaration order (the order the real master writes):
// SUBSCRIBED with MasterInfo, OFFERS in the nested `{"offers":{"offers":[…]}}` shape, RESCIND, UPDATE, FAILURE,
// ERROR (`{"error":{"message":…}}`), and the master-generated TaskStatus (SOURCE_MASTER, no uuid).
import { packIpv4 } from './ids.js';
import type { AttributeValue } from './agent.js';
import type { TaskState } from './messages.js';
import type { ResourceBag } from './resources.js';
import { dbl, timestampSeconds } from './wire-json.js';

export interface MasterIdentity {
  id: string;
  hostname: string;
  ip: string;
  port: number;
  version: string;
}

export const MASTER_CAPABILITIES = [{ type: 'AGENT_UPDATE' }, { type: 'AGENT_DRAINING' }, { type: 'QUOTA_V2' }];

export function masterInfo(m: MasterIdentity): Record<string, unknown> {
  return {
    id: m.id,
    ip: packIpv4(m.ip),
    port: m.port,
    pid: `master@${m.ip}:${m.port}`,
    hostname: m.hostname,
    version: m.version,
    address: { hostname: m.hostname, ip: m.ip, port: m.port },
    capabilities: MASTER_CAPABILITIES,
  };
}

/** The ZooKeeper node's content: the same MasterInfo with keys sorted (stout's JSON object is a std::map). */
export function masterInfoZkJson(m: MasterIdentity): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sortKeys(masterInfo(m)));
}

export const subscribedEvent = (frameworkId: string, heartbeatSeconds: number, m: MasterIdentity) => ({
  type: 'SUBSCRIBED',
  subscribed: {
    framework_id: { value: frameworkId },
    heartbeat_interval_seconds: dbl(heartbeatSeconds),
    master_info: masterInfo(m),
  },
});

export const errorEvent = (message: string) => ({ type: 'ERROR', error: { message } });
export const rescindEvent = (offerId: string) => ({ type: 'RESCIND', rescind: { offer_id: { value: offerId } } });
export const failureEvent = (agentId: string) => ({ type: 'FAILURE', failure: { agent_id: { value: agentId } } });
export const updateEvent = (status: Record<string, unknown>) => ({ type: 'UPDATE', update: { status } });

export interface OfferAgent {
  id: string;
  hostname: string;
  ip: string;
  port: number;
  attributes: readonly AttributeValue[];
}

export function attributeJson(a: AttributeValue): Record<string, unknown> {
  switch (a.type) {
    case 'TEXT':
      return { name: a.name, type: a.type, text: { value: a.text } };
    case 'SCALAR':
      return { name: a.name, type: a.type, scalar: { value: dbl(a.scalar) } };
    case 'RANGES':
      return { name: a.name, type: a.type, ranges: { range: a.ranges.map(([begin, end]) => ({ begin, end })) } };
    case 'SET':
      return { name: a.name, type: a.type, set: { item: a.set } };
  }
}

export function offerJson(o: {
  id: string;
  frameworkId: string;
  agent: OfferAgent;
  role: string;
  resources: ResourceBag;
  multiRole: boolean;
  reservationRefinement: boolean;
}): Record<string, unknown> {
  return {
    id: { value: o.id },
    framework_id: { value: o.frameworkId },
    agent_id: { value: o.agent.id },
    hostname: o.agent.hostname,
    url: {
      scheme: 'http',
      address: { hostname: o.agent.hostname, ip: o.agent.ip, port: o.agent.port },
      path: '/slave(1)',
    },
    resources: o.resources.toProto({
      role: o.role,
      withRole: !o.reservationRefinement,
      withAllocationInfo: o.multiRole,
    }),
    attributes: o.agent.attributes.length > 0 ? o.agent.attributes.map(attributeJson) : undefined,
    allocation_info: o.multiRole ? { role: o.role } : undefined,
  };
}

export const offersEvent = (offers: Record<string, unknown>[]) => ({ type: 'OFFERS', offers: { offers } });

/** A TaskStatus made by the master: SOURCE_MASTER and never a uuid, so it must not be acknowledged. */
export function masterStatus(f: {
  taskId: string;
  state: TaskState;
  message: string;
  reason: string;
  agentId?: string;
  executorId?: string;
  healthy?: boolean;
  containerStatus?: Record<string, unknown>;
  unreachableTime?: bigint;
}): Record<string, unknown> {
  return {
    task_id: { value: f.taskId },
    state: f.state,
    message: f.message,
    source: 'SOURCE_MASTER',
    reason: f.reason,
    agent_id: f.agentId === undefined ? undefined : { value: f.agentId },
    executor_id: f.executorId === undefined ? undefined : { value: f.executorId },
    timestamp: dbl(timestampSeconds()),
    healthy: f.healthy,
    container_status: f.containerStatus,
    unreachable_time: f.unreachableTime === undefined ? undefined : { nanoseconds: f.unreachableTime },
  };
}
