import type { KnownErrorClass } from '@scrapewatch/protocol';

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ABORT_ERR_TIMEOUT',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
/** Chromium and Firefox navigation errors as Playwright and Puppeteer report them. */
const BROWSER_TIMEOUT = /net::ERR_TIMED_OUT|NS_ERROR_NET_TIMEOUT/;
const BROWSER_NETWORK =
  /net::ERR_(CONNECTION_|NAME_NOT_RESOLVED|INTERNET_DISCONNECTED|ADDRESS_UNREACHABLE|NETWORK_|SSL_|CERT_|EMPTY_RESPONSE|TUNNEL_|PROXY_)|NS_ERROR_(CONNECTION_REFUSED|UNKNOWN_HOST|NET_RESET|NET_INTERRUPT|OFFLINE)/;

/** Markers of a challenge page (reCAPTCHA, hCaptcha, Cloudflare, PerimeterX, DataDome, generic). */
export const CAPTCHA_MARKERS =
  /captcha|g-recaptcha|h-captcha|cf-challenge|challenge-platform|cf-turnstile|px-captcha|datadome|are you a (human|robot)|verify you are (a )?human/i;

function* causes(error: unknown): Generator<unknown> {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

/**
 * Classifies a thrown navigation or scrape error: timeout, network, parse or other. Looks at the
 * error, its `cause` chain (fetch wraps socket errors), its name, code and message.
 */
export function classifyError(error: unknown): KnownErrorClass {
  for (const item of causes(error)) {
    if (typeof item !== 'object') continue;
    const { name, code, message } = item as { name?: unknown; code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : '';
    if (name === 'TimeoutError' || (typeof code === 'string' && TIMEOUT_CODES.has(code)))
      return 'timeout';
    if (BROWSER_TIMEOUT.test(text) || /\btimed? ?out\b|timeout \d+ ?ms exceeded/i.test(text))
      return 'timeout';
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'network';
    if (BROWSER_NETWORK.test(text)) return 'network';
  }
  for (const item of causes(error)) {
    if (typeof item !== 'object') continue;
    // By name, not instanceof: errors may come from another realm (a browser context, a vm).
    const { name, message } = item as { name?: unknown; message?: unknown };
    if (name === 'SyntaxError') return 'parse';
    if (message === 'fetch failed') return 'network';
  }
  return 'other';
}

/**
 * Classifies an HTTP answer to a navigation: undefined for 2xx/3xx; captcha when the body shows a
 * challenge; blocked for 403 and 429 (anti-bot and rate limits); else http_4xx or http_5xx.
 */
export function classifyStatus(
  status: number,
  bodySample: string | undefined,
): KnownErrorClass | undefined {
  if (status < 400)
    return bodySample !== undefined && CAPTCHA_MARKERS.test(bodySample) ? 'captcha' : undefined;
  if (bodySample !== undefined && CAPTCHA_MARKERS.test(bodySample)) return 'captcha';
  if (status === 403 || status === 429) return 'blocked';
  return status < 500 ? 'http_4xx' : 'http_5xx';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : String(error);
}
