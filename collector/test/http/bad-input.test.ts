import http from 'node:http';
import {
  INGEST_TOKEN,
  SCOPED_INGEST_TOKEN,
  countRows,
  navigation,
  post,
  scrape,
  schedulerRun,
  startCollector,
  uniquePrefix,
  waitForRows,
  type RunningCollector,
} from '../e2e/harness';

// Every rejection: the status and code of the catalogue, details naming item and field, and
// nothing stored (checked in QuestDB at the end, behind a sentinel written after every case).

const MAX_BODY_BYTES = 65_536;
const MAX_EVENTS = 20;
const DAY_MS = 86_400_000;

interface ErrorJson {
  error: {
    code: string;
    message: string;
    details: { index: number | null; path: string; code: string; message: string }[];
  };
}

let running: RunningCollector;
const prefix = uniquePrefix('bad');
let caseNumber = 0;
/** A fresh scraper name per case; every one must end up with no row. */
const badScraper = () => `${prefix}-c${++caseNumber}`;

beforeAll(async () => {
  running = await startCollector({
    scoped: [`${prefix}-allowed`],
    env: {
      SCRAPEWATCH_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      SCRAPEWATCH_MAX_EVENTS_PER_REQUEST: String(MAX_EVENTS),
    },
  });
});

afterAll(async () => {
  await running?.close();
});

async function expectRejected(
  res: Response,
  status: number,
  code: string,
  details: { index: number | null; path: string; code?: string }[] = [],
): Promise<ErrorJson> {
  const body = (await res.json()) as ErrorJson;
  expect({ status: res.status, code: body.error.code }).toEqual({ status, code });
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'details', 'message']);
  expect(typeof body.error.message).toBe('string');
  for (const detail of details) {
    expect(body.error.details).toContainEqual(
      expect.objectContaining({
        index: detail.index,
        path: detail.path,
        code: detail.code ?? code,
      }),
    );
  }
  return body;
}

describe('POST /v1/metrics rejects bad input', () => {
  it('invalid JSON', async () => {
    const res = await post(
      running.url,
      `{"type":"page_navigation","scraperSource":"${badScraper()}"`,
    );
    await expectRejected(res, 400, 'INVALID_JSON', [{ index: null, path: '' }]);
  });

  it('an invalid NDJSON line, named by its number', async () => {
    const scraper = badScraper();
    const body = `${JSON.stringify(navigation(scraper))}\n${JSON.stringify(scrape(scraper))}\n{"type":\n`;
    const res = await post(running.url, body, { 'content-type': 'application/x-ndjson' });
    const json = await expectRejected(res, 400, 'INVALID_JSON', [{ index: 2, path: '' }]);
    expect(json.error.message).toMatch(/line 3/);
  });

  it('a wrong type', async () => {
    const res = await post(
      running.url,
      JSON.stringify(navigation(badScraper(), { success: 'yes' })),
    );
    await expectRejected(res, 400, 'INVALID_TYPE', [{ index: 0, path: '/success' }]);
  });

  it('a missing required field', async () => {
    const event: Record<string, unknown> = scrape(badScraper());
    delete event['itemsExtracted'];
    const res = await post(running.url, JSON.stringify([event]));
    await expectRejected(res, 400, 'MISSING_FIELD', [{ index: 0, path: '/itemsExtracted' }]);
  });

  it('an unknown event type', async () => {
    const res = await post(
      running.url,
      JSON.stringify(navigation(badScraper(), { type: 'page_click' })),
    );
    await expectRejected(res, 400, 'UNKNOWN_EVENT_TYPE', [{ index: 0, path: '/type' }]);
  });

  it('an unknown field', async () => {
    const res = await post(running.url, JSON.stringify(scrape(badScraper(), { itemz: 1 })));
    await expectRejected(res, 400, 'UNKNOWN_FIELD', [{ index: 0, path: '/itemz' }]);
  });

  it('a negative number', async () => {
    const res = await post(
      running.url,
      JSON.stringify(navigation(badScraper(), { retryCount: -1 })),
    );
    await expectRejected(res, 400, 'OUT_OF_RANGE', [{ index: 0, path: '/retryCount' }]);
  });

  it('a non-finite number (1e999 in the raw JSON)', async () => {
    const raw = JSON.stringify(navigation(badScraper(), { navigationDurationMs: 123456 })).replace(
      '123456',
      '1e999',
    );
    const res = await post(running.url, raw);
    await expectRejected(res, 400, 'OUT_OF_RANGE', [{ index: 0, path: '/navigationDurationMs' }]);
  });

  it('a fractional count', async () => {
    const res = await post(
      running.url,
      JSON.stringify(scrape(badScraper(), { itemsExtracted: 1.5 })),
    );
    await expectRejected(res, 400, 'OUT_OF_RANGE', [{ index: 0, path: '/itemsExtracted' }]);
  });

  it('strings over their limits', async () => {
    const scraper = badScraper();
    const res = await post(
      running.url,
      JSON.stringify([
        navigation(scraper, { url: `https://example.com/${'a'.repeat(5_000)}` }),
        scrape(scraper, { error: 'x'.repeat(5_000) }),
        scrape(`${scraper}${'n'.repeat(200)}`),
      ]),
    );
    await expectRejected(res, 400, 'TOO_LONG', [
      { index: 0, path: '/url' },
      { index: 1, path: '/error' },
      { index: 2, path: '/scraperSource' },
    ]);
  });

  it('recordedAt outside the window, in the past and in the future', async () => {
    const scraper = badScraper();
    const res = await post(
      running.url,
      JSON.stringify([
        scrape(scraper, { recordedAt: Date.now() - 8 * DAY_MS }),
        scrape(scraper, { recordedAt: Date.now() + DAY_MS }),
      ]),
    );
    await expectRejected(res, 400, 'RECORDED_AT_OUT_OF_WINDOW', [
      { index: 0, path: '/recordedAt' },
      { index: 1, path: '/recordedAt' },
    ]);
  });

  it('a body over the size limit (declared length)', async () => {
    const scraper = badScraper();
    const events = Array.from({ length: 10 }, () =>
      scrape(scraper, { error: 'e'.repeat(4_000), success: false }),
    );
    const body = JSON.stringify(events);
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_BODY_BYTES / 2);
    const res = await post(running.url, body + ' '.repeat(MAX_BODY_BYTES));
    await expectRejected(res, 413, 'PAYLOAD_TOO_LARGE', [{ index: null, path: '' }]);
  });

  it('a streamed body over the size limit, answered before the body ends', async () => {
    const scraper = badScraper();
    const chunk = Buffer.from(JSON.stringify(scrape(scraper)).padEnd(16_384, ' '));
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${running.url}/v1/metrics`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${INGEST_TOKEN}`,
          'transfer-encoding': 'chunked',
        },
      });
      req.on('error', () => undefined);
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (part: string) => (body += part));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      // Five chunks pass the limit; the request is never ended, so only an early answer resolves.
      for (let i = 0; i < 5; i++) req.write(chunk);
    });
    expect(answer.status).toBe(413);
    expect((JSON.parse(answer.body) as ErrorJson).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('too many events', async () => {
    const scraper = badScraper();
    const res = await post(
      running.url,
      JSON.stringify(Array.from({ length: MAX_EVENTS + 1 }, () => scrape(scraper))),
    );
    await expectRejected(res, 413, 'TOO_MANY_EVENTS', [{ index: null, path: '' }]);
  });

  it('too many NDJSON events', async () => {
    const scraper = badScraper();
    const line = JSON.stringify(scrape(scraper));
    const res = await post(running.url, `${line}\n`.repeat(MAX_EVENTS + 1), {
      'content-type': 'application/x-ndjson',
    });
    await expectRejected(res, 413, 'TOO_MANY_EVENTS');
  });

  it('a __proto__ key, without polluting any prototype', async () => {
    const raw = JSON.stringify(navigation(badScraper())).replace(
      /}$/,
      ',"__proto__":{"polluted":true}}',
    );
    const res = await post(running.url, raw);
    await expectRejected(res, 400, 'FORBIDDEN_KEY', [{ index: 0, path: '/__proto__' }]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('a constructor key', async () => {
    const raw = JSON.stringify(scrape(badScraper())).replace(
      /}$/,
      ',"constructor":{"prototype":{"polluted":true}}}',
    );
    const res = await post(running.url, `[${raw}]`);
    await expectRejected(res, 400, 'FORBIDDEN_KEY', [{ index: 0, path: '/constructor' }]);
  });

  it('a __proto__ key on the envelope', async () => {
    const scraper = badScraper();
    const raw = `{"type":"metrics_batch","scraperSource":"${scraper}","__proto__":{},"metrics":[${JSON.stringify(scrape(scraper))}]}`;
    const res = await post(running.url, raw);
    await expectRejected(res, 400, 'FORBIDDEN_KEY', [{ index: null, path: '/__proto__' }]);
  });

  it('lone UTF-16 surrogates, named by item and field, and two ids they would merge store nothing', async () => {
    const scraper = badScraper();
    // JSON.stringify writes a lone surrogate as its escape: valid JSON, valid UTF-8 bytes.
    const body = JSON.stringify([
      scrape(scraper, { eventId: 'same-\ud800' }),
      scrape(scraper, { eventId: 'same-\udbff' }),
      navigation(scraper, { url: 'https://example.com/\udc00' }),
      schedulerRun(scraper, { runId: 'run-\ud83d' }),
    ]);
    expect(body).toContain('\\ud800');
    const res = await post(running.url, body);
    const json = await expectRejected(res, 400, 'LONE_SURROGATE', [
      { index: 0, path: '/eventId' },
      { index: 1, path: '/eventId' },
      { index: 2, path: '/url' },
      { index: 3, path: '/runId' },
    ]);
    expect(json.error.message).toMatch(/event 0 \/eventId: holds a lone UTF-16 surrogate U\+D800/);
  });

  it('invalid UTF-8 bytes', async () => {
    const text = JSON.stringify(scrape(badScraper(), { error: 'XX' }));
    const bytes = Buffer.from(text);
    const at = bytes.indexOf('XX');
    bytes[at] = 0xc3;
    bytes[at + 1] = 0x28;
    const res = await post(running.url, bytes);
    await expectRejected(res, 400, 'INVALID_UTF8', [{ index: null, path: '' }]);
  });

  it.each(['text/plain', 'application/json; charset=iso-8859-1', 'application/xml'])(
    'an unsupported content type: %s',
    async (contentType) => {
      const res = await post(running.url, JSON.stringify(scrape(badScraper())), {
        'content-type': contentType,
      });
      await expectRejected(res, 415, 'UNSUPPORTED_CONTENT_TYPE');
    },
  );

  it('a compressed body (415)', async () => {
    const res = await post(running.url, JSON.stringify(scrape(badScraper())), {
      'content-encoding': 'gzip',
    });
    await expectRejected(res, 415, 'UNSUPPORTED_CONTENT_TYPE');
  });

  it('a batch with one bad item among good ones stores none of them', async () => {
    const scraper = badScraper();
    const res = await post(
      running.url,
      JSON.stringify([
        navigation(scraper),
        scrape(scraper),
        scrape(scraper, { itemsExtracted: 'many' }),
        schedulerRun(scraper),
      ]),
    );
    const json = await expectRejected(res, 400, 'INVALID_TYPE', [
      { index: 2, path: '/itemsExtracted' },
    ]);
    expect(json.error.details).toHaveLength(1);
  });

  it('an envelope whose count contradicts its events', async () => {
    const scraper = badScraper();
    const res = await post(
      running.url,
      JSON.stringify({
        type: 'metrics_batch',
        scraperSource: scraper,
        count: 3,
        timestamp: Date.now(),
        metrics: [scrape(scraper)],
      }),
    );
    await expectRejected(res, 400, 'INVALID_ENVELOPE', [{ index: null, path: '/count' }]);
  });

  it('an empty batch', async () => {
    await expectRejected(await post(running.url, '[]'), 400, 'EMPTY_BATCH');
  });

  it('no token and a wrong token (401)', async () => {
    const body = JSON.stringify(scrape(badScraper()));
    await expectRejected(await post(running.url, body, { authorization: '' }), 401, 'UNAUTHORIZED');
    await expectRejected(
      await post(running.url, body, { authorization: 'Bearer wrong-token-0123456789abcdef' }),
      401,
      'UNAUTHORIZED',
    );
    await expectRejected(
      await post(running.url, body, { authorization: `Basic ${INGEST_TOKEN}` }),
      401,
      'UNAUTHORIZED',
    );
  });

  it('an event outside the token scope rejects the whole request (403)', async () => {
    const denied = badScraper();
    const res = await post(
      running.url,
      JSON.stringify([scrape(`${prefix}-allowed`), navigation(denied), schedulerRun(denied)]),
      { authorization: `Bearer ${SCOPED_INGEST_TOKEN}` },
    );
    await expectRejected(res, 403, 'FORBIDDEN_SCOPE', [
      { index: 1, path: '/scraperSource' },
      { index: 2, path: '/scraperSource' },
    ]);
  });

  it('unknown endpoints (404) and wrong methods (405)', async () => {
    await expectRejected(await fetch(`${running.url}/v1/nothing`), 404, 'NOT_FOUND');
    const res = await fetch(`${running.url}/v1/metrics`);
    expect(res.headers.get('allow')).toContain('POST');
    await expectRejected(res, 405, 'METHOD_NOT_ALLOWED');
    await expectRejected(
      await fetch(`${running.url}/healthz`, { method: 'DELETE' }),
      405,
      'METHOD_NOT_ALLOWED',
    );
  });

  it('stays up, accepts a good request afterwards, and stored nothing of the above', async () => {
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    const sentinel = uniquePrefix('sentinel');
    const res = await post(
      running.url,
      JSON.stringify([navigation(sentinel), scrape(sentinel), schedulerRun(sentinel)]),
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 3, durability: 'committed' });
    // Rows of a table become visible in commit order: once the sentinel is there, so would be
    // anything written before it.
    for (const table of ['page_navigation', 'page_scrape', 'scheduler_run']) {
      await waitForRows(table, `scraper = '${sentinel}'`, 1);
      expect(await countRows(table, `scraper LIKE '${prefix}%'`)).toBe(0);
    }
  });
});

describe('rate limit', () => {
  let limited: RunningCollector;
  const scraper = uniquePrefix('limited');
  beforeAll(async () => {
    limited = await startCollector({
      scoped: [scraper],
      env: {
        SCRAPEWATCH_RATE_LIMIT_EVENTS_PER_SECOND: '1',
        SCRAPEWATCH_RATE_LIMIT_BURST_EVENTS: '3',
      },
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('answers 429 with Retry-After once a token passes its events per second', async () => {
    // The bucket holds 3 events and refills 1 per second: a second batch of 3 must wait ~3 s.
    const events = [1, 2, 3].map((itemsExtracted) => scrape(scraper, { itemsExtracted }));
    expect((await post(limited.url, JSON.stringify(events))).status).toBe(202);
    const res = await post(limited.url, JSON.stringify(events));
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await expectRejected(res, 429, 'RATE_LIMITED');
    // Another token has its own bucket.
    const other = await post(
      limited.url,
      JSON.stringify([scrape(scraper, { url: 'https://example.com/other' })]),
      {
        authorization: `Bearer ${SCOPED_INGEST_TOKEN}`,
      },
    );
    expect(other.status).toBe(202);
  });
});
