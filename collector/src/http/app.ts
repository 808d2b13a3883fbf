import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ScrapewatchError } from '@scrapewatch/protocol';
import type { CollectorConfig } from '../config';
import { ClientGoneError } from '../ingest/parse';
import type { IngestPipeline } from '../ingest/pipeline';
import type { IngestMetrics } from '../observability/metrics';
import type { Storage } from '../storage';
import type { Authenticator } from './auth';
import { cors } from './cors';
import { asScrapewatchError, sendError } from './errors';
import { ITEMS_LOCAL, ingestRoute } from './ingest-route';
import { healthRoute, metricsRoute, readinessRoute } from './ops-routes';
import { OPENAPI_PATH, openApiRoute } from './openapi-route';
import { historyRoute, scrapersRoute } from './read-routes';
import { COLLECTOR_VERSION } from '../version';

export interface AppDeps {
  readonly config: Readonly<CollectorConfig>;
  readonly pipeline: IngestPipeline;
  readonly storage: Pick<Storage, 'readiness' | 'history' | 'scrapers'>;
  /** Cluster mode only: readiness follows NATS. */
  readonly cluster?: { connected(): boolean };
  readonly registry: Registry;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
  readonly authenticateIngest: Authenticator;
  readonly authenticateStream: Authenticator;
  readonly isClosing: () => boolean;
}

export const INGEST_PATH = '/v1/metrics';

function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  const allow = [...allowed, 'OPTIONS'].join(', ');
  return (req, res) => {
    res.set('Allow', allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    throw new ScrapewatchError(
      'METHOD_NOT_ALLOWED',
      `${req.method} is not allowed on ${req.path}; use ${allowed.join(' or ')}`,
    );
  };
}

/** The collector's HTTP API (WebSocket upgrades are routed by the server, not here). */
export function createApp(deps: AppDeps): Express {
  const { config, logger, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    const startedNs = process.hrtime.bigint();
    res.set('X-Content-Type-Options', 'nosniff');
    if (deps.isClosing()) res.set('Connection', 'close');
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'other';
      const seconds = Number(process.hrtime.bigint() - startedNs) / 1e9;
      metrics.requestDuration(route, req.method, res.statusCode, seconds);
    });
    next();
  });

  const readCors = cors(config.allowedOrigins);
  const readDeps = { storage: deps.storage, authenticate: deps.authenticateStream };

  app
    .route(INGEST_PATH)
    .post(
      ingestRoute({
        options: config.ingest,
        pipeline: deps.pipeline,
        authenticate: deps.authenticateIngest,
        isClosing: deps.isClosing,
      }),
    )
    .all(methodNotAllowed(['POST']));
  app
    .route('/v1/history')
    .all(readCors)
    .get(historyRoute(readDeps))
    .all(methodNotAllowed(['GET']));
  app
    .route('/v1/scrapers')
    .all(readCors)
    .get(scrapersRoute(readDeps))
    .all(methodNotAllowed(['GET']));
  app
    .route(OPENAPI_PATH)
    .get(openApiRoute(COLLECTOR_VERSION, Date.now()))
    .all(methodNotAllowed(['GET']));
  app
    .route('/healthz')
    .get(healthRoute())
    .all(methodNotAllowed(['GET']));
  app
    .route('/readyz')
    .get(
      readinessRoute({
        storage: deps.storage,
        ...(deps.cluster ? { cluster: deps.cluster } : {}),
        isClosing: deps.isClosing,
        logger,
      }),
    )
    .all(methodNotAllowed(['GET']));
  app
    .route('/metrics')
    .get(metricsRoute(deps.registry))
    .all(methodNotAllowed(['GET']));
  app.use((req) => {
    throw new ScrapewatchError('NOT_FOUND', `No endpoint ${req.method} ${req.path}`);
  });

  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    if (error instanceof ClientGoneError) {
      // A dropped upload is the client's business: one quiet entry, counted, nothing answered.
      if (req.method === 'POST' && req.path === INGEST_PATH) {
        metrics.rejected('CLIENT_ABORTED', 'http', 1);
      }
      logger.debug({ code: 'CLIENT_ABORTED', method: req.method, path: req.path }, error.message);
      req.socket.destroy();
      return;
    }
    const coded = asScrapewatchError(error, logger);
    if (req.method === 'POST' && req.path === INGEST_PATH) {
      metrics.rejected(coded.code, 'http', Number(res.locals[ITEMS_LOCAL] ?? 1));
    }
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    // An unread body (refused before or while reading it) is not drained: the connection ends.
    if (!req.complete) res.set('Connection', 'close');
    if (coded.status === undefined || coded.status >= 500) {
      logger.warn({ code: coded.code, method: req.method, path: req.path }, coded.message);
    } else {
      logger.debug({ code: coded.code, method: req.method, path: req.path }, coded.message);
    }
    sendError(res, coded);
  };
  app.use(onError);
  return app;
}
