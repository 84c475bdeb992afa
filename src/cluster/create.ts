// The first steps of `docker create`, the same in both drivers: the name and image checked, the scheduling
// expressions moved from the environment into their labels and checked (a 400 names the bad one), an image named by
// 64 hex digits that is no image ID refused (images.ts), and a container
// asking for a node-local network pinned to that network's node (`node==` in its constraints label, as classic
// Swarm keeps constraints on the container, so the pin holds wherever the config is placed again). Without the pin
// placement picked any node and the create failed there with "network not found".
import type { Engine } from '../engine/engine.js';
import { badParameter } from '../errors.js';
import { refuseHexImageName } from './images.js';
import { extractSchedulingExpressions, validateSchedulingLabels } from '../scheduler/index.js';
import type { CreateBody } from './cluster.js';
import { validateContainerName } from './names.js';
import { pinToNetworkNode } from './networks.js';

/** The create body made ready for placement; throws the client's 400 (or the network lookup's error). */
export async function prepareCreate(
  body: CreateBody,
  name: string | undefined,
  /** Asked for only when the body names a network (a Mesos cluster may have thousands of engines). */
  engines: () => readonly Engine[],
  /** The engines whose images a 64-hex image name may be the ID of; undefined where none may (mesos mode). */
  imageHolders: (() => readonly Engine[]) | undefined,
): Promise<CreateBody> {
  if (name) validateContainerName(name);
  if (!body.Image) throw badParameter('Config cannot be empty in order to create a container');
  if (/^[a-f0-9]{64}$/.test(body.Image)) refuseHexImageName(body.Image, imageHolders?.());
  const moved = extractSchedulingExpressions({ Env: body.Env, Labels: body.Labels });
  validateSchedulingLabels(moved.Labels);
  const { config, node } = await pinToNetworkNode(engines, {
    ...body,
    Env: moved.Env ?? body.Env,
    Labels: moved.Labels,
  });
  if (!node) return config;
  const { Labels } = extractSchedulingExpressions({ Env: [`constraint:node==${node}`], Labels: config.Labels });
  return { ...config, Labels };
}
