import { pick } from './random';

/** What can happen to one navigation of a simulated scraper. */
export type Outcome =
  'ok' | 'timeout' | 'network' | 'http_4xx' | 'http_5xx' | 'blocked' | 'captcha';

/**
 * One simulated scraper. Latencies are log-normal (median, sigma); outcome probabilities are per
 * navigation attempt (retries draw again). Times of incidents are in demo time (scaled by speed).
 */
export interface ScraperProfile {
  readonly name: string;
  readonly baseUrl: string;
  readonly paths: readonly string[];
  readonly navMedianMs: number;
  readonly navSigma: number;
  readonly scrapeMedianMs: number;
  readonly itemsMean: number;
  /** Probabilities of the failure outcomes; the rest is 'ok'. */
  readonly failures: Readonly<Partial<Record<Exclude<Outcome, 'ok'>, number>>>;
  /** Pause between two pages, demo time. */
  readonly intervalMs: number;
  /** After this long, successful scrapes extract zero items (selectors broke). */
  readonly breaksAfterMs?: number;
  /** A second site the scraper also crawls (half of its pages); its own domain. */
  readonly altBaseUrl?: string;
  /**
   * After `afterMs`, the layout of the alt site changes: `field` is never filled there, while
   * pages still load and items still come back (the fill-rate alert).
   */
  readonly layoutBreak?: { readonly afterMs: number; readonly field: string };
  /** The first run starting after `afterMs` stops after `pages` pages (pagination broke once). */
  readonly shortRun?: { readonly afterMs: number; readonly pages: number };
  /** Pages per run (default 10). */
  readonly pagesPerRun?: number;
  /** Goes silent for `forMs` every `everyMs` (a crashed process, a stuck queue). */
  readonly silence?: { readonly everyMs: number; readonly forMs: number };
  /**
   * The site starts fighting back: from `rateLimitedAfterMs` a `share` of navigations answer 429
   * with Retry-After, from `captchaAfterMs` a captcha page instead (soft-block panels and rule).
   */
  readonly startsBlocking?: {
    readonly rateLimitedAfterMs: number;
    readonly captchaAfterMs: number;
    readonly share: number;
  };
  /** From this time on, some scrapes fail with an error never seen before (new-error rule). */
  readonly newErrorAfterMs?: number;
}

const MINUTE = 60_000;
const TICKERS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'TSLA', 'BRK.B', 'JPM', 'V'];

export const PROFILES: readonly ScraperProfile[] = [
  {
    // Fast and healthy: the reference line on every panel.
    name: 'robinhood',
    baseUrl: 'https://robinhood.com',
    paths: TICKERS.map((t) => `/stocks/${t}`),
    navMedianMs: 420,
    navSigma: 0.35,
    scrapeMedianMs: 60,
    itemsMean: 24,
    failures: { timeout: 0.003, network: 0.004, http_5xx: 0.005 },
    intervalMs: 2_500,
    // One run comes up short (the run alert): 3 pages instead of 10.
    shortRun: { afterMs: 12 * MINUTE, pages: 3 },
  },
  {
    // Occasional 5xx and timeouts; silent for 17 minutes every hour (the silent-scraper alert).
    name: 'cnbc',
    baseUrl: 'https://www.cnbc.com',
    paths: TICKERS.map((t) => `/quotes/${t}`),
    navMedianMs: 900,
    navSigma: 0.45,
    scrapeMedianMs: 110,
    itemsMean: 18,
    failures: { timeout: 0.01, network: 0.005, http_5xx: 0.03, http_4xx: 0.005 },
    intervalMs: 3_000,
    silence: { everyMs: 60 * MINUTE, forMs: 17 * MINUTE },
    // A layout experiment: a quarter of the quote pages lose their table (a new kind of error).
    newErrorAfterMs: 6 * MINUTE,
  },
  {
    // The slow domain: p95 navigation well above 10 s (the p95 alert), some timeouts.
    name: 'webull',
    baseUrl: 'https://www.webull.com',
    paths: TICKERS.map((t) => `/quote/nasdaq-${t.toLowerCase()}`),
    navMedianMs: 4_800,
    navSigma: 0.6,
    scrapeMedianMs: 250,
    itemsMean: 30,
    failures: { timeout: 0.04, network: 0.01, http_5xx: 0.01 },
    intervalMs: 2_000,
    // Starts rate limiting, then serves captchas (block rate and cost per item rise).
    startsBlocking: { rateLimitedAfterMs: 4 * MINUTE, captchaAfterMs: 8 * MINUTE, share: 0.35 },
  },
  {
    // Breaks: after a while pages still load but extract nothing (zero-item alerts).
    name: 'marketbeat',
    baseUrl: 'https://www.marketbeat.com',
    paths: TICKERS.map((t) => `/stocks/NASDAQ/${t}/`),
    navMedianMs: 1_300,
    navSigma: 0.4,
    scrapeMedianMs: 180,
    itemsMean: 12,
    failures: { captcha: 0.02, timeout: 0.005, http_5xx: 0.01 },
    intervalMs: 3_500,
    breaksAfterMs: 10 * MINUTE,
  },
  {
    // Rate-limited and blocked often enough to sit below the 90% success threshold.
    name: 'yahoo',
    baseUrl: 'https://finance.yahoo.com',
    paths: TICKERS.map((t) => `/quote/${t}`),
    navMedianMs: 700,
    navSigma: 0.5,
    scrapeMedianMs: 90,
    itemsMean: 40,
    failures: { blocked: 0.09, captcha: 0.03, http_4xx: 0.03, http_5xx: 0.02, network: 0.01 },
    intervalMs: 2_500,
    // Its UK site changes layout: price goes empty there only (the fill-rate alert).
    altBaseUrl: 'https://uk.finance.yahoo.com',
    layoutBreak: { afterMs: 8 * MINUTE, field: 'price' },
  },
];

/** Whether a scraper is in one of its silent windows at demo time `elapsedMs`. */
export function isSilent(profile: ScraperProfile, elapsedMs: number): boolean {
  if (!profile.silence) return false;
  const phase = elapsedMs % profile.silence.everyMs;
  // The silent window sits at the end of each cycle, so a fresh start is not silent.
  return phase >= profile.silence.everyMs - profile.silence.forMs;
}

/** The fields never filled on `url` at demo time `elapsedMs` (after the alt site's layout change). */
export function emptyFields(
  profile: ScraperProfile,
  url: string,
  elapsedMs: number,
): ReadonlySet<string> {
  const layout = profile.layoutBreak;
  if (!layout || !profile.altBaseUrl || elapsedMs < layout.afterMs) return new Set();
  return url.startsWith(profile.altBaseUrl) ? new Set([layout.field]) : new Set();
}

/** A page URL of the profile: half of them on the alt site, when it has one. */
export function pageUrl(profile: ScraperProfile, random: () => number = Math.random): string {
  const base = profile.altBaseUrl && random() < 0.5 ? profile.altBaseUrl : profile.baseUrl;
  return `${base}${pick(profile.paths, random)}`;
}

/** The block the site answers with at demo time `elapsedMs`, if it blocks by then. */
export function activeBlock(
  profile: ScraperProfile,
  elapsedMs: number,
): 'rate_limited' | 'captcha' | undefined {
  const blocking = profile.startsBlocking;
  if (!blocking || elapsedMs < blocking.rateLimitedAfterMs) return undefined;
  return elapsedMs < blocking.captchaAfterMs ? 'rate_limited' : 'captcha';
}

export function hasNewError(profile: ScraperProfile, elapsedMs: number): boolean {
  return profile.newErrorAfterMs !== undefined && elapsedMs >= profile.newErrorAfterMs;
}

export function isBroken(profile: ScraperProfile, elapsedMs: number): boolean {
  return profile.breaksAfterMs !== undefined && elapsedMs >= profile.breaksAfterMs;
}
