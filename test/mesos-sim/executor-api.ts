// The seam between a simulated agent and the executor that runs one task (the Docker containerizer plus
// mesos-docker-executor in `docker` mode, a stand-in in `sim` mode). The agent owns status-update plumbing, task
// bookkeeping and the "killed before delivery" case; an executor only reports what happened to its container.
import type { FrameworkInfoMsg, NetworkInfoMsg, TaskInfoMsg, TaskState } from './messages.js';

export interface ExecutorUpdate {
  state: TaskState;
  message?: string;
  reason?: string;
  /** TASK_RUNNING's `docker inspect` output (or how to make it, identically, each time the update is sent). */
  data?: Buffer | (() => Buffer);
  /** Set only when the container has its own address (BRIDGE/USER); otherwise the agent fills in its own IP. */
  networkInfos?: NetworkInfoMsg[];
  healthy?: boolean;
}

export interface ExecutorHost {
  /** The containerizer failed before any executor existed (image pull): TASK_FAILED from the agent. */
  launchFailed(message: string): void;
  /** The executor has registered; false when the task was killed meanwhile, in which case it must not start. */
  registered(): boolean;
  /** An update from the executor (SOURCE_EXECUTOR). */
  update(u: ExecutorUpdate): void;
  /** The `docker run` the executor ran (or would have run). */
  recordArgv(argv: string[]): void;
  /** The executor is gone; nothing more will be reported. */
  exited(): void;
}

export interface TaskLaunch {
  task: TaskInfoMsg;
  frameworkInfo: FrameworkInfoMsg;
  containerId: string;
  containerName: string;
  sandbox: string;
  allocationRole: string;
}

export interface TaskExecutor {
  start(): void;
  /** A KILL (or the max-completion timer): TASK_KILLING when allowed, `docker stop -t grace`, TASK_KILLED. */
  kill(graceSeconds: number): void;
  /** The framework is gone: stop the container without reporting anything. */
  shutdown(graceSeconds: number): void;
  /** Sim mode only: make the "container" exit with this code. */
  exit?(code: number): void;
}
