// Which failures of a call say something about the engine, and so count towards marking it Unhealthy. Only these
// do: the engine could not be reached or stopped answering (refused, reset, unreachable, timed out, a broken TLS
// handshake or HTTP stream). Everything else a call can fail with is about the request or about us (a body that
// cannot be serialized, a stack overflow, an invalid header, no file descriptors left, the client hanging up), and
// one client's bad requests must never take a node out of the cluster for everyone.
const ENGINE_FAULT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT', // a unix socket that is not there
  'EPROTO',
  'UND_ERR_SOCKET',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

export function engineFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  // A malformed answer (HPE_*) or a certificate the engine cannot prove (ERR_TLS_*, CERT_*, …SIGNATURE) is the
  // engine's side too.
  return ENGINE_FAULT_CODES.has(code) || /^(HPE_|ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(code);
}
