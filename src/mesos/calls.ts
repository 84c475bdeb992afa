// The scheduler client's surface: the typed events it emits (one per Mesos event, unwrapped) and the typed calls
// it sends. The stream, the reconnect policy and how a call reaches the master are the client's (client.ts); this
// is the shape an owner programs against, and what a fake of the client implements.
import { EventEmitter } from 'node:events';
import type { DetectedMaster } from './detector.js';
import { describe, type MesosFatalError } from './errors.js';
import type { CallResult } from './http.js';
import type { Logger } from './logger.js';
import type { SubscriptionEnd } from './subscription.js';
import type {
  AgentID,
  Call,
  CallBodies,
  CallType,
  Event,
  ExecutorID,
  FailureEvent,
  Filters,
  FrameworkInfo,
  InverseOffer,
  KillPolicy,
  MasterInfo,
  MessageEvent,
  Offer,
  OfferID,
  Operation,
  OperationStatus,
  ReconcileTask,
  TaskInfo,
  TaskStatus,
} from './types.js';

export interface SubscribedInfo {
  frameworkId: string;
  streamId: string;
  /** The scheduler endpoint of the master this stream is on (after redirects). */
  master: string;
  masterInfo?: MasterInfo;
  heartbeatIntervalSeconds?: number;
  /** True when the subscription carried a framework ID (failover or reconnect), false on first registration. */
  resubscribed: boolean;
}

export interface DisconnectedInfo {
  /** How the stream ended: a SubscriptionEnd kind. */
  reason: SubscriptionEnd['kind'];
  /** A human-readable detail. */
  detail: string;
}

/** The typed events. `masterError` is the ERROR event (named so to keep EventEmitter's special 'error' free). */
export interface SchedulerClientEvents {
  /** A stream is subscribed and calls can be made. Always alternates with `disconnected`. */
  subscribed: [info: SubscribedInfo];
  /** The subscribed stream ended; outstanding offers are void. The client re-subscribes unless stopped. */
  disconnected: [info: DisconnectedInfo];
  offers: [offers: Offer[]];
  inverseOffers: [offers: InverseOffer[]];
  /** The offer (by ID value) is withdrawn. */
  rescind: [offerId: string];
  rescindInverseOffer: [inverseOfferId: string];
  /** A task status. Acknowledge it with `acknowledge(status)` after processing it (a no-op without uuid). */
  update: [status: TaskStatus];
  operationUpdate: [status: OperationStatus];
  message: [message: MessageEvent['message']];
  failure: [failure: FailureEvent['failure']];
  /** The master sent ERROR; the stream is over. Followed by re-subscribe or by `fatal`. */
  masterError: [message: string];
  heartbeat: [];
  /** Every event as received, before the typed event (for tracing and metrics). */
  event: [event: Event];
  /** The detected leader changed (null: none). */
  leader: [leader: DetectedMaster | null];
  /** The client stopped for good; the owner must act (e.g. forget a removed framework ID). */
  fatal: [error: MesosFatalError];
}

type IdLike = string | { value: string };
const toId = (id: IdLike): { value: string } => (typeof id === 'string' ? { value: id } : { value: id.value });

export abstract class SchedulerCalls extends EventEmitter<SchedulerClientEvents> {
  /** Roles suppressed through suppress()/revive(), carried by every re-subscription. */
  protected readonly suppressed: Set<string>;
  protected abstract readonly logger: Logger;
  readonly #frameworkInfo: FrameworkInfo;

  constructor(frameworkInfo: FrameworkInfo, suppressedRoles: readonly string[]) {
    super();
    this.#frameworkInfo = frameworkInfo;
    this.suppressed = new Set(suppressedRoles);
  }

  /** Sends any call on the current stream's behalf. */
  abstract call(call: Call): Promise<CallResult>;

  protected send<T extends CallType>(type: T, fields: CallBodies[T]): Promise<CallResult> {
    return this.call({ type, ...fields } as Call);
  }

  /** ACCEPT: runs `operations` against the offers (one agent, one role); unused resources count as declined. */
  async accept(offerIds: IdLike[], operations: Operation[], filters?: Filters): Promise<void> {
    await this.send('ACCEPT', {
      accept: { offer_ids: offerIds.map(toId), operations, ...(filters ? { filters } : {}) },
    });
  }

  /** ACCEPT with one LAUNCH of `tasks`. */
  launch(offerIds: IdLike[], tasks: TaskInfo[], filters?: Filters): Promise<void> {
    return this.accept(offerIds, [{ type: 'LAUNCH', launch: { task_infos: tasks } }], filters);
  }

  async decline(offerIds: IdLike[], filters?: Filters): Promise<void> {
    await this.send('DECLINE', { decline: { offer_ids: offerIds.map(toId), ...(filters ? { filters } : {}) } });
  }

  /** REVIVE the given roles (all the framework's roles when omitted) and remember them as no longer suppressed. */
  async revive(roles?: string[]): Promise<void> {
    await this.send('REVIVE', { revive: roles && roles.length > 0 ? { roles } : {} });
    if (roles && roles.length > 0) for (const role of roles) this.suppressed.delete(role);
    else this.suppressed.clear();
  }

  /** SUPPRESS offers for the given roles (all the framework's roles when omitted), kept across re-subscribes. */
  async suppress(roles?: string[]): Promise<void> {
    await this.send('SUPPRESS', { suppress: roles && roles.length > 0 ? { roles } : {} });
    for (const role of roles && roles.length > 0 ? roles : this.#frameworkRoles()) this.suppressed.add(role);
  }

  #frameworkRoles(): string[] {
    const info = this.#frameworkInfo;
    return info.roles && info.roles.length > 0 ? info.roles : [info.role ?? '*'];
  }

  /** KILL; `killPolicy` overrides the task's own grace period. Safe to repeat. */
  async kill(taskId: IdLike, agentId?: IdLike, killPolicy?: KillPolicy): Promise<void> {
    await this.send('KILL', {
      kill: {
        task_id: toId(taskId),
        ...(agentId !== undefined ? { agent_id: toId(agentId) } : {}),
        ...(killPolicy ? { kill_policy: killPolicy } : {}),
      },
    });
  }

  async shutdown(executorId: IdLike, agentId: IdLike): Promise<void> {
    await this.send('SHUTDOWN', { shutdown: { executor_id: toId(executorId) as ExecutorID, agent_id: toId(agentId) } });
  }

  /**
   * ACKNOWLEDGE a status update, echoing its agent_id, task_id and uuid exactly. Updates without a uuid (generated by
   * the master: reconciliation answers, validation errors, agent-loss notices) must not be acknowledged, so this
   * resolves false without sending anything for them. Resolves true when the ACK was accepted.
   */
  async acknowledge(status: TaskStatus): Promise<boolean> {
    if (!status.uuid) return false;
    if (!status.agent_id)
      throw new TypeError(`cannot acknowledge task ${status.task_id.value}: update has no agent_id`);
    await this.send('ACKNOWLEDGE', {
      acknowledge: { agent_id: status.agent_id as AgentID, task_id: status.task_id, uuid: status.uuid },
    });
    return true;
  }

  /** ACKNOWLEDGE_OPERATION_STATUS; like acknowledge(), a no-op for statuses without uuid. */
  async acknowledgeOperationStatus(status: OperationStatus): Promise<boolean> {
    if (!status.uuid?.value || !status.operation_id) return false;
    await this.send('ACKNOWLEDGE_OPERATION_STATUS', {
      acknowledge_operation_status: {
        ...(status.agent_id ? { agent_id: status.agent_id } : {}),
        ...(status.resource_provider_id ? { resource_provider_id: status.resource_provider_id } : {}),
        uuid: status.uuid.value,
        operation_id: status.operation_id,
      },
    });
    return true;
  }

  /** RECONCILE: explicit for the given tasks, implicit (every task the master knows) for an empty list. */
  async reconcile(tasks: ReconcileTask[] = []): Promise<void> {
    await this.send('RECONCILE', { reconcile: { tasks } });
  }

  async message(agentId: IdLike, executorId: IdLike, data: string | Uint8Array): Promise<void> {
    const encoded = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    await this.send('MESSAGE', {
      message: { agent_id: toId(agentId), executor_id: toId(executorId), data: encoded.toString('base64') },
    });
  }

  /** ACCEPT_INVERSE_OFFERS / DECLINE_INVERSE_OFFERS. */
  async acceptInverseOffers(ids: IdLike[], filters?: Filters): Promise<void> {
    await this.send('ACCEPT_INVERSE_OFFERS', {
      accept_inverse_offers: { inverse_offer_ids: ids.map(toId) as OfferID[], ...(filters ? { filters } : {}) },
    });
  }

  async declineInverseOffers(ids: IdLike[], filters?: Filters): Promise<void> {
    await this.send('DECLINE_INVERSE_OFFERS', {
      decline_inverse_offers: { inverse_offer_ids: ids.map(toId), ...(filters ? { filters } : {}) },
    });
  }

  protected dispatch(event: Event): void {
    this.safeEmit('event', event);
    switch (event.type) {
      case 'OFFERS':
        this.safeEmit('offers', event.offers?.offers ?? []);
        break;
      case 'INVERSE_OFFERS':
        this.safeEmit('inverseOffers', event.inverse_offers?.inverse_offers ?? []);
        break;
      case 'RESCIND':
        this.safeEmit('rescind', event.rescind.offer_id.value);
        break;
      case 'RESCIND_INVERSE_OFFER':
        this.safeEmit('rescindInverseOffer', event.rescind_inverse_offer.inverse_offer_id.value);
        break;
      case 'UPDATE':
        this.safeEmit('update', event.update.status);
        break;
      case 'UPDATE_OPERATION_STATUS':
        this.safeEmit('operationUpdate', event.update_operation_status.status);
        break;
      case 'MESSAGE':
        this.safeEmit('message', event.message);
        break;
      case 'FAILURE':
        this.safeEmit('failure', event.failure);
        break;
      case 'HEARTBEAT':
        this.safeEmit('heartbeat');
        break;
      default:
        this.logger.debug({ type: (event as { type: string }).type }, 'mesos event of unknown type ignored');
    }
  }

  /** A listener that throws must not break the stream or skip later events. */
  protected safeEmit<K extends keyof SchedulerClientEvents>(name: K, ...args: SchedulerClientEvents[K]): void {
    try {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      (this.emit as (name: K, ...args: any[]) => boolean)(name, ...args);
    } catch (err) {
      this.logger.error({ err: describe(err), event: name }, 'mesos client listener threw');
    }
  }
}
