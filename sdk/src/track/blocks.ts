/**
 * Soft-block detection: is the answer to a navigation the site fighting back rather than the
 * page? A table of rules, tried in order; the first that matches names the navigation's
 * `blockReason`. The table is data: pass your own rules before (or instead of) the built-in ones
 * with the client's `blockRules` option, e.g. `[myVendorRule, ...DEFAULT_BLOCK_RULES]`.
 *
 * Every rule sees the same signals: status, headers (names lower-cased), the requested and the
 * final URL, the start of the body when the response offers it, the size, and the usual size of
 * a page of the same domain (the median of its recent unblocked 2xx answers).
 */
export interface BlockSignals {
  readonly status: number;
  /** Response headers, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly requestedUrl: string;
  /** Where the navigation ended, after redirects (the requested URL when unknown). */
  readonly finalUrl: string;
  /**
   * The start of the body, when read: `BODY_SAMPLE_CHARS` of an error answer, `HEAD_SAMPLE_CHARS`
   * of any other (block pages are small and say what they are at the top).
   */
  readonly body: string | undefined;
  /** Body size in bytes (content-length, else the body read), when known. */
  readonly bytes: number | null;
  /** Median size of the domain's recent unblocked 2xx pages, once enough were seen. */
  readonly usualBytes: number | undefined;
}

export interface BlockRule {
  /** The `blockReason` recorded when the rule matches: a short lowercase token. */
  readonly reason: string;
  /** What the rule looks for, for people reading the table. */
  readonly description: string;
  readonly matches: (signals: BlockSignals) => boolean;
}

/** How much of an error answer's body the rules read. */
export const BODY_SAMPLE_CHARS = 64 * 1024;
/**
 * How much of a 1xx-3xx answer's body the rules read: a block page served with 200 is small and
 * names itself in its head; scanning the rest of every ordinary page would cost more than the
 * whole navigation wrapper.
 */
export const HEAD_SAMPLE_CHARS = 8 * 1024;
/** A 2xx page below this share of its domain's usual size counts as empty. */
export const EMPTY_RATIO = 0.1;
/** Pages of at least this size are real content: widget markers on them are not a block page. */
const BLOCK_PAGE_MAX_BYTES = 50_000;

const CAPTCHA_WIDGET =
  /g-recaptcha|grecaptcha|recaptcha\/api|h-captcha|hcaptcha\.com|funcaptcha|arkoselabs|geetest|px-captcha|captcha-delivery\.com|cf-turnstile/i;
const HUMAN_CHECK =
  /are you (?:a )?(?:human|robot)|verify (?:that )?you(?:'re| are) (?:a )?human|not a robot|unusual traffic|security check|press (?:&|and|&amp;) hold|<title>[^<]*captcha/i;
/** Markers only an interstitial carries (Akamai's refusal carries "Reference #18.2d351ab8..."). */
const CHALLENGE_PAGE =
  /just a moment\.\.\.|checking your browser|cf-chl-|_cf_chl_opt|ddos-guard|sucuri website firewall|incapsula incident|distil_r_blocked|reference #\d+\.[0-9a-f]+/i;
/**
 * Vendor scripts that protected sites also embed in ordinary pages (Cloudflare's challenge
 * platform, DataDome's tag, PerimeterX, Kasada, Imperva): a block only on a refusal.
 */
const VENDOR_SCRIPT = /challenge-platform|datadome|perimeterx|px-block|kpsdk|_incapsula_resource/i;
const RATE_LIMIT_BODY = /rate limit(?:ed)?|too many requests|slow down/i;
const LOGIN_PATH =
  /\/(?:log[-_]?in|sign[-_]?in|signin|auth(?:enticate)?|sso|session\/new|checkpoint|accounts?\/(?:login|signin))(?:[/?#.]|$)/i;
const PASSWORD_FIELD = /<input[^>]+type\s*=\s*["']?password/i;
const LOGIN_TITLE = /<title[^>]*>[^<]*\b(?:log ?in|sign ?in)\b/i;
/**
 * One scan that every marker a 1xx-3xx body rule looks for would also match: an ordinary page
 * (the common case) costs this single pass instead of one per rule.
 */
const BODY_HINT =
  /captcha|arkoselabs|geetest|just a moment|checking your browser|cf-chl-|_cf_chl_opt|ddos-guard|sucuri|incapsula incident|distil_r|reference #|password/i;

const hints = new WeakMap<BlockSignals, boolean>();

/**
 * Whether the body may hold what a body rule looks for: always for an error answer, else the
 * result of one `BODY_HINT` scan, cached for the rules of one classification.
 */
function bodyMayMatch(s: BlockSignals): boolean {
  if (s.body === undefined) return false;
  if (s.status >= 400) return true;
  let hint = hints.get(s);
  if (hint === undefined) {
    hint = BODY_HINT.test(s.body);
    hints.set(s, hint);
  }
  return hint;
}

function header(s: BlockSignals, name: string): string {
  return s.headers[name] ?? '';
}

function pathOf(url: string): string {
  const start = url.indexOf('//');
  const slash = start === -1 ? -1 : url.indexOf('/', start + 2);
  return slash === -1 ? '/' : url.slice(slash);
}

/** A 4xx: how bot managers refuse (a 5xx is the origin's own trouble, even behind a vendor). */
function refusal(s: BlockSignals): boolean {
  return s.status >= 400 && s.status < 500;
}

/** Bot-protection vendors' headers and cookies on a refusal. */
function vendorRefusal(s: BlockSignals): boolean {
  if (!refusal(s)) return false;
  const cookies = header(s, 'set-cookie');
  return (
    header(s, 'x-datadome') !== '' ||
    header(s, 'x-kpsdk-ct') !== '' ||
    header(s, 'x-iinfo') !== '' ||
    header(s, 'x-sucuri-block') !== '' ||
    /^ddos-guard/i.test(header(s, 'server')) ||
    /datadome=|incap_ses_|visid_incap_|_px\d?=/i.test(cookies)
  );
}

/** A body small enough to be a block page, or of unknown size. */
function smallPage(s: BlockSignals): boolean {
  return (s.bytes ?? s.body?.length ?? 0) < BLOCK_PAGE_MAX_BYTES;
}

export const DEFAULT_BLOCK_RULES: readonly BlockRule[] = Object.freeze([
  {
    reason: 'captcha',
    description:
      'A captcha widget (reCAPTCHA, hCaptcha, Turnstile, Arkose, GeeTest, PerimeterX, DataDome) on a refusal, on a small page asking to prove you are human, or an AWS WAF captcha action.',
    matches: (s) =>
      /captcha/i.test(header(s, 'x-amzn-waf-action')) ||
      (s.body !== undefined &&
        (s.status >= 400 || smallPage(s)) &&
        bodyMayMatch(s) &&
        CAPTCHA_WIDGET.test(s.body) &&
        (s.status >= 400 || HUMAN_CHECK.test(s.body))),
  },
  {
    reason: 'challenge',
    description:
      "A bot-protection interstitial: Cloudflare's cf-mitigated header or challenge page, AWS WAF challenge action, DataDome, Kasada, Imperva, Sucuri, DDoS-Guard, PerimeterX or Akamai markers (vendor headers, cookies and scripts on a 4xx; interstitial text on an error or a small page).",
    matches: (s) =>
      /challenge/i.test(header(s, 'cf-mitigated')) ||
      /challenge/i.test(header(s, 'x-amzn-waf-action')) ||
      vendorRefusal(s) ||
      (s.body !== undefined &&
        (s.status >= 400 || smallPage(s)) &&
        bodyMayMatch(s) &&
        (CHALLENGE_PAGE.test(s.body) || (refusal(s) && VENDOR_SCRIPT.test(s.body)))),
  },
  {
    reason: 'rate_limited',
    description:
      '429, or another 4xx with Retry-After, an exhausted X-RateLimit-Remaining or a rate-limit message.',
    matches: (s) =>
      s.status === 429 ||
      (s.status >= 400 &&
        s.status < 500 &&
        (header(s, 'retry-after') !== '' ||
          header(s, 'x-ratelimit-remaining') === '0' ||
          (s.body !== undefined && RATE_LIMIT_BODY.test(s.body)))),
  },
  {
    reason: 'forbidden',
    description: '401 or 403 that no rule above explains.',
    matches: (s) => s.status === 401 || s.status === 403,
  },
  {
    reason: 'login_wall',
    description:
      'Redirected to a login page (final URL or Location header on a login path the requested URL is not on), or a 2xx page titled "log in"/"sign in" with a password field when a non-login page was asked for.',
    matches: (s) => {
      if (LOGIN_PATH.test(pathOf(s.requestedUrl))) return false;
      if (s.finalUrl !== s.requestedUrl && LOGIN_PATH.test(pathOf(s.finalUrl))) return true;
      if (s.status >= 300 && s.status < 400) return LOGIN_PATH.test(header(s, 'location'));
      return (
        s.status < 300 &&
        s.body !== undefined &&
        bodyMayMatch(s) &&
        LOGIN_TITLE.test(s.body) &&
        PASSWORD_FIELD.test(s.body)
      );
    },
  },
  {
    reason: 'empty',
    description: `A 200 with no body at all, or below ${EMPTY_RATIO * 100} % of its domain's usual size.`,
    matches: (s) => {
      if (s.status !== 200) return false;
      const bytes = s.bytes ?? (s.body === undefined ? null : Buffer.byteLength(s.body));
      if (bytes === null) return false;
      return bytes === 0 || (s.usualBytes !== undefined && bytes < s.usualBytes * EMPTY_RATIO);
    },
  },
]);

/** The first matching rule's reason, or undefined: not blocked. A rule that throws is skipped. */
export function classifyBlock(
  signals: BlockSignals,
  rules: readonly BlockRule[] = DEFAULT_BLOCK_RULES,
): string | undefined {
  for (const rule of rules) {
    try {
      if (rule.matches(signals)) return rule.reason;
    } catch {
      // A user's rule must not break navigation tracking.
    }
  }
  return undefined;
}

const SIZE_SAMPLES = 21;
const MIN_SIZE_SAMPLES = 5;
const MAX_DOMAINS = 1_000;

/**
 * Usual page size per domain: the median of the last 21 sizes of unblocked 200 answers, known
 * from the fifth on. At most 1,000 domains (the oldest is forgotten first).
 */
export class DomainSizes {
  private readonly sizes = new Map<string, number[]>();

  usual(domain: string): number | undefined {
    const samples = this.sizes.get(domain);
    if (!samples || samples.length < MIN_SIZE_SAMPLES) return undefined;
    const sorted = [...samples].sort((a, b) => a - b);
    return sorted[sorted.length >> 1];
  }

  add(domain: string, bytes: number): void {
    let samples = this.sizes.get(domain);
    if (!samples) {
      if (this.sizes.size >= MAX_DOMAINS) {
        const oldest = this.sizes.keys().next().value;
        if (oldest !== undefined) this.sizes.delete(oldest);
      }
      samples = [];
      this.sizes.set(domain, samples);
    }
    samples.push(bytes);
    if (samples.length > SIZE_SAMPLES) samples.shift();
  }
}

/** The host of an absolute URL, lower-cased; the whole string when it has none. */
export function hostOf(url: string): string {
  const start = url.indexOf('//');
  if (start === -1) return url;
  let end = url.length;
  for (const c of ['/', '?', '#']) {
    const i = url.indexOf(c, start + 2);
    if (i !== -1 && i < end) end = i;
  }
  return url.slice(start + 2, end).toLowerCase();
}

/** A classifier with its own domain sizes: one per client. */
export interface BlockClassifier {
  /** Classifies an answer; an unblocked 200 of known size teaches its domain's usual size. */
  classify(input: Omit<BlockSignals, 'usualBytes'>): string | undefined;
}

export function createBlockClassifier(
  rules: readonly BlockRule[] = DEFAULT_BLOCK_RULES,
): BlockClassifier {
  const sizes = new DomainSizes();
  return {
    classify(input) {
      const domain = hostOf(input.finalUrl);
      const reason = classifyBlock({ ...input, usualBytes: sizes.usual(domain) }, rules);
      const bytes =
        input.bytes ?? (input.body === undefined ? null : Buffer.byteLength(input.body));
      if (reason === undefined && input.status === 200 && bytes !== null && bytes > 0)
        sizes.add(domain, bytes);
      return reason;
    },
  };
}
