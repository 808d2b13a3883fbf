import { pairedRatios, writerUse } from '../src/ingest-figures';
import type { IngestRun } from '../src/scenarios/ingest';

function run(mode: IngestRun['mode'], round: number, eventsPerSecond: number): IngestRun {
  return {
    mode,
    label: mode,
    round,
    scraper: `s-${mode}-${round}`,
    rows: 1_000,
    acceptedRows: 1_000,
    failedRows: 0,
    notSentRows: 0,
    retries: 0,
    wallMs: 1_000,
    eventsPerSecond,
    statusCounts: {},
    errors: [],
    cpu: { coresByProcess: {}, machineBusy: 0 },
  };
}

describe('ingest figures', () => {
  it('pairs each run with the baseline of its own round, never with another round', () => {
    // Round 1: a starved limit; round 2: a fast one. Medians across rounds would give 40/100.
    const runs = [
      run('limit', 1, 20),
      run('http', 1, 30),
      run('http', 2, 50),
      run('limit', 2, 180),
      run('ilp', 2, 25),
    ];
    expect(pairedRatios(runs, 'http', 'limit')).toEqual([1.5, 50 / 180]);
    // A round without the baseline gives no ratio.
    expect(pairedRatios(runs, 'http', 'ilp')).toEqual([2]);
    expect(pairedRatios(runs, 'sdk', 'ilp')).toEqual([]);
  });

  it("takes the writer's requests, rows per request and time in flight from two readings", () => {
    const use = writerUse(
      { requests: 10, rows: 5_000, seconds: 1 },
      { requests: 60, rows: 105_000, seconds: 2.5 },
      2_000,
    );
    expect(use).toEqual({
      requests: 50,
      rowsPerRequest: 2_000,
      busyShare: 0.75,
      meanRequestMs: 30,
    });
    expect(writerUse(undefined, { requests: 1, rows: 1, seconds: 1 }, 1_000)).toBeUndefined();
    expect(
      writerUse({ requests: 3, rows: 9, seconds: 1 }, { requests: 3, rows: 9, seconds: 1 }, 1_000),
    ).toBeUndefined();
  });
});
