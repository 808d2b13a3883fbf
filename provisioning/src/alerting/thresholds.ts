/**
 * Alert thresholds and windows, shared by the rules, their panels on the Alerts dashboard, the
 * docs and the tests. Windows are in seconds (a rule's relativeTimeRange).
 */
export const THRESHOLDS = Object.freeze({
  /** Navigations + scrapes succeeding, percent, over the window; needs at least `minEvents`. */
  successRate: { minPct: 90, windowSeconds: 900, minEvents: 10 },
  /** 95th percentile navigation time over the window; needs at least `minEvents`. */
  navigationP95: { maxMs: 10_000, windowSeconds: 900, minEvents: 10 },
  /** A scraper seen within `knownSeconds` that has sent nothing for `maxMinutes`. */
  silent: { maxMinutes: 15, knownSeconds: 7 * 24 * 3600 },
  /** Share of successful scrapes that extracted zero items; needs `minScrapes` successes. */
  zeroItems: { maxPct: 50, windowSeconds: 1800, minScrapes: 5 },
  /**
   * Items per successful scrape over the window against the same scraper's previous 7 days
   * (hourly view); fires below `minRatio`. Needs `minScrapes` now and `minBaselineScrapes` then.
   */
  itemsBaseline: { minRatio: 0.5, windowSeconds: 3600, minScrapes: 5, minBaselineScrapes: 20 },
  /** Any failed scheduler run in the window. */
  schedulerFailed: { windowSeconds: 900 },
  /** Any missed run, or a run started later than `maxLatenessMs` after its schedule. */
  schedulerMissedOrLate: { windowSeconds: 1800, maxLatenessMs: 300_000 },
  /**
   * A field's fill rate (filled / items, percent) per scraper and domain over the window, against
   * the same (scraper, field, domain) over the 7 days before (hourly view, the last hour left out);
   * fires when at least `minDropPts` points below for `pendingFor`. Needs `minItems` items now
   * and `minBaselineItems` in the baseline.
   */
  /**
   * A run finished in the window with fewer than `maxRatio` times the median items of its
   * scraper's previous `baselineRuns` runs; needs at least `minBaselineRuns` of them.
   */
  shortRun: { maxRatio: 0.5, windowSeconds: 3600, baselineRuns: 10, minBaselineRuns: 5 },
  fillRateDrop: {
    minDropPts: 30,
    windowSeconds: 300,
    pendingFor: '15m',
    minItems: 20,
    minBaselineItems: 100,
  },
  /** A domain's share of blocked navigations (any block reason); needs `minNavigations`. */
  blockRate: { minPct: 20, windowSeconds: 600, minNavigations: 10 },
  /**
   * An error fingerprint first seen in the last `newMinutes` (unknown for the `knownSeconds`
   * before) with at least `minOccurrences` occurrences for one scraper.
   */
  newFingerprint: {
    newMinutes: 15,
    minOccurrences: 5,
    knownSeconds: 7 * 24 * 3600,
    sampleChars: 200,
  },
  /**
   * Cost per 1,000 items over the window against the same scraper's previous 7 days (hourly
   * views, today's prices); fires at `minRatio` or above. Needs `minItems` now and
   * `minBaselineItems` then.
   */
  costBaseline: { minRatio: 1.5, windowSeconds: 3600, minItems: 50, minBaselineItems: 200 },
});
