import {
  BLOCK_REASONS,
  DEFAULT_BLOCK_RULES,
  classifyBlock,
  createBlockClassifier,
  createScrapewatch,
  type BlockRule,
  type BlockSignals,
} from '@scrapewatch/sdk';
import { BLOCK_FIXTURES } from './fixtures/block-pages';

describe('soft-block rule table', () => {
  it('has at least 30 fixtures, every reason covered, at least 10 ordinary pages', () => {
    expect(BLOCK_FIXTURES.length).toBeGreaterThanOrEqual(30);
    const reasons = new Set(BLOCK_FIXTURES.map((f) => f.expected));
    for (const reason of BLOCK_REASONS) expect(reasons).toContain(reason);
    expect(BLOCK_FIXTURES.filter((f) => f.expected === null).length).toBeGreaterThanOrEqual(10);
    expect(new Set(BLOCK_FIXTURES.map((f) => f.name)).size).toBe(BLOCK_FIXTURES.length);
  });

  it('the built-in table names exactly the protocol reasons, each documented', () => {
    expect(DEFAULT_BLOCK_RULES.map((r) => r.reason).sort()).toEqual([...BLOCK_REASONS].sort());
    for (const rule of DEFAULT_BLOCK_RULES) expect(rule.description.length).toBeGreaterThan(20);
  });

  it.each(BLOCK_FIXTURES.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    expect(classifyBlock(fixture.signals) ?? null).toBe(fixture.expected);
  });
});

const signals = (over: Partial<BlockSignals>): BlockSignals => ({
  status: 200,
  headers: {},
  requestedUrl: 'https://a.example/p',
  finalUrl: 'https://a.example/p',
  body: undefined,
  bytes: 100_000,
  usualBytes: undefined,
  ...over,
});

describe('extending and using the table', () => {
  it('a rule of the user goes before the built-in ones; a throwing rule is skipped', () => {
    const geo: BlockRule = {
      reason: 'geo_fence',
      description: 'The site serves its "not available in your country" page.',
      matches: (s) => s.body?.includes('not available in your country') ?? false,
    };
    const broken: BlockRule = {
      reason: 'broken',
      description: 'Throws.',
      matches: () => {
        throw new Error('bug');
      },
    };
    const rules = [broken, geo, ...DEFAULT_BLOCK_RULES];
    expect(classifyBlock(signals({ body: 'Sorry, not available in your country' }), rules)).toBe(
      'geo_fence',
    );
    expect(classifyBlock(signals({ status: 429 }), rules)).toBe('rate_limited');
    expect(classifyBlock(signals({}), rules)).toBeUndefined();
  });

  it("learns a domain's usual size from unblocked 200s and flags a page far below it", () => {
    const classifier = createBlockClassifier();
    const at = (url: string, bytes: number, status = 200) =>
      classifier.classify({
        status,
        headers: {},
        requestedUrl: url,
        finalUrl: url,
        body: undefined,
        bytes,
      });
    // Four samples are not enough to know the usual size.
    for (let i = 0; i < 4; i++) expect(at(`https://a.example/p/${i}`, 150_000 + i)).toBeUndefined();
    expect(at('https://a.example/p/x', 2_000)).toBeUndefined();
    // The fifth makes the median known; now a 2 kB page is empty, on this domain only.
    expect(at('https://a.example/p/5', 150_500)).toBeUndefined();
    expect(at('https://a.example/p/y', 2_000)).toBe('empty');
    expect(at('https://b.example/p/y', 2_000)).toBeUndefined();
    // Errors and blocked pages do not teach sizes.
    for (let i = 0; i < 10; i++) at('https://c.example/p', 10, 429);
    expect(at('https://c.example/p', 10)).toBeUndefined();
  });

  it('rejects a malformed rule at client creation', () => {
    const bad = (blockRules: unknown) => () =>
      createScrapewatch({
        url: 'http://127.0.0.1:9',
        scraper: 's',
        blockRules: blockRules as BlockRule[],
      });
    expect(bad([{ reason: 'Bad Reason', description: '', matches: () => false }])).toThrow(
      /blockRules\[0\]\.reason must match/,
    );
    expect(bad([{ reason: 'ok', description: '' }])).toThrow(/blockRules\[0\]\.matches/);
    expect(bad('nope')).toThrow(/blockRules must be an array/);
  });
});
