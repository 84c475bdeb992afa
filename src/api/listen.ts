// Where the API listens (`-H` values) and the TLS material it serves with; parsed by the CLI, used by the server.

export type ListenAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/** The manager's TLS files (`--tlscert`, `--tlskey`, `--tlscacert`); also the client identity towards engines. */
export interface TlsFiles {
  /** `--tlsverify`: clients must present a certificate from the CA, and engines' certificates are verified. */
  readonly verify: boolean;
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | undefined;
}
