import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { freePort } from '@scrapewatch/questdb';
import { createCollector, type Collector } from '../../src/collector';
import { loadConfig } from '../../src/config';
import { subscribe } from '../live/harness';
import { INGEST_TOKEN, post, scrape, STREAM_TOKEN, uniquePrefix } from './harness';

// QuestDB unreachable (nothing listens on its port): ingest spools, and refuses once the spool is full.

async function startWithoutQuestDB(spoolMaxBytes: number): Promise<{
  collector: Collector;
  url: string;
  close(): Promise<void>;
}> {
  const port = await freePort();
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-unavailable-test-'));
  const collector = createCollector(
    loadConfig({
      SCRAPEWATCH_PORT: '0',
      SCRAPEWATCH_QUESTDB_HTTP: `http://127.0.0.1:${port}`,
      SCRAPEWATCH_QUESTDB_PG: `postgresql://admin:quest@127.0.0.1:${port}/qdb`,
      SCRAPEWATCH_QUESTDB_TIMEOUT_MS: '1000',
      SCRAPEWATCH_SPOOL_DIR: spoolDir,
      SCRAPEWATCH_SPOOL_MAX_BYTES: String(spoolMaxBytes),
      SCRAPEWATCH_INGEST_TOKENS: INGEST_TOKEN,
      SCRAPEWATCH_AUTH: 'off',
    }),
    { logger: pino({ level: 'silent' }) },
  );
  const { url } = await collector.start();
  return {
    collector,
    url,
    async close() {
      await collector.close();
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}

describe('with QuestDB unreachable', () => {
  const scraper = uniquePrefix('unavailable');

  it('is not ready, and acknowledges ingest as spooled', async () => {
    const running = await startWithoutQuestDB(64 * 1024 * 1024);
    try {
      const ready = await fetch(`${running.url}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { ready: boolean; questdb: boolean; reasons: string[] };
      expect(body).toMatchObject({ ready: false, questdb: false });
      expect(body.reasons).toContain('QuestDB is unreachable');
      expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
      const history = await fetch(`${running.url}/v1/history?kind=page_scrape`);
      expect(history.status).toBe(503);
      expect(await history.json()).toMatchObject({ error: { code: 'HISTORY_UNAVAILABLE' } });

      const res = await post(running.url, JSON.stringify([scrape(scraper)]));
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: 1, durability: 'spooled' });
    } finally {
      await running.close();
    }
  });

  it('answers 503 SPOOL_FULL with Retry-After once the spool is full', async () => {
    const running = await startWithoutQuestDB(1);
    try {
      const res = await post(running.url, JSON.stringify([scrape(scraper)]));
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await res.json()).toMatchObject({ error: { code: 'SPOOL_FULL', details: [] } });
    } finally {
      await running.close();
    }
  });

  it('streams only what it spooled: a write refused with SPOOL_FULL reaches no subscriber', async () => {
    // Room for a few events, not for a hundred.
    const running = await startWithoutQuestDB(4096);
    const live = uniquePrefix('unavailable-live');
    const subscriber = await subscribe(`${running.url.replace(/^http/, 'ws')}/v1/stream`, {
      channels: [live],
      token: STREAM_TOKEN,
    });
    try {
      const refused = Array.from({ length: 100 }, (_, i) =>
        scrape(live, { eventId: `refused-${i}` }),
      );
      const full = await post(running.url, JSON.stringify(refused));
      expect(full.status).toBe(503);
      expect(await full.json()).toMatchObject({ error: { code: 'SPOOL_FULL' } });

      const kept = await post(running.url, JSON.stringify([scrape(live, { eventId: 'kept-0' })]));
      expect(kept.status).toBe(202);
      expect(await kept.json()).toEqual({ accepted: 1, durability: 'spooled' });
      // Per channel the stream keeps the order of publishing: had the refused batch been
      // published, it would have arrived before the kept event.
      const events = await subscriber.waitForEvents(1, live);
      expect(events.map((e) => e.eventId)).toEqual(['kept-0']);
    } finally {
      subscriber.terminate();
      await running.close();
    }
  });
});
