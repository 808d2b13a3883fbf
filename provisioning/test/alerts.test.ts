import { randomBytes } from 'node:crypto';
import { testQuestDB } from '@scrapewatch/questdb';
import { alignedNow, SECOND_MS } from '@scrapewatch/testkit';
import { ALERT_RULES, type AlertRuleDefinition } from '../src/alerting/rules';
import { THRESHOLDS } from '../src/alerting/thresholds';
import type { Instance } from './support/expressions';
import { applySchema } from './support/questdb';
import { evaluateRule, ruleByUid } from './support/rules';
import { type Seed, seed } from './support/seed';

const { httpUrl, pgUrl } = testQuestDB();
let data: Seed;

beforeAll(async () => {
  await applySchema(httpUrl);
  // 30 s into a minute, as queries.test.ts: the same one-minute buckets on every run.
  const nowMs = alignedNow('minute', { offsetMs: 30 * SECOND_MS });
  data = await seed(httpUrl, pgUrl, randomBytes(4).toString('hex'), nowMs);
}, 300_000);

/** Evaluates at `atMs`, by default a second after the seed's "now" (not the clock's). */
async function evaluate(
  rule: AlertRuleDefinition,
  atMs = data.nowMs + SECOND_MS,
): Promise<Instance[]> {
  return evaluateRule(pgUrl, rule, atMs);
}

const rule = ruleByUid;

/** State per seeded scraper (other test files' scrapers share the tables and are ignored). */
async function statesByScraper(uid: string): Promise<Record<string, Instance['state'][]>> {
  const out: Record<string, Instance['state'][]> = {};
  for (const instance of await evaluate(rule(uid))) {
    const scraper = instance.labels['scraper'];
    if (scraper === undefined || !data.scrapers.includes(scraper)) continue;
    (out[scraper] ??= []).push(instance.state);
  }
  return out;
}

describe('alert rules on a healthy and an unhealthy scraper', () => {
  it('success rate: fires for the failing scraper only', async () => {
    const states = await statesByScraper('scrapewatch-success-rate-low');
    expect(states[data.broken]).toEqual(['Alerting']);
    expect(states[data.healthy]).toEqual(['Normal']);
    // 40 minutes ago is outside the 15-minute window: no instance for the silent scraper.
    expect(states[data.silent]).toBeUndefined();
  });

  it('p95 navigation time: fires for the slow scraper only', async () => {
    const states = await statesByScraper('scrapewatch-navigation-p95-high');
    expect(states[data.broken]).toEqual(['Alerting']);
    expect(states[data.healthy]).toEqual(['Normal']);
  });

  it('silent scraper: fires for the scraper quiet for 40 minutes only', async () => {
    const states = await statesByScraper('scrapewatch-scraper-silent');
    expect(states[data.silent]).toEqual(['Alerting']);
    expect(states[data.healthy]).toEqual(['Normal']);
    expect(states[data.broken]).toEqual(['Normal']);
  });

  it('silent scraper: a fresh install with no scraper at all stays quiet, like every rule on no data', async () => {
    // Before 2001 nothing was ever stored: the state of a fresh install with empty tables.
    const longAgo = Date.UTC(2001, 0, 1);
    expect(await evaluate(rule('scrapewatch-scraper-silent'), longAgo)).toEqual([
      { labels: {}, state: 'Normal', value: null },
    ]);
    for (const r of ALERT_RULES) {
      expect(r.noDataState).toBe('OK');
      expect((await evaluate(r, longAgo)).map((i) => i.state)).toEqual(['Normal']);
    }
  });

  it('silent scraper: fires for every known scraper when all of them stop at once', async () => {
    // An hour after the seed's newest event, every seeded scraper has been quiet for 15+ minutes
    // and is still within the 7 days that make it known.
    const later = data.nowMs + 60 * 60_000;
    const states: Record<string, string[]> = {};
    for (const instance of await evaluate(rule('scrapewatch-scraper-silent'), later)) {
      const scraper = instance.labels['scraper'];
      if (scraper !== undefined && data.scrapers.includes(scraper))
        (states[scraper] ??= []).push(instance.state);
    }
    expect(states).toEqual(
      Object.fromEntries(data.scrapers.map((scraper) => [scraper, ['Alerting']])),
    );
  });

  it('zero-item scrapes: fires for the scraper whose successful scrapes extract nothing', async () => {
    const states = await statesByScraper('scrapewatch-zero-item-scrapes');
    expect(states[data.broken]).toEqual(['Alerting']);
    expect(states[data.healthy]).toEqual(['Normal']);
  });

  it('items below baseline: fires for the scraper far below its own 7-day average', async () => {
    const states = await statesByScraper('scrapewatch-items-below-baseline');
    expect(states[data.broken]).toEqual(['Alerting']);
    expect(states[data.healthy]).toEqual(['Normal']);
  });

  it('scheduler run failed: fires for the failed job only', async () => {
    const instances = (await evaluate(rule('scrapewatch-scheduler-run-failed'))).filter(
      (i) => i.labels['scheduler_name'] === data.scheduler,
    );
    expect(instances).toEqual([
      {
        labels: {
          scraper: data.broken,
          scheduler_name: data.scheduler,
          job_name: data.jobs.broken,
        },
        state: 'Alerting',
        value: 1,
      },
    ]);
  });

  it('scheduler missed or late: fires for the job with a missed and a late run only', async () => {
    const instances = (await evaluate(rule('scrapewatch-scheduler-run-missed-or-late'))).filter(
      (i) => i.labels['scheduler_name'] === data.scheduler,
    );
    const byJob = Object.fromEntries(instances.map((i) => [i.labels['job_name'], i]));
    expect(byJob[data.jobs.broken]?.state).toBe('Alerting');
    expect(byJob[data.jobs.broken]?.labels['scraper']).toBe(data.broken);
    expect(byJob[data.jobs.healthy]?.state).toBe('Normal');
    // A run tied to no scraper carries scraper "-" so it still groups and routes.
    expect(byJob[data.jobs.unowned]).toEqual(
      expect.objectContaining({
        state: 'Normal',
        labels: expect.objectContaining({ scraper: '-' }),
      }),
    );
    expect(THRESHOLDS.schedulerMissedOrLate.maxLatenessMs).toBeLessThan(600_000);
  });

  it('field fill rate: fires for the (scraper, field, domain) whose field went empty only', async () => {
    const instances = (await evaluate(rule('scrapewatch-field-fill-rate-drop'))).filter((i) =>
      data.scrapers.includes(i.labels['scraper'] ?? ''),
    );
    const key = (i: Instance): string =>
      `${i.labels['scraper']} ${i.labels['field']} ${i.labels['domain']}`;
    const states = Object.fromEntries(instances.map((i) => [key(i), i.state]));
    const { brokenDomain, otherDomain } = data.coverage;
    expect(states).toEqual({
      [`${data.broken} price ${brokenDomain}`]: 'Alerting',
      [`${data.broken} title ${brokenDomain}`]: 'Normal',
      [`${data.broken} price ${otherDomain}`]: 'Normal',
      [`${data.broken} title ${otherDomain}`]: 'Normal',
      [`${data.healthy} price ${data.healthy}.example`]: 'Normal',
      [`${data.healthy} title ${data.healthy}.example`]: 'Normal',
    });
    const firing = instances.find((i) => i.state === 'Alerting');
    expect(firing?.value).toBe(1);
  });

  it('short run: fires for the run with under half the median items of the 10 before only', async () => {
    const instances = (await evaluate(rule('scrapewatch-run-short'))).filter((i) =>
      data.scrapers.includes(i.labels['scraper'] ?? ''),
    );
    const byRun = Object.fromEntries(instances.map((i) => [i.labels['run_id'], i]));
    expect(Object.keys(byRun).sort()).toEqual(
      [data.runs.brokenNormal, data.runs.healthy, data.runs.short].sort(),
    );
    expect(byRun[data.runs.short]).toEqual({
      labels: { scraper: data.broken, run_id: data.runs.short },
      state: 'Alerting',
      value: 1,
    });
    expect(byRun[data.runs.brokenNormal]?.state).toBe('Normal');
    expect(byRun[data.runs.healthy]?.state).toBe('Normal');
  });
});
