import type { RequestHandler } from 'express';
import { bearerToken } from '../auth/tokens';
import { scopeAllows } from '../auth/tokens';
import type { Storage } from '../storage';
import type { Authenticator } from './auth';
import { parseHistoryQuery } from './history-query';

export interface ReadRouteDeps {
  readonly storage: Pick<Storage, 'history' | 'scrapers'>;
  /** Stream tokens guard reads. */
  readonly authenticate: Authenticator;
  readonly nowMs?: () => number;
}

/** GET /v1/history: events of one kind in a time range, oldest first, limited to the token's scope. */
export function historyRoute(deps: ReadRouteDeps): RequestHandler {
  const nowMs = deps.nowMs ?? Date.now;
  return async (req, res) => {
    const scope = deps.authenticate(bearerToken(req.headers.authorization));
    const query = parseHistoryQuery(req.query as Record<string, unknown>, scope, nowMs());
    res.json(await deps.storage.history(query));
  };
}

/** GET /v1/scrapers: every scraper seen within retention that the token may read. */
export function scrapersRoute(deps: ReadRouteDeps): RequestHandler {
  return async (req, res) => {
    const scope = deps.authenticate(bearerToken(req.headers.authorization));
    const { scrapers } = await deps.storage.scrapers();
    res.json({ scrapers: scrapers.filter((entry) => scopeAllows(scope, entry.name)) });
  };
}
