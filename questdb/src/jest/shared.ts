/**
 * The environment variables through which a test run shares one QuestDB. Set them yourself to
 * point the tests at a running server instead of starting one.
 */
export const ENV_HTTP = 'QUESTDB_URL';
export const ENV_PG = 'QUESTDB_PG_URL';

/** The QuestDB a test file should use: set by the jest global setup, or by the user. */
export function testQuestDB(): { httpUrl: string; pgUrl: string } {
  const httpUrl = process.env[ENV_HTTP];
  if (!httpUrl) {
    throw new Error(
      `${ENV_HTTP} is not set: run tests through jest (its global setup starts QuestDB)`,
    );
  }
  const pgUrl = process.env[ENV_PG] ?? defaultPgUrl(httpUrl);
  return { httpUrl, pgUrl };
}

export function defaultPgUrl(httpUrl: string): string {
  return `postgresql://admin:quest@${new URL(httpUrl).hostname}:8812/qdb`;
}
