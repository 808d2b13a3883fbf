import { execSql } from '@scrapewatch/testkit';

/** Rows and distinct event ids a scraper has in a table. */
export async function countByEventId(
  httpUrl: string,
  table: string,
  scraper: string,
): Promise<{ rows: number; distinct: number }> {
  const [row] = await execSql(
    httpUrl,
    `SELECT count() rows, count_distinct(event_id) ids FROM ${table} WHERE scraper = '${scraper}'`,
  );
  return { rows: Number(row?.[0] ?? 0), distinct: Number(row?.[1] ?? 0) };
}
