// `docker update` fields a Docker engine accepts and drops without a word. dockerd (20.10) applies only the
// resources it can change on a live container (CPU, memory, blkio weight, pids, restart policy); anything else in
// the body is answered 200 and not applied. The manager says so in the answer's Warnings, as dockerd does for a
// field it discards for lack of a kernel feature.
const NOT_UPDATED = [
  'CgroupParent',
  'BlkioWeightDevice',
  'BlkioDeviceReadBps',
  'BlkioDeviceWriteBps',
  'BlkioDeviceReadIOps',
  'BlkioDeviceWriteIOps',
  'Devices',
  'DeviceCgroupRules',
  'DeviceRequests',
  'KernelMemoryTCP',
  'MemorySwappiness',
  'OomKillDisable',
  'Ulimits',
  'CpuCount',
  'CpuPercent',
  'IOMaximumIOps',
  'IOMaximumBandwidth',
] as const;

/** One warning per field of `body` that asks for something the engine's update will not do. */
export function ignoredByUpdate(body: Record<string, unknown>, node: string): string[] {
  const out: string[] = [];
  for (const field of NOT_UPDATED) {
    const value = body[field];
    // The docker CLI sends every field, unset ones as zero values: only a value that asks for something counts.
    const asks =
      value !== undefined &&
      value !== null &&
      value !== '' &&
      value !== 0 &&
      value !== false &&
      !(Array.isArray(value) && value.length === 0) &&
      !(field === 'MemorySwappiness' && value === -1);
    if (asks) {
      out.push(`${field} was not changed: the engine on ${node} does not update it on a container (set it at create)`);
    }
  }
  return out;
}
