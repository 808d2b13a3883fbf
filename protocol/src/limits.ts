/** Bounds on what one event may carry. The collector enforces them; the SDK checks before sending. */
export const LIMITS = Object.freeze({
  /** scraperSource, schedulerName, jobName: also live channel names and SYMBOL values. */
  maxNameLength: 128,
  maxUrlLength: 4096,
  maxErrorLength: 4096,
  maxErrorClassLength: 64,
  maxEventIdLength: 128,
  maxRunIdLength: 128,
  /** One navigation or scrape: a day is already absurd, anything above is a unit mistake. */
  maxDurationMs: 86_400_000,
  /** A scheduler run may be long. */
  maxSchedulerDurationMs: 7 * 86_400_000,
  maxRetryCount: 1_000,
  maxItemsExtracted: 1_000_000_000,
  maxScrapersRun: 100_000,
  /** Navigations, items and errors of one scraper run. */
  maxRunCount: 1_000_000_000,
  /** One scraper run may be long. */
  maxRunDurationMs: 7 * 86_400_000,
  maxBytes: Number.MAX_SAFE_INTEGER,
  /** Distinct fields one scrape may report coverage for (`fields`): each becomes a stored row. */
  maxFields: 64,
  /** A field name in `fields`: also a SYMBOL value and a Grafana label. */
  maxFieldNameLength: 64,
  /** Events older than raw-table retention would be dropped by TTL at once. */
  defaultMaxPastMs: 7 * 86_400_000,
  /** Clock skew tolerated for a scraper's clock running ahead. */
  defaultMaxFutureMs: 5 * 60_000,
});

/** Scraper, scheduler and job names: safe as channel names, SYMBOL values and URL segments. */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]*$';
/** Error classes: short lowercase tokens, e.g. timeout, http_5xx. */
export const ERROR_CLASS_PATTERN = '^[a-z0-9][a-z0-9_.-]*$';

/**
 * Field names in a scrape's `fields`: any printable text (item keys such as `price`, `seller.name`
 * or `Prix TTC`), but no control characters (C0, DEL, C1): they break labels, logs and line protocol.
 */
export const FIELD_NAME_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$';
