import { setTimeout as sleep } from 'node:timers/promises';
import type { NavigablePage, NavigationResponse } from '@scrapewatch/sdk';
import { activeBlock, type Outcome, type ScraperProfile } from './profiles';
import { logNormal, weighted } from './random';

const CAPTCHA_PAGE =
  '<html><body><div class="g-recaptcha" data-sitekey="demo"></div>Are you a robot?</body></html>';

export interface SimulatedResponse extends NavigationResponse {
  headers(): Record<string, string>;
  text(): Promise<string>;
}

function response(
  status: number,
  body: string,
  bytes = Buffer.byteLength(body),
  extraHeaders: Record<string, string> = {},
): SimulatedResponse {
  return {
    status: () => status,
    headers: () => ({
      'content-type': 'text/html',
      'content-length': String(bytes),
      ...extraHeaders,
    }),
    text: () => Promise.resolve(body),
  };
}

/** Draws one navigation outcome of a profile. */
export function drawOutcome(profile: ScraperProfile, random: () => number = Math.random): Outcome {
  return weighted<Outcome>({ ...profile.failures }, 'ok', random);
}

/** Latency of one navigation of a profile, in ms. */
export function drawLatencyMs(profile: ScraperProfile, random: () => number = Math.random): number {
  return logNormal(profile.navMedianMs, profile.navSigma, random);
}

/**
 * A page object with Playwright's goto shape that behaves like the profile's site: log-normal
 * latency, timeouts, resets, error statuses, block and captcha pages. Waits really happen (they
 * abort with `signal` on shutdown).
 */
export function simulatedPage(
  profile: ScraperProfile,
  signal: AbortSignal,
  elapsedMs: () => number = () => 0,
): NavigablePage<SimulatedResponse> {
  return {
    async goto(url: string, options?: { timeout?: number }): Promise<SimulatedResponse | null> {
      const timeoutMs = options?.timeout ?? 30_000;
      const block = activeBlock(profile, elapsedMs());
      if (block !== undefined && Math.random() < (profile.startsBlocking?.share ?? 0)) {
        await sleep(drawLatencyMs(profile) / 3, undefined, { signal });
        return block === 'rate_limited'
          ? response(429, '<html>Too Many Requests</html>', undefined, { 'retry-after': '60' })
          : response(403, CAPTCHA_PAGE);
      }
      const outcome = drawOutcome(profile);
      const latencyMs = drawLatencyMs(profile);
      if (outcome === 'timeout' || latencyMs > timeoutMs) {
        await sleep(timeoutMs, undefined, { signal });
        throw Object.assign(
          new Error(`page.goto: Timeout ${timeoutMs}ms exceeded.\nnavigating to "${url}"`),
          {
            name: 'TimeoutError',
          },
        );
      }
      await sleep(outcome === 'network' ? latencyMs / 4 : latencyMs, undefined, { signal });
      switch (outcome) {
        case 'network':
          throw new Error(`page.goto: net::ERR_CONNECTION_RESET at ${url}`);
        case 'http_4xx':
          return response(404, '<html>Not Found</html>');
        case 'http_5xx':
          return response(Math.random() < 0.5 ? 502 : 503, '<html>Service Unavailable</html>');
        case 'blocked':
          return response(Math.random() < 0.6 ? 429 : 403, '<html>Access denied</html>');
        case 'captcha':
          return response(403, CAPTCHA_PAGE);
        default:
          // Quote pages weigh a few hundred kB; the body itself is not needed.
          return response(200, '<html></html>', 150_000 + Math.floor(Math.random() * 250_000));
      }
    },
  };
}
