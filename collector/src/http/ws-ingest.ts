import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ERRORS, ScrapewatchError, type IngestAck } from '@scrapewatch/protocol';
import {
  bearerSubprotocol,
  bearerWithoutStreamSubprotocol,
  selectSubprotocol,
} from '../auth/subprotocol';
import { bearerToken, type TokenScope } from '../auth/tokens';
import type { IngestOptions } from '../config';
import { decodeUtf8, envelopeId, parseJsonDocument, payloadItems } from '../ingest/parse';
import type { IngestPipeline } from '../ingest/pipeline';
import type { IngestMetrics } from '../observability/metrics';
import type { Authenticator } from './auth';
import { asScrapewatchError } from './errors';
import { rejectUpgrade } from './upgrade';
import { nameOversizeClose } from './ws-close-reason';

export interface WsIngestDeps {
  readonly options: IngestOptions;
  readonly pipeline: IngestPipeline;
  readonly authenticate: Authenticator;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
  /** Ping period; a peer that missed a whole period's pong is terminated. */
  readonly heartbeatIntervalMs: number;
  /** close() waits this long for pending acks, then as long for close handshakes. */
  readonly closeGraceMs: number;
}

export interface WsIngest {
  /** The server routes upgrades for /v1/ingest here. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Answers new messages SHUTTING_DOWN, waits for pending acks, then closes every socket (1001). */
  close(): Promise<void>;
}

/** Messages of one socket processed at once; past it the socket stops reading (backpressure). */
const MAX_PENDING_PER_SOCKET = 64;
/** A client that does not read its acks is closed once this many ack bytes wait unsent. */
const MAX_UNSENT_ACK_BYTES = 1024 * 1024;

interface Connection {
  readonly scope: TokenScope;
  alive: boolean;
  pending: number;
  /** Acks go out in message order: each waits for the one before. */
  tail: Promise<void>;
}

/** The ingest token: `Authorization: Bearer` (non-browser clients) or the `bearer.<token>` subprotocol. */
function presentedToken(req: IncomingMessage): string | undefined {
  const fromHeader = bearerToken(req.headers.authorization);
  if (fromHeader !== undefined) return fromHeader;
  return bearerSubprotocol(req.headers['sec-websocket-protocol']);
}

function rawBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * WS /v1/ingest: each message is one JSON payload (event, array or envelope with an optional
 * `id`), answered with one IngestAck, in order. A bad message gets an error ack; the socket stays.
 */
export function createWsIngest(deps: WsIngestDeps): WsIngest {
  const { options, pipeline, metrics, logger } = deps;
  const connections = new Map<WebSocket, Connection>();
  let closing = false;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxBodyBytes,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: selectSubprotocol,
  });

  async function handleMessage(bytes: Buffer, scope: TokenScope): Promise<IngestAck> {
    let id: string | number | undefined;
    let items = 1;
    try {
      if (closing) throw new ScrapewatchError('SHUTTING_DOWN');
      const body = parseJsonDocument(decodeUtf8(bytes));
      id = envelopeId(body);
      const events = payloadItems(body, options.maxEventsPerRequest);
      items = events.length;
      const result = await pipeline.ingest(events, scope, 'ws');
      return {
        type: 'ack',
        ...(id === undefined ? {} : { id }),
        accepted: result.accepted,
        durability: result.durability,
      };
    } catch (error) {
      const coded = asScrapewatchError(error, logger);
      metrics.rejected(coded.code, 'ws', items);
      return {
        type: 'error',
        ...(id === undefined ? {} : { id }),
        code: coded.code,
        message: coded.message,
        ...(coded.details.length > 0 ? { details: coded.details } : {}),
      };
    }
  }

  function onMessage(ws: WebSocket, connection: Connection, data: RawData): void {
    const job = handleMessage(rawBytes(data), connection.scope);
    connection.pending++;
    if (connection.pending >= MAX_PENDING_PER_SOCKET) ws.pause();
    connection.tail = connection.tail
      .then(() => job)
      .then((ack) => {
        connection.pending--;
        if (ws.readyState === ws.OPEN) {
          ws.send(JSON.stringify(ack));
          if (ws.bufferedAmount > MAX_UNSENT_ACK_BYTES) {
            logger.warn(
              { bufferedBytes: ws.bufferedAmount },
              'ingest client does not read its acks',
            );
            ws.close(ERRORS.SLOW_CONSUMER.wsClose, 'SLOW_CONSUMER');
            return;
          }
          if (ws.isPaused && connection.pending < MAX_PENDING_PER_SOCKET / 2) ws.resume();
        }
      });
  }

  function onConnection(ws: WebSocket, scope: TokenScope): void {
    const connection: Connection = { scope, alive: true, pending: 0, tail: Promise.resolve() };
    connections.set(ws, connection);
    nameOversizeClose(ws);
    ws.on('message', (data) => onMessage(ws, connection, data));
    ws.on('pong', () => {
      connection.alive = true;
    });
    // ws reports protocol violations (e.g. a message over maxPayload: close 1009) here.
    ws.on('error', (error) => logger.debug({ err: error }, 'ingest socket error'));
    ws.on('close', () => connections.delete(ws));
  }

  const heartbeat = setInterval(() => {
    for (const [ws, connection] of connections) {
      if (!connection.alive) {
        ws.terminate();
        continue;
      }
      connection.alive = false;
      ws.ping();
    }
  }, deps.heartbeatIntervalMs);
  heartbeat.unref();

  return {
    handleUpgrade(req, socket, head) {
      if (closing) {
        rejectUpgrade(socket, new ScrapewatchError('SHUTTING_DOWN', undefined, [], 1));
        return;
      }
      if (bearerWithoutStreamSubprotocol(req.headers['sec-websocket-protocol'])) {
        rejectUpgrade(socket, new ScrapewatchError('SUBPROTOCOL_REQUIRED'));
        return;
      }
      let scope: TokenScope;
      try {
        scope = deps.authenticate(presentedToken(req));
      } catch (error) {
        rejectUpgrade(socket, asScrapewatchError(error, logger));
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, scope));
    },
    async close() {
      closing = true;
      clearInterval(heartbeat);
      const open = [...connections];
      await waitFor(Promise.all(open.map(([, connection]) => connection.tail)), deps.closeGraceMs);
      const closed = open.map(
        ([ws]) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) {
              resolve();
              return;
            }
            ws.once('close', () => resolve());
            ws.close(ERRORS.SHUTTING_DOWN.wsClose, 'SHUTTING_DOWN');
          }),
      );
      await waitFor(Promise.all(closed), deps.closeGraceMs);
      for (const [ws] of open) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Resolves when `promise` settles or after `timeoutMs`, whichever comes first. */
async function waitFor(promise: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  await Promise.race([promise.then(() => undefined), deadline]);
  clearTimeout(timer);
}
