import { createScrapewatch, type Scrapewatch } from '@scrapewatch/sdk';
import { closedPort } from '@scrapewatch/testkit';
import { startIngestDouble, type IngestDouble } from './support/ingest-double';
import { fetchPage, startSite, type Site } from './support/site';

describe('wrappers', () => {
  let site: Site;
  let collector: IngestDouble;
  let sw: Scrapewatch;

  beforeAll(async () => {
    site = await startSite();
  });
  afterAll(async () => {
    await site.close();
  });
  beforeEach(async () => {
    collector = await startIngestDouble();
    sw = createScrapewatch({ url: collector.url, scraper: 'wrapped', lingerMs: 60_000 });
  });
  afterEach(async () => {
    await sw.close({ deadlineMs: 1_000 });
    await collector.close();
  });

  /** The events the wrappers recorded, as the collector received them. */
  async function recorded(): Promise<Record<string, unknown>[]> {
    await sw.flush();
    return collector.events();
  }

  describe('trackNavigation', () => {
    it('records a successful navigation with status, bytes and duration', async () => {
      const page = fetchPage();
      const response = await sw.trackNavigation(page, `${site.url}/ok`);
      expect(response?.status()).toBe(200);
      const [event] = await recorded();
      expect(event).toMatchObject({
        type: 'page_navigation',
        scraperSource: 'wrapped',
        url: `${site.url}/ok`,
        success: true,
        retryCount: 0,
        statusCode: 200,
        bytes: 46,
        error: null,
        errorClass: null,
      });
      expect(event?.['navigationDurationMs']).toBeGreaterThanOrEqual(0);
    });

    it('retries a 5xx and records the success with its retry count', async () => {
      const page = fetchPage();
      const response = await sw.trackNavigation(page, `${site.url}/flaky/a`, { backoffMs: 5 });
      expect(response?.status()).toBe(200);
      expect(page.gotoCalls).toBe(3);
      const events = await recorded();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ success: true, retryCount: 2, statusCode: 200 });
    });

    it('classifies a timeout and rethrows the same error object after the retries', async () => {
      const page = fetchPage();
      const failure = sw.trackNavigation(page, `${site.url}/slow`, {
        timeoutMs: 200,
        retries: 1,
        backoffMs: 5,
      });
      await expect(failure).rejects.toBeDefined();
      const thrown = await failure.catch((error: unknown) => error);
      expect(thrown).toBe(page.lastError);
      expect(page.gotoCalls).toBe(2);
      const [event] = await recorded();
      expect(event).toMatchObject({ success: false, retryCount: 1, errorClass: 'timeout' });
      expect(String(event?.['error'])).toMatch(/TimeoutError/);
    });

    it('classifies a refused connection and a reset as network errors', async () => {
      const page = fetchPage();
      const refused = `http://127.0.0.1:${await closedPort()}/`;
      for (const url of [refused, `${site.url}/reset`]) {
        const thrown = await sw
          .trackNavigation(page, url, { retries: 0 })
          .catch((error: unknown) => error);
        expect(thrown).toMatchObject({ name: 'TypeError' });
        expect(thrown).toBe(page.lastError);
      }
      const events = await recorded();
      expect(events.map((e) => [e['success'], e['errorClass']])).toEqual([
        [false, 'network'],
        [false, 'network'],
      ]);
    });

    it('returns HTTP error answers as goto does and records http_4xx, http_5xx, captcha and blocked', async () => {
      const page = fetchPage();
      const statuses: (number | undefined)[] = [];
      for (const path of ['/missing', '/down', '/captcha', '/blocked']) {
        const response = await sw.trackNavigation(page, `${site.url}${path}`, {
          retries: 1,
          backoffMs: 5,
        });
        statuses.push(response?.status());
      }
      expect(statuses).toEqual([404, 503, 403, 403]);
      const events = await recorded();
      expect(
        events.map((e) => [e['statusCode'], e['errorClass'], e['retryCount'], e['success']]),
      ).toEqual([
        [404, 'http_4xx', 0, false],
        [503, 'http_5xx', 1, false],
        [403, 'captcha', 0, false],
        [403, 'blocked', 0, false],
      ]);
      expect(events[0]?.['error']).toBe('HTTP 404 (http_4xx)');
    });

    it("accepts Playwright's page.goto signature as it is declared", async () => {
      // Playwright's declarations, verbatim in shape: the SDK must take such a page without casts.
      interface PlaywrightResponse {
        status(): number;
        headers(): { [key: string]: string };
        text(): Promise<string>;
        url(): string;
      }
      interface PlaywrightPage {
        goto(
          url: string,
          options?: {
            referer?: string;
            timeout?: number;
            waitUntil?: 'load' | 'domcontentloaded' | 'networkidle' | 'commit';
          },
        ): Promise<null | PlaywrightResponse>;
      }
      const inner = fetchPage();
      const page: PlaywrightPage = {
        goto: async (url, options) => {
          const response = await inner.goto(url, options);
          return response && { ...response, url: () => url };
        },
      };
      const response = await sw.trackNavigation(page, `${site.url}/ok`, {
        gotoOptions: { waitUntil: 'domcontentloaded' },
      });
      expect(response?.url()).toBe(`${site.url}/ok`);
      const [event] = await recorded();
      expect(event).toMatchObject({ success: true, statusCode: 200 });
    });

    it('lets a detector mark a soft block served with 200', async () => {
      const page = fetchPage();
      await sw.trackNavigation(page, `${site.url}/ok`, {
        detect: async (response) =>
          (await response.text()).includes('<li>') ? 'blocked' : undefined,
      });
      const [event] = await recorded();
      expect(event).toMatchObject({ success: false, errorClass: 'blocked', statusCode: 200 });
    });
  });

  describe('soft blocks', () => {
    it('trackNavigation records the block reason of each refusal and none for a page', async () => {
      const page = fetchPage();
      for (const path of ['/rate-limited', '/captcha', '/blocked', '/challenge', '/members', '/ok'])
        await sw.trackNavigation(page, `${site.url}${path}`, { retries: 0 });
      const events = await recorded();
      expect(
        events.map((e) => [e['statusCode'], e['blockReason'], e['errorClass'], e['success']]),
      ).toEqual([
        [429, 'rate_limited', 'blocked', false],
        [403, 'captcha', 'captcha', false],
        [403, 'forbidden', 'blocked', false],
        [403, 'challenge', 'blocked', false],
        // fetch followed the redirect: a 200 login page instead of the members page.
        [200, 'login_wall', 'blocked', false],
        [200, null, null, true],
      ]);
    });

    it('trackFetch classifies fetch answers and hands back the Response unread', async () => {
      const members = await sw.trackFetch(`${site.url}/members`);
      expect(members.status).toBe(200);
      expect(await members.text()).toContain('type="password"');
      const ok = await sw.trackFetch(`${site.url}/ok`, { headers: { accept: 'text/html' } });
      expect(await ok.text()).toContain('<li>a</li>');
      const empty = await sw.trackFetch(`${site.url}/empty`);
      expect(empty.status).toBe(200);
      const refused = `http://127.0.0.1:${await closedPort()}/x`;
      await expect(sw.trackFetch(refused, undefined, { retries: 0 })).rejects.toThrow(
        'fetch failed',
      );
      const events = await recorded();
      expect(
        events.map((e) => [e['blockReason'], e['errorClass'], e['success'], e['bytes']]),
      ).toEqual([
        ['login_wall', 'blocked', false, 96],
        [null, null, true, 46],
        ['empty', 'blocked', false, 0],
        [undefined, 'network', false, undefined],
      ]);
    });

    it('trackFetch retries a 5xx and aborts a slow attempt at timeoutMs', async () => {
      const flaky = await sw.trackFetch(`${site.url}/flaky/fetch`, undefined, { backoffMs: 5 });
      expect(flaky.status).toBe(200);
      await expect(
        sw.trackFetch(`${site.url}/slow`, undefined, { retries: 0, timeoutMs: 100 }),
      ).rejects.toThrow();
      const events = await recorded();
      expect(events.map((e) => [e['retryCount'], e['success'], e['errorClass']])).toEqual([
        [2, true, null],
        [0, false, 'timeout'],
      ]);
    });
  });

  describe('trackScrape', () => {
    it('returns the result and records the item count', async () => {
      const items = await sw.trackScrape(`${site.url}/ok`, async () => {
        const html = await (await fetch(`${site.url}/ok`)).text();
        return html.match(/<li>/g) ?? [];
      });
      expect(items).toHaveLength(2);
      await sw.trackScrape('https://example.com/empty', () => []);
      await sw.trackScrape('https://example.com/counted', () => ({ rows: 'x' }), {
        itemsExtracted: () => 7,
      });
      const events = await recorded();
      expect(events.map((e) => [e['type'], e['itemsExtracted'], e['success']])).toEqual([
        ['page_scrape', 2, true],
        ['page_scrape', 0, true],
        ['page_scrape', 7, true],
      ]);
    });

    it('rethrows the scraper error unchanged and records it classified', async () => {
      const own = new SyntaxError('Unexpected token < in JSON');
      await expect(
        sw.trackScrape('https://example.com/api', () => {
          throw own;
        }),
      ).rejects.toBe(own);
      const [event] = await recorded();
      expect(event).toMatchObject({ success: false, itemsExtracted: 0, errorClass: 'parse' });
      expect(event?.['error']).toBe('SyntaxError: Unexpected token < in JSON');
    });
  });

  describe('trackSchedulerRun and recordMissedRun', () => {
    it('records success with lateness, failure with the same error object, and missed runs', async () => {
      const scheduledAt = Date.now() - 1_500;
      const result = await sw.trackSchedulerRun('hourly-quotes', () => 'done', {
        scheduledAt,
        schedulerName: 'cron',
        scrapersRun: 3,
      });
      expect(result).toBe('done');
      const own = new Error('job crashed');
      await expect(
        sw.trackSchedulerRun('hourly-quotes', () => Promise.reject(own), { schedulerName: 'cron' }),
      ).rejects.toBe(own);
      sw.recordMissedRun('hourly-quotes', {
        scheduledAt,
        schedulerName: 'cron',
        reason: 'host asleep',
      });
      sw.recordMissedRun('hourly-quotes', {
        scheduledAt,
        status: 'skipped',
        reason: 'previous run still going',
      });
      const events = await recorded();
      expect(events.map((e) => [e['status'], e['success'], e['schedulerName']])).toEqual([
        ['success', true, 'cron'],
        ['failed', false, 'cron'],
        ['missed', false, 'cron'],
        ['skipped', false, 'wrapped'],
      ]);
      const [success, failed, missed] = events;
      expect((success?.['startedAt'] as number) - scheduledAt).toBeGreaterThanOrEqual(1_500);
      expect(success?.['scrapersRun']).toBe(3);
      expect(failed?.['error']).toBe('Error: job crashed');
      expect(missed).toMatchObject({ startedAt: null, durationMs: 0, error: 'host asleep' });
    });
  });
});
