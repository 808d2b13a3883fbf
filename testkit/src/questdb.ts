import { pollUntil, type PollOptions } from './poll';

/**
 * Runs one statement through QuestDB's REST `/exec` and returns the rows (empty for DDL and
 * INSERT). Rejects with the server's message and the start of the statement.
 */
export async function execSql(httpUrl: string, sql: string): Promise<unknown[][]> {
  const response = await fetch(`${httpUrl}/exec?query=${encodeURIComponent(sql)}`);
  const body = (await response.json()) as { dataset?: unknown[][]; error?: string };
  if (!response.ok || body.error !== undefined)
    throw new Error(`QuestDB: ${body.error ?? response.status} in ${sql.slice(0, 200)}`);
  return body.dataset ?? [];
}

/** The number of rows of `table` matching `where`. */
export async function countRows(httpUrl: string, table: string, where: string): Promise<number> {
  const rows = await execSql(httpUrl, `SELECT count() FROM ${table} WHERE ${where}`);
  return Number(rows[0]?.[0] ?? 0);
}

/**
 * Waits until `table` holds exactly `expected` rows matching `where`: QuestDB applies WAL
 * transactions asynchronously, so a committed write is not visible at once.
 */
export async function waitForRowCount(
  httpUrl: string,
  table: string,
  where: string,
  expected: number,
  options: PollOptions = 30_000,
): Promise<void> {
  await pollUntil(
    `${expected} rows in ${table} WHERE ${where}`,
    () => countRows(httpUrl, table, where),
    (count) => count === expected,
    options,
  );
}

/**
 * True when every committed WAL transaction of `table` has been applied (its rows are visible);
 * rejects when the table's WAL is suspended, which no waiting would cure.
 */
export async function walApplied(httpUrl: string, table: string): Promise<boolean> {
  const rows = await execSql(
    httpUrl,
    `SELECT writerTxn, sequencerTxn, suspended FROM wal_tables() WHERE name = '${table}'`,
  );
  const [writerTxn, sequencerTxn, suspended] = rows[0] ?? [];
  if (suspended === true) throw new Error(`WAL of ${table} is suspended`);
  return rows.length === 1 && writerTxn === sequencerTxn;
}

/**
 * Waits until QuestDB has applied every committed WAL transaction of every table: what was
 * written is then visible, and a view refreshed now includes it.
 */
export async function waitForWalApplied(
  httpUrl: string,
  options: PollOptions = 60_000,
): Promise<void> {
  await pollUntil(
    'every committed WAL transaction applied',
    async () =>
      Number(
        (
          await execSql(httpUrl, 'SELECT count() FROM wal_tables() WHERE writerTxn < sequencerTxn')
        )[0]?.[0] ?? -1,
      ),
    (pending) => pending === 0,
    options,
  );
}
