// Docker engine addresses as the manager stores them: `tcp://host:port` or `unix:///path`. Discovery entries and
// `-H` values arrive in looser forms (`host:port`, `tcp://host:port/`), and are normalised here once.

export type EngineAddress = string;

export function normalizeEngineAddress(raw: string): EngineAddress {
  const text = raw.trim();
  if (text === '') throw new Error('empty engine address');
  if (text.startsWith('unix://')) {
    const path = text.slice('unix://'.length);
    if (!path.startsWith('/')) throw new Error(`invalid engine address "${raw}": unix socket path must be absolute`);
    return `unix://${path}`;
  }
  const withoutScheme = text.replace(/^(tcp|http|https):\/\//, '').replace(/\/+$/, '');
  const { host, port } = splitHostPort(withoutScheme, raw);
  return `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** `port` 0 is accepted only when `anyPort` (a listener asking the OS for a free port). */
export function splitHostPort(text: string, original = text, anyPort = false): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:/]+)):(\d+)$/.exec(text);
  if (!match) throw new Error(`invalid address "${original}": expected host:port`);
  const port = Number(match[3]);
  if (port < (anyPort ? 0 : 1) || port > 65535) throw new Error(`invalid address "${original}": port out of range`);
  return { host: (match[1] ?? match[2])!, port };
}
