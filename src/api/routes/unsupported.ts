// Routes dockerd serves and Mesoswarm does not, answered with a 501 that names the docker command. Without them
// the path would read as something else (`POST /build/prune` is no route at all, and would get a bare 404).
import type { Route } from '../router.js';
import { notImplemented } from '../../errors.js';

function unsupported(command: string, why: string): Route['handler'] {
  return () => {
    throw notImplemented(`${command} is not supported by Mesoswarm yet: ${why}`);
  };
}

export const unsupportedRoutes: Route[] = [
  // BuildKit's cache: builds here use the classic builder, whose cache is the images `docker image prune` removes.
  {
    method: 'POST',
    pattern: '/build/prune',
    handler: unsupported('docker builder prune', 'run it against each engine directly'),
    query: {},
  },
];
