import type { WebSocket } from 'ws';
import { ERRORS } from '@scrapewatch/protocol';

/**
 * Every close of ours names its error code as the close reason. ws closes a socket whose message
 * passes maxPayload by itself, with 1009 and an empty reason, before it reports the error to us;
 * this makes that close carry MESSAGE_TOO_LARGE like the others.
 */
export function nameOversizeClose(ws: WebSocket): void {
  const close = ws.close.bind(ws);
  ws.close = (code?: number, reason?: string | Buffer) => {
    const unnamed = reason === undefined || reason.length === 0;
    close(
      code,
      code === ERRORS.MESSAGE_TOO_LARGE.wsClose && unnamed ? 'MESSAGE_TOO_LARGE' : reason,
    );
  };
}
