// Every route the API serves, in the order they are matched. New route files add their table here.
import type { Route } from '../router.js';
import { systemRoutes } from './system.js';
import { containerRoutes } from './containers.js';
import { execRoutes } from './exec.js';
import { imageRoutes } from './images.js';
import { buildRoutes } from './build.js';
import { pruneRoutes } from './prune.js';
import { networkRoutes } from './networks.js';
import { volumeRoutes } from './volumes.js';
import { unsupportedRoutes } from './unsupported.js';

export const apiRoutes: readonly Route[] = [
  ...systemRoutes,
  ...containerRoutes,
  ...execRoutes,
  ...imageRoutes,
  ...buildRoutes,
  ...pruneRoutes,
  ...networkRoutes,
  ...volumeRoutes,
  ...unsupportedRoutes,
];
