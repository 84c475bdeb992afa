// Owns one question about a port binding's host IP: does it bind every interface? Go's rule (an empty HostIp, or
// any spelling of the unspecified address: 0.0.0.0, ::, ::ffff:0.0.0.0, 0:0::0 …) without importing node:net.

export function bindsAllInterfaces(hostIp: string | undefined): boolean {
  return hostIp === undefined || hostIp === '' || isUnspecifiedAddress(hostIp);
}

function isUnspecifiedAddress(text: string): boolean {
  const v4 = parseIPv4(text);
  if (v4) return v4.every((byte) => byte === 0);
  const v6 = parseIPv6(text);
  if (!v6) return false;
  // Go's IsUnspecified: equal to :: or to 0.0.0.0 in its IPv4-mapped form ::ffff:0.0.0.0.
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return v6.every((b) => b === 0) || (mapped && v6.slice(12).every((b) => b === 0));
}

// Go 1.17+ net.ParseIP: four decimal octets, no leading zeros.
function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    bytes.push(Number(part));
  }
  return bytes;
}

function parseIPv6(text: string): number[] | undefined {
  let tail: number[] = [];
  let head = text;
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  if (text.slice(lastColon + 1).includes('.')) {
    // An embedded IPv4 tail (`::ffff:1.2.3.4`) stands for the last two groups.
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    const withColon = text.slice(0, lastColon + 1);
    head = withColon.endsWith('::') ? withColon : text.slice(0, lastColon);
  }
  const groupsWanted = (16 - tail.length) / 2;
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const left = parse(halves[0] ?? '');
  const right = halves.length === 2 ? parse(halves[1] ?? '') : [];
  const missing = groupsWanted - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  const bytes: number[] = [];
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
    const value = parseInt(group, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  return [...bytes, ...tail];
}
