// Secrets the manager was given (the Mesos principal's secret, ZooKeeper credentials, the TLS private key) and the
// one place that blanks them out of text leaving the process: every log line and every error message to a client.
// Each secret is registered with the forms it can take on the way out (URL-encoded in an address, JSON-escaped in a
// log line, base64 in an Authorization header), so a message that quotes an address or a header still comes out
// clean.
const MASK = '***';
/** PEM body lines shorter than this are too generic to hunt for (the last line of a key can be a few characters). */
const MIN_LINE = 16;

export class Redactor {
  readonly #secrets = new Set<string>();

  /** Registers a secret (empty values are ignored). */
  add(secret: string | undefined): this {
    if (!secret) return this;
    for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
      if (form) this.#secrets.add(form);
    }
    return this;
  }

  /** Registers a private key file's content: the whole of it and each line of its body. */
  addKey(pem: Buffer | string | undefined): this {
    if (!pem) return this;
    const text = pem.toString();
    this.add(text.trim());
    for (const line of text.split(/\r?\n/)) {
      const body = line.trim();
      if (body.length >= MIN_LINE && !body.startsWith('-----')) this.add(body);
    }
    return this;
  }

  /** Registers HTTP Basic credentials: the secret, and the header token that carries it. */
  addBasic(principal: string, secret: string): this {
    this.add(secret);
    return this.add(Buffer.from(`${principal}:${secret}`, 'utf8').toString('base64'));
  }

  get size(): number {
    return this.#secrets.size;
  }

  scrub(text: string): string {
    if (this.#secrets.size === 0) return text;
    let out = text;
    for (const secret of this.#secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out;
  }
}
