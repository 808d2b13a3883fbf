import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DataFrame } from '@grafana/data';
import { TargetSeries } from '../src/live/target-series';
import type { LiveQuery } from '../src/types';
import { navigation, scrape } from './support/events';
import { createDataSource, installGrafanaServices, TestTemplateSrv } from './support/grafana';

// The provisioned Overview, exactly as Grafana loads it.
const OVERVIEW = path.resolve(__dirname, '../../provisioning/dashboards/json/overview.json');
const T0 = 1_700_000_000_000;
const MIN = 60_000;

interface Panel {
  title?: string;
  fieldConfig?: { defaults?: { noValue?: string } };
  targets?: LiveQuery[];
  panels?: Panel[];
}

function panel(title: string): Panel {
  const dashboard = JSON.parse(readFileSync(OVERVIEW, 'utf8')) as { panels: Panel[] };
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const found = panels.find((p) => p.title === title);
  if (found === undefined) throw new Error(`no panel "${title}"`);
  return found;
}

function target(title: string): LiveQuery {
  const found = panel(title).targets?.[0];
  if (found === undefined) throw new Error(`no target on "${title}"`);
  return found;
}

/** The card's single value at `atMs`, computed by the plugin from the provisioned target. */
function cardValue(
  title: string,
  events: Parameters<TargetSeries['add']>[0],
  atMs: number,
): unknown {
  const query = createDataSource({}).resolveQuery(target(title));
  const series = new TargetSeries(query, {
    capacity: 100,
    maxEvents: 10_000,
    maxRememberedIds: 10_000,
  });
  series.add(events);
  series.evaluate([atMs]);
  const frames: DataFrame[] = series.frames();
  expect(frames).toHaveLength(1);
  return frames[0]?.fields[1]?.values[0];
}

describe('the Overview cards that stream instead of reading QuestDB', () => {
  beforeAll(() =>
    installGrafanaServices(
      new TestTemplateSrv([
        { name: 'scraper', current: '$__all', options: ['zillow', 'robinhood', 'amazon'] },
      ]),
    ),
  );

  it('Items/min: items extracted during the last minute, every selected scraper together', () => {
    const events = [
      scrape('zillow', T0 - 2 * MIN, { itemsExtracted: 500 }), // before the minute
      scrape('zillow', T0 - 30_000, { itemsExtracted: 12 }),
      scrape('robinhood', T0 - 10_000, { itemsExtracted: 8 }),
      scrape('amazon', T0 - 5_000, { itemsExtracted: 0 }),
      scrape('ebay', T0 - 5_000, { itemsExtracted: 99 }), // not a selected scraper
    ];
    expect(cardValue('Items/min', events, T0)).toBe(20);
  });

  it('Active scrapers: scrapers with a navigation in the last 5 minutes', () => {
    const events = [
      navigation('zillow', T0 - 6 * MIN), // quiet for 6 minutes
      navigation('robinhood', T0 - 4 * MIN),
      navigation('robinhood', T0 - MIN),
      navigation('amazon', T0 - 10_000),
    ];
    expect(cardValue('Active scrapers', events, T0)).toBe(2);
    // With no navigation at all there is no series: the card shows its noValue, 0.
    expect(panel('Active scrapers').fieldConfig?.defaults?.noValue).toBe('0');
    expect(panel('Items/min').fieldConfig?.defaults?.noValue).toBe('0');
  });
});
