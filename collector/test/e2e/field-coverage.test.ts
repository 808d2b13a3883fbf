import { LIMITS } from '@scrapewatch/protocol';
import {
  countRows,
  post,
  scrape,
  sql,
  startCollector,
  uniquePrefix,
  waitForRows,
  type RunningCollector,
} from './harness';

// Field coverage through a real collector into the real QuestDB: one field_coverage row per
// (scrape, field), stored once when re-sent; bad coverage is a coded 400 naming item and field,
// and nothing of the request is stored.

let running: RunningCollector;
const prefix = uniquePrefix('coverage');

beforeAll(async () => {
  running = await startCollector();
});

afterAll(async () => {
  await running?.close();
});

interface ErrorJson {
  error: { code: string; details: { index: number | null; path: string; code: string }[] };
}

describe('field coverage on page_scrape', () => {
  it('stores one row per field with the scrape domain, items and filled counts, once', async () => {
    const scraper = `${prefix}-ok`;
    const recordedAt = Date.now() - 1_000;
    const events = [
      scrape(scraper, {
        url: 'https://Shop.Example.com/p/1',
        itemsExtracted: 20,
        fields: { price: 20, title: 19, 'seller name': 0 },
        recordedAt,
        eventId: `${scraper}-1`,
      }),
      scrape(scraper, {
        url: 'https://other.example.org/list',
        itemsExtracted: 4,
        fields: { price: 1 },
        recordedAt: recordedAt + 1,
        eventId: `${scraper}-2`,
      }),
      // Without coverage: a scrape row only.
      scrape(scraper, { recordedAt: recordedAt + 2, eventId: `${scraper}-3` }),
    ];
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const res = await post(running.url, JSON.stringify(events));
      expect(res.status).toBe(202);
    }
    await waitForRows('page_scrape', `scraper = '${scraper}'`, 3);
    await waitForRows('field_coverage', `scraper = '${scraper}'`, 4);
    const rows = await sql(
      `SELECT event_id, domain, field, filled, items, cast(ts AS long) FROM field_coverage ` +
        `WHERE scraper = '${scraper}' ORDER BY event_id, field`,
    );
    expect(rows).toEqual([
      [`${scraper}-1`, 'shop.example.com', 'price', 20, 20, recordedAt * 1000],
      [`${scraper}-1`, 'shop.example.com', 'seller name', 0, 20, recordedAt * 1000],
      [`${scraper}-1`, 'shop.example.com', 'title', 19, 20, recordedAt * 1000],
      [`${scraper}-2`, 'other.example.org', 'price', 1, 4, (recordedAt + 1) * 1000],
    ]);
  });

  it('rejects bad coverage with a coded 400 naming item and field, storing nothing', async () => {
    const tooMany: Record<string, number> = {};
    for (let i = 0; i <= LIMITS.maxFields; i += 1) tooMany[`f${i}`] = 0;
    const cases: { fields: unknown; code: string; path: string }[] = [
      { fields: tooMany, code: 'TOO_MANY_FIELDS', path: '/fields' },
      { fields: { price: -1 }, code: 'OUT_OF_RANGE', path: '/fields/price' },
      { fields: { price: 8 }, code: 'INCONSISTENT_FIELDS', path: '/fields/price' },
      { fields: { 'pri\u0007ce': 1 }, code: 'INVALID_FORMAT', path: '/fields/pri\u0007ce' },
    ];
    const scrapers: string[] = [];
    for (const [n, c] of cases.entries()) {
      const scraper = `${prefix}-bad-${n}`;
      scrapers.push(scraper);
      // A good scrape first: the request is rejected whole, the good item included.
      const body = JSON.stringify([
        scrape(scraper, { fields: { price: 7 } }),
        scrape(scraper, { fields: c.fields }),
      ]);
      const res = await post(running.url, body);
      const json = (await res.json()) as ErrorJson;
      expect({ status: res.status, code: json.error.code }).toEqual({ status: 400, code: c.code });
      expect(json.error.details).toEqual([
        expect.objectContaining({ index: 1, path: c.path, code: c.code }),
      ]);
    }
    // A sentinel written after every rejection: once it is visible, a stored bad row would be too.
    const sentinel = `${prefix}-sentinel`;
    expect(
      (await post(running.url, JSON.stringify(scrape(sentinel, { fields: { a: 1 } })))).status,
    ).toBe(202);
    await waitForRows('field_coverage', `scraper = '${sentinel}'`, 1);
    const inList = scrapers.map((s) => `'${s}'`).join(', ');
    expect(await countRows('page_scrape', `scraper IN (${inList})`)).toBe(0);
    expect(await countRows('field_coverage', `scraper IN (${inList})`)).toBe(0);
  });
});
