import {
  EVENT_KINDS,
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  LIMITS,
  NAME_PATTERN,
  ScrapewatchError,
  isEventKind,
  type HistoryQuery,
} from '@scrapewatch/protocol';
import { scopeAllows, type TokenScope } from '../auth/tokens';

const PARAMETERS = new Set(['kind', 'scraper', 'from', 'to', 'limit']);
const NAME = new RegExp(NAME_PATTERN);
/** Window when `from` is left out. */
export const HISTORY_DEFAULT_WINDOW_MS = 3_600_000;
const MAX_SCRAPERS = 1_000;

function invalid(parameter: string, message: string): ScrapewatchError {
  return new ScrapewatchError('INVALID_QUERY', `Query parameter "${parameter}" ${message}`, [
    { index: null, path: `?${parameter}`, code: 'INVALID_QUERY', message },
  ]);
}

type Query = Record<string, unknown>;

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(name, 'must be given once');
  return value;
}

function epochMs(query: Query, name: string, fallback: number): number {
  const raw = single(query, name);
  if (raw === undefined) return fallback;
  if (!/^\d{1,16}$/.test(raw)) throw invalid(name, 'must be epoch milliseconds (a whole number)');
  return Number(raw);
}

function scrapers(query: Query): string[] | undefined {
  const value = query['scraper'];
  if (value === undefined) return undefined;
  const raw = Array.isArray(value) ? value : [value];
  const names = new Set<string>();
  for (const entry of raw) {
    if (typeof entry !== 'string') throw invalid('scraper', 'must be a list of scraper names');
    for (const name of entry.split(',')) {
      const trimmed = name.trim();
      if (trimmed === '') continue;
      if (trimmed.length > LIMITS.maxNameLength || !NAME.test(trimmed)) {
        throw invalid('scraper', `${JSON.stringify(trimmed)} is not a scraper name`);
      }
      names.add(trimmed);
    }
  }
  if (names.size > MAX_SCRAPERS) throw invalid('scraper', `names at most ${MAX_SCRAPERS} scrapers`);
  return names.size === 0 ? undefined : [...names];
}

/**
 * GET /v1/history's query, checked: `kind` required; `scraper` repeated or comma-separated;
 * `from`/`to` epoch ms (default: the last hour); `limit` 1..HISTORY_MAX_LIMIT. A restricted token
 * reads only its scrapers: none named means all of its own, one outside is FORBIDDEN_SCOPE.
 */
export function parseHistoryQuery(query: Query, scope: TokenScope, nowMs: number): HistoryQuery {
  for (const name of Object.keys(query)) {
    if (!PARAMETERS.has(name)) throw invalid(name, 'is not a parameter of /v1/history');
  }
  const kind = single(query, 'kind');
  if (kind === undefined) throw invalid('kind', `is required: one of ${EVENT_KINDS.join(', ')}`);
  if (!isEventKind(kind)) throw invalid('kind', `must be one of ${EVENT_KINDS.join(', ')}`);
  const toMs = epochMs(query, 'to', nowMs);
  const fromMs = epochMs(query, 'from', Math.max(0, toMs - HISTORY_DEFAULT_WINDOW_MS));
  if (fromMs > toMs) throw invalid('from', 'must not be after "to"');
  const limitRaw = single(query, 'limit');
  let limit = HISTORY_DEFAULT_LIMIT;
  if (limitRaw !== undefined) {
    limit = /^\d{1,7}$/.test(limitRaw) ? Number(limitRaw) : 0;
    if (limit < 1 || limit > HISTORY_MAX_LIMIT) {
      throw invalid('limit', `must be a whole number from 1 to ${HISTORY_MAX_LIMIT}`);
    }
  }
  let names = scrapers(query);
  if (scope.scrapers !== '*') {
    if (names === undefined) names = [...scope.scrapers];
    const denied = names.filter((name) => !scopeAllows(scope, name));
    if (denied.length > 0) {
      throw new ScrapewatchError(
        'FORBIDDEN_SCOPE',
        `The token may not read scraper ${JSON.stringify(denied[0])}`,
        denied.map((name) => ({
          index: null,
          path: '?scraper',
          code: 'FORBIDDEN_SCOPE' as const,
          message: `scraper "${name}" is outside the token's scope`,
        })),
      );
    }
  }
  return { kind, fromMs, toMs, limit, ...(names ? { scrapers: names } : {}) };
}
