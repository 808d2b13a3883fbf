import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * A configured token and the scrapers it may send (ingest) or read (stream). Configuration syntax,
 * comma-separated: `token` (every scraper) or `token:robinhood|cnbc` (only those).
 */
export interface TokenSpec {
  readonly token: string;
  /** "*" for every scraper. */
  readonly scrapers: '*' | readonly string[];
}

export interface TokenScope {
  /** Index of the matching token in configuration: a log-safe identity. */
  readonly tokenIndex: number;
  readonly scrapers: '*' | ReadonlySet<string>;
}

export function scopeAllows(scope: TokenScope, scraper: string): boolean {
  return scope.scrapers === '*' || scope.scrapers.has(scraper);
}

/** Parses `SCRAPEWATCH_*_TOKENS`; throws with the reason for an entry it cannot read. */
export function parseTokenList(raw: string): TokenSpec[] {
  const specs: TokenSpec[] = [];
  for (const [position, entry] of raw.split(',').entries()) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const colon = trimmed.indexOf(':');
    const token = colon === -1 ? trimmed : trimmed.slice(0, colon);
    if (token.length < 16) {
      throw new Error(`entry ${position + 1}: a token must be at least 16 characters`);
    }
    if (/\s/.test(token)) throw new Error(`entry ${position + 1}: a token must not contain spaces`);
    if (colon === -1) {
      specs.push({ token, scrapers: '*' });
      continue;
    }
    const scrapers = trimmed
      .slice(colon + 1)
      .split('|')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (scrapers.length === 0) throw new Error(`entry ${position + 1}: no scraper after ":"`);
    specs.push({ token, scrapers: scrapers.includes('*') ? '*' : scrapers });
  }
  return specs;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Returns a checker that compares a presented token with every configured one in constant time
 * (SHA-256 digests of equal length, all compared), so timing reveals neither which token nor how
 * much of it matched.
 */
export function createTokenVerifier(
  specs: readonly TokenSpec[],
): (presented: string | undefined) => TokenScope | undefined {
  const known = specs.map((spec, tokenIndex) => ({
    digest: digest(spec.token),
    scope: {
      tokenIndex,
      scrapers: spec.scrapers === '*' ? ('*' as const) : new Set(spec.scrapers),
    } satisfies TokenScope,
  }));
  return (presented) => {
    if (presented === undefined || presented === '') return undefined;
    const candidate = digest(presented);
    let match: TokenScope | undefined;
    for (const entry of known) {
      if (timingSafeEqual(candidate, entry.digest) && match === undefined) match = entry.scope;
    }
    return match;
  };
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
