import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { INGEST_WS_PATH, STREAM_PATH, ScrapewatchError } from '@scrapewatch/protocol';
import { createTokenVerifier } from './auth/tokens';
import { createCluster } from './cluster';
import type { CollectorConfig } from './config';
import { createApp } from './http/app';
import { createAuthenticator } from './http/auth';
import { rejectUpgrade } from './ws/reject';
import { createWsIngest } from './http/ws-ingest';
import { createIngestPipeline } from './ingest/pipeline';
import { createRateLimiter } from './ingest/rate-limit';
import { createLiveHub } from './live';
import { createLogger } from './logger';
import { createIngestMetrics } from './observability/metrics';
import { createStorage } from './storage';

export interface Collector {
  /** Starts storage, then listens; resolves with the bound address (port 0 binds a free one). */
  start(): Promise<{ url: string; port: number }>;
  /**
   * Stops accepting, closes the live hub (flushing it), drains in-flight requests and WS ingest
   * acks, closes storage (flushing it), then the server. Idempotent.
   */
  close(): Promise<void>;
  readonly server: http.Server;
  /** The Prometheus registry every part registers on (served at GET /metrics). */
  readonly registry: Registry;
}

export interface CollectorDeps {
  readonly logger?: Logger;
}

function pathOf(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '/', 'http://collector.invalid').pathname;
  } catch {
    return undefined;
  }
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Builds every part of the collector without listening; see start()/close(). */
export function createCollector(
  config: Readonly<CollectorConfig>,
  deps: CollectorDeps = {},
): Collector {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const registry = new Registry();
  const metrics = createIngestMetrics(registry);
  const storage = createStorage(config.storage, { logger, registry });
  // Cluster mode: the cluster's live feed fills the hub, and the hub resumes from its stream.
  const cluster = config.cluster
    ? createCluster(config.cluster, {
        logger,
        registry,
        storage,
        hub: { publishAt: (events, position) => hub.publishAt(events, position) },
      })
    : undefined;
  const hub = createLiveHub(config.live, {
    logger: logger.child({ component: 'live' }),
    registry,
    authEnabled: config.authEnabled,
    verifyStreamToken: createTokenVerifier(config.streamTokens),
    allowedOrigins: config.allowedOrigins,
    ...(cluster ? { stream: cluster.replay } : {}),
  });
  const pipeline = createIngestPipeline({
    options: config.ingest,
    storage,
    hub,
    metrics,
    ...(cluster ? { stream: cluster } : {}),
    rateLimiter: createRateLimiter({
      eventsPerSecond: config.ingest.rateLimitEventsPerSecond,
      burstEvents: config.ingest.rateLimitBurstEvents,
    }),
  });
  const authenticateIngest = createAuthenticator(config.authEnabled, config.ingestTokens, 'ingest');
  const authenticateStream = createAuthenticator(config.authEnabled, config.streamTokens, 'stream');

  let closing = false;
  const isClosing = () => closing;
  const app = createApp({
    config,
    pipeline,
    storage,
    ...(cluster ? { cluster } : {}),
    registry,
    metrics,
    logger: logger.child({ component: 'http' }),
    authenticateIngest,
    authenticateStream,
    isClosing,
  });
  const wsIngest = createWsIngest({
    options: config.ingest,
    pipeline,
    authenticate: authenticateIngest,
    metrics,
    logger: logger.child({ component: 'ws-ingest' }),
    heartbeatIntervalMs: config.live.heartbeatIntervalMs,
    closeGraceMs: config.timeouts.wsCloseGraceMs,
    allowedOrigins: config.allowedOrigins,
  });

  const server = http.createServer(app);
  // Bounds for slow or stuck clients; a body must arrive within requestTimeout.
  server.headersTimeout = config.timeouts.headersTimeoutMs;
  server.requestTimeout = config.timeouts.requestTimeoutMs;

  let inFlight = 0;
  let onIdle: (() => void) | undefined;
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) onIdle?.();
    });
  });

  server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => {
    // Until a WebSocket takes the socket over, its errors (e.g. a reset) must not crash the process.
    socket.on('error', (error: Error) => logger.debug({ err: error }, 'upgrade socket error'));
    const path = pathOf(req.url);
    if (path === INGEST_WS_PATH) {
      wsIngest.handleUpgrade(req, socket, head);
    } else if (path === STREAM_PATH) {
      if (closing) rejectUpgrade(socket, new ScrapewatchError('SHUTTING_DOWN', undefined, [], 1));
      else hub.handleUpgrade(req, socket, head);
    } else {
      rejectUpgrade(
        socket,
        new ScrapewatchError('NOT_FOUND', `No WebSocket endpoint ${path ?? ''}`),
      );
    }
  });

  function drained(timeoutMs: number): Promise<void> {
    if (inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        logger.warn({ inFlight }, 'requests still in flight after the drain timeout');
        resolve();
      }, timeoutMs);
      timer.unref();
      onIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  let closed: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    closing = true;
    const serverClosed = new Promise<void>((resolve) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
    });
    server.closeIdleConnections();
    await wsIngest.close();
    await hub.close();
    await drained(config.timeouts.drainTimeoutMs);
    // The storage consumer acks what committed before storage closes.
    await cluster?.close();
    await storage.close();
    server.closeAllConnections();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      serverClosed,
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          logger.warn('connections still open after the close timeout');
          resolve();
        }, config.timeouts.serverCloseTimeoutMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    logger.info('closed');
  }

  return {
    server,
    registry,
    async start() {
      await storage.start();
      try {
        await cluster?.start();
      } catch (error) {
        await cluster?.close();
        await storage.close();
        throw error;
      }
      try {
        await new Promise<void>((resolve, reject) => {
          const onError = (error: Error) => reject(error);
          server.once('error', onError);
          server.listen(config.port, config.host, () => {
            server.off('error', onError);
            resolve();
          });
        });
      } catch (error) {
        await cluster?.close();
        await storage.close();
        throw error;
      }
      const { port } = server.address() as AddressInfo;
      const url = urlOf(config.host, port);
      if (config.authEnabled && config.ingestTokens.length === 0) {
        logger.warn('auth is on and SCRAPEWATCH_INGEST_TOKENS is empty: every ingest is refused');
      }
      if (!config.authEnabled) logger.warn('SCRAPEWATCH_AUTH=off: tokens are not checked');
      return { url, port };
    },
    close() {
      closed ??= shutdown();
      return closed;
    },
  };
}
