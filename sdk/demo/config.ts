import { MAX_BACKFILL_HOURS } from './backfill';

export interface DemoConfig {
  /** Collector base URL (SCRAPEWATCH_URL). */
  readonly url: string;
  /** Ingest token (SCRAPEWATCH_TOKEN); empty against a collector with auth off. */
  readonly token: string | undefined;
  /** Pace multiplier (DEMO_SPEED or --speed). */
  readonly speed: number;
  /** Hours of history to send first (--backfill-hours); 0: none. */
  readonly backfillHours: number;
  /** Stop the live simulation after this many seconds (--duration-s); undefined: until a signal. */
  readonly durationS: number | undefined;
  /** Appended to every scraper and scheduler name (--suffix), to keep parallel runs apart. */
  readonly suffix: string;
}

export const USAGE = `Usage: npm run demo -- [--backfill-hours N] [--duration-s N] [--speed X] [--suffix S]

Simulated scrapers (robinhood, cnbc, webull, marketbeat, yahoo) and a scheduler, instrumented with
@scrapewatch/sdk, send to the collector until SIGINT/SIGTERM.

Environment:
  SCRAPEWATCH_URL    collector base URL (default http://127.0.0.1:8080)
  SCRAPEWATCH_TOKEN  ingest token (omit when the collector runs with SCRAPEWATCH_AUTH=off)
  DEMO_SPEED         pace multiplier, e.g. 5 (default 1; --speed wins)

Options:
  --backfill-hours N  first send N hours of history (at most ${MAX_BACKFILL_HOURS})
  --duration-s N      stop after N seconds of live simulation (0: backfill only)
  --speed X           pace multiplier: pauses and incident timings shrink, latencies stay real
  --suffix S          append "-S" to every scraper and scheduler name
`;

export class DemoUsageError extends Error {}

function number(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (
    raw === undefined ||
    raw.trim() === '' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max
  ) {
    throw new DemoUsageError(
      `${name} must be a number between ${min} and ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** Reads the demo's flags and environment once. Throws DemoUsageError with the reason. */
export function parseDemoConfig(argv: readonly string[], env: NodeJS.ProcessEnv): DemoConfig {
  const flags = new Map<string, string | undefined>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') throw new DemoUsageError('');
    if (!arg.startsWith('--'))
      throw new DemoUsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (!['backfill-hours', 'duration-s', 'speed', 'suffix'].includes(name)) {
      throw new DemoUsageError(`unknown option --${name}`);
    }
    flags.set(name, inline ?? argv[++i]);
  }
  const url = env['SCRAPEWATCH_URL']?.trim() || 'http://127.0.0.1:8080';
  const speedRaw = flags.get('speed') ?? env['DEMO_SPEED'];
  const suffix = flags.get('suffix');
  if (suffix !== undefined && !/^[A-Za-z0-9._-]{1,32}$/.test(suffix)) {
    throw new DemoUsageError('--suffix must be 1-32 letters, digits, dot, dash or underscore');
  }
  return {
    url,
    token: env['SCRAPEWATCH_TOKEN']?.trim() || undefined,
    speed: speedRaw === undefined || speedRaw === '' ? 1 : number('speed', speedRaw, 0.01, 1000),
    backfillHours: flags.has('backfill-hours')
      ? number('--backfill-hours', flags.get('backfill-hours'), 0, MAX_BACKFILL_HOURS)
      : 0,
    durationS: flags.has('duration-s')
      ? number('--duration-s', flags.get('duration-s'), 0, 1e9)
      : undefined,
    suffix: suffix === undefined ? '' : `-${suffix}`,
  };
}
