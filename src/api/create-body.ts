// The shape of a `POST /containers/create` body, checked before any driver reads it. dockerd refuses a field of the
// wrong JSON type outright; the manager reads several fields itself (labels and environment for scheduling,
// resources and ports for placement), and without this check a wrong type would be misread instead of refused
// (a string `Labels` spread into `{"0": …}`, a string `Env` scanned letter by letter).
import { badParameter } from '../errors.js';
import type { CreateBody } from '../cluster/cluster.js';

type Check = (value: unknown) => boolean;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || v === null || check(v);
const string: Check = (v) => typeof v === 'string';
const number: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const boolean: Check = (v) => typeof v === 'boolean';
const strings: Check = (v) => Array.isArray(v) && v.every((item) => typeof item === 'string');
const stringOrStrings: Check = (v) => string(v) || strings(v);
const stringMap: Check = (v) => isObject(v) && Object.values(v).every((item) => typeof item === 'string');
const object: Check = (v) => isObject(v);
const portBindings: Check = (v) =>
  isObject(v) && Object.values(v).every((list) => list === null || (Array.isArray(list) && list.every(isObject)));

/** Field → [check, what the client should have sent]. Only fields the manager itself reads are listed. */
const TOP_LEVEL: Record<string, [Check, string]> = {
  Image: [optional(string), 'a string'],
  Env: [optional(strings), 'an array of strings'],
  Labels: [optional(stringMap), 'an object of strings'],
  Cmd: [optional(stringOrStrings), 'a string or an array of strings'],
  Entrypoint: [optional(stringOrStrings), 'a string or an array of strings'],
  ExposedPorts: [optional(object), 'an object'],
  NetworkingConfig: [optional(object), 'an object'],
  CpuShares: [optional(number), 'a number'],
  HostConfig: [optional(object), 'an object'],
};

const HOST_CONFIG: Record<string, [Check, string]> = {
  CpuShares: [optional(number), 'a number'],
  NanoCpus: [optional(number), 'a number'],
  Memory: [optional(number), 'a number'],
  NetworkMode: [optional(string), 'a string'],
  PortBindings: [optional(portBindings), 'an object of binding lists'],
  Links: [optional(strings), 'an array of strings'],
  VolumesFrom: [optional(strings), 'an array of strings'],
  AutoRemove: [optional(boolean), 'a boolean'],
};

/** Throws a 400 naming the first field of the wrong type. */
export function checkCreateBody(body: CreateBody): void {
  for (const [field, [check, expected]] of Object.entries(TOP_LEVEL)) {
    if (!check(body[field])) throw badParameter(`invalid ${field}: expected ${expected}`);
  }
  const host = body.HostConfig;
  if (!isObject(host)) return;
  for (const [field, [check, expected]] of Object.entries(HOST_CONFIG)) {
    if (!check(host[field])) throw badParameter(`invalid HostConfig.${field}: expected ${expected}`);
  }
}
