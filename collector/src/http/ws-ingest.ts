import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { ERRORS, ScrapewatchError, type IngestAck } from '@scrapewatch/protocol';
import type { TokenScope } from '../auth/tokens';
import type { IngestOptions } from '../config';
import { decodeUtf8, envelopeId, parseJsonDocument, payloadItems } from '../ingest/parse';
import type { IngestPipeline } from '../ingest/pipeline';
import type { IngestMetrics } from '../observability/metrics';
import type { Authenticator } from './auth';
import { asScrapewatchError } from './errors';
import { createWsGate, waitFor } from '../ws/gate';

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
  /** Browser origins allowed to open the socket; a request without Origin is admitted. */
  readonly allowedOrigins: readonly string[];
}

export interface WsIngest {
  /** The server routes upgrades for /v1/ingest here (through the WebSocket gate). */
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
  pending: number;
  /** Acks go out in message order: each waits for the one before. */
  tail: Promise<void>;
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
    const connection: Connection = { scope, pending: 0, tail: Promise.resolve() };
    connections.set(ws, connection);
    ws.on('message', (data) => onMessage(ws, connection, data));
    // ws reports protocol violations (e.g. a message over maxPayload: close 1009) here.
    ws.on('error', (error) => logger.debug({ err: error }, 'ingest socket error'));
    ws.on('close', () => connections.delete(ws));
  }

  const gate = createWsGate(
    {
      allowedOrigins: deps.allowedOrigins,
      maxConnections: options.maxWsConnections,
      capacityCode: 'TOO_MANY_CONNECTIONS',
      heartbeatIntervalMs: deps.heartbeatIntervalMs,
      maxPayloadBytes: options.maxBodyBytes,
      closeGraceMs: deps.closeGraceMs,
    },
    {
      // The token is judged at the upgrade: a missing or wrong one is refused with 401.
      authenticate: (token) => deps.authenticate(token),
      onConnection,
    },
    logger,
  );

  return {
    handleUpgrade: (req, socket, head) => gate.handleUpgrade(req, socket, head),
    async close() {
      closing = true;
      await gate.close(() =>
        waitFor(Promise.all([...connections.values()].map((c) => c.tail)), deps.closeGraceMs),
      );
    },
  };
}
