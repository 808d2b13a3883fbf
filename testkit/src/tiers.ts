import { REFRESH_FINE_TIERS } from '@scrapewatch/collector';
import type { PollOptions } from './poll';
import { execSql, waitForWalApplied } from './questdb';

/**
 * Brings the rollup tiers up to date with what was written: waits until QuestDB has applied every
 * committed WAL transaction, then refreshes the 1-minute tiers (their timer would otherwise take
 * up to a minute); the hourly and daily tiers follow as soon as the 1-minute tier commits.
 */
export async function refreshTiers(httpUrl: string, options: PollOptions = 60_000): Promise<void> {
  await waitForWalApplied(httpUrl, options);
  for (const statement of REFRESH_FINE_TIERS) await execSql(httpUrl, statement);
}
