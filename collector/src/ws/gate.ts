import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { ERRORS, ScrapewatchError, type ErrorCode } from '@scrapewatch/protocol';
import {
  bearerSubprotocol,
  bearerWithoutStreamSubprotocol,
  selectSubprotocol,
} from '../auth/subprotocol';
import { bearerToken } from '../auth/tokens';
import { nameOversizeClose } from './close-reason';
import { createOriginCheck } from './origin';
import { rejectUpgrade } from './reject';

export interface WsGateOptions {
  /** Browser origins allowed to open the endpoint (see createOriginCheck). */
  readonly allowedOrigins: readonly string[];
  /** Sockets held at once, counting those still in their close handshake. */
  readonly maxConnections: number;
  /** The code refusing an upgrade past maxConnections (503 with Retry-After). */
  readonly capacityCode: ErrorCode;
  /** Ping period; a peer that has not answered the previous ping (nor sent anything) is terminated. */
  readonly heartbeatIntervalMs: number;
  /** Largest inbound message; a larger one closes the socket with 1009 MESSAGE_TOO_LARGE. */
  readonly maxPayloadBytes: number;
  /** How long close() waits for close handshakes before destroying the sockets. */
  readonly closeGraceMs: number;
}

/**
 * The endpoint's own handling of an admitted socket. `T` is what authentication yields at the
 * upgrade (a token scope, or a token left for the endpoint to judge).
 */
export interface WsGateHandlers<T> {
  /**
   * Judges the token presented at the upgrade (`Authorization: Bearer`, else the `bearer.<token>`
   * subprotocol). Throwing a ScrapewatchError refuses the upgrade with that code.
   */
  authenticate(token: string | undefined): T;
  onConnection(ws: WebSocket, admitted: T): void;
  /** Called for each socket at every ping of the heartbeat (e.g. to send an application beat). */
  onBeat?(ws: WebSocket): void;
  /** Counts refusals (upgrade) and heartbeat terminations. */
  onRejected?(code: ErrorCode): void;
  onTerminated?(ws: WebSocket): void;
}

export interface WsGate {
  /** The HTTP server routes the endpoint's upgrades here. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Sockets held, open or closing. */
  readonly connectionCount: number;
  /**
   * The drain: refuses new upgrades (SHUTTING_DOWN), stops the heartbeat, waits for `settle` (the
   * endpoint's last work, e.g. pending acks or a final flush), closes every socket with 1001
   * SHUTTING_DOWN, destroys those whose handshake outlasts closeGraceMs.
   */
  close(settle?: () => Promise<void> | void): Promise<void>;
}

interface Peer {
  /** Cleared at each ping, set by a pong or by any message. */
  alive: boolean;
}

/**
 * The one way into a WebSocket endpoint, in this order: shutting down (503), Origin (403),
 * subprotocol rules (400), capacity (503), token (the endpoint's rule); every refusal is a coded
 * HTTP answer (rejectUpgrade). Admitted sockets share one heartbeat: a peer that has answered
 * neither the previous ping nor sent anything since is terminated without a close frame (it could
 * not read one), so the peer sees 1006.
 */
export function createWsGate<T>(
  options: WsGateOptions,
  handlers: WsGateHandlers<T>,
  logger: Logger,
): WsGate {
  const isOriginAllowed = createOriginCheck(options.allowedOrigins);
  const peers = new Map<WebSocket, Peer>();
  let closing = false;
  let closePromise: Promise<void> | undefined;

  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: options.maxPayloadBytes,
    handleProtocols: selectSubprotocol,
    closeTimeout: options.closeGraceMs,
  } as ConstructorParameters<typeof WebSocketServer>[0]);

  const heartbeat = setInterval(onHeartbeat, options.heartbeatIntervalMs);
  heartbeat.unref();

  function refuse(socket: Duplex, error: ScrapewatchError): void {
    handlers.onRejected?.(error.code);
    rejectUpgrade(socket, error);
  }

  function admit(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const protocols = req.headers['sec-websocket-protocol'];
    let refusal: ErrorCode | undefined;
    if (closing) refusal = 'SHUTTING_DOWN';
    else if (!isOriginAllowed(req.headers.origin)) refusal = 'ORIGIN_NOT_ALLOWED';
    else if (bearerWithoutStreamSubprotocol(protocols)) refusal = 'SUBPROTOCOL_REQUIRED';
    else if (peers.size >= options.maxConnections) refusal = options.capacityCode;
    if (refusal !== undefined) {
      refuse(
        socket,
        new ScrapewatchError(refusal, undefined, [], refusal === 'SHUTTING_DOWN' ? 1 : undefined),
      );
      return;
    }
    let admitted: T;
    try {
      admitted = handlers.authenticate(
        bearerToken(req.headers.authorization) ?? bearerSubprotocol(protocols),
      );
    } catch (error) {
      if (!(error instanceof ScrapewatchError)) throw error;
      refuse(socket, error);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const peer: Peer = { alive: true };
      peers.set(ws, peer);
      nameOversizeClose(ws);
      ws.on('pong', () => {
        peer.alive = true;
      });
      ws.on('message', () => {
        peer.alive = true;
      });
      ws.on('close', () => peers.delete(ws));
      handlers.onConnection(ws, admitted);
    });
  }

  function onHeartbeat(): void {
    try {
      const suspects: WebSocket[] = [];
      for (const [ws, peer] of peers) {
        if (peer.alive) beat(ws, peer);
        else suspects.push(ws);
      }
      // Judged after this turn's I/O: after a stalled event loop a pong may be read but unhandled.
      if (suspects.length > 0) setImmediate(judge, suspects);
    } catch (err) {
      logger.error({ err }, 'heartbeat failed');
    }
  }

  function beat(ws: WebSocket, peer: Peer): void {
    peer.alive = false;
    if (ws.readyState !== ws.OPEN) return;
    ws.ping();
    handlers.onBeat?.(ws);
  }

  function judge(suspects: readonly WebSocket[]): void {
    for (const ws of suspects) {
      const peer = peers.get(ws);
      if (peer === undefined || closing) continue;
      if (peer.alive) {
        beat(ws, peer);
        continue;
      }
      logger.debug('peer terminated: no pong');
      handlers.onTerminated?.(ws);
      ws.terminate();
    }
  }

  function allClosed(timeoutMs: number): Promise<void> {
    const waits = [...peers.keys()].map(
      (ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())),
    );
    return waitFor(Promise.all(waits), timeoutMs);
  }

  return {
    handleUpgrade(req, socket, head) {
      try {
        admit(req, socket, head);
      } catch (err) {
        logger.error({ err }, 'upgrade failed');
        socket.destroy();
      }
    },
    get connectionCount() {
      return peers.size;
    },
    close(settle) {
      closePromise ??= (async () => {
        closing = true;
        clearInterval(heartbeat);
        try {
          await settle?.();
        } catch (err) {
          logger.error({ err }, 'settling before close failed');
        }
        const closed = allClosed(options.closeGraceMs);
        for (const ws of peers.keys()) {
          if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) {
            ws.close(ERRORS.SHUTTING_DOWN.wsClose, 'SHUTTING_DOWN');
          }
        }
        await closed;
        for (const ws of peers.keys()) ws.terminate();
        await allClosed(options.closeGraceMs);
        await new Promise<void>((resolve) => wss.close(() => resolve()));
      })();
      return closePromise;
    },
  };
}

/** Resolves when `promise` settles or after `timeoutMs`, whichever comes first. */
export async function waitFor(promise: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  await Promise.race([promise.then(() => undefined), deadline]);
  clearTimeout(timer);
}
