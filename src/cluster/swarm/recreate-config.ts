// The create body that makes a container again on another engine, read back from its inspect data (classic Swarm
// kept the container's config for this; here the engine's copy is the record). Same config and labels (the Swarm ID
// label too), same HostConfig, the primary network's endpoint settings; without what dockerd derived for the old
// copy: its hostname (the old short ID, unless `-h` set one) and its own short ID among the network aliases. A
// CpuShares the driver turned into the old engine's real shares is read back as the CPUs asked for, so placement
// reserves what the client asked, not a number of shares.
import type { ContainerDetails } from '../../engine/engine.js';
import type { CreateBody } from '../cluster.js';
import { engineSharesAsCpus, type CpuSharesMeaning } from '../cpu-shares.js';

const BUILT_IN_NETWORKS = new Set(['default', 'bridge', 'host', 'none']);

export function recreateConfig(details: ContainerDetails, engineCpus: number, meaning: CpuSharesMeaning): CreateBody {
  const shortId = details.Id.slice(0, 12);
  const { Hostname, ...config } = details.Config as unknown as Record<string, unknown> & { Hostname?: string };
  const host = { ...(details.HostConfig as unknown as Record<string, unknown>) };
  const shares = Number(host.CpuShares ?? 0);
  if (meaning === 'cpus' && !(Number(host.NanoCpus ?? 0) > 0) && shares > 0) {
    host.CpuShares = engineSharesAsCpus(shares, engineCpus, meaning);
  }
  const body: Record<string, unknown> = { ...config, HostConfig: host };
  if (Hostname && Hostname !== shortId) body.Hostname = Hostname;
  const mode = String(host.NetworkMode ?? '');
  const endpoint = details.NetworkSettings?.Networks?.[mode] as
    { Aliases?: string[] | null; IPAMConfig?: unknown; Links?: string[] | null } | undefined;
  if (endpoint && !BUILT_IN_NETWORKS.has(mode) && !mode.startsWith('container:')) {
    body.NetworkingConfig = {
      EndpointsConfig: {
        [mode]: {
          Aliases: (endpoint.Aliases ?? []).filter((alias) => alias !== shortId),
          IPAMConfig: endpoint.IPAMConfig ?? undefined,
          Links: endpoint.Links ?? undefined,
        },
      },
    };
  }
  return body as CreateBody;
}
