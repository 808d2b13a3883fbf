/**
 * Browser origins are compared as scheme://host[:port] with scheme and host case-insensitive
 * (RFC 6454 serialises them in lower case), so `https://Grafana.Example.com` matches an allow-list
 * entry `https://grafana.example.com`; a trailing slash is ignored; "*" admits any. A request
 * without Origin is not from a browser page and is admitted (tokens still apply). The same rule
 * holds on /v1/ingest and /v1/stream.
 */
export function createOriginCheck(
  allowedOrigins: readonly string[],
): (origin: string | undefined) => boolean {
  const allowed = new Set(allowedOrigins.map(normaliseOrigin));
  const any = allowed.has('*');
  return (origin) => origin === undefined || any || allowed.has(normaliseOrigin(origin));
}

function normaliseOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}
