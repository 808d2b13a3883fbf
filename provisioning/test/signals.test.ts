import { randomBytes } from 'node:crypto';
import { testQuestDB } from '@scrapewatch/questdb';
import { alignedNow, SECOND_MS } from '@scrapewatch/testkit';
import { buildDashboards } from '../src/dashboards';
import { provisionedRule } from '../src/alerting/provisioning';
import { THRESHOLDS } from '../src/alerting/thresholds';
import { panelByTitle, sqlOf } from './support/dashboards';
import type { Instance } from './support/expressions';
import { expandQuestDbMacros, interpolateVariables } from '../src/grafana/interpolation';
import { type ResultTable, applySchema, query } from './support/questdb';
import { evaluateRule, ruleByUid } from './support/rules';
import { type SignalSeed, seedSignals } from './support/signal-seed';

const { httpUrl, pgUrl } = testQuestDB();
const dashboards = buildDashboards();
const byUid = (uid: string) => {
  const d = dashboards.find((x) => x.uid === uid);
  if (!d) throw new Error(uid);
  return d;
};
let data: SignalSeed;

beforeAll(async () => {
  await applySchema(httpUrl);
  // 30 s into a minute: the seed's one-minute buckets are the same on every run.
  const nowMs = alignedNow('minute', { offsetMs: 30 * SECOND_MS });
  data = await seedSignals(httpUrl, pgUrl, randomBytes(4).toString('hex'), nowMs);
}, 300_000);

const HOUR = 3_600_000;

/**
 * A panel query as it reaches QuestDB, over the hour before the seed's "now" (a second after it),
 * all seeded scrapers selected.
 */
async function panel(uid: string, title: string): Promise<ResultTable> {
  const toMs = data.nowMs + SECOND_MS;
  const sql = expandQuestDbMacros(
    interpolateVariables(sqlOf(panelByTitle(byUid(uid), title)), {
      scraper: { options: data.scrapers, current: 'All' },
    }),
    { fromMs: toMs - HOUR, toMs, intervalMs: 60_000 },
  );
  return query(pgUrl, sql);
}

async function instances(uid: string): Promise<Instance[]> {
  return (await evaluateRule(pgUrl, ruleByUid(uid), data.nowMs + SECOND_MS)).filter((i) =>
    data.scrapers.includes(i.labels['scraper'] ?? ''),
  );
}

const byLabel = (list: readonly Instance[], label: string) =>
  Object.fromEntries(list.map((i) => [i.labels[label], i]));

describe('domain block rate rule', () => {
  it('fires for the domain blocking 30 % of navigations only', async () => {
    const found = byLabel(await instances('scrapewatch-domain-block-rate-high'), 'domain');
    expect(found[data.domains.blocked]).toMatchObject({ state: 'Alerting', value: 1 });
    expect(found[data.domains.blocked]?.labels['scraper']).toBe(data.blocky);
    expect(found[data.domains.fine]?.state).toBe('Normal');
    // Three navigations, all blocked: below the minimum, no instance at all.
    expect(found[data.domains.tiny]).toBeUndefined();
  });
});

describe('new error fingerprint rule', () => {
  it('fires for the fingerprint new in the last 15 minutes with 6 occurrences only', async () => {
    const found = await instances('scrapewatch-new-error-fingerprint');
    const alerting = found.filter((i) => i.state === 'Alerting');
    expect(alerting).toEqual([
      {
        state: 'Alerting',
        value: 1,
        labels: {
          scraper: data.blocky,
          fingerprint: data.newError.fingerprint,
          template: data.newError.template,
          sample_error: expect.stringContaining(' missing on page 1 (request id '),
          sample_url: expect.stringContaining(data.domains.blocked),
        },
      },
    ]);
    // The new error seen twice is Normal; the error also seen 2 days ago is not new at all.
    const calm = found.filter((i) => i.labels['scraper'] === data.calm);
    expect(calm.map((i) => [i.state, i.labels['template']])).toEqual([
      ['Normal', expect.stringContaining('unexpected currency code')],
    ]);
  });

  it('puts the sample message into the annotation through the labels', () => {
    const rule = provisionedRule(ruleByUid('scrapewatch-new-error-fingerprint'));
    const annotations = rule['annotations'] as Record<string, string>;
    expect(annotations['description']).toContain('{{ $labels.sample_error }}');
    expect(annotations['summary']).toContain('{{ $labels.template }}');
  });
});

describe('cost per 1,000 items rule', () => {
  it('fires for the scraper whose items cost 2.5 times its baseline only', async () => {
    const found = byLabel(await instances('scrapewatch-cost-per-item-high'), 'scraper');
    expect(found[data.costly]).toMatchObject({ state: 'Alerting', value: 1 });
    expect(found[data.calm]).toMatchObject({ state: 'Normal', value: 0 });
    expect(found[data.blocky]).toBeUndefined();
    expect(THRESHOLDS.costBaseline.minRatio).toBe(1.5);
  });
});

describe('panels return the seeded numbers', () => {
  it('Navigation: the most-blocked domains now', async () => {
    const table = await panel('scrapewatch-navigation', 'Most-blocked domains now');
    const seeded: unknown[] = Object.values(data.domains);
    const mine = table.rows.filter((r) => seeded.includes(r['domain']));
    expect(
      mine.map((r) => [r['domain'], r['blocked_pct'], r['blocked'], r['navigations']]),
    ).toEqual([
      [data.domains.tiny, 100, 3, 3],
      [data.domains.blocked, 30, 6, 20],
      [data.domains.fine, 10, 2, 20],
    ]);
    const blocked = mine.find((r) => r['domain'] === data.domains.blocked);
    expect(String(blocked?.['reasons']).split(',').sort()).toEqual(['captcha', 'rate_limited']);
  });

  it('Navigation: block rate by domain and reason, user reasons under other', async () => {
    const table = await panel('scrapewatch-navigation', 'Block rate by domain and reason');
    const fine = table.rows.filter((r) => r['domain'] === data.domains.fine);
    // One-minute buckets: one holds the forbidden navigation, one the user's own reason.
    expect(fine.length).toBeGreaterThan(0);
    const bucketsWith = (column: string) => fine.filter((r) => (r[column] as number) > 0).length;
    expect(bucketsWith('forbidden')).toBe(1);
    expect(bucketsWith('other')).toBe(1);
    expect(bucketsWith('rate_limited')).toBe(0);
  });

  it('Alerts: the Errors table groups the new error under one template', async () => {
    const table = await panel('scrapewatch-alerts', 'Errors');
    const row = table.rows.find((r) => r['fingerprint'] === data.newError.fingerprint);
    expect(row).toMatchObject({
      template: data.newError.template,
      occurrences: 6,
      scrapers: data.blocky,
      domains: data.domains.blocked,
      sample_url: expect.stringContaining(data.domains.blocked),
      sample_error: expect.stringContaining('missing on page 6'),
    });
    expect(data.newError.template).toContain('missing on page <n> (request id <uuid>)');
    const old = table.rows.find((r) => String(r['template']).includes('expired after'));
    // First seen 2 days ago although the range is the last hour.
    expect(data.nowMs - (old?.['first_seen'] as Date).getTime()).toBeGreaterThan(47 * HOUR);
    expect(old?.['occurrences']).toBe(6);
  });

  it("Scrapers: cost by scraper and domain at each scraper's prices", async () => {
    const table = await panel('scrapewatch-scrapers', 'Cost by scraper and domain');
    const calm = table.rows.find((r) => r['scraper'] === data.calm);
    expect(calm?.['requests_per_item']).toBeCloseTo(0.1);
    expect(calm?.['bytes_per_item']).toBeCloseTo(10_000);
    // 1,000 items = 10 MB at the default 5 per GB.
    expect(calm?.['cost_per_1000_items']).toBeCloseTo(0.05);
    expect(calm?.['currency']).toBe('USD');
    const costly = table.rows.find((r) => r['scraper'] === data.costly);
    expect(costly?.['requests_per_item']).toBeCloseTo(0.2);
    // 200 requests x 0.001 + 30 MB x 10 per GB.
    expect(costly?.['cost_per_1000_items']).toBeCloseTo(0.5);
  });

  it('Scrapers: cost per 1,000 items over time', async () => {
    const table = await panel('scrapewatch-scrapers', 'Cost per 1,000 items by scraper');
    expect(table.columns[0]?.time).toBe(true);
    const calm = table.rows.filter((r) => r['scraper'] === data.calm);
    expect(calm.length).toBeGreaterThan(5);
    for (const r of calm) expect(r['cost_per_1000_items']).toBeCloseTo(0.05);
  });
});
