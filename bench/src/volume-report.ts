import { isUnavailable, type TargetCheck, type Unavailable } from './results';
import type { QueryTiming, VolumeResult } from './scenarios/volume';

// The volume scenario's figures and target checks (issue targets for storage at volume).

export const VOLUME_TARGETS = Object.freeze({
  questdbCoresPer10k: 0.3,
  /** Largest over smallest QuestDB cores per 10k ev/s across the fill levels. */
  flatWithin: 1.25,
  defaultRangeP95Ms: 250,
  thirtyDaysP95Ms: 1_000,
  /** The fine tier's timer (REFRESH EVERY 1m). */
  viewLagMs: 60_000,
});

const n2 = (value: number | undefined): string =>
  value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(2);
const ms = (value: number): string => (Number.isFinite(value) ? `${Math.round(value)} ms` : 'n/a');

function status(ok: boolean | undefined): TargetCheck['status'] {
  return ok === undefined ? 'not measured' : ok ? 'met' : 'missed';
}

function worst(queries: readonly QueryTiming[], range: (t: QueryTiming) => boolean): QueryTiming[] {
  return queries
    .filter((q) => range(q))
    .sort((a, b) => (b.error ? Infinity : b.p95Ms) - (a.error ? Infinity : a.p95Ms));
}

const isDefault = (q: QueryTiming): boolean => q.range.startsWith('default');
const isThirty = (q: QueryTiming): boolean => q.range === '30 days';

export function volumeRows(volume: VolumeResult | Unavailable | undefined): string[][] {
  if (!volume) return [];
  if (isUnavailable(volume)) return [['storage at volume', 'unavailable', '', '']];
  const rows: string[][] = [
    [
      'volume: preload (server-side)',
      `${volume.preload.rows.toLocaleString('en-US')} rows in ${volume.preload.seconds.toFixed(0)} s`,
      `views settled ${volume.preload.settleSeconds.toFixed(0)} s later`,
      '',
    ],
  ];
  const empty = volume.phases[0];
  for (const phase of volume.phases) {
    const level = `${Math.round(phase.currentHourFill * 100)}% full hour`;
    rows.push([
      `volume: QuestDB cores / 10k ev/s, ${level}`,
      `${n2(phase.questdbCoresPer10k)} (${Math.round(phase.acceptedEventsPerSecond)} ev/s to ${phase.target})`,
      `${n2(empty?.questdbCoresPer10k)} empty hour`,
      empty ? `${n2(phase.questdbCoresPer10k / empty.questdbCoresPer10k)}x` : '',
    ]);
    if (phase.collectorCoresPer10k !== undefined)
      rows.push([
        `volume: collector cores / 10k ev/s, ${level}`,
        n2(phase.collectorCoresPer10k),
        `${n2(empty?.collectorCoresPer10k)} empty hour`,
        empty?.collectorCoresPer10k
          ? `${n2(phase.collectorCoresPer10k / empty.collectorCoresPer10k)}x`
          : '',
      ]);
    rows.push([
      `volume: view lag max, ${level}`,
      phase.viewLags.map((lag) => `${lag.view} ${(lag.maxLagMs / 1000).toFixed(0)} s`).join(', '),
      '',
      '',
    ]);
  }
  const describe = (q: QueryTiming): string =>
    q.error
      ? `${q.source} (${q.scraper}): ERROR ${q.error.slice(0, 80)}`
      : `${q.source} (${q.scraper}) p95 ${ms(q.p95Ms)}`;
  for (const [label, pick] of [
    ['default range', isDefault],
    ['7 days', (q: QueryTiming) => q.range === '7 days'],
    ['30 days', isThirty],
  ] as const) {
    const timings = volume.queries.filter(pick);
    const p95s = timings
      .filter((q) => !q.error)
      .map((q) => q.p95Ms)
      .sort((a, b) => a - b);
    rows.push([
      `volume: queries over ${label}`,
      `${timings.length} runs; median p95 ${ms(p95s[Math.floor(p95s.length / 2)] ?? Number.NaN)}, worst: ${worst(volume.queries, pick).slice(0, 1).map(describe).join('')}`,
      '',
      '',
    ]);
  }
  return rows;
}

export function volumeChecks(volume: VolumeResult | Unavailable | undefined): TargetCheck[] {
  if (!volume || isUnavailable(volume)) return [];
  const per10k = volume.phases.map((p) => p.questdbCoresPer10k).filter(Number.isFinite);
  const max = Math.max(...per10k);
  const min = Math.min(...per10k);
  const lags = volume.phases.flatMap((p) => p.viewLags.map((l) => l.maxLagMs));
  const over = (pick: (q: QueryTiming) => boolean, limitMs: number): QueryTiming[] =>
    volume.queries.filter((q) => pick(q) && (q.error !== undefined || q.p95Ms > limitMs));
  const defaultOver = over(isDefault, VOLUME_TARGETS.defaultRangeP95Ms);
  const thirtyOver = over(isThirty, VOLUME_TARGETS.thirtyDaysP95Ms);
  return [
    {
      name: 'volume: QuestDB cores per 10k ev/s (every fill level)',
      target: `<= ${VOLUME_TARGETS.questdbCoresPer10k}`,
      measured: per10k.map(n2).join(' / '),
      status: status(per10k.length > 0 ? max <= VOLUME_TARGETS.questdbCoresPer10k : undefined),
    },
    {
      name: 'volume: flat from an empty to a 75%-full hour',
      target: `within ${Math.round((VOLUME_TARGETS.flatWithin - 1) * 100)}%`,
      measured: `${n2(max / min)}x`,
      status: status(per10k.length > 1 ? max / min <= VOLUME_TARGETS.flatWithin : undefined),
    },
    {
      name: 'volume: view freshness lag under load',
      target: `<= ${VOLUME_TARGETS.viewLagMs / 1000} s`,
      measured: `${(Math.max(0, ...lags) / 1000).toFixed(0)} s`,
      status: status(lags.length > 0 ? Math.max(...lags) <= VOLUME_TARGETS.viewLagMs : undefined),
    },
    {
      name: 'volume: dashboard/alert queries p95, default range',
      target: `<= ${VOLUME_TARGETS.defaultRangeP95Ms} ms`,
      measured: `${defaultOver.length} of ${volume.queries.filter(isDefault).length} over`,
      status: status(defaultOver.length === 0),
    },
    {
      name: 'volume: dashboard/alert queries p95, 30 days',
      target: `<= ${VOLUME_TARGETS.thirtyDaysP95Ms} ms`,
      measured: `${thirtyOver.length} of ${volume.queries.filter(isThirty).length} over`,
      status: status(thirtyOver.length === 0),
    },
  ];
}

/** Every timed query, slowest first: printed after the tables. */
export function volumeQueryListing(volume: VolumeResult | Unavailable | undefined): string[] {
  if (!volume || isUnavailable(volume)) return [];
  const lines = [
    '',
    'volume: every provisioned query (p50 / p95 over the runs, slowest p95 first)',
  ];
  for (const q of worst(volume.queries, () => true))
    lines.push(
      `  ${q.error ? 'ERROR'.padStart(8) : ms(q.p95Ms).padStart(8)}  p50 ${ms(q.p50Ms).padStart(8)}  ${q.range.padEnd(18)} ${q.scraper.padEnd(3)}  ${q.source}${q.error ? `: ${q.error}` : ''}`,
    );
  for (const note of volume.notes) lines.push(`  note: ${note}`);
  return lines;
}
