import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Storage } from '../storage';

/** GET /healthz: the process answers (liveness); says nothing about QuestDB. */
export function healthRoute(): RequestHandler {
  return (_req, res) => {
    res.json({ status: 'ok' });
  };
}

export interface ReadinessDeps {
  readonly storage: Pick<Storage, 'readiness'>;
  readonly isClosing: () => boolean;
  readonly logger: Logger;
}

/**
 * GET /readyz: 200 when QuestDB answers and the schema is applied, else 503 with the reasons.
 * A collector that is shutting down is not ready.
 */
export function readinessRoute(deps: ReadinessDeps): RequestHandler {
  return async (_req, res) => {
    const reasons: string[] = [];
    let state = { questdb: false, schemaVersion: null as number | null, spooledBytes: 0 };
    try {
      const readiness = await deps.storage.readiness();
      state = readiness;
      if (!readiness.questdb) reasons.push('QuestDB is unreachable');
      if (readiness.schemaVersion === null) reasons.push('the schema is not applied yet');
      if (!readiness.ready && reasons.length === 0) reasons.push('storage is not ready');
    } catch (error) {
      deps.logger.warn({ err: error }, 'readiness check failed');
      reasons.push('the readiness check failed');
    }
    if (deps.isClosing()) reasons.push('the collector is shutting down');
    const ready = reasons.length === 0;
    res.status(ready ? 200 : 503).json({
      ready,
      questdb: state.questdb,
      schemaVersion: state.schemaVersion,
      spooledBytes: state.spooledBytes,
      reasons,
    });
  };
}

/** GET /metrics: the Prometheus text exposition of `registry`. */
export function metricsRoute(registry: Registry): RequestHandler {
  return async (_req, res) => {
    const body = await registry.metrics();
    res.set('Content-Type', registry.contentType).send(body);
  };
}
