import {
  BODY_SAMPLE_CHARS,
  HEAD_SAMPLE_CHARS,
  createBlockClassifier,
  type BlockClassifier,
  type NavigablePage,
  type NavigationResponse,
} from '../../../sdk/src/index';
import { trackNavigation } from '../../../sdk/src/track/navigation';
import type { Recorder } from '../../../sdk/src/track/recorder';

/**
 * What soft-block classification costs the SDK per navigation, on one core, in this process:
 * trackNavigation over an in-memory page answering a realistic mix (ordinary pages with and
 * without content-length, a small JSON answer, a 429, a challenge page), with the built-in rule
 * table against the same wrapper with an empty table and no body reading (status-only
 * classification, what the wrapper did before). The difference per navigation is the figure.
 * Also the classifier alone (µs per call) over the same mix.
 */
export interface ClassifySpec {
  readonly navigations: number;
  readonly roundMs: number;
  readonly rounds: number;
}

export interface ClassifyResult {
  readonly navigations: number;
  /** Median over rounds. */
  readonly withRulesMicros: number;
  readonly baselineMicros: number;
  /** withRules - baseline, per navigation. */
  readonly addedMicros: number;
  /** withRules / baseline. */
  readonly ratio: number;
  readonly classifierMicros: number;
  /** Block reasons found in the mix: the rules really ran. */
  readonly blockedShare: number;
}

export const DEFAULT_CLASSIFY_SPEC: ClassifySpec = { navigations: 2_000, roundMs: 700, rounds: 3 };

interface Answer extends NavigationResponse {
  status(): number;
  headers(): Record<string, string>;
  text(): Promise<string>;
  url(): string;
}

function productPage(bytes: number): string {
  const line =
    '<li class="item"><a href="/p/1">Trail Shoe</a> <span class="price">$129.00</span></li>\n';
  return `<!doctype html><html><head><title>Shop</title><script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script></head><body><header><a href="/login">Sign in</a></header><ul>\n${line.repeat(Math.ceil(bytes / line.length))}</ul></body></html>`;
}

const CHALLENGE =
  '<!DOCTYPE html><html><head><title>Just a moment...</title><script>window._cf_chl_opt={cType:"managed"}</script></head><body></body></html>';

/** The answers, one per navigation in turn: 17 in 20 ordinary, 1 JSON, 1 rate limit, 1 challenge. */
function answers(): Answer[] {
  const page30k = productPage(30_000);
  const page180k = productPage(180_000);
  const make = (
    status: number,
    body: string,
    headers: Record<string, string>,
    url: string,
  ): Answer => ({
    status: () => status,
    headers: () => headers,
    text: () => Promise.resolve(body),
    url: () => url,
  });
  const html = { 'content-type': 'text/html', server: 'cloudflare' };
  const list: Answer[] = [];
  for (let i = 0; i < 20; i++) {
    const url = `https://shop${i % 4}.example.com/products/${i}`;
    if (i === 5) list.push(make(200, '{"items":[]}', { 'content-type': 'application/json' }, url));
    else if (i === 11) list.push(make(429, 'Too Many Requests', { 'retry-after': '30' }, url));
    else if (i === 17)
      list.push(make(403, CHALLENGE, { ...html, 'cf-mitigated': 'challenge' }, url));
    else if (i % 2 === 0) list.push(make(200, page30k, html, url));
    else
      list.push(
        make(
          200,
          page180k,
          { ...html, 'content-length': String(Buffer.byteLength(page180k)) },
          url,
        ),
      );
  }
  return list;
}

const NO_RECORDER: Recorder = {
  recordNavigation: () => undefined,
  recordScrape: () => undefined,
  recordSchedulerRun: () => undefined,
  recordScraperRun: () => undefined,
};

interface Side {
  readonly classifier: BlockClassifier;
  readonly inspectBody: boolean;
}

/** Microseconds per navigation over whole passes for at least `durationMs`. */
async function measure(side: Side, list: readonly Answer[], spec: ClassifySpec): Promise<number> {
  let navigations = 0;
  let next = 0;
  const page: NavigablePage<Answer> = {
    goto: () => Promise.resolve(list[next++ % list.length] ?? null),
  };
  const started = performance.now();
  let elapsedMs = 0;
  do {
    for (let i = 0; i < spec.navigations; i++) {
      await trackNavigation(
        NO_RECORDER,
        page,
        'https://shop.example.com/products/1',
        { retries: 0, inspectBody: side.inspectBody },
        side.classifier,
      );
    }
    navigations += spec.navigations;
    elapsedMs = performance.now() - started;
  } while (elapsedMs < spec.roundMs);
  return (elapsedMs * 1000) / navigations;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function runClassify(spec: ClassifySpec): Promise<ClassifyResult> {
  const list = answers();
  const withRules: Side = { classifier: createBlockClassifier(), inspectBody: true };
  const baseline: Side = { classifier: createBlockClassifier([]), inspectBody: false };
  const withRuns: number[] = [];
  const baseRuns: number[] = [];
  // Warm both paths, then interleave, the order flipping every round.
  await measure(withRules, list, { ...spec, roundMs: 100 });
  await measure(baseline, list, { ...spec, roundMs: 100 });
  for (let round = 0; round < spec.rounds; round++) {
    if (round % 2 === 0) {
      withRuns.push(await measure(withRules, list, spec));
      baseRuns.push(await measure(baseline, list, spec));
    } else {
      baseRuns.push(await measure(baseline, list, spec));
      withRuns.push(await measure(withRules, list, spec));
    }
  }
  // The classifier alone, over the same mix (bodies as the wrapper passes them).
  const classifier = createBlockClassifier();
  const inputs = await Promise.all(
    list.map(async (a) => {
      const declared = a.headers()['content-length'];
      const body = declared === undefined || a.status() >= 400 ? await a.text() : undefined;
      return {
        status: a.status(),
        headers: a.headers(),
        requestedUrl: a.url(),
        finalUrl: a.url(),
        body: body?.slice(0, a.status() >= 400 ? BODY_SAMPLE_CHARS : HEAD_SAMPLE_CHARS),
        bytes: declared === undefined ? Buffer.byteLength(body ?? '') : Number(declared),
      };
    }),
  );
  let blocked = 0;
  for (const input of inputs) if (classifier.classify(input) !== undefined) blocked++;
  const calls = 200_000;
  const started = performance.now();
  for (let i = 0; i < calls; i++) classifier.classify(inputs[i % inputs.length]!);
  const classifierMicros = ((performance.now() - started) * 1000) / calls;

  const withRulesMicros = median(withRuns);
  const baselineMicros = median(baseRuns);
  return {
    navigations: spec.navigations,
    withRulesMicros,
    baselineMicros,
    addedMicros: withRulesMicros - baselineMicros,
    ratio: withRulesMicros / baselineMicros,
    classifierMicros,
    blockedShare: blocked / inputs.length,
  };
}
