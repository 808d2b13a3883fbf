import { randomBytes } from 'node:crypto';
import { testQuestDB } from '@scrapewatch/questdb';
import { alignedNow, SECOND_MS, until } from '@scrapewatch/testkit';
import { startInProcessCollector, type InProcessCollector } from '@scrapewatch/testkit/collector';
import { ALERT_RULES, type AlertRuleDefinition } from '../src/alerting/rules';
import {
  evaluateExpression,
  ruleStates,
  tableToNumbers,
  type Instance,
  type Results,
} from './support/expressions';
import { expandQuestDbMacros } from '../src/grafana/interpolation';
import { query } from './support/questdb';

// A week of scrapes and runs sent through a real collector into the real QuestDB: two scrapers
// with two domains each, full coverage of price and title all week; in the last minutes price
// goes empty on one domain of one scraper, and that scraper's last run comes up short. The
// fill-rate rule must fire for that (scraper, field, domain) only, the run rule for that run only.

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const TOKEN = `dq-week-${randomBytes(8).toString('hex')}`;

const { httpUrl, pgUrl } = testQuestDB();
const tag = randomBytes(3).toString('hex');
const broken = `dq-${tag}-shop`;
const healthy = `dq-${tag}-news`;
const domains = (scraper: string) => [`${scraper}.example`, `${scraper}.example.org`];
let collector: InProcessCollector | undefined;
let url: string;
let nowMs: number;
const runIds = { short: `${broken}-last`, healthyLast: `${healthy}-last` };

async function post(events: unknown[]): Promise<void> {
  for (let i = 0; i < events.length; i += 2_000) {
    const res = await fetch(`${url}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(events.slice(i, i + 2_000)),
    });
    if (res.status !== 202) throw new Error(`POST: ${res.status} ${await res.text()}`);
  }
}

function weekOfEvents(): { events: unknown[]; scrapes: number; runs: number } {
  const events: unknown[] = [];
  let scrapes = 0;
  let runs = 0;
  const start = nowMs - 7 * DAY + HOUR;
  for (const scraper of [broken, healthy]) {
    // One scrape per domain every 20 minutes, 10 items, price and title always filled.
    for (let t = start; t < nowMs - 10 * MIN; t += 20 * MIN) {
      for (const domain of domains(scraper)) {
        events.push({
          type: 'page_scrape',
          scraperSource: scraper,
          url: `https://${domain}/list?t=${t}`,
          scrapeDurationMs: 80,
          itemsExtracted: 10,
          success: true,
          error: null,
          recordedAt: t,
          fields: { price: 10, title: 10 },
        });
        scrapes += 1;
      }
    }
    // The last 5 minutes: 5 scrapes per domain; the broken scraper lost price on its first domain.
    for (let i = 0; i < 5; i += 1) {
      for (const [d, domain] of domains(scraper).entries()) {
        const empty = scraper === broken && d === 0;
        events.push({
          type: 'page_scrape',
          scraperSource: scraper,
          url: `https://${domain}/list?now=${i}`,
          scrapeDurationMs: 80,
          itemsExtracted: 10,
          success: true,
          error: null,
          recordedAt: nowMs - 4 * MIN + i * 30_000,
          fields: { price: empty ? 0 : 10, title: 10 },
        });
        scrapes += 1;
      }
    }
    // A run every 6 hours with 95-110 items; each scraper's last one 10 minutes ago.
    let n = 0;
    for (let end = start + 6 * HOUR; end < nowMs - HOUR; end += 6 * HOUR) {
      n += 1;
      events.push(run(scraper, `${scraper}-${n}`, end, 95 + (n % 4) * 5));
      runs += 1;
    }
    const last = scraper === broken ? runIds.short : runIds.healthyLast;
    events.push(run(scraper, last, nowMs - 10 * MIN, scraper === broken ? 40 : 100));
    runs += 1;
  }
  return { events, scrapes, runs };
}

function run(scraper: string, runId: string, endMs: number, items: number) {
  return {
    type: 'scraper_run',
    scraperSource: scraper,
    runId,
    startedAt: endMs - 20 * MIN,
    recordedAt: endMs,
    outcome: 'success',
    pages: 20,
    items,
    errors: 0,
    fields: { price: items, title: items },
  };
}

async function evaluate(rule: AlertRuleDefinition): Promise<Instance[]> {
  const results: Record<string, Results> = {};
  // A second after the week's "now", not the clock's: the same buckets whenever it runs.
  const at = nowMs + SECOND_MS;
  for (const q of rule.queries) {
    const sql = expandQuestDbMacros(q.sql, {
      fromMs: at - q.relativeSeconds * 1000,
      toMs: at,
      intervalMs: 60_000,
    });
    results[q.refId] = tableToNumbers(await query(pgUrl, sql));
  }
  for (const expression of rule.expressions)
    results[expression.refId] = evaluateExpression(expression, results);
  const condition = results[rule.condition];
  if (!condition) throw new Error(`${rule.uid}: no condition`);
  return ruleStates(condition, rule.noDataState).filter((i) =>
    [broken, healthy].includes(i.labels['scraper'] ?? ''),
  );
}

function rule(uid: string): AlertRuleDefinition {
  const found = ALERT_RULES.find((r) => r.uid === uid);
  if (!found) throw new Error(uid);
  return found;
}

beforeAll(async () => {
  collector = await startInProcessCollector({
    SCRAPEWATCH_QUESTDB_HTTP: httpUrl,
    SCRAPEWATCH_QUESTDB_PG: pgUrl,
    SCRAPEWATCH_INGEST_TOKENS: TOKEN,
    SCRAPEWATCH_STREAM_TOKENS: `${TOKEN}-stream`,
  });
  ({ url } = collector);
  // 30 s into a minute, as the other seeds: the same one-minute buckets on every run.
  nowMs = alignedNow('minute', { offsetMs: 30 * SECOND_MS });
  const week = weekOfEvents();
  await post(week.events);
  const inList = `'${broken}', '${healthy}'`;
  const count = async (sql: string) => Number((await query(pgUrl, sql)).rows[0]?.['n'] ?? 0);
  await until(
    'the week in QuestDB and its views',
    async () =>
      (await count(`SELECT count() n FROM page_scrape WHERE scraper IN (${inList})`)) ===
        week.scrapes &&
      (await count(`SELECT count() n FROM field_coverage WHERE scraper IN (${inList})`)) ===
        2 * week.scrapes &&
      (await count(`SELECT sum(scrapes) n FROM field_coverage_1h WHERE scraper IN (${inList})`)) ===
        2 * week.scrapes &&
      (await count(`SELECT count() n FROM scraper_run WHERE scraper IN (${inList})`)) === week.runs,
    120_000,
  );
}, 300_000);

afterAll(async () => {
  await collector?.close();
});

describe('a seeded week through the collector', () => {
  it('the fill-rate rule fires for the (scraper, field, domain) that lost the field only', async () => {
    const instances = await evaluate(rule('scrapewatch-field-fill-rate-drop'));
    const firing = instances.filter((i) => i.state === 'Alerting').map((i) => i.labels);
    expect(firing).toEqual([{ scraper: broken, field: 'price', domain: domains(broken)[0] }]);
    // Every other key was evaluated (and is Normal): 2 scrapers x 2 domains x 2 fields.
    expect(instances).toHaveLength(8);
  });

  it('the run rule fires for the short run only', async () => {
    const instances = await evaluate(rule('scrapewatch-run-short'));
    expect(instances.map((i) => [i.labels['run_id'], i.state]).sort()).toEqual([
      [runIds.healthyLast, 'Normal'],
      [runIds.short, 'Alerting'],
    ]);
  });
});
