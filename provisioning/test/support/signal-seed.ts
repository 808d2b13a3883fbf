import { execSql } from '@scrapewatch/testkit';
import { fingerprintError } from '../../../collector/src/ingest/fingerprint';
import { PRICES_TABLE } from '../../src/sql/cost';
import { type Row, insert, waitForLanded } from './seed';

/**
 * Blocks, error fingerprints and cost, seeded relative to `nowMs` (never later than the clock;
 * tests take it from the kit's `alignedNow` and query relative to it) with scrapers unique to one
 * test file. Error columns are filled by the collector's own fingerprinter, as at ingest.
 * - blocky: 20 navigations to `blocked` in the last 5 minutes, 6 blocked (4 rate_limited,
 *   2 captcha): 30 %; 20 to `fine`, 2 blocked (forbidden, a user's own `geo_fence`): 10 %;
 *   3 to `tiny`, all blocked (below the rule's minimum of navigations). 6 failed scrapes with an
 *   error never seen before (`newError`), in the last 5 minutes.
 * - calm: 2 days ago a baseline of 100 navigations (100 kB, no retries) and 100 scrapes of 10
 *   items; in the last 20 minutes 20 navigations and 20 scrapes just like them (cost ratio 1).
 *   An old error (`oldError`) 3 times 2 days ago and 6 times now; a new one (`rareError`) twice.
 * - costly: the same baseline; now each navigation retried once and 300 kB (cost ratio 2.5 at
 *   its own prices: 10 per GB, 0.001 per request).
 */
export interface SignalSeed {
  readonly nowMs: number;
  readonly blocky: string;
  readonly calm: string;
  readonly costly: string;
  readonly scrapers: readonly string[];
  readonly domains: { readonly blocked: string; readonly fine: string; readonly tiny: string };
  readonly newError: {
    readonly message: string;
    readonly fingerprint: string;
    readonly template: string;
  };
  readonly oldError: string;
  readonly rareError: string;
}

const MIN = 60_000;

export async function seedSignals(
  httpUrl: string,
  pgUrl: string,
  tag: string,
  nowMs: number,
): Promise<SignalSeed> {
  const blocky = `sg-${tag}-blocky`;
  const calm = `sg-${tag}-calm`;
  const costly = `sg-${tag}-costly`;
  const domains = {
    blocked: `blocked-${tag}.example`,
    fine: `fine-${tag}.example`,
    tiny: `tiny-${tag}.example`,
  };
  // Templates unique to this seed: the tag spelt in letters (hex would become a placeholder).
  const word = tag.replace(/\d/g, (d) => 'ghijklmnop'[Number(d)]!);
  const newMessage = (n: number): string =>
    `Error: price widget ${word} missing on page ${n} (request id 8f14e45f-ceea-467a-9af0-2b6c1e3a9d1${n})\n    at extract (/app/dist/extract.js:${120 + n}:17)`;
  const newFp = fingerprintError(newMessage(1));
  const s: SignalSeed = {
    nowMs,
    blocky,
    calm,
    costly,
    scrapers: [blocky, calm, costly],
    domains,
    newError: { message: newMessage(1), ...newFp },
    oldError: `Error: session Q9w8E7r6T5y4U3i2 of ${word} expired after 1800 s`,
    rareError: `Error: unexpected currency code in row 12 of table ${word}`,
  };
  let id = 0;
  const eventId = (): string => `sg-${tag}-${(id += 1)}`;
  const baselineMs = nowMs - 2 * 24 * 60 * MIN;

  const nav = (
    scraper: string,
    domain: string,
    ts: number,
    o: { blockReason?: string; bytes?: number; retries?: number } = {},
  ): Row => ({
    ts,
    event_id: eventId(),
    scraper,
    domain,
    url: `https://${domain}/p/${id}`,
    duration_ms: 300,
    retry_count: o.retries ?? 0,
    success: o.blockReason === undefined,
    status_code: o.blockReason === undefined ? 200 : 429,
    bytes: o.bytes ?? 100_000,
    block_reason: o.blockReason ?? null,
    error: null,
  });
  const scrape = (
    scraper: string,
    domain: string,
    ts: number,
    items: number,
    error?: string,
  ): Row => {
    const fp = error === undefined ? null : fingerprintError(error);
    return {
      ts,
      event_id: eventId(),
      scraper,
      domain,
      url: `https://${domain}/p/${id}`,
      duration_ms: 40,
      items_extracted: items,
      success: error === undefined,
      error: error ?? null,
      error_class: error === undefined ? null : 'other',
      error_fingerprint: fp?.fingerprint ?? null,
      error_template: fp?.template ?? null,
    };
  };

  const navigations: Row[] = [];
  const scrapes: Row[] = [];
  const reasons = [
    'rate_limited',
    'rate_limited',
    'rate_limited',
    'rate_limited',
    'captcha',
    'captcha',
  ];
  for (let i = 0; i < 20; i += 1) {
    const ts = nowMs - 5 * MIN + i * 10_000;
    navigations.push(nav(blocky, domains.blocked, ts, { blockReason: reasons[i] }));
    const fineReason = i === 3 ? 'forbidden' : i === 7 ? 'geo_fence' : undefined;
    navigations.push(
      nav(blocky, domains.fine, ts + 1, fineReason ? { blockReason: fineReason } : {}),
    );
  }
  for (let i = 0; i < 3; i += 1)
    navigations.push(
      nav(blocky, domains.tiny, nowMs - 4 * MIN + i * 1_000, { blockReason: 'challenge' }),
    );
  for (let i = 0; i < 6; i += 1)
    scrapes.push(
      scrape(blocky, domains.blocked, nowMs - 4 * MIN + i * 20_000, 0, newMessage(i + 1)),
    );

  for (const scraper of [calm, costly]) {
    const domain = `${scraper}.example`;
    for (let i = 0; i < 100; i += 1) {
      navigations.push(nav(scraper, domain, baselineMs + i * 10_000));
      scrapes.push(scrape(scraper, domain, baselineMs + i * 10_000 + 1, 10));
    }
    for (let i = 0; i < 20; i += 1) {
      const ts = nowMs - 20 * MIN + i * 50_000;
      navigations.push(
        nav(scraper, domain, ts, scraper === costly ? { bytes: 300_000, retries: 1 } : {}),
      );
      scrapes.push(scrape(scraper, domain, ts + 1, 10));
    }
  }
  const calmDomain = `${calm}.example`;
  for (let i = 0; i < 3; i += 1)
    scrapes.push(scrape(calm, calmDomain, baselineMs + 5 * MIN + i * 1_000, 0, s.oldError));
  for (let i = 0; i < 6; i += 1)
    scrapes.push(scrape(calm, calmDomain, nowMs - 6 * MIN + i * 1_000, 0, s.oldError));
  for (let i = 0; i < 2; i += 1)
    scrapes.push(scrape(calm, calmDomain, nowMs - 3 * MIN + i * 1_000, 0, s.rareError));

  // In chunks: the statement travels in the URL of QuestDB's /exec.
  for (const [table, rows] of [
    ['page_navigation', navigations],
    ['page_scrape', scrapes],
  ] as const) {
    for (let i = 0; i < rows.length; i += 50)
      await execSql(httpUrl, insert(table, rows.slice(i, i + 50)));
  }
  await execSql(
    httpUrl,
    `INSERT INTO ${PRICES_TABLE} VALUES (cast(${(nowMs - 60 * MIN) * 1000} as timestamp), '${costly}', 10.0, 0.001, 'USD')`,
  );

  const byScraper = `scraper IN (${s.scrapers.map((x) => `'${x}'`).join(',')})`;
  await waitForLanded(httpUrl, pgUrl, [
    { table: 'page_navigation', where: byScraper, n: navigations.length, tierSum: 'events' },
    { table: 'page_scrape', where: byScraper, n: scrapes.length, tierSum: 'events' },
  ]);
  return s;
}
