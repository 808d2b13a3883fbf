import { fieldCoverage } from '@scrapewatch/sdk';

/**
 * Field coverage in the SDK (`fieldCoverage`, what `trackScrape(..., { items })` runs after each
 * scrape), on one core, in this process: the time per call for a scrape of `items` items with
 * `fields` fields, with the fields named (`expectedFields`) and discovered from the items. The
 * baseline is the floor of the work: one loop reading every value of every item once
 * (`Object.values`) and testing it for null, measured side by side in the same rounds.
 */

export interface CoverageSpec {
  readonly items: number;
  readonly fields: number;
  /** Measured time per side per round. */
  readonly roundMs: number;
  readonly rounds: number;
}

export interface CoverageResult {
  readonly items: number;
  readonly fields: number;
  /** Median over rounds of the mean CPU time per call, in ms. */
  readonly namedMsPerCall: number;
  readonly discoveredMsPerCall: number;
  readonly floorMsPerCall: number;
  /** named / floor and discovered / floor. */
  readonly namedRatio: number;
  readonly discoveredRatio: number;
}

export const DEFAULT_COVERAGE_SPEC: CoverageSpec = {
  items: 1_000,
  fields: 30,
  roundMs: 500,
  rounds: 5,
};

/**
 * Items as a scraper extracts them: one shape, a mix of strings, numbers, nulls, empty strings and
 * arrays. Built through JSON, as parsed API responses are: an object grown key by key from
 * computed names would be a dictionary-mode object, which object literals and parsed JSON are not.
 */
export function coverageItems(items: number, fields: number): Record<string, unknown>[] {
  return JSON.parse(JSON.stringify(grownItems(items, fields))) as Record<string, unknown>[];
}

function grownItems(items: number, fields: number): Record<string, unknown>[] {
  return Array.from({ length: items }, (_, i) => {
    const item: Record<string, unknown> = {};
    for (let f = 0; f < fields; f += 1) {
      const pick = (i * 31 + f * 7) % 10;
      item[`field_${f}`] =
        pick === 0 ? null : pick === 1 ? '' : pick === 2 ? [] : pick < 6 ? `value ${i}` : i * f;
    }
    return item;
  });
}

function floor(items: readonly Record<string, unknown>[]): number {
  let filled = 0;
  for (const item of items) {
    for (const value of Object.values(item)) if (value != null) filled += 1;
  }
  return filled;
}

/**
 * Mean CPU ms per call (user + system of this process) over whole calls for at least `durationMs`
 * of wall time. CPU time rather than wall time: on a shared machine the process is descheduled
 * for long stretches, which says nothing about the work of one call.
 */
function measure(call: () => unknown, durationMs: number): number {
  let calls = 0;
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  do {
    for (let k = 0; k < 10; k += 1) call();
    calls += 10;
  } while (performance.now() - started < durationMs);
  const cpu = process.cpuUsage(cpuStart);
  return (cpu.user + cpu.system) / 1000 / calls;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export function runCoverage(spec: CoverageSpec): CoverageResult {
  const items = coverageItems(spec.items, spec.fields);
  const names = Object.keys(items[0] ?? {});
  const sides = {
    named: () => fieldCoverage(items, names),
    discovered: () => fieldCoverage(items),
    floor: () => floor(items),
  };
  const runs: Record<keyof typeof sides, number[]> = { named: [], discovered: [], floor: [] };
  const order = Object.keys(sides) as (keyof typeof sides)[];
  for (let round = 0; round < spec.rounds; round += 1) {
    // The order rotates every round, so no side always runs on a warmer machine.
    for (let k = 0; k < order.length; k += 1) {
      const side = order[(round + k) % order.length]!;
      runs[side].push(measure(sides[side], spec.roundMs));
    }
  }
  const namedMsPerCall = median(runs.named);
  const discoveredMsPerCall = median(runs.discovered);
  const floorMsPerCall = median(runs.floor);
  return {
    items: spec.items,
    fields: spec.fields,
    namedMsPerCall,
    discoveredMsPerCall,
    floorMsPerCall,
    namedRatio: namedMsPerCall / floorMsPerCall,
    discoveredRatio: discoveredMsPerCall / floorMsPerCall,
  };
}
