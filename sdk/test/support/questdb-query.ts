/** Runs one SQL query over QuestDB's REST /exec endpoint and returns its rows. */
export async function query(httpUrl: string, sql: string): Promise<unknown[][]> {
  const response = await fetch(`${httpUrl}/exec?query=${encodeURIComponent(sql)}`);
  const body = (await response.json()) as { dataset?: unknown[][]; error?: string };
  if (!response.ok || body.error)
    throw new Error(`QuestDB: ${body.error ?? response.status} for ${sql}`);
  return body.dataset ?? [];
}

/** True when every committed WAL transaction of `table` has been applied (its rows are visible). */
export async function walApplied(httpUrl: string, table: string): Promise<boolean> {
  const rows = await query(
    httpUrl,
    `SELECT writerTxn, sequencerTxn, suspended FROM wal_tables() WHERE name = '${table}'`,
  );
  const [writerTxn, sequencerTxn, suspended] = rows[0] ?? [];
  if (suspended === true) throw new Error(`WAL of ${table} is suspended`);
  return rows.length === 1 && writerTxn === sequencerTxn;
}

/** Rows and distinct event ids a scraper has in a table. */
export async function countByEventId(
  httpUrl: string,
  table: string,
  scraper: string,
): Promise<{ rows: number; distinct: number }> {
  const [row] = await query(
    httpUrl,
    `SELECT count() rows, count_distinct(event_id) ids FROM ${table} WHERE scraper = '${scraper}'`,
  );
  return { rows: Number(row?.[0] ?? 0), distinct: Number(row?.[1] ?? 0) };
}
