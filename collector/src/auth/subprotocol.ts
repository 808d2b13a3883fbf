import { STREAM_SUBPROTOCOL } from '@scrapewatch/protocol';

/**
 * Browsers cannot set headers on a WebSocket, so a token may travel as the `bearer.<token>`
 * subprotocol, offered together with `scrapewatch.v1`. The server echoes `scrapewatch.v1` and
 * never the bearer entry: an echoed token would be sent back in a response header. Offering the
 * bearer entry alone is refused (SUBPROTOCOL_REQUIRED): the handshake could only succeed by echoing
 * the token. The same rules hold on /v1/ingest and /v1/stream.
 */
const BEARER_PREFIX = 'bearer.';

export function offeredSubprotocols(header: string | string[] | undefined): string[] {
  if (typeof header !== 'string') return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** The token offered as the `bearer.<token>` subprotocol, if any. */
export function bearerSubprotocol(header: string | string[] | undefined): string | undefined {
  const offered = offeredSubprotocols(header).find(
    (p) => p.startsWith(BEARER_PREFIX) && p.length > BEARER_PREFIX.length,
  );
  return offered?.slice(BEARER_PREFIX.length);
}

/** True when a bearer entry is offered without `scrapewatch.v1` (refuse with SUBPROTOCOL_REQUIRED). */
export function bearerWithoutStreamSubprotocol(header: string | string[] | undefined): boolean {
  const offered = offeredSubprotocols(header);
  return offered.some((p) => p.startsWith(BEARER_PREFIX)) && !offered.includes(STREAM_SUBPROTOCOL);
}

/** For ws's handleProtocols: `scrapewatch.v1` when offered; nothing else is ever echoed. */
export function selectSubprotocol(protocols: Set<string>): string | false {
  return protocols.has(STREAM_SUBPROTOCOL) ? STREAM_SUBPROTOCOL : false;
}
