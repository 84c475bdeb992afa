// Routes dockerd serves and Mesoswarm does not yet, answered with a 501 that names the docker command. Without them
// a prune would read as a container, network or volume called "prune" and get a baffling 405 Method Not Allowed
// (`POST /containers/prune` matches `DELETE /containers/*name`), and `docker system df` a bare 404.
import type { Route } from '../router.js';
import { notImplemented } from '../../errors.js';

function unsupported(command: string, why: string): Route['handler'] {
  return () => {
    throw notImplemented(`${command} is not supported by Mesoswarm yet: ${why}`);
  };
}

const perEngine = 'run it against each engine directly';

export const unsupportedRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/containers/prune',
    handler: unsupported('docker container prune', 'remove the containers with docker rm'),
    query: {},
  },
  { method: 'POST', pattern: '/images/prune', handler: unsupported('docker image prune', perEngine), query: {} },
  { method: 'POST', pattern: '/networks/prune', handler: unsupported('docker network prune', perEngine), query: {} },
  { method: 'POST', pattern: '/volumes/prune', handler: unsupported('docker volume prune', perEngine), query: {} },
  { method: 'POST', pattern: '/build/prune', handler: unsupported('docker builder prune', perEngine), query: {} },
  { method: 'GET', pattern: '/system/df', handler: unsupported('docker system df', perEngine), query: {} },
];
