// How bytes reach one Docker daemon: a keep-alive agent (plain, TLS or unix socket) shared by dockerode's
// structured calls and by the raw proxying of streams, so an engine costs one connection pool, not one per request.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { inspect } from 'node:util';
import type { TlsFiles } from '../util/tls.js';
import { splitHostPort } from '../discovery/address.js';

export interface EngineTransport {
  readonly address: string;
  readonly agent: http.Agent;
  /** Options for node:http(s).request without method, path or headers. */
  readonly requestBase: http.RequestOptions;
  /** dockerode constructor options. */
  readonly dockerodeOptions: Record<string, unknown>;
  readonly secure: boolean;
  /** A fresh raw connection, for hijacked streams that leave HTTP behind. */
  connect(): net.Socket;
  request(options: http.RequestOptions): http.ClientRequest;
  close(): void;
}

export function createTransport(address: string, clientTls: TlsFiles | undefined): EngineTransport {
  if (address.startsWith('unix://')) {
    const socketPath = address.slice('unix://'.length);
    const agent = briefly(new http.Agent({ keepAlive: true, maxFreeSockets: 16 }), address);
    return {
      address,
      agent,
      secure: false,
      requestBase: { socketPath, agent },
      dockerodeOptions: { socketPath, agent },
      connect: () => net.connect({ path: socketPath }),
      request: (options) => http.request({ socketPath, agent, ...options }),
      close: () => agent.destroy(),
    };
  }
  const { host, port } = splitHostPort(address.replace(/^tcp:\/\//, ''), address);
  if (clientTls) {
    const tlsOptions: tls.ConnectionOptions = {
      cert: clientTls.cert,
      key: clientTls.key,
      ca: clientTls.ca,
      rejectUnauthorized: clientTls.verify,
      minVersion: 'TLSv1.2',
      ALPNProtocols: ['http/1.1'],
    };
    const agent = briefly(new https.Agent({ keepAlive: true, maxFreeSockets: 16, ...tlsOptions }), address);
    return {
      address,
      agent,
      secure: true,
      requestBase: { host, port, agent, protocol: 'https:' },
      dockerodeOptions: { host, port, protocol: 'https', agent },
      connect: () => tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...tlsOptions }),
      request: (options) => https.request({ host, port, agent, ...options }),
      close: () => agent.destroy(),
    };
  }
  const agent = briefly(new http.Agent({ keepAlive: true, maxFreeSockets: 16 }), address);
  return {
    address,
    agent,
    secure: false,
    requestBase: { host, port, agent },
    dockerodeOptions: { host, port, protocol: 'http', agent },
    connect: () => net.connect({ host, port }),
    request: (options) => http.request({ host, port, agent, ...options }),
    close: () => agent.destroy(),
  };
}

/**
 * dockerode's modem formats every request it sends with `util.inspect(options, { showHidden: true, depth: null })`
 * for its debug log, even when that log is off; the options hold this agent, and through it every socket's object
 * graph. A one-line inspection keeps that string (and its cost) small: with a daemon per Mesos agent it was a
 * constant share of the manager's CPU.
 */
function briefly<A extends http.Agent>(agent: A, address: string): A {
  Object.defineProperty(agent, inspect.custom, { value: () => `Agent(${address})` });
  return agent;
}
