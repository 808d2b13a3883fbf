import { Sender } from '@questdb/nodejs-client';
import { Client } from 'pg';
import { pollUntil } from '@scrapewatch/testkit';
import { testQuestDB } from '../src';

// Proves the test harness end to end: rows written over ILP (HTTP) with the official client are
// read back over the PostgreSQL wire protocol and over the REST /exec endpoint.
describe('the shared test QuestDB', () => {
  const { httpUrl, pgUrl } = testQuestDB();
  const table = `harness_check_${process.pid}_${Date.now()}`;

  afterAll(async () => {
    await fetch(`${httpUrl}/exec?query=${encodeURIComponent(`DROP TABLE IF EXISTS ${table}`)}`);
  });

  it('round-trips ILP rows through pg and /exec', async () => {
    const url = new URL(httpUrl);
    const sender = await Sender.fromConfig(`http::addr=${url.host};auto_flush=off`);
    const base = Date.UTC(2026, 10, 28, 12, 0, 0);
    try {
      for (let i = 0; i < 3; i++) {
        await sender
          .table(table)
          .symbol('scraper', i === 2 ? 'cnbc' : 'robinhood')
          .floatColumn('duration_ms', 100 + i * 0.5)
          .booleanColumn('success', i !== 1)
          .at(base + i * 1000, 'ms');
      }
      await sender.flush();
    } finally {
      await sender.close();
    }

    // ILP tables are WAL tables: rows become visible once applied, so wait for them.
    const count = await pollUntil(
      `3 rows in ${table}`,
      async () => {
        const res = await fetch(
          `${httpUrl}/exec?query=${encodeURIComponent(`SELECT count() FROM ${table}`)}`,
        );
        const body = (await res.json()) as { dataset?: number[][] };
        return body.dataset?.[0]?.[0] ?? 0;
      },
      (n) => n >= 3,
    );
    expect(count).toBe(3);

    const pg = new Client({ connectionString: pgUrl });
    await pg.connect();
    try {
      const result = await pg.query(
        `SELECT scraper, duration_ms, success, timestamp FROM ${table} ORDER BY timestamp`,
      );
      expect(
        result.rows.map((r: Record<string, unknown>) => [
          r['scraper'],
          r['duration_ms'],
          r['success'],
        ]),
      ).toEqual([
        ['robinhood', 100, true],
        ['robinhood', 100.5, false],
        ['cnbc', 101, true],
      ]);
      expect(new Date(result.rows[0].timestamp as string | Date).getTime()).toBe(base);
    } finally {
      await pg.end();
    }

    const res = await fetch(
      `${httpUrl}/exec?query=${encodeURIComponent(`SELECT scraper, count() n FROM ${table} ORDER BY scraper`)}`,
    );
    const body = (await res.json()) as {
      columns: Array<{ name: string; type: string }>;
      dataset: unknown[][];
    };
    expect(body.columns).toEqual([
      { name: 'scraper', type: 'SYMBOL' },
      { name: 'n', type: 'LONG' },
    ]);
    expect(body.dataset).toEqual([
      ['cnbc', 1],
      ['robinhood', 2],
    ]);
  });
});
