// Where the API listens (`-H` values); parsed by the CLI, used by the server.

export type ListenAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };
