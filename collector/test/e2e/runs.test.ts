import type { HistoryResponse } from '@scrapewatch/protocol';
import {
  STREAM_TOKEN,
  countRows,
  post,
  scrape,
  sql,
  startCollector,
  uniquePrefix,
  waitForRows,
  type RunningCollector,
} from './harness';

// Scraper runs through a real collector into the real QuestDB: the summary row (with its worst
// field), one row per field, history with the fields; contradictory runs are a coded 400.

let running: RunningCollector;
const prefix = uniquePrefix('runs');

beforeAll(async () => {
  running = await startCollector();
});

afterAll(async () => {
  await running?.close();
});

function run(scraper: string, overrides: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    type: 'scraper_run',
    scraperSource: scraper,
    runId: `${scraper}-r1`,
    startedAt: now - 60_000,
    recordedAt: now,
    outcome: 'success',
    pages: 12,
    items: 40,
    errors: 1,
    ...overrides,
  };
}

interface ErrorJson {
  error: { code: string; details: { index: number | null; path: string; code: string }[] };
}

describe('scraper_run', () => {
  it('stores the run summary with its worst field, and one row per field, once', async () => {
    const scraper = `${prefix}-ok`;
    const event = run(scraper, {
      fields: { price: 10, title: 40, rating: 30 },
      eventId: `${scraper}-e1`,
    });
    // Events of the run carry its runId; the summary is what the Runs table compares.
    const pageOfRun = scrape(scraper, { runId: event.runId, itemsExtracted: 40 });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expect((await post(running.url, JSON.stringify([pageOfRun, event]))).status).toBe(202);
    }
    await waitForRows('scraper_run', `scraper = '${scraper}'`, 1);
    await waitForRows('scraper_run_field', `scraper = '${scraper}'`, 3);
    const [row] = await sql(
      `SELECT run_id, outcome, cast(started_at AS long), cast(ts AS long), duration_ms, pages, items, errors, worst_field, worst_fill_pct ` +
        `FROM scraper_run WHERE scraper = '${scraper}'`,
    );
    expect(row).toEqual([
      event.runId,
      'success',
      event.startedAt * 1000,
      event.recordedAt * 1000,
      60_000,
      12,
      40,
      1,
      'price',
      25,
    ]);
    expect(
      await sql(
        `SELECT field, filled, items, run_id FROM scraper_run_field WHERE scraper = '${scraper}' ORDER BY field`,
      ),
    ).toEqual([
      ['price', 10, 40, event.runId],
      ['rating', 30, 40, event.runId],
      ['title', 40, 40, event.runId],
    ]);
    expect(
      await countRows('page_scrape', `scraper = '${scraper}' AND run_id = '${event.runId}'`),
    ).toBe(1);

    const url = new URL('/v1/history', running.url);
    url.searchParams.set('kind', 'scraper_run');
    url.searchParams.set('scraper', scraper);
    url.searchParams.set('from', String(event.recordedAt - 1_000));
    url.searchParams.set('to', String(event.recordedAt + 1_000));
    const res = await fetch(url, { headers: { authorization: `Bearer ${STREAM_TOKEN}` } });
    expect(res.status).toBe(200);
    const history = (await res.json()) as HistoryResponse;
    expect(history.events).toEqual([
      {
        ...event,
        error: null,
        fields: { price: 10, title: 40, rating: 30 },
      },
    ]);
  });

  it('history of scrapes carries their field coverage', async () => {
    const scraper = `${prefix}-scrape-history`;
    const recordedAt = Date.now() - 500;
    const event = scrape(scraper, {
      fields: { price: 3, title: 7 },
      recordedAt,
      eventId: `${scraper}-1`,
    });
    const bare = scrape(scraper, { recordedAt: recordedAt + 1, eventId: `${scraper}-2` });
    expect((await post(running.url, JSON.stringify([event, bare]))).status).toBe(202);
    await waitForRows('field_coverage', `scraper = '${scraper}'`, 2);
    const url = new URL('/v1/history', running.url);
    url.searchParams.set('kind', 'page_scrape');
    url.searchParams.set('scraper', scraper);
    url.searchParams.set('from', String(recordedAt - 1_000));
    url.searchParams.set('to', String(recordedAt + 1_000));
    const res = await fetch(url, { headers: { authorization: `Bearer ${STREAM_TOKEN}` } });
    const history = (await res.json()) as HistoryResponse;
    expect(history.events.map((e) => (e.type === 'page_scrape' ? e.fields : 'wrong'))).toEqual([
      { price: 3, title: 7 },
      undefined,
    ]);
  });

  it.each([
    [
      'a start after its end',
      { startedAt: Date.now() + 3_600_000 },
      'INCONSISTENT_FIELDS',
      '/startedAt',
    ],
    [
      'a field filled on more items than the run',
      { fields: { price: 41 } },
      'INCONSISTENT_FIELDS',
      '/fields/price',
    ],
    ['a negative item count', { items: -1 }, 'OUT_OF_RANGE', '/items'],
    ['an unknown outcome', { outcome: 'partial' }, 'INVALID_FORMAT', '/outcome'],
    ['no runId', { runId: undefined }, 'MISSING_FIELD', '/runId'],
  ])('rejects %s with a coded 400, storing nothing', async (_name, overrides, code, path) => {
    const scraper = `${prefix}-bad-${code.toLowerCase()}-${path.replace(/\W/g, '')}`;
    const body = JSON.stringify([run(scraper), run(scraper, overrides)]);
    const res = await post(running.url, body);
    const json = (await res.json()) as ErrorJson;
    expect({ status: res.status, code: json.error.code }).toEqual({ status: 400, code });
    expect(json.error.details).toEqual([expect.objectContaining({ index: 1, path, code })]);
    const sentinel = `${scraper}-sentinel`;
    expect((await post(running.url, JSON.stringify(run(sentinel)))).status).toBe(202);
    await waitForRows('scraper_run', `scraper = '${sentinel}'`, 1);
    expect(await countRows('scraper_run', `scraper = '${scraper}'`)).toBe(0);
  });
});
