// The request bodies the API accepts, each a schema (./container.ts, ./other-bodies.ts) plus our own rules
// (./rules.ts), compiled once; routes declare them (router.ts `route`), and the server checks a body against its
// spec before the handler sees it (./body.ts says how). Query parameters: ./query.ts.
import { bodySpec } from './body.js';
import { ContainerConfig, ContainerCreate, ContainerUpdate } from './container.js';
import {
  AuthConfig,
  ExecCreate,
  ExecStart,
  NetworkConnect,
  NetworkCreate,
  NetworkDisconnect,
  VolumeCreate,
} from './other-bodies.js';
import { containerCreateRules, containerUpdateRules } from './rules.js';

export const bodies = {
  containerCreate: bodySpec(ContainerCreate, containerCreateRules),
  containerUpdate: bodySpec(ContainerUpdate, containerUpdateRules),
  commit: bodySpec(ContainerConfig),
  execCreate: bodySpec(ExecCreate),
  execStart: bodySpec(ExecStart),
  networkCreate: bodySpec(NetworkCreate),
  networkConnect: bodySpec(NetworkConnect),
  networkDisconnect: bodySpec(NetworkDisconnect),
  volumeCreate: bodySpec(VolumeCreate),
  auth: bodySpec(AuthConfig),
} as const;

export type { ContainerCreateBody, ContainerUpdateBody, ContainerConfigBody } from './container.js';
export type {
  AuthConfigBody,
  ExecCreateBody,
  ExecStartBody,
  NetworkConnectBody,
  NetworkCreateBody,
  NetworkDisconnectBody,
  VolumeCreateBody,
} from './other-bodies.js';
export { q, type QuerySpec } from './query.js';
export { parseBody, type BodySpec } from './body.js';
