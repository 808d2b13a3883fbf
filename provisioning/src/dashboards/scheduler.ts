import * as common from '@grafana/grafana-foundation-sdk/common';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import { QUESTDB_DATASOURCE } from '../grafana/datasources';
import { QuestDbFormat } from '../grafana/queries';
import { TIME_FILTER, schedulerScraperIn } from '../sql/filters';
import { tieredRows, tieredSeries, type TieredMeasure } from '../sql/tiers';
import { qdb, sectionDashboard, tablePanel, timeSeriesPanel } from './shared';

/**
 * Trends and the jobs table read the scheduler tiers (grouped by scheduler, job and scraper, so
 * they honour the scraper selection, runs not tied to a scraper included); the run lists (missed
 * runs, state per run) read raw rows, bounded by the range and the run volume.
 */
const RAW = `FROM scheduler_run WHERE ${TIME_FILTER} AND ${schedulerScraperIn()}`;
const scheduler = (groupBy: readonly string[], measures: readonly TieredMeasure[]): string =>
  tieredSeries({
    table: 'scheduler_run',
    groupBy,
    measures,
    scraperFilter: schedulerScraperIn(),
  });

export const RUN_STATES = Object.freeze([
  { status: 'success', value: 0, color: 'green' },
  { status: 'skipped', value: 1, color: 'blue' },
  { status: 'failed', value: 2, color: 'red' },
  { status: 'missed', value: 3, color: 'orange' },
]);

export const RUN_DURATION_SQL = scheduler(
  ['job_name'],
  [
    {
      name: 'avg_duration_ms',
      rollup:
        'CASE WHEN sum(runs) > sum(missed) THEN sum(sum_duration_ms) / (sum(runs) - sum(missed)) END',
    },
  ],
);

export const RUN_OUTCOMES_SQL = scheduler(
  [],
  [
    { name: 'success', rollup: 'sum(successes)' },
    { name: 'failed', rollup: 'sum(failures)' },
    { name: 'skipped', rollup: 'sum(skipped)' },
    { name: 'missed', rollup: 'sum(missed)' },
  ],
);

export const LATENESS_SQL = scheduler(
  ['job_name'],
  [{ name: 'max_lateness_ms', rollup: 'max(max_lateness_ms)' }],
);

export const MISSED_RUNS_SQL = `SELECT ts, scheduler_name, job_name, scraper, scheduled_at, error
${RAW} AND status = 'missed'
ORDER BY ts DESC
LIMIT 200`;

export const RUN_STATE_SQL = `SELECT ts, job_name,
  CASE status ${RUN_STATES.map((s) => `WHEN '${s.status}' THEN ${s.value}`).join(' ')} END state
${RAW}
ORDER BY ts`;

/** Per job over the range, from the tier the range selects; the last run is to the minute. */
export const JOB_SUMMARY_SQL = `SELECT scheduler_name, job_name, sum(runs) runs,
  100.0 * sum(successes) / sum(runs) success_pct,
  sum(failures) failed,
  sum(missed) missed,
  CASE WHEN sum(runs) > sum(missed) THEN sum(sum_duration_ms) / (sum(runs) - sum(missed)) END avg_duration_ms,
  max(max_lateness_ms) max_lateness_ms,
  max(ts) last_run
FROM ${tieredRows('scheduler_run', ['*'], { scraperFilter: schedulerScraperIn() })}
GROUP BY scheduler_name, job_name
ORDER BY success_pct`;

export function schedulerDashboard(): Dashboard {
  const stateMapping: dashboard.ValueMapping = {
    type: dashboard.MappingType.ValueToText,
    options: Object.fromEntries(
      RUN_STATES.map((s, index) => [String(s.value), { text: s.status, color: s.color, index }]),
    ),
  };
  return sectionDashboard('scheduler', {
    description:
      'Scheduler runs: durations, outcomes, lateness, missed runs and each job over time.',
    from: 'now-6h',
  })
    .withPanel(
      timeSeriesPanel({
        id: 1,
        title: 'Run duration by job',
        description: 'Mean run duration per bucket and job (missed runs excluded).',
        width: 12,
        height: 8,
        unit: 'ms',
        targets: [qdb(RUN_DURATION_SQL, QuestDbFormat.TimeSeries)],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        id: 2,
        title: 'Run outcomes',
        description: 'Runs per status (success, failed, skipped, missed) per bucket.',
        width: 12,
        height: 8,
        bars: true,
        stack: true,
        targets: [qdb(RUN_OUTCOMES_SQL, QuestDbFormat.TimeSeries)],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        id: 3,
        title: 'Start lateness by job',
        description: 'Worst startedAt - scheduledAt per bucket and job.',
        width: 12,
        height: 8,
        unit: 'ms',
        targets: [qdb(LATENESS_SQL, QuestDbFormat.TimeSeries)],
      }),
    )
    .withPanel(
      tablePanel({
        id: 4,
        title: 'Missed runs',
        description: 'Runs reported as missed, newest first.',
        width: 12,
        height: 8,
        targets: [qdb(MISSED_RUNS_SQL, QuestDbFormat.Table)],
      }),
    )
    .withPanel(
      new statetimeline.PanelBuilder()
        .id(5)
        .title('Run state by job')
        .description('Each run as a state per job: success, skipped, failed, missed.')
        .targets([qdb(RUN_STATE_SQL, QuestDbFormat.TimeSeries)])
        .datasource({ ...QUESTDB_DATASOURCE })
        .span(24)
        .height(8)
        .mappings([stateMapping])
        .showValue(common.VisibilityMode.Never)
        .mergeValues(false),
    )
    .withPanel(
      tablePanel({
        id: 6,
        title: 'Jobs',
        description:
          'Per job over the range: runs, success %, failures, misses, mean duration, worst lateness, last run.',
        width: 24,
        height: 8,
        targets: [qdb(JOB_SUMMARY_SQL, QuestDbFormat.Table)],
      })
        .overrideByName('success_pct', [
          { id: 'unit', value: 'percent' },
          { id: 'decimals', value: 1 },
        ])
        .overrideByRegexp('.*_ms', [{ id: 'unit', value: 'ms' }]),
    )
    .build();
}
