// Owns splitting an image reference into repository and tag, the way classic Swarm's ParseRepositoryTag does
// (`redis:7` → `redis`, `host:5000/app` → itself, `app@sha256:…` → `app`).

export function repositoryOf(reference: string): string {
  const at = reference.indexOf('@');
  if (at >= 0) return reference.slice(0, at);
  const colon = reference.lastIndexOf(':');
  if (colon < 0) return reference;
  // A `:` followed by a `/` belongs to a registry host:port, not to a tag.
  return reference.slice(colon + 1).includes('/') ? reference : reference.slice(0, colon);
}
