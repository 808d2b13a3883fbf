import {
  createScrapewatch,
  type RetryInfo,
  type Scrapewatch,
  ScrapewatchError,
} from '@scrapewatch/sdk';
import { closedPort, until } from '@scrapewatch/testkit';
import { startIngestDouble, type IngestDouble } from './support/ingest-double';

function navigation(i: number) {
  return { url: `https://example.com/p/${i}`, navigationDurationMs: 100 + i, success: true };
}

describe('delivery to the collector', () => {
  let server: IngestDouble;
  const clients: Scrapewatch[] = [];
  function client(
    options: Partial<Parameters<typeof createScrapewatch>[0]> = {},
    random?: () => number,
  ) {
    const created = createScrapewatch(
      {
        url: server.url,
        token: 'ingest-token-0123456789',
        scraper: 'unit',
        lingerMs: 60_000,
        ...options,
      },
      random ? { random } : {},
    );
    clients.push(created);
    return created;
  }

  beforeEach(async () => {
    server = await startIngestDouble();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close({ deadlineMs: 100 })));
    await server.close();
  });

  it('cuts batches by size, sends NDJSON with the bearer token and a unique eventId per event', async () => {
    const sw = client({ batchMaxEvents: 5 });
    for (let i = 0; i < 12; i++) sw.recordNavigation(navigation(i));
    await until('two full batches', () => server.requests.length === 2);
    expect(server.requests.map((r) => r.events.length)).toEqual([5, 5]);
    expect(server.requests[0]?.headers['authorization']).toBe('Bearer ingest-token-0123456789');
    expect(server.requests[0]?.headers['content-type']).toMatch(/^application\/x-ndjson/);

    const flushed = await sw.flush();
    expect(flushed).toEqual({ ok: true, pending: 0 });
    expect(server.requests.map((r) => r.events.length)).toEqual([5, 5, 2]);
    const events = server.events();
    expect(events.map((e) => e['url'])).toEqual(
      Array.from({ length: 12 }, (_, i) => `https://example.com/p/${i}`),
    );
    expect(new Set(events.map((e) => e['eventId'])).size).toBe(12);
    expect(events[0]).toMatchObject({
      type: 'page_navigation',
      scraperSource: 'unit',
      retryCount: 0,
      error: null,
    });
    expect(typeof events[0]?.['recordedAt']).toBe('number');
    expect(sw.stats()).toMatchObject({
      delivered: 12,
      batchesDelivered: 3,
      queued: 0,
      inFlight: 0,
    });
  });

  it('sends a partial batch once its linger has passed, without flush', async () => {
    const sw = client({ lingerMs: 50 });
    sw.recordScrape({
      url: 'https://example.com/a',
      scrapeDurationMs: 5,
      itemsExtracted: 3,
      success: true,
    });
    sw.recordScrape({
      url: 'https://example.com/b',
      scrapeDurationMs: 5,
      itemsExtracted: 0,
      success: true,
    });
    await until('the lingered batch', () => server.requests.length === 1);
    expect(server.requests[0]?.events.map((e) => e['url'])).toEqual([
      'https://example.com/a',
      'https://example.com/b',
    ]);
  });

  it('retries 5xx with exponential backoff and full jitter, resending the same eventIds', async () => {
    const retries: RetryInfo[] = [];
    server.script({ status: 503 }, { status: 500 }, { status: 502 }, { status: 503 });
    const sw = client(
      { baseRetryDelayMs: 40, maxRetryDelayMs: 100, onRetry: (info) => retries.push(info) },
      () => 0.5,
    );
    sw.recordNavigation(navigation(1));
    sw.recordNavigation(navigation(2));
    await sw.flush();
    // Ceilings 40, 80, 160->100 (capped), 100; jitter 0.5 takes half of each.
    expect(retries.map((r) => r.delayMs)).toEqual([20, 40, 50, 50]);
    expect(retries.map((r) => r.attempt)).toEqual([0, 1, 2, 3]);
    expect(retries[0]).toMatchObject({ reason: 'HTTP 503', status: 503, events: 2 });
    expect(server.requests).toHaveLength(5);
    const ids = server.requests.map((r) => r.events.map((e) => e['eventId']).join(','));
    expect(new Set(ids).size).toBe(1);
    expect(sw.stats()).toMatchObject({ delivered: 2, retries: 4 });
  });

  it('retries a connection reset and a request timeout', async () => {
    const retries: RetryInfo[] = [];
    server.script('reset', 'hang');
    const sw = client({
      baseRetryDelayMs: 10,
      requestTimeoutMs: 1_500,
      onRetry: (info) => retries.push(info),
    });
    sw.recordNavigation(navigation(1));
    await sw.flush();
    expect(retries.map((r) => r.reason)).toEqual([expect.stringMatching(/^network/), 'timeout']);
    expect(server.requests).toHaveLength(3);
    expect(sw.stats().delivered).toBe(1);
  });

  it('keeps retrying against a collector that is not listening; flush gives up at its deadline', async () => {
    const port = await closedPort();
    const retries: RetryInfo[] = [];
    const sw = client({
      url: `http://127.0.0.1:${port}`,
      baseRetryDelayMs: 10,
      maxRetryDelayMs: 50,
      onRetry: (i) => retries.push(i),
    });
    sw.recordNavigation(navigation(1));
    const first = await sw.flush({ deadlineMs: 300 });
    expect(first.ok).toBe(false);
    expect(first.pending).toBe(1);
    await until('a retry', () => retries.length > 0);
    expect(retries[0]?.reason).toMatch(/ECONNREFUSED/);
  });

  it('honours Retry-After in seconds and as an HTTP date, bounded by maxRetryDelayMs', async () => {
    const retries: RetryInfo[] = [];
    server.script(
      {
        status: 429,
        headers: { 'retry-after': '1' },
        body: { error: { code: 'RATE_LIMITED', message: 'slow down' } },
      },
      // An HTTP date has whole seconds and is read a second or more after it is written here:
      // the wait it asks for lies between 4 s less that second (and the machine's delay) and 4 s.
      { status: 503, headers: { 'retry-after': new Date(Date.now() + 4_000).toUTCString() } },
      { status: 503, headers: { 'retry-after': '120' } },
    );
    const sw = client(
      { baseRetryDelayMs: 1, maxRetryDelayMs: 5_000, onRetry: (info) => retries.push(info) },
      () => 0,
    );
    sw.recordNavigation(navigation(1));
    await sw.flush();
    expect(retries[0]?.delayMs).toBe(1000);
    // Well above the 1 ms backoff the date would fall back to were it not read as a date.
    expect(retries[1]?.delayMs).toBeGreaterThan(500);
    expect(retries[1]?.delayMs).toBeLessThanOrEqual(4000);
    expect(retries[2]?.delayMs).toBe(5000);
    // The server saw the second attempt no earlier than it asked for.
    const [first, second] = server.requests;
    expect((second?.atMs ?? 0) - (first?.atMs ?? 0)).toBeGreaterThanOrEqual(950);
    expect(server.requests).toHaveLength(4);
  }, 30_000);

  it('reports a 400 once with the collector code and details, drops only the named events, never resends them', async () => {
    const errors: { error: ScrapewatchError; status: number | undefined }[] = [];
    server.script({
      status: 400,
      body: {
        error: {
          code: 'RECORDED_AT_OUT_OF_WINDOW',
          message: 'recordedAt is older than retention',
          details: [
            {
              index: 1,
              path: '/recordedAt',
              code: 'RECORDED_AT_OUT_OF_WINDOW',
              message: 'too old',
            },
          ],
        },
      },
    });
    const sw = client({
      onError: (error, context) => errors.push({ error, status: context.status }),
    });
    for (let i = 0; i < 3; i++) sw.recordNavigation(navigation(i));
    await sw.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.status).toBe(400);
    expect(errors[0]?.error).toBeInstanceOf(ScrapewatchError);
    expect(errors[0]?.error.code).toBe('RECORDED_AT_OUT_OF_WINDOW');
    expect(errors[0]?.error.details[0]).toMatchObject({ index: 1, path: '/recordedAt' });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.events.map((e) => e['url'])).toEqual([
      'https://example.com/p/0',
      'https://example.com/p/2',
    ]);
    expect(sw.stats().dropped.rejected).toBe(1);
    expect(sw.stats().retries).toBe(0);
  });

  it('drops a batch refused with 401 after one report, without retrying', async () => {
    const errors: ScrapewatchError[] = [];
    const drops: string[] = [];
    server.script({
      status: 401,
      body: { error: { code: 'UNAUTHORIZED', message: 'A valid bearer token is required.' } },
    });
    const sw = client({
      onError: (error) => errors.push(error),
      onDrop: (d) => drops.push(`${d.reason}:${d.count}`),
    });
    sw.recordNavigation(navigation(1));
    sw.recordNavigation(navigation(2));
    await sw.flush();
    expect(errors.map((e) => e.code)).toEqual(['UNAUTHORIZED']);
    expect(drops).toEqual(['rejected:2']);
    expect(server.requests).toHaveLength(1);
  });

  it('splits a batch the collector refuses as too large (413) instead of dropping it', async () => {
    server.fallback((request) =>
      request.events.length > 2
        ? { status: 413, body: { error: { code: 'TOO_MANY_EVENTS', message: 'too many' } } }
        : { status: 202, body: { accepted: request.events.length, durability: 'committed' } },
    );
    const sw = client({ batchMaxEvents: 8 });
    for (let i = 0; i < 7; i++) sw.recordNavigation(navigation(i));
    await sw.flush();
    const accepted = server.requests.filter((r) => r.events.length <= 2);
    expect(accepted.flatMap((r) => r.events).map((e) => e['url'])).toEqual(
      Array.from({ length: 7 }, (_, i) => `https://example.com/p/${i}`),
    );
    expect(sw.stats()).toMatchObject({ delivered: 7, dropped: { rejected: 0 } });
  });

  it('bounds the queue (in-flight included), drops the oldest and counts the drops', async () => {
    const drops: number[] = [];
    server.script('hang');
    const sw = client({
      maxQueueEvents: 5,
      batchMaxEvents: 2,
      onDrop: (d) => d.reason === 'queue_full' && drops.push(d.count),
    });
    sw.recordNavigation(navigation(1));
    sw.recordNavigation(navigation(2));
    await until('the first request on the wire', () => server.requests.length === 1);
    for (let i = 3; i <= 8; i++) sw.recordNavigation(navigation(i));
    expect(sw.stats()).toMatchObject({ inFlight: 2, queued: 3, dropped: { queue_full: 3 } });
    expect(drops).toEqual([1, 1, 1]);
    server.releaseHanging();
    await sw.flush();
    expect(server.events().map((e) => e['url'])).toEqual(
      [1, 2, 6, 7, 8].map((i) => `https://example.com/p/${i}`),
    );
  });

  it('close() returns within its deadline against a collector that never answers, counting what it gave up', async () => {
    server.fallback(() => 'hang');
    const sw = client();
    for (let i = 0; i < 4; i++) sw.recordNavigation(navigation(i));
    const startedMs = Date.now();
    const result = await sw.close({ deadlineMs: 300 });
    // Generous bound: the point is that it returns, not how fast.
    expect(Date.now() - startedMs).toBeLessThan(10_000);
    expect(result).toEqual({ delivered: 0, unsent: 4 });
    expect(sw.stats().dropped.close_deadline).toBe(4);
    expect(sw.recordNavigation(navigation(9))).toBeUndefined();
    expect(sw.stats().dropped.closed).toBe(1);
  });

  it('close() delivers what is queued when the collector answers', async () => {
    const sw = client();
    for (let i = 0; i < 3; i++) sw.recordNavigation(navigation(i));
    expect(await sw.close({ deadlineMs: 10_000 })).toEqual({ delivered: 3, unsent: 0 });
    expect(server.events()).toHaveLength(3);
  });
});

describe('recording never throws', () => {
  it('validates client-side, reports once via onError and drops the event', () => {
    const errors: ScrapewatchError[] = [];
    const sw = createScrapewatch({
      url: 'http://127.0.0.1:9',
      scraper: 'unit',
      onError: (error, context) => {
        expect(context.source).toBe('validation');
        errors.push(error);
      },
    });
    expect(
      sw.recordNavigation({ url: 'https://x.test', navigationDurationMs: -5, success: true }),
    ).toBeUndefined();
    expect(
      sw.recordScrape({ url: '', scrapeDurationMs: 1, itemsExtracted: 1.5, success: true }),
    ).toBeUndefined();
    expect(
      sw.recordNavigation({
        url: 'https://x.test',
        navigationDurationMs: 1,
        success: true,
        recordedAt: 1,
      }),
    ).toBeUndefined();
    expect(sw.recordNavigation(null as never)).toBeUndefined();
    expect(
      sw.recordNavigation({
        url: 'https://x.test',
        navigationDurationMs: 1,
        success: true,
        scraperSource: 'bad name!',
      }),
    ).toBeUndefined();
    expect(errors.map((e) => e.code)).toEqual([
      'OUT_OF_RANGE',
      'INVALID_FORMAT',
      'RECORDED_AT_OUT_OF_WINDOW',
      'INVALID_TYPE',
      'INVALID_FORMAT',
    ]);
    expect(errors[0]?.details[0]).toMatchObject({ path: '/navigationDurationMs' });
    expect(sw.stats()).toMatchObject({ queued: 0, dropped: { invalid: 5 } });
  });

  it('survives callbacks that throw', async () => {
    const sw = createScrapewatch({
      url: 'http://127.0.0.1:9',
      scraper: 'unit',
      onError: () => {
        throw new Error('bad callback');
      },
      onDrop: () => {
        throw new Error('bad callback');
      },
    });
    expect(
      sw.recordNavigation({ url: 'https://x.test', navigationDurationMs: -1, success: true }),
    ).toBeUndefined();
    await sw.close({ deadlineMs: 10 });
  });

  it('rejects invalid options at construction', () => {
    expect(() => createScrapewatch({ url: 'not a url', scraper: 'x' })).toThrow(/url/);
    expect(() => createScrapewatch({ url: 'http://a:b@h', scraper: 'x' })).toThrow(/credentials/);
    expect(() => createScrapewatch({ url: 'http://h', scraper: 'x', batchMaxEvents: 0 })).toThrow(
      /batchMaxEvents/,
    );
  });
});
