// The manager's TLS material (`--tlscert`, `--tlskey`, `--tlscacert`), read once by the CLI: the API serves with it,
// and it is the client identity the manager presents to engines. Here, below both, so neither imports the other.

export interface TlsFiles {
  /** `--tlsverify`: clients must present a certificate from the CA, and engines' certificates are verified. */
  readonly verify: boolean;
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | undefined;
}
