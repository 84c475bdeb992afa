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
    if (asks(field, value)) {
      out.push(`${field} was not changed: the engine on ${node} does not update it on a container (set it at create)`);
    }
  }
  return out;
}

/** Whether an update body asks the engine for anything beyond `except` (its other fields all zero values). */
export function asksForAnything(body: Record<string, unknown>, except: readonly string[]): boolean {
  return Object.entries(body).some(([field, value]) => !except.includes(field) && asks(field, value));
}

/** The docker CLI sends every field, unset ones as zero values: only a value that asks for something counts. */
function asks(field: string, value: unknown): boolean {
  return (
    value !== undefined &&
    value !== null &&
    value !== '' &&
    value !== 0 &&
    value !== false &&
    !(Array.isArray(value) && value.length === 0) &&
    !(typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => !asks('', v))) &&
    !(field === 'MemorySwappiness' && value === -1)
  );
}
