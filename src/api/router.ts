// Route table: method + path pattern → handler. `:name` matches one segment; `*name` matches one or more (container
// references may be `node/name`, which the docker CLI puts in the path unescaped, as classic Swarm's routes allowed).
import type { Context } from './context.js';
import type { Hijack } from './context.js';
import { badParameter } from '../errors.js';
import type { BodySpec } from './schema/body.js';
import type { QuerySpec } from './schema/query.js';

/** A route's handler; `body` is the checked JSON body when the route declares one (see `route`). */
export type Handler = (ctx: Context, body: never) => Promise<void> | void;

export interface Route {
  readonly method: string;
  readonly pattern: string;
  readonly handler: Handler;
  /** For attach and exec start: the handler that takes over the raw connection on `Upgrade: tcp`. */
  readonly hijack?: Hijack;
  /** The query parameters it reads, checked before the handler runs; only these reach it (./schema/query.ts). */
  readonly query?: QuerySpec;
  /** Its JSON body, read and checked before the handler runs and handed to it (./schema/body.ts). */
  readonly body?: BodySpec<unknown>;
}

/** A route whose handler gets its body typed as its schema says. */
export function route<T = undefined>(
  spec: Omit<Route, 'handler' | 'body'> & { readonly body?: BodySpec<T> },
  handler: (ctx: Context, body: T) => Promise<void> | void,
): Route {
  return { ...spec, body: spec.body as BodySpec<unknown> | undefined, handler: handler as Handler };
}

interface Compiled extends Route {
  readonly regex: RegExp;
  readonly names: readonly string[];
}

export interface Match {
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
}

export class Router {
  readonly #byMethod = new Map<string, Compiled[]>();

  add(route: Route): void {
    const names: string[] = [];
    const source = route.pattern
      .split('/')
      .map((segment) => {
        if (segment.startsWith(':')) {
          names.push(segment.slice(1));
          return '([^/]+)';
        }
        if (segment.startsWith('*')) {
          names.push(segment.slice(1));
          return '(.+?)';
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    const list = this.#byMethod.get(route.method) ?? [];
    list.push({ ...route, regex: new RegExp(`^${source}/?$`), names });
    this.#byMethod.set(route.method, list);
  }

  /** The route for `method path`, or `'method'` when the path exists for other methods only. */
  match(method: string, path: string): Match | 'method' | undefined {
    const found = this.#find(method === 'HEAD' ? ['HEAD', 'GET'] : [method], path);
    if (found) return found;
    for (const other of this.#byMethod.keys()) if (this.#find([other], path)) return 'method';
    return undefined;
  }

  #find(methods: string[], path: string): Match | undefined {
    for (const method of methods) {
      for (const route of this.#byMethod.get(method) ?? []) {
        const m = route.regex.exec(path);
        if (!m) continue;
        const params: Record<string, string> = {};
        route.names.forEach((name, i) => {
          params[name] = decodeParam(m[i + 1]!);
        });
        return { route, params };
      }
    }
    return undefined;
  }
}

/** A path segment as the client meant it; a malformed escape (`%ZZ`) is the client's mistake, so a 400. */
function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badParameter(`invalid escape in request path: ${raw}`);
  }
}
