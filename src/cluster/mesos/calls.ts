// The parts of the Mesos client the driver uses, as types: the stations take only the calls they make, so each
// can be driven by a fake in its unit tests, and the framework takes the whole client (events included) from
// whoever builds it.
import type { EventEmitter } from 'node:events';
import type { MesosSchedulerClient, SchedulerClientEvents } from '../../mesos/index.js';

export type MesosCalls = Pick<
  MesosSchedulerClient,
  'launch' | 'decline' | 'suppress' | 'revive' | 'kill' | 'reconcile' | 'acknowledge'
>;

export type FrameworkClient = MesosCalls &
  Pick<EventEmitter<SchedulerClientEvents>, 'on' | 'off'> &
  Pick<MesosSchedulerClient, 'start' | 'stop' | 'frameworkId' | 'masterUrl' | 'lastSubscribeError'>;
