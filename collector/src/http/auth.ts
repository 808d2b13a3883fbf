import { ScrapewatchError } from '@scrapewatch/protocol';
import { createTokenVerifier, type TokenScope, type TokenSpec } from '../auth/tokens';

/** The scope of every request when SCRAPEWATCH_AUTH=off: one shared identity, every scraper. */
export const OPEN_SCOPE: TokenScope = Object.freeze({ tokenIndex: -1, scrapers: '*' as const });

/** Resolves a presented token to its scope, or throws UNAUTHORIZED. */
export type Authenticator = (token: string | undefined) => TokenScope;

export function createAuthenticator(
  authEnabled: boolean,
  specs: readonly TokenSpec[],
  kind: 'ingest' | 'stream',
): Authenticator {
  if (!authEnabled) return () => OPEN_SCOPE;
  const verify = createTokenVerifier(specs);
  return (token) => {
    const scope = verify(token);
    if (scope) return scope;
    throw new ScrapewatchError(
      'UNAUTHORIZED',
      token === undefined
        ? `${kind === 'ingest' ? 'An' : 'A'} ${kind} token is required as Authorization: Bearer <token>`
        : `The ${kind} token is not valid`,
    );
  };
}
